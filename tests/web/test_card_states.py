"""The box office's list of card states for offline answers (/venue/card-states/): the cards used at
the venue lately with their state today, what a venue may see and nothing more, for the venue's own
staff only, audited once per fetch with counts only, read by the venue's use index."""

import datetime as dt

import pytest
from django.urls import reverse

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import close_card, issue_card
from kaikukanta.uses.services import record_use

from ..conftest import holder, new_key, on_day

STATES = reverse("web:venue_card_states")


def used_at(world, venue, staff, card):
    return record_use(
        actor=staff, venue=venue, card_identifier=card.identifier, idempotency_key=new_key()
    )


def test_the_list_holds_the_cards_used_here_with_their_state_today(world, client_as):
    used = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    closed_later = issue_card(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder(children=0)
    )
    never_here = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    elsewhere = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    for card in (used, closed_later):
        used_at(world, world.alpha_venue, world.alpha_venue_staff, card)
    used_at(world, world.alpha_course_venue, world.alpha_coordinator, elsewhere)
    close_card(actor=world.alpha_distributor, card=closed_later, reason=ClosingReason.LOST)

    response = client_as("alpha_venue_staff").get(STATES, {"venue": world.alpha_venue.pk})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert set(data["cards"]) == {used.identifier, closed_later.identifier}
    assert never_here.identifier not in data["cards"]  # a venue knows only the cards it admitted
    assert elsewhere.identifier not in data["cards"]
    valid_until = used.valid_until
    assert data["cards"][used.identifier] == {
        "verdict": "accepted",
        "type": "personal",
        "until": f"{valid_until.day}.{valid_until.month}.{valid_until.year}",
        "children": 2,
    }
    assert data["cards"][closed_later.identifier]["verdict"] == "closed"
    assert data["cards"][closed_later.identifier]["until"] == ""
    assert data["session_ends"]
    assert data["as_of"]
    # What a venue may see and nothing more: no issuing site, no holder data.
    text = response.content.decode()
    for secret in ("Aikuispsykiatria", "1980", "33100", "issuing", "birth", "postcode"):
        assert secret not in text


def test_a_card_used_before_the_window_is_not_listed(world, client_as, settings):
    settings.KAIKUKANTA_CARD_STATES_DAYS = 10
    with on_day(dt.date(2026, 5, 20)):
        old = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        used_at(world, world.alpha_venue, world.alpha_venue_staff, old)
    data = client_as("alpha_venue_staff").get(STATES, {"venue": world.alpha_venue.pk}).json()
    assert data["cards"] == {}
    assert data["days"] == 10


def test_each_fetch_is_audited_once_with_counts_only(world, client_as, alpha_card):
    used_at(world, world.alpha_venue, world.alpha_venue_staff, alpha_card)
    client_as("alpha_venue_staff").get(STATES, {"venue": world.alpha_venue.pk})
    event = AuditEvent.objects.get(action=Action.CARD_STATES_SYNCED)
    assert event.venue == world.alpha_venue
    assert event.actor == world.alpha_venue_staff
    assert event.data == {"cards": 1, "days": 60}
    assert alpha_card.identifier not in str(event.data) + event.object_id


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("beta_venue_staff", 404),  # another venue's staff: not told the venue exists
        ("alpha_coordinator", 403),  # acts for the venue on paper, keeps no box office list
        ("alpha_distributor", 403),
        ("nobody", 403),
    ],
)
def test_only_the_venues_own_staff_get_its_list(world, client_as, alpha_card, who, status):
    used_at(world, world.alpha_venue, world.alpha_venue_staff, alpha_card)
    response = client_as(who).get(STATES, {"venue": world.alpha_venue.pk})
    assert response.status_code == status
    assert alpha_card.identifier not in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.CARD_STATES_SYNCED).exists()


def test_the_anonymous_are_sent_to_log_in(client, world):
    response = client.get(STATES, {"venue": world.alpha_venue.pk})
    assert response.status_code == 302


def test_the_list_takes_a_fixed_number_of_queries(
    world, client_as, django_assert_max_num_queries, settings
):
    settings.KAIKUKANTA_CARD_STATES_MAX = 3
    cards = [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        for _ in range(5)
    ]
    for card in cards:
        used_at(world, world.alpha_venue, world.alpha_venue_staff, card)
    clerk = client_as("alpha_venue_staff")
    with django_assert_max_num_queries(12):
        data = clerk.get(STATES, {"venue": world.alpha_venue.pk}).json()
    assert len(data["cards"]) == 3  # the latest used
    assert cards[0].identifier not in data["cards"]
