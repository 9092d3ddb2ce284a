"""Who may change what. The service functions call these before every change; pages call them only
to decide which buttons to show."""

from __future__ import annotations

from .scope import scope_for


def can_issue_at(user, site) -> bool:
    """Staff of the distributor site, or a coordinator of its region (and national admins)."""
    scope = scope_for(user)
    return scope.works_at_site(site.pk) or scope.coordinates(site.region_id)


def can_manage_card(user, card) -> bool:
    """Renew, close or replace: only at the issuing site, or by the card region's coordinator."""
    scope = scope_for(user)
    return scope.works_at_site(card.issuing_site_id) or scope.coordinates(card.region_id)


def can_act_for_venue(user, venue) -> bool:
    """Check cards and record uses: the venue's staff, or a coordinator of its region typing in a
    paper record. Pop-up venues are national, so only their staff and national admins."""
    scope = scope_for(user)
    return scope.works_at_venue(venue.pk) or scope.coordinates(venue.region_id)
