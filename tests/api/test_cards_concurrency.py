"""A client system that retries one card registration many times at once (a timeout, a queue that
resends): each request in its own thread and database connection, through the whole API with its
token. Runs on SQLite and on PostgreSQL."""

import pytest
from django.test import Client

from kaikukanta.api.services import create_site_token
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.models import Card, RegistrationKey

from ..uses.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)

RETRIES = 30


def test_thirty_retries_at_once_register_one_card(world):
    _token, secret = create_site_token(
        actor=world.alpha_sote_coordinator,
        sites=[world.alpha_site],
        name="Potilastieto",
        verified=True,
    )
    body = {"site": world.alpha_site.pk, "birth_year": 1975, "postcode": "33100", "children": 1}

    def send(_index):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client.post(
            "/api/v1/cards",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="6f1c2d3e-retry-once",
        )

    responses = run_together(RETRIES, send)
    assert [r for r in responses if isinstance(r, Exception)] == []
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (RETRIES - 1) + [201], [r.content for r in responses]
    card = Card.objects.get()
    assert {r.json()["id"] for r in responses} == {card.pk}
    assert {r.json()["card"] for r in responses} == {card.display_identifier}
    assert RegistrationKey.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.CARD_ISSUED).count() == 1
