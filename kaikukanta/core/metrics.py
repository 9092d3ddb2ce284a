"""Prometheus metrics at ``/metrics`` (prometheus-client).

- ``kaikukanta_request_seconds{view, method, status}``: request latency by view (a histogram; its
  ``_count`` is the number of requests, so checks, uses and look-up refusals (429) are counted by the
  API's and the box office's views and statuses);
- ``kaikukanta_request_db_seconds{view}``: time spent in the database per request;
- ``kaikukanta_request_db_queries{view}``: statements per request;
- ``kaikukanta_db_conflicts_total{kind}``: statements PostgreSQL broke off with a deadlock (``40P01``)
  or a serialization failure (``40001``) during a request. No service retries one: they run in READ
  COMMITTED and take row locks (``select_for_update``) in a fixed order, so neither is expected; one
  that happens reaches the client as an error (the API's clients and the box office's queue send the
  same idempotency key again, which records the use once) and is counted here, so an alert on any
  increase finds a lock-order bug before users report it;
- ``kaikukanta_job_last_success_age_seconds{job}`` and ``kaikukanta_job_period_seconds{job}``: the
  seconds since each scheduled job (core/jobs.py) last ended without an error, read from the
  database at each scrape (``+Inf`` for a job that never has), next to how often its timer runs it.

Under gunicorn every worker is a process of its own: deploy/gunicorn.conf.py points
``PROMETHEUS_MULTIPROC_DIR`` at an empty folder, and ``/metrics`` adds up the workers' files.

``/metrics`` (exactly: ``/metrics/`` and the like are ordinary, unknown pages) answers only to the
addresses in ``KAIKUKANTA_METRICS_IPS`` or to ``Authorization: Bearer <KAIKUKANTA_METRICS_TOKEN>``;
anyone else gets 404. The address is the client's as login throttling sees it: behind a proxy, the
one in ``KAIKUKANTA_CLIENT_IP_HEADER``, never the proxy's own 127.0.0.1. Like the probes it is answered before sessions, locales and the HTTPS redirect.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotFound
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from kaikukanta.core.clients import client_ip

METRICS_PATH = "/metrics"

REQUEST_SECONDS = Histogram(
    "kaikukanta_request_seconds",
    "Request latency by view",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DB_SECONDS = Histogram(
    "kaikukanta_request_db_seconds",
    "Time in the database per request, by view",
    ["view"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)
DB_QUERIES = Histogram(
    "kaikukanta_request_db_queries",
    "Database statements per request, by view",
    ["view"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 500),
)

DB_CONFLICTS = Counter(
    "kaikukanta_db_conflicts",
    "Statements broken off by a deadlock or a serialization failure during a request",
    ["kind"],
)
# SQLSTATE of the two: https://www.postgresql.org/docs/current/errcodes-appendix.html
CONFLICT_KINDS = {"40P01": "deadlock", "40001": "serialization"}
for _kind in CONFLICT_KINDS.values():
    DB_CONFLICTS.labels(_kind)  # shown as 0 before the first one


def conflict_kind(error: BaseException) -> str | None:
    """``deadlock`` or ``serialization`` when ``error`` (Django's wrapper or psycopg's own) is one."""
    seen: BaseException | None = error
    while seen is not None:
        kind = CONFLICT_KINDS.get(getattr(seen, "sqlstate", None) or "")
        if kind:
            return kind
        seen = seen.__cause__
    return None


class JobLag:
    """A collector: the seconds since each scheduled job last succeeded, read at each scrape."""

    def collect(self) -> Any:
        from kaikukanta.core.jobs import SCHEDULE
        from kaikukanta.core.models import JobRun

        age = GaugeMetricFamily(
            "kaikukanta_job_last_success_age_seconds",
            "Seconds since the scheduled job last ended without an error (+Inf: never)",
            labels=["job"],
        )
        period = GaugeMetricFamily(
            "kaikukanta_job_period_seconds",
            "How often the job's timer runs it",
            labels=["job"],
        )
        try:
            last = dict(JobRun.objects.values_list("job", "succeeded_at"))
        except DatabaseError:  # /readyz tells that the database is away; the rest still answers
            return
        now = timezone.now()
        for job in sorted(SCHEDULE.keys() | last.keys()):
            when = last.get(job)
            age.add_metric([job], (now - when).total_seconds() if when else float("inf"))
            if job in SCHEDULE:
                period.add_metric([job], SCHEDULE[job])
        yield age
        yield period


def allowed(request: HttpRequest) -> bool:
    token = settings.KAIKUKANTA_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return client_ip(request) in settings.KAIKUKANTA_METRICS_IPS


def exposition() -> bytes:
    jobs = CollectorRegistry()
    jobs.register(JobLag())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return bytes(generate_latest(registry)) + bytes(generate_latest(jobs))
    return bytes(generate_latest()) + bytes(generate_latest(jobs))


class _DatabaseTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except DatabaseError as error:
            if kind := conflict_kind(error):
                DB_CONFLICTS.labels(kind).inc()
            raise
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


class Metrics:
    """Serves ``/metrics`` and measures every other request (after the probes in the middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info == METRICS_PATH and request.method == "GET":
            if not allowed(request):
                return HttpResponseNotFound()
            return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
        timer = _DatabaseTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unresolved"
        REQUEST_SECONDS.labels(view, request.method or "", str(response.status_code)).observe(
            time.perf_counter() - started
        )
        DB_SECONDS.labels(view).observe(timer.seconds)
        DB_QUERIES.labels(view).observe(timer.queries)
        return response
