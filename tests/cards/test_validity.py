""" "Valid on a day" is one rule: Card.refusal_on for one card, CardQuerySet.valid_on (and friends) for
lists and counts. Here the two are held to each other, card by card and day by day, over the cases
that made them drift before: a pilot moved earlier, a closed card, a renewal, the first and last day."""

import datetime as dt

import pytest

from kaikukanta.cards.models import Card, ClosingReason
from kaikukanta.cards.querysets import CARD_STATUSES
from kaikukanta.cards.services import close_card, issue_card, renew_card

from ..conftest import holder, on_day


@pytest.fixture
def cards(world):
    made = {}
    with on_day(dt.date(2025, 6, 10)):
        made["expired"] = issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder()
        )
    with on_day(dt.date(2025, 6, 1)):
        renewed = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    with on_day(dt.date(2026, 5, 30)):
        made["renewed"] = renew_card(actor=world.alpha_distributor, card=renewed)
    made["today"] = issue_card(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder()
    )
    with on_day(dt.date(2026, 6, 1)):
        closed = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    made["closed"] = close_card(
        actor=world.alpha_distributor, card=closed, reason=ClosingReason.MOVED_AWAY
    )
    with on_day(dt.date(2025, 12, 1)):
        made["pilot"] = issue_card(
            actor=world.beta_distributor, site=world.beta_site, holder=holder()
        )
    made["pilot_today"] = issue_card(
        actor=world.beta_distributor, site=world.beta_site, holder=holder()
    )
    # The pilot is moved earlier after the cards were issued: their own dates say 2026-12-1/31.
    world.beta.pilot_ends = dt.date(2026, 9, 30)
    world.beta.save()
    return made


DAYS = [
    dt.date(2025, 6, 9),
    dt.date(2025, 6, 10),
    dt.date(2026, 6, 9),
    dt.date(2026, 6, 10),
    dt.date(2026, 6, 14),
    dt.date(2026, 6, 15),
    dt.date(2026, 6, 16),
    dt.date(2026, 9, 30),
    dt.date(2026, 10, 1),
    dt.date(2027, 5, 30),
    dt.date(2027, 5, 31),
]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_queryset_and_the_card_agree_on_every_day(cards, day):
    everything = Card.objects.all()
    for card in Card.objects.select_related("region"):
        in_valid = everything.valid_on(day).filter(pk=card.pk).exists()
        assert in_valid == (card.refusal_on(day) is None), (card, day)
        listed = [s for s in CARD_STATUSES if everything.with_status(s, day).filter(pk=card.pk)]
        if day >= card.issued_on:
            assert listed == [card.status_on(day)], (card, day)
        else:  # not issued yet: in no list, and said so
            assert (listed, card.status_on(day)) == ([], "not yet valid"), (card, day)


def test_a_pilot_moved_earlier_ends_its_cards_in_lists_too(cards):
    day = dt.date(2026, 10, 1)
    assert cards["pilot"].valid_until == dt.date(2026, 12, 1)
    valid = set(Card.objects.valid_on(day))
    assert cards["pilot"] not in valid
    assert cards["pilot_today"] not in valid
    assert {cards["pilot"], cards["pilot_today"]} <= set(Card.objects.expired_on(day))


def test_expiring_within_counts_the_pilots_end(cards):
    expiring = set(Card.objects.expiring_within(30, dt.date(2026, 9, 1)))
    assert cards["pilot"] in expiring  # its own date is 1.12.2026, the pilot ends 30.9.2026
    assert cards["pilot_today"] in expiring
    assert cards["today"] not in expiring
    # Renewed on 30.5.2026, valid until 30.5.2027; issued today, valid until 15.6.2027.
    assert set(Card.objects.expiring_within(30, dt.date(2027, 5, 1))) == {cards["renewed"]}
    assert cards["today"] in Card.objects.expiring_within(30, dt.date(2027, 5, 16))
