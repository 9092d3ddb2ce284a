"""/metrics: request latency and database time by view, only to allowed addresses or the token."""

from __future__ import annotations

import pytest
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
