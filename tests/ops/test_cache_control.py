"""Cache-Control on every page whose address carries a secret (a mobile-card link, a staff
invitation) or that sets a password: no shared cache (a proxy, a CDN) may keep any of them, and the
ones not meant for offline reading are kept by no browser either. Answers to a wrong or throttled
secret too, since its address may be a real secret mistyped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.services import invite_staff
from kaikukanta.cards.services import hand_over_card

pytestmark = pytest.mark.django_db

UNKNOWN = "KHTRWBNXEQPMAGFD"


def directives(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


@pytest.fixture
def secret(world, alpha_card):
    return hand_over_card(actor=world.alpha_distributor, card=alpha_card)


@pytest.mark.parametrize(
    ("page", "offline"),
    [("mobile_card", True), ("my_visits", True), ("feedback", False), ("manifest", False)],
)
def test_mobile_card_pages_are_never_kept_by_a_shared_cache(secret, page, offline):
    client = Client()
    for link in (secret, UNKNOWN):
        response = client.get(reverse(f"public:{page}", args=[link]))
        found = directives(response)
        assert "public" not in found, (page, link, found)
        assert "private" in found or "no-store" in found, (page, link, found)
        if link == UNKNOWN and page != "manifest":  # the manifest names no card: same for any link
            assert response.status_code == 404
            assert "no-store" in found
    working = directives(client.get(reverse(f"public:{page}", args=[secret])))
    if offline:  # the service worker keeps the copy, the browser's own cache revalidates
        assert {"no-cache", "private"} <= working
    elif page == "feedback":
        assert "no-store" in working


def test_a_throttled_mobile_card_answer_is_not_kept(secret, settings):
    settings.KAIKUKANTA_MOBILE_CARD_REQUESTS = 1
    client = Client()
    client.get(reverse("public:mobile_card", args=[secret]))
    response = client.get(reverse("public:mobile_card", args=[secret]))
    assert response.status_code == 429
    assert "no-store" in directives(response)


def test_the_invitation_page_that_sets_a_password_is_never_kept(world):
    made: list[str] = []

    def link_for(secret: str) -> str:
        made.append(secret)
        return f"https://kaikukanta.example.fi/invitation/{secret}/"

    invite_staff(
        actor=world.alpha_sote_coordinator,
        email="uusi.jakaja@example.fi",
        first_name="Uusi",
        last_name="Jakaja",
        role=Role.DISTRIBUTOR_STAFF,
        distributor_site=world.alpha_site,
        link_for=link_for,
    )
    for secret in (made[0], "no-such-invitation-secret"):
        response = Client().get(reverse("web:invitation", args=[secret]))
        assert response.status_code in (200, 404)
        assert "no-store" in directives(response)
    assert Client().get(reverse("web:invitation", args=[made[0]])).status_code == 200


def test_the_login_page_and_the_hand_over_page_are_never_kept(world, alpha_card, client_as):
    assert "no-store" in directives(Client().get(reverse("web:login")))
    clerk = client_as("alpha_distributor")
    response = clerk.get(reverse("web:card_hand_over", args=[alpha_card.pk]))
    assert response.status_code in (200, 405)
    assert "no-store" in directives(response)
