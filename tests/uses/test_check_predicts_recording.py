"""The venue's check predicts the recording: whatever the check answers, recording a use of the same card
at the same venue on the same day gives the same verdict, with the same code and message."""

import datetime as dt

import pytest

from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import check_card, close_card, issue_card
from kaikukanta.core.errors import DomainError
from kaikukanta.uses.services import record_use

from ..conftest import holder, new_key, on_day


def valid_card_at_its_own_regions_venue(world, alpha_card, beta_card, community_card):
    return alpha_card, world.alpha_venue, world.alpha_venue_staff


def popup_outside_its_period(world, alpha_card, beta_card, community_card):
    world.popup.active_until = dt.date(2026, 5, 31)
    world.popup.save()
    return alpha_card, world.popup, world.popup_staff


def venue_of_a_pilot_that_has_ended(world, alpha_card, beta_card, community_card):
    world.beta.pilot_ends = dt.date(2026, 6, 1)
    world.beta.save()
    return alpha_card, world.beta_venue, world.beta_venue_staff


def card_of_a_pilot_that_has_ended(world, alpha_card, beta_card, community_card):
    world.beta.pilot_ends = dt.date(2026, 6, 1)
    world.beta.save()
    return beta_card, world.alpha_venue, world.alpha_venue_staff


def venue_for_its_own_region_only(world, alpha_card, beta_card, community_card):
    world.alpha_venue.accepts_other_regions = False
    world.alpha_venue.save()
    return beta_card, world.alpha_venue, world.alpha_venue_staff


def closed_card(world, alpha_card, beta_card, community_card):
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.ON_REQUEST)
    return alpha_card, world.alpha_venue, world.alpha_venue_staff


def expired_card(world, alpha_card, beta_card, community_card):
    with on_day(dt.date(2025, 5, 2)):
        card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    return card, world.alpha_venue, world.alpha_venue_staff


def community_card_alone(world, alpha_card, beta_card, community_card):
    return community_card, world.alpha_venue, world.alpha_venue_staff


def other_regions_card_at_a_popup(world, alpha_card, beta_card, community_card):
    return beta_card, world.popup, world.popup_staff


SITUATIONS = {
    valid_card_at_its_own_regions_venue: None,
    other_regions_card_at_a_popup: None,
    popup_outside_its_period: "venue_not_accepting",
    venue_of_a_pilot_that_has_ended: "venue_not_accepting",
    card_of_a_pilot_that_has_ended: "card_pilot_ended",
    venue_for_its_own_region_only: "venue_own_region_only",
    closed_card: "card_closed",
    expired_card: "card_expired",
    community_card_alone: "community_card_needs_group",
}


@pytest.mark.parametrize("situation", list(SITUATIONS), ids=lambda f: f.__name__)
def test_the_check_gives_the_verdict_recording_gives(
    world, alpha_card, beta_card, community_card, situation
):
    card, venue, staff = situation(world, alpha_card, beta_card, community_card)
    venue.refresh_from_db()
    check = check_card(actor=staff, venue=venue, identifier=card.identifier)
    expected = SITUATIONS[situation]
    assert (check.refusal.code if check.refusal else None) == expected
    assert check.accepted == (expected is None)
    if check.refusal is None:
        assert record_use(
            actor=staff, venue=venue, card_identifier=card.identifier, idempotency_key=new_key()
        ).created
    else:
        with pytest.raises(DomainError) as raised:
            record_use(
                actor=staff, venue=venue, card_identifier=card.identifier, idempotency_key=new_key()
            )
        assert (raised.value.code, raised.value.message) == (
            check.refusal.code,
            check.refusal.message,
        )


def test_a_check_never_shows_a_closed_card_as_valid_until_a_future_day(world, alpha_card):
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.LOST)
    check = check_card(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=alpha_card.identifier
    )
    assert check.status == "closed"
    assert "was closed on 15.6.2026" in check.refusal.message
    assert "new card" in check.refusal.message  # what the holder can do
