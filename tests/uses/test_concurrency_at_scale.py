"""Many box-office tablets and ticketing systems at the same moment, on PostgreSQL (SQLite serialises
every writer, so these counts say nothing there): the last quota ticket claimed by 50 requests at once
is given once, and 100 retries of one request with one key (50 at a time) store one use. Each request goes through
the API, as a system's would."""

import pytest
from django.db import connection
from django.test import Client

from kaikukanta.cards.services import issue_card
from kaikukanta.events.services import create_event
from kaikukanta.uses.models import Use

from ..conftest import holder, sign_in
from .test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency at scale needs PostgreSQL"
    ),
]


def api_post(user, body, key):
    client = Client()
    sign_in(client, user)
    return client.post(
        "/api/v1/uses", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_the_last_quota_ticket_claimed_by_50_at_once_is_given_once(world):
    event = create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Viimeinen",
        cardholder_quota=1,
    )
    cards = [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        for _ in range(50)
    ]
    responses = run_together(
        50,
        lambda i: api_post(
            world.alpha_venue_staff,
            {"venue": world.alpha_venue.pk, "card": cards[i].identifier, "event": event.pk},
            f"last-ticket-{i:04d}",
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == 49, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"quota_exhausted"}
    assert Use.objects.filter(event=event).count() == 1


def test_100_retries_with_one_key_store_one_use(world, alpha_card):
    """100 attempts with one key, in two waves of 50 at the same moment: each thread needs a database
    connection of its own, and PostgreSQL's default max_connections (100) leaves no room for 100 at
    once beside the test's own and other sessions'. The first wave races for the insert."""
    body = {"venue": world.alpha_venue.pk, "card": alpha_card.identifier, "child_tickets": 1}
    responses = []
    for _wave in range(2):
        responses += run_together(
            50, lambda i: api_post(world.alpha_venue_staff, body, "retry-key-1")
        )
    assert all(hasattr(r, "status_code") for r in responses), responses
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, sorted(statuses)
    assert statuses.count(200) == 99, sorted(statuses)
    assert len({r.json()["id"] for r in responses}) == 1
    assert Use.objects.count() == 1
