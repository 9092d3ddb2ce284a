import datetime as dt

import pytest
from django.db.models import Sum

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import errors as card_errors
from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import close_card, issue_card
from kaikukanta.core.errors import (
    DateInFuture,
    DateTooFarBack,
    IdempotencyConflict,
    IdempotencyKeyInvalid,
    NotAllowed,
)
from kaikukanta.events.services import create_event, set_sold_out
from kaikukanta.network.errors import VenueAcceptsOwnRegionOnly, VenueNotAccepting
from kaikukanta.uses import errors
from kaikukanta.uses.models import Use, UseKind
from kaikukanta.uses.services import record_use

from ..conftest import NOW, holder, new_key, on_day


def use(world, card, venue=None, actor=None, **options):
    venue = venue or world.alpha_venue
    options.setdefault("idempotency_key", new_key())
    return record_use(
        actor=actor or world.alpha_venue_staff,
        venue=venue,
        card_identifier=card.identifier,
        **options,
    )


def test_venue_records_an_entry_ticket_with_child_tickets(world, alpha_card):
    result = use(world, alpha_card, child_tickets=2)
    assert result.created
    recorded = Use.objects.get()
    assert recorded.card == alpha_card
    assert recorded.venue == world.alpha_venue
    assert recorded.kind == UseKind.ENTRY_TICKET
    assert recorded.category == "culture"
    assert (recorded.adult_ticket, recorded.child_tickets) == (True, 2)
    assert recorded.recorded_by == world.alpha_venue_staff
    assert AuditEvent.objects.filter(
        action=Action.USE_RECORDED, object_id=str(recorded.pk)
    ).exists()


def test_a_use_carries_its_cards_region_not_the_venues(world, alpha_card, beta_card):
    # Use.card_region is what a coordinator's list of "our cards' uses" reads (no join to cards).
    assert use(world, alpha_card).use.card_region == world.alpha
    travelling = use(world, beta_card).use
    assert travelling.venue.region == world.alpha
    assert travelling.card_region == world.beta


def test_card_from_another_region_is_accepted_everywhere_by_default(world, beta_card):
    assert use(world, beta_card).created
    assert (
        use(world, beta_card, venue=world.popup, actor=world.popup_staff).use.category == "science"
    )


def test_venue_may_accept_only_its_own_regions_cards(world, beta_card):
    world.alpha_venue.accepts_other_regions = False
    world.alpha_venue.save()
    with pytest.raises(VenueAcceptsOwnRegionOnly):
        use(world, beta_card)


def test_same_request_twice_records_one_use(world, alpha_card):
    key = new_key()
    first = use(world, alpha_card, idempotency_key=key, child_tickets=1)
    second = use(world, alpha_card, idempotency_key=key, child_tickets=1)
    assert first.created
    assert not second.created
    assert second.use.pk == first.use.pk
    assert Use.objects.count() == 1


def test_same_key_with_other_content_is_a_conflict_not_the_first_use(world, alpha_card):
    key = new_key()
    use(world, alpha_card, idempotency_key=key, child_tickets=1)
    other_card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    for different in [
        {"card": other_card},
        {"child_tickets": 2},
        {"child_tickets": 0},
        {"adult_ticket": False},
    ]:
        card = different.pop("card", alpha_card)
        options = {"child_tickets": 1, **different}
        with pytest.raises(IdempotencyConflict) as raised:
            use(world, card, idempotency_key=key, **options)
        assert raised.value.status == 409
    assert Use.objects.count() == 1


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space in it", "", None])
def test_request_key_is_checked(world, alpha_card, key):
    with pytest.raises(IdempotencyKeyInvalid):
        use(world, alpha_card, idempotency_key=key)


@pytest.mark.parametrize("key", ["import:U1", "IMPORT:U1-2025", "Import:7d1f0c2e"])
def test_a_request_key_in_the_form_of_the_imports_is_refused(world, alpha_card, key):
    """The registry import's request keys are "import:<its key>": a client's key of that form
    would make the import take the client's use for one of its own and leave its row out."""
    with pytest.raises(IdempotencyKeyInvalid) as raised:
        use(world, alpha_card, idempotency_key=key)
    assert raised.value.message == (
        "A request key may not begin with “import:”: the registry import's keys begin so. Send "
        "another key (a UUID will do)."
    )
    assert not Use.objects.exists()


def test_unknown_card(world):
    with pytest.raises(card_errors.CardNotFound):
        record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier="UNKNOWN12",
            idempotency_key=new_key(),
        )
    rejected = AuditEvent.objects.get(action=Action.USE_REJECTED)
    assert rejected.data["code"] == "card_not_found"
    # Not a card number: the trail keeps that it was not, and its length, never the text.
    assert rejected.data == {"code": "card_not_found", "not_a_card_number": True, "typed_length": 9}


def test_closed_card(world, alpha_card):
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.ON_REQUEST)
    with pytest.raises(card_errors.CardClosed):
        use(world, alpha_card)
    assert Use.objects.count() == 0


def test_a_use_made_before_the_card_was_closed_that_day_is_recorded(world, alpha_card):
    # An admission queued offline at 9.00 and sent at 12.00, after the card was closed at 10.00 the
    # same day: the card was valid when the holder was admitted.
    with on_day(NOW.date(), hour=10):
        close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.ON_REQUEST)
    assert use(world, alpha_card, occurred_at=NOW.replace(hour=9)).created
    # After the closing, and with no moment (a use made now), the card is closed.
    with pytest.raises(card_errors.CardClosed):
        use(world, alpha_card, occurred_at=NOW.replace(hour=11))
    with pytest.raises(card_errors.CardClosed):
        use(world, alpha_card)
    assert Use.objects.count() == 1


def test_a_closing_typed_in_for_an_earlier_day_counts_from_that_days_start(world):
    with on_day(NOW.date() - dt.timedelta(days=5)):
        card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    yesterday = NOW.date() - dt.timedelta(days=1)
    close_card(
        actor=world.alpha_distributor,
        card=card,
        reason=ClosingReason.ON_REQUEST,
        closed_on=yesterday,
    )
    with pytest.raises(card_errors.CardClosed):
        use(world, card, occurred_at=NOW.replace(hour=8) - dt.timedelta(days=1))
    assert use(world, card, occurred_at=NOW - dt.timedelta(days=2)).created


def test_expired_card(world):
    with on_day(dt.date(2025, 6, 1)):
        card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    with pytest.raises(card_errors.CardExpired) as raised:
        use(world, card)
    assert "Its validity can be extended" in raised.value.message
    # A use typed in later from a paper form is judged by its own day, when the card was valid.
    assert use(world, card, occurred_at=NOW - dt.timedelta(days=30)).created


def test_use_cannot_be_in_the_future_or_more_than_30_days_back(world, alpha_card):
    with pytest.raises(DateInFuture):
        use(world, alpha_card, occurred_at=NOW + dt.timedelta(hours=2))
    with on_day(dt.date(2026, 5, 1)):
        card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    with pytest.raises(DateTooFarBack) as raised:
        use(world, card, occurred_at=NOW - dt.timedelta(days=31))
    assert "15.5.2026 12.00 is more than 30 days ago" in raised.value.message
    assert Use.objects.count() == 0


def test_venue_outside_its_active_period(world, alpha_card):
    world.popup.active_until = dt.date(2026, 5, 31)
    world.popup.save()
    with pytest.raises(VenueNotAccepting) as raised:
        use(world, alpha_card, venue=world.popup, actor=world.popup_staff)
    assert "accepts them from 1.1.2026 to 31.5.2026" in raised.value.message
    world.alpha_venue.active_from = dt.date(2026, 7, 1)
    world.alpha_venue.save()
    with pytest.raises(VenueNotAccepting):
        use(world, alpha_card)


def test_venue_in_a_pilot_that_has_ended(world, alpha_card):
    world.beta.pilot_ends = dt.date(2026, 6, 1)
    world.beta.save()
    with pytest.raises(VenueNotAccepting):
        use(world, alpha_card, venue=world.beta_venue, actor=world.beta_venue_staff)


def test_no_more_child_tickets_than_registered_children(world, alpha_card):
    with pytest.raises(errors.TooManyChildTickets) as raised:
        use(world, alpha_card, child_tickets=3)
    assert "2" in raised.value.message
    with pytest.raises(errors.ChildTicketsInvalid):
        use(world, alpha_card, child_tickets=-1)


def test_no_child_tickets_where_the_venue_gives_none(world, alpha_card):
    world.alpha_venue.child_tickets = False
    world.alpha_venue.save()
    with pytest.raises(errors.NoChildTicketsHere) as raised:
        use(world, alpha_card, child_tickets=1)
    assert world.alpha_venue.name in raised.value.message
    assert raised.value.field == "child_tickets"
    assert not Use.objects.exists()
    # The holder's own ticket is still recorded there.
    assert use(world, alpha_card).use.child_tickets == 0


@pytest.mark.parametrize("kind", [UseKind.COURSE_PLACE, UseKind.SEASON_PASS])
def test_no_child_tickets_with_course_places(world, alpha_card, kind):
    with pytest.raises(errors.NoChildTicketsForCourses):
        use(
            world,
            alpha_card,
            venue=world.alpha_course_venue,
            actor=world.alpha_coordinator,
            kind=kind,
            child_tickets=1,
        )
    recorded = use(
        world, alpha_card, venue=world.alpha_course_venue, actor=world.alpha_coordinator, kind=kind
    ).use
    assert recorded.category == "education"


def test_a_use_has_at_least_one_ticket(world, alpha_card):
    with pytest.raises(errors.NoTickets):
        use(world, alpha_card, adult_ticket=False, child_tickets=0)
    assert use(world, alpha_card, adult_ticket=False, child_tickets=1).created


def test_community_card_alone_is_not_a_use(world, community_card):
    with pytest.raises(card_errors.CommunityCardNeedsGroup):
        use(world, community_card)


def test_only_the_venues_own_staff_or_coordinators_record(world, alpha_card):
    for actor in [
        world.beta_venue_staff,
        world.alpha_distributor,
        world.beta_coordinator,
        world.nobody,
    ]:
        with pytest.raises(NotAllowed):
            use(world, alpha_card, actor=actor)
    assert use(world, alpha_card, actor=world.alpha_coordinator).created
    with pytest.raises(NotAllowed):
        use(world, alpha_card, venue=world.popup, actor=world.alpha_coordinator)


def test_sold_out_event_gives_nothing(world, alpha_card):
    event = create_event(actor=world.alpha_venue_staff, venue=world.alpha_venue, title="Konsertti")
    set_sold_out(actor=world.alpha_venue_staff, event=event)
    with pytest.raises(errors.EventSoldOut):
        use(world, alpha_card, event=event)


def test_quota_counts_adult_and_child_tickets(world, alpha_card, beta_card):
    event = create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Konsertti",
        cardholder_quota=4,
    )
    use(world, alpha_card, event=event, child_tickets=2)
    with pytest.raises(errors.QuotaExhausted) as raised:
        use(world, beta_card, event=event, child_tickets=1)
    assert "1 of 4 left" in raised.value.message
    use(world, beta_card, event=event)
    assert Use.objects.filter(event=event).aggregate(children=Sum("child_tickets"))["children"] == 2


def test_event_must_be_the_venues_own(world, alpha_card):
    event = create_event(actor=world.beta_venue_staff, venue=world.beta_venue, title="Näytelmä")
    with pytest.raises(errors.EventOfAnotherVenue):
        use(world, alpha_card, event=event)
