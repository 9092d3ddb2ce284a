"""Scheduled jobs (deploy/systemd/kaikukanta-*.timer): one ``manage.py`` command each, built on
:class:`JobCommand`.

Each job:

- runs at most once at a time: on PostgreSQL it holds an advisory lock named after the job for as long
  as it runs, and a second copy (a timer's run and one started by hand, or two app servers' timers)
  finds the lock taken, logs that it skipped, and exits 0. On SQLite (development) there is one
  machine and no lock: the lock is a no-op.
- is idempotent: what it does is defined by the data and the clock (delete what is past its
  retention, send what has not been sent), so a second run does nothing more.
- logs one line when it ends: ``job <name>: <what it did>, <seconds> s`` (counts only, never data).
- records when it last ended without an error (:class:`~kaikukanta.core.models.JobRun`, not for a dry
  run nor a skipped copy): ``/metrics`` shows the seconds since as ``kaikukanta_job_last_success_age_seconds``
  next to the job's period (:data:`SCHEDULE`), so an alert fires when a timer stops or a job keeps failing.

The advisory lock is a session lock: the job's own database connection must go to PostgreSQL itself,
not through PgBouncer in transaction mode (docs/operations.md gives jobs their own DATABASE_URL).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone

logger = logging.getLogger("kaikukanta.jobs")

# Every scheduled job and how often its timer (deploy/systemd/kaikukanta-*.timer) runs it, in seconds:
# /metrics shows both, and a job is late when its age passes its period with a margin.
SCHEDULE: dict[str, int] = {
    "send_expiry_reminders": 86_400,
    "clear_expired_sessions": 86_400,
    "clean_login_records": 86_400,
    "purge": 7 * 86_400,
}


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock``, from the job's name."""
    digest = hashlib.sha256(f"kaikukanta.job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Whether this process holds the job's lock (always True on SQLite), held until the block ends."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def describe(counts: dict[str, int]) -> str:
    """``1 234 567 uses, 3 cards``: thousands apart, so that the log's masking, which hides any six
    digits in a row as a possible card number, leaves the counts readable."""
    parts = [
        f"{count:,} {what.replace('_', ' ')}".replace(",", " ") for what, count in counts.items()
    ]
    return ", ".join(parts) or "nothing to do"


def record_success(name: str, seconds: float) -> None:
    """Note that the job ``name`` ended now without an error (one row per job, overwritten)."""
    from kaikukanta.core.models import JobRun

    JobRun.objects.update_or_create(
        job=name, defaults={"succeeded_at": timezone.now(), "seconds": round(seconds, 3)}
    )


class JobCommand(BaseCommand):
    """A scheduled job: subclasses set ``job_name`` and implement ``run``, which returns what it did
    as counts (``{"sessions deleted": 12}``)."""

    job_name = ""
    supports_dry_run = False

    def add_arguments(self, parser: CommandParser) -> None:
        if self.supports_dry_run:
            parser.add_argument(
                "--dry-run",
                action="store_true",
                help="Count what would be done, change nothing.",
            )

    def run(self, *, dry_run: bool = False) -> dict[str, int]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        dry_run = bool(options.get("dry_run"))
        with job_lock(self.job_name) as acquired:
            if not acquired:
                logger.info("job %s: skipped, another run holds its lock", self.job_name)
                return
            counts = self.run(dry_run=dry_run)
            if not dry_run:
                record_success(self.job_name, time.monotonic() - started)
        mode = " (dry run: nothing changed)" if dry_run else ""
        logger.info(
            "job %s%s: %s, %.1f s",
            self.job_name,
            mode,
            describe(counts),
            time.monotonic() - started,
        )
