"""Scheduled jobs (core/jobs.py): one log line each, and a second copy does nothing while the first
runs (PostgreSQL's advisory lock)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kaikukanta.core.jobs import lock_key

pytestmark = pytest.mark.django_db


def job_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "kaikukanta.jobs"]


def make_sessions(expired: int, current: int) -> None:
    for _ in range(expired + current):
        session = SessionStore()
        session["x"] = 1
        session.create()
    old = Session.objects.order_by("pk").values_list("pk", flat=True)[:expired]
    Session.objects.filter(pk__in=list(old)).update(
        expire_date=timezone.now() - dt.timedelta(days=1)
    )


def test_clear_expired_sessions_runs_twice_with_the_same_result(caplog):
    make_sessions(expired=3, current=2)
    with caplog.at_level("INFO"):
        call_command("clear_expired_sessions")
        call_command("clear_expired_sessions")
    first, second = job_lines(caplog)
    assert first.startswith("job clear_expired_sessions: 3 expired sessions deleted, ")
    assert second.startswith("job clear_expired_sessions: 0 expired sessions deleted, ")
    assert Session.objects.count() == 2


def test_expiry_reminders_is_a_job(caplog):
    with caplog.at_level("INFO"):
        call_command("send_expiry_reminders")
    assert job_lines(caplog)[0].startswith("job send_expiry_reminders: 0 reminders sent, ")


def test_large_counts_stay_readable_through_the_masking():
    from kaikukanta.core.jobs import describe
    from kaikukanta.core.logging import mask_card_numbers

    assert mask_card_numbers(describe({"login_records": 1234567})) == "1 234 567 login records"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the advisory lock is PostgreSQL's (SQLite: one machine)",
)
def test_a_second_copy_skips_while_the_first_holds_the_lock(caplog):
    make_sessions(expired=2, current=0)
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key("clear_expired_sessions")])
        with caplog.at_level("INFO"):
            call_command("clear_expired_sessions")
        assert job_lines(caplog) == [
            "job clear_expired_sessions: skipped, another run holds its lock"
        ]
        assert Session.objects.count() == 2
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key("clear_expired_sessions")])
        caplog.clear()
        with caplog.at_level("INFO"):
            call_command("clear_expired_sessions")
        assert job_lines(caplog)[0].startswith("job clear_expired_sessions: 2 expired sessions")
    finally:
        other.close()
