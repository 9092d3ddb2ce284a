"""Run daily: delete expired sessions (Django's clearsessions, as a scheduled job, core/jobs.py)."""

from django.contrib.sessions.models import Session
from django.utils import timezone

from kaikukanta.core.jobs import JobCommand


class Command(JobCommand):
    help = "Delete the sessions that have expired. Meant to run daily."
    job_name = "clear_expired_sessions"

    def run(self, *, dry_run: bool = False) -> dict[str, int]:
        deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        return {"expired sessions deleted": deleted}
