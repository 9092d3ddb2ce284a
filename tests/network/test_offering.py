"""The offering of a card's region: its venues and the national pop-ups, without those that ended."""

import datetime as dt

from kaikukanta.network.models import Venue


def test_a_region_is_offered_its_own_venues_and_the_popups(world):
    offered = set(Venue.objects.offered_to(world.alpha, dt.date(2026, 6, 15)))
    assert offered == {world.alpha_venue, world.alpha_course_venue, world.popup}


def test_what_has_ended_is_not_offered(world):
    after_popup = dt.date(2027, 1, 1)  # the pop-up's period and beta's pilot ended on 31.12.2026
    assert set(Venue.objects.offered_to(world.alpha, after_popup)) == {
        world.alpha_venue,
        world.alpha_course_venue,
    }
    assert set(Venue.objects.offered_to(world.beta, dt.date(2026, 12, 31))) == {
        world.beta_venue,
        world.popup,
    }
    assert not Venue.objects.offered_to(world.beta, after_popup).exists()
