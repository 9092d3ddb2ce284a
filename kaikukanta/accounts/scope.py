"""What a user may see, computed once per request from their roles.

Every `visible_to(user)` queryset starts from `scope_for(user)`; nothing else in the code base decides
who sees what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from .models import COORDINATOR_ROLES, Role, RoleAssignment

_CACHE_ATTRIBUTE = "_kaikukanta_scope"

# The two sides of a region's coordination (docs/architecture-rules.md, "The culture / social and
# health split"): the culture side recruits and runs the venues (their staff, catalogue entries,
# events, ticket agencies' tokens), the social and health side the distributor sites (their staff).
CULTURE = "culture"
SOTE = "sote"
SIDE_OF_ROLE = {Role.COORDINATOR_CULTURE: CULTURE, Role.COORDINATOR_SOTE: SOTE}
ROLE_OF_SIDE = {side: role for role, side in SIDE_OF_ROLE.items()}


@dataclass(frozen=True)
class Scope:
    national: bool = False
    coordinator_regions: frozenset[int] = field(default_factory=frozenset)
    # The two sides of coordination: culture recruits venues, social and health distributors.
    culture_regions: frozenset[int] = field(default_factory=frozenset)
    sote_regions: frozenset[int] = field(default_factory=frozenset)
    distributor_sites: frozenset[int] = field(default_factory=frozenset)
    distributor_organisations: frozenset[int] = field(default_factory=frozenset)
    distributor_regions: frozenset[int] = field(default_factory=frozenset)
    venues: frozenset[int] = field(default_factory=frozenset)
    venue_regions: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_any_role(self) -> bool:
        return bool(self.roles)

    @property
    def acts_for_venues(self) -> bool:
        """Whether the user checks cards and records uses for some venue: its staff, or a
        coordinator typing in paper records (accounts.permissions.can_act_for_venue, venue by venue)."""
        return self.national or bool(self.coordinator_regions) or bool(self.venues)

    @property
    def reads_cards(self) -> bool:
        """Whether the user sees any cards' own pages: venues check one card at a time instead."""
        return self.national or bool(self.coordinator_regions) or bool(self.distributor_sites)

    def coordinates(self, region_id: int | None) -> bool:
        return self.national or region_id in self.coordinator_regions

    def covers(self, side: str, region_id: int | None) -> bool:
        """Whether the user coordinates `side` (CULTURE or SOTE) of the region: its coordinator of
        that side, or a national administrator. The one place that says which side a coordinator's
        role covers; accounts/permissions.py asks it for every page, form and API call."""
        if self.national:
            return True
        regions = self.culture_regions if side == CULTURE else self.sote_regions
        return region_id is not None and region_id in regions

    def regions_covered(self, side: str) -> frozenset[int]:
        """The regions whose `side` the user coordinates (national administrators: see `national`)."""
        return self.culture_regions if side == CULTURE else self.sote_regions

    def works_at_site(self, site_id: int) -> bool:
        return site_id in self.distributor_sites

    def works_at_venue(self, venue_id: int) -> bool:
        return venue_id in self.venues

    def works_at_site_or_coordinates(self, site_id: int, region_id: int | None) -> bool:
        """The site's own staff, or a coordinator of its region (national administrators too):
        who issues its cards and reads its figures."""
        return self.works_at_site(site_id) or self.coordinates(region_id)

    def works_at_venue_or_coordinates(self, venue_id: int, region_id: int | None) -> bool:
        """The venue's own staff, or a coordinator of its region (pop-ups have none: national
        administrators): who acts for it, keeps its catalogue entry and reads its figures."""
        return self.works_at_venue(venue_id) or self.coordinates(region_id)


NO_SCOPE = Scope()


def _role_rows(user_id: int) -> models.QuerySet:
    """The columns `scope_for` reads of a user's roles, not the sites' and venues' whole rows (this
    runs on every request)."""
    return (
        RoleAssignment.objects.filter(user_id=user_id)
        .order_by()
        .values_list(
            "role",
            "region_id",
            "distributor_site_id",
            "distributor_site__organisation_id",
            "distributor_site__region_id",
            "venue_id",
            "venue__region_id",
        )
    )


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    national = bool(user.is_superuser)
    roles: set[str] = {Role.NATIONAL_ADMIN} if national else set()
    coordinator_regions: set[int] = set()
    culture_regions: set[int] = set()
    sote_regions: set[int] = set()
    sites: set[int] = set()
    organisations: set[int] = set()
    distributor_regions: set[int] = set()
    venues: set[int] = set()
    venue_regions: set[int] = set()
    assignments = list(_role_rows(user.pk))
    # The role_names_its_object constraint gives each role its target: the `is not None` checks
    # below skip no row, they tell the type checker so.
    for role, region, site, organisation, site_region, venue, venue_region in assignments:
        roles.add(role)
        if role == Role.NATIONAL_ADMIN:
            national = True
        elif role in COORDINATOR_ROLES and region is not None:
            coordinator_regions.add(region)
            side = culture_regions if role == Role.COORDINATOR_CULTURE else sote_regions
            side.add(region)
        elif role == Role.DISTRIBUTOR_STAFF and site is not None:
            sites.add(site)
            organisations.add(organisation)
            distributor_regions.add(site_region)
        elif role == Role.VENUE_STAFF and venue is not None:
            venues.add(venue)
            if venue_region is not None:
                venue_regions.add(venue_region)
    scope = Scope(
        national=national,
        coordinator_regions=frozenset(coordinator_regions),
        culture_regions=frozenset(culture_regions),
        sote_regions=frozenset(sote_regions),
        distributor_sites=frozenset(sites),
        distributor_organisations=frozenset(organisations),
        distributor_regions=frozenset(distributor_regions),
        venues=frozenset(venues),
        venue_regions=frozenset(venue_regions),
        roles=frozenset(roles),
    )
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def scope_of_token(user: Any, venues: Sequence[tuple[int, int | None]]) -> Scope:
    """What a user acting through an API token sees: venue staff of the token's venues (pairs of
    venue and region keys) only, whatever else the account may do. Kept on the user for this
    request, so that scope_for(user) answers it."""
    scope = Scope(
        venues=frozenset(pk for pk, _region in venues),
        venue_regions=frozenset(region for _pk, region in venues if region is not None),
        roles=frozenset({Role.VENUE_STAFF}),
    )
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def scope_of_site_token(user: Any, sites: Sequence[tuple[int, int, int]]) -> Scope:
    """What a client system sees through a distributor organisation's API token: staff of the
    token's sites (triples of site, organisation and region keys) only, as the sites' own staff see
    on the pages; no venue. Kept on the user for this request, as `scope_of_token`."""
    scope = Scope(
        distributor_sites=frozenset(site for site, _organisation, _region in sites),
        distributor_organisations=frozenset(organisation for _site, organisation, _region in sites),
        distributor_regions=frozenset(region for _site, _organisation, region in sites),
        roles=frozenset({Role.DISTRIBUTOR_STAFF}),
    )
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(user: Any) -> None:
    """Drop the cached scope after the user's roles changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
