"""Who may change what. The service functions call these before every change; pages call them only
to decide which buttons to show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kaikukanta.core.errors import DomainError, NotAllowed

from .errors import OtherSidesWork
from .scope import CULTURE, SOTE, scope_for

if TYPE_CHECKING:
    from kaikukanta.cards.models import Card
    from kaikukanta.network.models import DistributorSite, Region, Venue


def can_issue_at(user: Any, site: DistributorSite) -> bool:
    """Staff of the distributor site, or a coordinator of its region (and national admins)."""
    scope = scope_for(user)
    return scope.works_at_site_or_coordinates(site.pk, site.region_id)


def can_manage_card(user: Any, card: Card) -> bool:
    """Renew, close or replace: only at the issuing site, or by the card region's coordinator."""
    scope = scope_for(user)
    return scope.works_at_site_or_coordinates(card.issuing_site_id, card.region_id)


def can_act_for_venue(user: Any, venue: Venue) -> bool:
    """Check cards and record uses: the venue's staff, or a coordinator of its region typing in a
    paper record. Pop-up venues are national, so only their staff and national admins."""
    scope = scope_for(user)
    return scope.works_at_venue_or_coordinates(venue.pk, venue.region_id)


def can_run_distributor_sites_in(user: Any, region_id: int | None) -> bool:
    """Add, edit and staff distributor sites: the region's social and health coordinator."""
    return scope_for(user).covers(SOTE, region_id)


def can_run_venues_in(user: Any, region_id: int | None) -> bool:
    """Add, edit and staff venues: the region's culture coordinator. Pop-up venues (no region) are
    national."""
    return scope_for(user).covers(CULTURE, region_id)


def can_keep_venue(user: Any, venue: Venue) -> bool:
    """The venue's own work: its catalogue entry, its events, its ticket agencies' tokens. Its own
    staff, or its region's culture coordinator (pop-up venues: national administrators). The social
    and health coordinator does not: `side_refused` tells them whose work it is."""
    scope = scope_for(user)
    return scope.works_at_venue(venue.pk) or scope.covers(CULTURE, venue.region_id)


def side_refused(user: Any, side: str, region_id: int | None) -> bool:
    """Whether `user` coordinates the region, but the other side of it: refused with an
    explanation naming the side's coordinator (accounts.errors.OtherSidesWork, a 403), not as an
    object that does not exist. A region the user does not coordinate at all stays a 404 (its
    objects' existence is not told across regions)."""
    scope = scope_for(user)
    return (
        region_id is not None
        and region_id in scope.coordinator_regions
        and not scope.covers(side, region_id)
    )


def can_grant(
    user: Any,
    role: str,
    *,
    region: Region | None = None,
    distributor_site: DistributorSite | None = None,
    venue: Venue | None = None,
) -> bool:
    """National roles and coordinators are granted by national admins; staff of a site or venue
    also by the coordinator of that side of its region."""
    from .models import Role

    if scope_for(user).national:
        return True
    if role == Role.DISTRIBUTOR_STAFF and distributor_site is not None:
        return can_run_distributor_sites_in(user, distributor_site.region_id)
    if role == Role.VENUE_STAFF and venue is not None:
        return can_run_venues_in(user, venue.region_id)
    return False


def require_keeps_venue(user: Any, venue: Venue, refusal: type[DomainError] = NotAllowed) -> None:
    """Raise unless `user` may do the venue's own work (`can_keep_venue`): the other side's
    coordinator of its region is told whose work it is (OtherSidesWork), anyone else `refusal`."""
    if can_keep_venue(user, venue):
        return
    if side_refused(user, CULTURE, venue.region_id):
        raise OtherSidesWork(side=CULTURE, region=venue.region)
    raise refusal()


def grant_refusal(
    user: Any,
    role: str,
    *,
    distributor_site: DistributorSite | None = None,
    venue: Venue | None = None,
) -> NotAllowed:
    """Why `can_grant` said no: staff of the other side of the coordinator's own region are that
    side's coordinator's to grant (OtherSidesWork, naming them); anything else plainly not allowed."""
    from .models import Role

    if (
        role == Role.VENUE_STAFF
        and venue is not None
        and side_refused(user, CULTURE, venue.region_id)
    ):
        return OtherSidesWork(side=CULTURE, region=venue.region)
    if (
        role == Role.DISTRIBUTOR_STAFF
        and distributor_site is not None
        and side_refused(user, SOTE, distributor_site.region_id)
    ):
        return OtherSidesWork(side=SOTE, region=distributor_site.region)
    return NotAllowed()
