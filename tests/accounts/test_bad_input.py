"""No 500 on bad input in production (issue 16): each of what an outside fuzz found, with DEBUG off
and the test client answering as the server would (raise_request_exception=False)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.events.models import Event

from ..conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False


def server_client() -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["kaikukanta_language"] = "en"
    return client


def test_a_256_character_user_name_at_login_is_a_wrong_login(world, production):
    response = server_client().post(reverse("web:login"), {"username": "a" * 256, "password": "x"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


@pytest.mark.parametrize("charset", ["latin-1", "utf-16"])
def test_a_form_posted_in_another_charset_is_a_400_that_says_what_to_do(world, production, charset):
    response = server_client().generic(
        "POST",
        reverse("web:login"),
        b"username=%E4%E4&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert "send the form again" in response.content.decode()


def test_a_form_posted_in_an_unknown_charset_is_read_as_utf_8(world, production):
    response = server_client().generic(
        "POST",
        reverse("web:login"),
        b"username=%C3%A4%C3%A4&password=x",
        content_type="application/x-www-form-urlencoded; charset=foo",
    )
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_an_event_quota_beyond_the_database_column(world, production):
    client = server_client()
    sign_in(client, world.alpha_venue_staff)
    response = client.post(
        reverse("web:venue_events"), {"title": "Konsertti", "cardholder_quota": "2147483648"}
    )
    assert response.status_code == 422
    assert "whole number from 1 to 2147483647" in response.content.decode()
    assert not Event.objects.exists()
    response = client.post(
        reverse("web:venue_events"), {"title": "Konsertti", "cardholder_quota": "2147483647"}
    )
    assert response.status_code == 302
    assert Event.objects.get().cardholder_quota == 2147483647


def test_the_api_schema_says_the_quotas_range():
    import json
    from pathlib import Path

    import kaikukanta.api.v1 as v1

    schema = json.loads((Path(v1.__file__).parent / "openapi.json").read_text())
    quota = schema["components"]["schemas"]["EventOut"]["properties"]["cardholder_quota"]
    variants = quota.get("anyOf", [quota])
    assert any(v.get("maximum") == 2147483647 for v in variants)
