"""Permissions-Policy: the camera only where a card is scanned, nothing else anywhere; and the
invitation page, whose address holds a secret, is never cached."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from kaikukanta.core.middleware import CAMERA_VIEWS

pytestmark = pytest.mark.django_db


def camera(response) -> str:
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    assert policy["microphone"] == policy["geolocation"] == policy["payment"] == "()"
    return policy["camera"]


def test_the_box_office_may_use_the_camera(client_as):
    response = client_as("alpha_venue_staff").get(reverse("web:venue"))
    assert response.status_code == 200
    assert camera(response) == "(self)"


def test_other_pages_may_not(client_as, client):
    assert camera(client.get(reverse("web:login"))) == "()"
    assert camera(client_as("alpha_coordinator").get(reverse("web:home"))) == "()"


def test_every_page_with_the_scanner_is_allowed_the_camera():
    """A template that includes the scanner's scripts must belong to a view in CAMERA_VIEWS: its
    camera button would otherwise do nothing."""
    templates = Path(settings.BASE_DIR, "kaikukanta", "web", "templates")
    with_scanner = sorted(
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "_card_number_scripts.html" in path.read_text()
    )
    assert with_scanner == [
        "web/box_office/group_visit.html",
        "web/box_office/venue.html",
        "web/cards/list.html",
        "web/cards/register.html",
        "web/cards/register_community.html",
        "web/cards/replace.html",
    ]
    assert len(CAMERA_VIEWS) == 7  # venue and venue_admit both render venue.html


def test_the_invitation_page_is_never_cached(client):
    response = client.get("/invitation/no-such-secret-at-all/")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
