"""The offering of a card's region: its venues and the national pop-ups, without those that ended."""

import datetime as dt

from kaikukanta.network.models import Organisation, Region, Venue


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


OFFERING_DAYS = [
    dt.date(2025, 8, 31),
    dt.date(2026, 6, 15),
    dt.date(2026, 6, 30),
    dt.date(2026, 7, 1),
    dt.date(2026, 8, 31),
    dt.date(2026, 9, 1),
    dt.date(2026, 12, 31),
    dt.date(2027, 1, 1),
    dt.date(2027, 3, 31),
    dt.date(2027, 4, 1),
]


def periods_and_pilots(world):
    """Venues of every kind of period and pilot beside the world's: a venue period ending and
    starting, a pilot ended, a pilot not begun, and a permanent region keeping old pilot dates."""

    museum = Organisation.objects.get(name="Museo")
    later_pilot = Region.objects.create(
        slug="gamma",
        name="Gammala",
        status="pilot",
        pilot_starts=dt.date(2026, 9, 1),
        pilot_ends=dt.date(2027, 3, 31),
    )
    once_pilot = Region.objects.create(
        slug="delta",
        name="Deltala",
        status="permanent",
        pilot_starts=dt.date(2024, 1, 1),
        pilot_ends=dt.date(2024, 12, 31),
    )
    for region, name, starts, ends in [
        (world.alpha, "ends June", None, dt.date(2026, 6, 30)),
        (world.alpha, "starts August", dt.date(2026, 9, 1), None),
        (world.beta, "outlasts its pilot", None, dt.date(2027, 6, 30)),
        (later_pilot, "pilot to come", None, None),
        (once_pilot, "pilot long over", None, None),
    ]:
        Venue.objects.create(
            organisation=museum,
            region=region,
            name=name,
            category="culture",
            active_from=starts,
            active_until=ends,
        )


def test_the_offering_and_the_venue_agree_on_every_day(world):
    """ "Offered from a day on" (VenueQuerySet.offered_to, in_catalogue) is the list form of
    Venue.refusal_for: a venue is offered from a day exactly when it accepts its own region's cards
    on that day or a later one. Held venue by venue and day by day over a venue period ending and
    starting, a pilot ended, a pilot not begun, and a permanent region keeping old pilot dates."""
    periods_and_pilots(world)
    venues = list(Venue.objects.select_related("region"))
    for day in OFFERING_DAYS:
        catalogue = set(Venue.objects.in_catalogue(day))
        for venue in venues:
            starts, _ends = venue.active_period()
            own_region = venue.region_id if venue.region_id is not None else world.alpha.pk
            candidates = [d for d in (day, starts) if d is not None and d >= day]
            accepts_then = any(venue.refusal_for(own_region, d) is None for d in candidates)
            assert (venue in catalogue) == accepts_then, (venue.name, day)
        for region in Region.objects.all():
            offered = set(Venue.objects.offered_to(region, day))
            assert offered == {v for v in catalogue if v.region_id in (region.pk, None)}


def test_accepting_on_and_the_venue_agree_day_by_day(world):
    """ "Accepts cards on a day" (VenueQuerySet.accepting_on, the network's count of venues) is the
    list form of Venue.is_active_on: held for every venue on every day from before the first pilot
    to after the last period, so that each first and last day is crossed."""
    periods_and_pilots(world)
    venues = list(Venue.objects.select_related("region"))
    day = dt.date(2024, 12, 30)
    while day <= dt.date(2027, 7, 2):
        accepting = set(Venue.objects.accepting_on(day))
        assert accepting == {v for v in venues if v.is_active_on(day)}, day
        day += dt.timedelta(days=1)
