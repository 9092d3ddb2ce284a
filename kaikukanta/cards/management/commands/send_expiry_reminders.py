"""Run daily: e-mail each distributor site's staff, at most once a week, how many of their site's
cards expire within 30 days (cards/reminders.py). A scheduled job (core/jobs.py)."""

from kaikukanta.cards.reminders import send_expiry_reminders
from kaikukanta.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "E-mail distributor sites' staff how many of their site's cards expire within 30 days, "
        "with a link to that list; each person at most once a week. Meant to run daily."
    )
    job_name = "send_expiry_reminders"

    def run(self, *, dry_run: bool = False) -> dict[str, int]:
        return {"reminders sent": send_expiry_reminders()}
