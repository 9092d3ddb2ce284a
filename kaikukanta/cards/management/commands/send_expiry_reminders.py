"""Run daily: e-mail each distributor site's staff, at most once a week, how many of their site's
cards expire within EXPIRING_DAYS (cards/querysets.py; cards/reminders.py). A scheduled job
(core/jobs.py)."""

from kaikukanta.cards.querysets import EXPIRING_DAYS
from kaikukanta.cards.reminders import send_expiry_reminders
from kaikukanta.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "E-mail distributor sites' staff how many of their site's cards expire within "
        f"{EXPIRING_DAYS} days, with a link to that list; each person at most once a week. Meant "
        "to run daily."
    )
    job_name = "send_expiry_reminders"

    def run(self, *, dry_run: bool = False) -> dict[str, int]:
        return {"reminders sent": send_expiry_reminders()}
