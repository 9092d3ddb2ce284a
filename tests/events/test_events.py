"""A venue's events: created and marked sold out by the venue's own staff (or its region's
coordinators), with clear errors for what does not fit."""

import pytest

from kaikukanta.accounts.permissions import can_act_for_venue
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.core.errors import ChoiceInvalid, NotAllowed
from kaikukanta.events import errors
from kaikukanta.events.models import Event
from kaikukanta.events.services import create_event, set_sold_out
from kaikukanta.network.models import Venue


def make(world, **options):
    return create_event(actor=world.alpha_venue_staff, venue=world.alpha_venue, **options)


def test_an_event_has_a_title(world):
    for title in ["", "   ", None]:
        with pytest.raises(errors.EventTitleMissing) as raised:
            make(world, title=title)
        assert raised.value.field == "title"
    assert make(world, title="  Konsertti  ").title == "Konsertti"


@pytest.mark.parametrize("quota", [0, -3, "10", 2.5, True, 2_147_483_648])
def test_a_quota_is_a_whole_number_from_one_up(world, quota):
    with pytest.raises(errors.QuotaInvalid) as raised:
        make(world, title="Konsertti", cardholder_quota=quota)
    assert "whole number from 1 to 2147483647" in raised.value.message
    assert Event.objects.count() == 0


def test_a_category_is_one_of_the_four(world):
    with pytest.raises(ChoiceInvalid):
        make(world, title="Konsertti", category="cooking")
    assert make(world, title="Tiedepäivä", category="science").effective_category == "science"
    assert make(world, title="Näyttely").effective_category == "culture"  # the venue's own


def test_only_the_venues_staff_and_its_coordinators_make_and_close_events(world):
    for actor in [world.beta_venue_staff, world.alpha_distributor, world.beta_coordinator]:
        with pytest.raises(NotAllowed):
            create_event(actor=actor, venue=world.alpha_venue, title="Konsertti")
    event = create_event(actor=world.alpha_coordinator, venue=world.alpha_venue, title="Konsertti")
    with pytest.raises(NotAllowed):
        set_sold_out(actor=world.beta_venue_staff, event=event)
    assert set_sold_out(actor=world.alpha_venue_staff, event=event).sold_out
    assert not set_sold_out(actor=world.alpha_venue_staff, event=event, sold_out=False).sold_out
    changes = AuditEvent.objects.filter(action=Action.EVENT_CHANGED).order_by("pk")
    assert [e.data for e in changes] == [{"sold_out": True}, {"sold_out": False}]
    assert changes[0].venue == world.alpha_venue


def test_the_venues_a_user_acts_for_are_the_same_in_lists_and_one_by_one(world):
    """Venue.objects.acted_for_by (lists, the API) and can_act_for_venue (each action) agree."""
    venues = list(Venue.objects.all())
    for name, user in world.users().items():
        listed = set(Venue.objects.acted_for_by(user))
        assert listed == {v for v in venues if can_act_for_venue(user, v)}, name
