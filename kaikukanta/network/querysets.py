"""Who sees which part of the network. Venues never see distributor sites: which service issued a card
can reveal that its holder is, say, a client of adult psychiatry."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from kaikukanta.accounts.scope import scope_for

if TYPE_CHECKING:
    # Named only as strings in the base classes below, which ruff does not read as uses.
    from .models import DistributorSite, Organisation, Region, TicketAgency, Venue  # noqa: F401


class RegionQuerySet(models.QuerySet["Region"]):
    def pilot_ended_before(self, day: dt.date) -> RegionQuerySet:
        """Regions whose pilot ended before `day`: their cards are no longer valid, whatever the
        cards' own dates say."""
        return self.filter(status="pilot", pilot_ends__lt=day)

    def pilot_ending_by(self, day: dt.date) -> RegionQuerySet:
        return self.filter(status="pilot", pilot_ends__lte=day)

    def visible_to(self, user: Any) -> RegionQuerySet:
        scope = scope_for(user)
        if scope.national:
            return self.all()
        ids = scope.coordinator_regions | scope.distributor_regions | scope.venue_regions
        return self.filter(pk__in=ids)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: Any) -> OrganisationQuerySet:
        scope = scope_for(user)
        if scope.national:
            return self.all()
        regions = scope.coordinator_regions
        return self.filter(
            Q(distributor_sites__region__in=regions)
            | Q(venues__region__in=regions)
            | Q(pk__in=scope.distributor_organisations)
            | Q(venues__in=scope.venues)
        ).distinct()


class DistributorSiteQuerySet(models.QuerySet["DistributorSite"]):
    def visible_to(self, user: Any) -> DistributorSiteQuerySet:
        """The sites' own staff (a client system's token: its sites) and their regions'
        coordinators: who registers their cards. The same rule as
        accounts.permissions.can_issue_at, for lists (GET /api/v1/sites)."""
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(region__in=scope.coordinator_regions) | Q(pk__in=scope.distributor_sites)
        )


class VenueQuerySet(models.QuerySet["Venue"]):
    def visible_to(self, user: Any) -> VenueQuerySet:
        scope = scope_for(user)
        if scope.national:
            return self.all()
        # Distributor staff see the venues of their own regions and the pop-ups: that is the offering
        # they present to a client.
        condition = Q(region__in=scope.coordinator_regions) | Q(pk__in=scope.venues)
        if scope.distributor_sites:
            condition |= Q(region__in=scope.distributor_regions) | Q(is_popup=True)
        return self.filter(condition)

    @staticmethod
    def _offered_from(day: dt.date) -> Q:
        """Still offered from `day` on: the venue's own period has not ended, and a region's venue is
        not in a pilot that has ended (a permanent region may keep the dates of the pilot it once ran:
        they no longer end it). The list form of Venue.refusal_for, held to it day by day in
        tests/network/test_offering.py."""
        still_open = Q(active_until__isnull=True) | Q(active_until__gte=day)
        pilot_not_over = (
            ~Q(region__status="pilot")
            | Q(region__pilot_ends__isnull=True)
            | Q(region__pilot_ends__gte=day)
        )
        return still_open & (Q(is_popup=True) | pilot_not_over)

    def offered_to(self, region: Any, day: dt.date) -> VenueQuerySet:
        """What a card of `region` offers from `day` on: the region's venues and the national pop-up
        venues, leaving out those whose period (or pilot) has ended. The offering list handed over
        with a card and the public catalogue both read it. Whether a venue accepts a card on a given
        day is Venue.refusal_for's answer, not this list's."""
        return self.filter(Q(region=region) | Q(is_popup=True)).filter(self._offered_from(day))

    def in_catalogue(self, day: dt.date) -> VenueQuerySet:
        """The public catalogue from `day` on: what a card of any region is offered (offered_to for
        every region at once), the venues of every region and the national pop-ups."""
        return self.filter(self._offered_from(day))

    @staticmethod
    def _started_by(day: dt.date) -> Q:
        """Its period has begun by `day`: its own first day, and its region's pilot's (the same rule
        as Venue.is_active_on and Venue.starts_later)."""
        own = Q(active_from__isnull=True) | Q(active_from__lte=day)
        pilot_begun = (
            ~Q(region__status="pilot")
            | Q(region__pilot_starts__isnull=True)
            | Q(region__pilot_starts__lte=day)
        )
        return own & (Q(region__isnull=True) | pilot_begun)

    def accepting_on(self, day: dt.date) -> VenueQuerySet:
        """The venues that accept cards on `day`: begun and not ended. What is counted as the
        network's venues today; an upcoming one (in_catalogue, offered_to) is shown marked with its
        first day (Venue.starts_later)."""
        return self.filter(self._offered_from(day) & self._started_by(day))

    def acted_for_by(self, user: Any) -> VenueQuerySet:
        """The venues for which the user checks cards and records uses: their own venues, and as a
        coordinator their regions' venues (typing in paper records); pop-up venues are national.
        The same rule as accounts.permissions.can_act_for_venue, for lists."""
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(Q(pk__in=scope.venues) | Q(region__in=scope.coordinator_regions))


class TicketAgencyQuerySet(models.QuerySet["TicketAgency"]):
    def visible_to(self, user: Any) -> TicketAgencyQuerySet:
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(venues__region__in=scope.coordinator_regions) | Q(venues__in=scope.venues)
        ).distinct()
