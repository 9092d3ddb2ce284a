"""/healthz and /readyz: what a load balancer and an orchestrator see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from kaikukanta.core import health


@pytest.fixture(autouse=True)
def fresh_readiness(client):
    # The middleware remembers that migrations were applied; each test starts from a new handler.
    client.handler.load_middleware()


def test_liveness_answers_without_the_database(client):
    # No django_db mark: pytest-django makes any database access here an error.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_reports_version_and_commit(client, monkeypatch):
    monkeypatch.setenv("KAIKUKANTA_COMMIT", "abc1234")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": health.version(), "commit": "abc1234"}
    assert health.version() == "0.1.0"
    assert response.cookies == {}


@pytest.mark.django_db
def test_readiness_fails_while_a_migration_is_not_applied(client):
    MigrationRecorder(connection).record_unapplied("uses", "0001_initial")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["problems"] == ["1 migration(s) not applied"]


@pytest.mark.django_db
def test_probes_skip_https_redirect_host_check_and_language(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["kaikukanta.example.fi"]
    client.handler.load_middleware()
    for path in ("/healthz", "/readyz", "/healthz/"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
        assert "Content-Language" not in response
        assert response.cookies == {}
    # Everything else still goes through the redirect.
    assert client.get("/login/", HTTP_HOST="kaikukanta.example.fi").status_code == 301
