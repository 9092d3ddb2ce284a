"""/metrics: request latency and database time by view, only to allowed addresses or the token."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_metrics_count_requests_by_view_and_status(client):
    client.get(reverse("web:login"))
    response = client.get("/metrics")  # the test client connects from 127.0.0.1
    assert response.status_code == 200
    text = response.content.decode()
    assert 'kaikukanta_request_seconds_count{method="GET",status="200",view="web:login"}' in text
    assert 'kaikukanta_request_db_seconds_count{view="web:login"}' in text
    assert response.cookies == {}


def test_metrics_are_hidden_from_other_addresses(client, settings):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    assert b"kaikukanta_" not in response.content


def test_metrics_answer_the_token_from_anywhere(client, settings):
    settings.KAIKUKANTA_METRICS_TOKEN = "s3cret-metrics-token-for-prometheus"
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    right = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_AUTHORIZATION="Bearer s3cret-metrics-token-for-prometheus",
    )
    assert right.status_code == 200


def test_only_the_exact_path_is_metrics(client):
    for path in ("/metrics/", "/metrics//"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"kaikukanta_request_seconds" not in response.content


def test_behind_a_proxy_the_client_address_decides(client, settings):
    """nginx connects from 127.0.0.1 for everyone: the address it passes on is the one checked."""
    settings.KAIKUKANTA_CLIENT_IP_HEADER = "X-Real-IP"
    outsider = client.get("/metrics", HTTP_X_REAL_IP="203.0.113.9")
    assert outsider.status_code == 404
    assert b"kaikukanta_" not in outsider.content
    settings.KAIKUKANTA_METRICS_IPS = ["10.0.0.20"]
    prometheus = client.get("/metrics", HTTP_X_REAL_IP="10.0.0.20")
    assert prometheus.status_code == 200


def sample(name: str, labels: dict[str, str]) -> float | None:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels)


def test_a_deadlock_or_serialization_failure_is_told_by_its_sqlstate():
    import psycopg
    from django.db import OperationalError

    from kaikukanta.core.metrics import conflict_kind

    wrapped = OperationalError("deadlock detected")
    wrapped.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    assert conflict_kind(wrapped) == "deadlock"
    assert conflict_kind(psycopg.errors.SerializationFailure("x")) == "serialization"
    assert conflict_kind(psycopg.errors.UniqueViolation("x")) is None
    assert conflict_kind(OperationalError("no cause")) is None


def test_conflict_counters_are_shown_before_the_first_one(client):
    text = client.get("/metrics").content.decode()
    assert 'kaikukanta_db_conflicts_total{kind="deadlock"}' in text
    assert 'kaikukanta_db_conflicts_total{kind="serialization"}' in text


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a serialization failure is PostgreSQL's",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_serialization_failure_during_a_request_is_counted():
    """Two transactions change one row: the REPEATABLE READ one that read it first fails with
    40001, as a request's statement would, and the counter goes up by one."""
    from django.db import OperationalError, transaction
    from django.utils import timezone

    from kaikukanta.core.metrics import _DatabaseTimer
    from kaikukanta.core.models import JobRun

    run = JobRun.objects.create(job="conflict-test", succeeded_at=timezone.now())
    before = sample("kaikukanta_db_conflicts_total", {"kind": "serialization"}) or 0
    other = connection.copy()

    def change_a_row_another_server_changed() -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            JobRun.objects.get(pk=run.pk)
            with other.cursor() as cursor:  # another server changes the row and commits
                cursor.execute("UPDATE core_jobrun SET seconds = 1 WHERE id = %s", [run.pk])
            JobRun.objects.filter(pk=run.pk).update(seconds=2)

    try:
        with connection.execute_wrapper(_DatabaseTimer()), pytest.raises(OperationalError):
            change_a_row_another_server_changed()
    finally:
        other.close()
    assert sample("kaikukanta_db_conflicts_total", {"kind": "serialization"}) == before + 1


def test_each_job_shows_the_seconds_since_it_last_succeeded(client):
    import time_machine
    from django.core.management import call_command

    with time_machine.travel("2026-12-01 03:15:00+00:00", tick=False):
        call_command("clear_expired_sessions")
        call_command("purge", "--dry-run")  # a dry run is not a run of the job
    with time_machine.travel("2026-12-03 03:15:00+00:00", tick=False):
        text = client.get("/metrics").content.decode()
    assert 'kaikukanta_job_last_success_age_seconds{job="clear_expired_sessions"} 172800.0' in text
    assert 'kaikukanta_job_period_seconds{job="clear_expired_sessions"} 86400.0' in text
    assert 'kaikukanta_job_last_success_age_seconds{job="purge"} +Inf' in text
    assert 'kaikukanta_job_period_seconds{job="purge"} 604800.0' in text


def test_every_timer_runs_a_job_the_metrics_know():
    """The jobs' periods in core/jobs.py are those of deploy/systemd's timers."""
    import re
    from pathlib import Path

    from django.conf import settings

    from kaikukanta.core.jobs import SCHEDULE

    periods = {"*-*-* ": 86_400, "Sun *-*-* ": 7 * 86_400}
    timers = Path(settings.BASE_DIR, "deploy", "systemd").glob("kaikukanta-*.timer")
    found = {}
    for timer in timers:
        text = timer.read_text()
        job = re.search(r"^Unit=kaikukanta-job@(\w+)\.service", text, re.M)
        if job is None:  # the backup is a script, not a manage.py job
            continue
        calendar = re.search(r"^OnCalendar=(.*?)\d\d:\d\d:\d\d$", text, re.M).group(1)
        found[job.group(1)] = periods[calendar]
    assert found == SCHEDULE
