"""Run weekly: apply the retention policy (stats/retention.py). ``--dry-run`` counts only."""

from kaikukanta.core.jobs import JobCommand
from kaikukanta.stats.retention import purge


class Command(JobCommand):
    help = (
        "Delete what is past its retention period: old cards' holder data, audit events, login "
        "records, revoked mobile-card links, request keys. --dry-run counts and changes nothing."
    )
    job_name = "purge"
    supports_dry_run = True

    def run(self, *, dry_run: bool = False) -> dict[str, int]:
        return purge(dry_run=dry_run)
