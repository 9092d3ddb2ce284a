"""Liveness and readiness probes for load balancers, systemd and container orchestrators.

``/healthz`` answers 200 as long as the process answers at all: it touches no database, so a database
outage does not make the orchestrator restart every web server. ``/readyz`` answers 200 only when the
database answers and every migration in the code is applied (a server started before ``migrate`` ran
gets no traffic), with the version and the commit; otherwise 503 and what is wrong.

Both are answered by a middleware first in ``settings.MIDDLEWARE``: before the HTTPS redirect, the
session, the locale, CSRF and django-axes, and without ``request.get_host()``, so that a probe from a
load balancer's address over plain HTTP is answered and leaves no session or cookie behind.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, HttpResponse, HttpResponseBase

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


@cache
def version() -> str:
    """The version in pyproject.toml (Kaikukanta is run from its folder, not installed as a package)."""
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def commit() -> str:
    """The commit the running code was built from: KAIKUKANTA_COMMIT, set by deploy/entrypoint and the
    Containerfile ('unknown' when neither set it)."""
    return os.environ.get("KAIKUKANTA_COMMIT", "") or "unknown"


def _json(status: int, body: dict[str, object]) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body), status=status, content_type="application/json; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response


class _Readiness:
    """Once every migration was found applied, later probes only ask the database for ``SELECT 1``: the
    code of a running process does not change, and applied migrations are not unapplied."""

    migrations_applied = False

    def problems(self) -> list[str]:
        connection = connections["default"]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return ["database unreachable"]
        if not self.migrations_applied:
            try:
                loader = MigrationLoader(connection)
            except DatabaseError:
                return ["migrations could not be read"]
            applied = loader.applied_migrations or {}
            unapplied = [node for node in loader.graph.nodes if node not in applied]
            if unapplied:
                return [f"{len(unapplied)} migration(s) not applied"]
            self.migrations_applied = True
        return []


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.readiness = _Readiness()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method in ("GET", "HEAD"):
            path = request.path_info.rstrip("/")
            if path == LIVENESS_PATH:
                return _json(200, {"status": "ok"})
            if path == READINESS_PATH:
                problems = self.readiness.problems()
                body: dict[str, object] = {
                    "status": "ok" if not problems else "unavailable",
                    "version": version(),
                    "commit": commit(),
                }
                if problems:
                    body["problems"] = problems
                return _json(200 if not problems else 503, body)
        return self.get_response(request)
