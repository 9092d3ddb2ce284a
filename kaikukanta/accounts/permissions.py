"""Who may change what. The service functions call these before every change; pages call them only
to decide which buttons to show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .scope import scope_for

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
    scope = scope_for(user)
    return scope.national or (region_id is not None and region_id in scope.sote_regions)


def can_run_venues_in(user: Any, region_id: int | None) -> bool:
    """Add, edit and staff venues: the region's culture coordinator. Pop-up venues (no region) are
    national."""
    scope = scope_for(user)
    return scope.national or (region_id is not None and region_id in scope.culture_regions)


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
