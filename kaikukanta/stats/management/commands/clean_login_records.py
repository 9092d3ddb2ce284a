"""Run daily: delete django-axes' login records past KAIKUKANTA_RETAIN_LOGIN_DAYS (the purge's rule for
them, stats/retention.py, on its own: they pile up fastest)."""

from django.db import transaction
from django.utils import timezone

from kaikukanta.core.jobs import JobCommand
from kaikukanta.stats.retention import delete_login_records


class Command(JobCommand):
    help = (
        "Delete login records (addresses, user agents) and counts of wrong second-step codes older "
        "than KAIKUKANTA_RETAIN_LOGIN_DAYS."
    )
    job_name = "clean_login_records"
    supports_dry_run = True

    def run(self, *, dry_run: bool = False) -> dict[str, int]:
        with transaction.atomic():
            return delete_login_records(timezone.now(), dry_run)
