"""Every change to the network, one function each: save (create or edit) a distributor site, a venue,
or any other part of the network (regions, organisations, municipalities, counties, ticket agencies),
and delete one. Each checks the actor's right, validates, writes the change and its audit event in one
transaction. The administration and the coordinators' pages call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from kaikukanta.accounts import token_cache
from kaikukanta.accounts.permissions import can_run_distributor_sites_in, can_run_venues_in
from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record, save_audited
from kaikukanta.core.errors import NotAllowed

from .errors import (
    NetworkDataInvalid,
    NotCoordinatorRole,
    SlugTaken,
)
from .models import DistributorSite, Municipality, Region, TicketAgency, Venue
from .rules import check_pilot_period, check_venue_period

_M = TypeVar("_M", bound=models.Model)


def _validate(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise NetworkDataInvalid(
            field=None if field == "__all__" else field, problem=" ".join(messages)
        ) from None


def _region_of(obj: models.Model) -> Region | None:
    if isinstance(obj, Region):
        return obj
    return getattr(obj, "region", None)


def _save(actor: Any, obj: _M, changed: Iterable[str]) -> _M:
    _validate(obj)
    with transaction.atomic():
        if isinstance(obj, (Venue, Region, TicketAgency, DistributorSite)):
            # A venue's region or period, a region's pilot, an agency, a distributor site's
            # organisation or region: what API tokens act for.
            token_cache.invalidate()
        return save_audited(actor=actor, obj=obj, changed=changed, region=_region_of(obj))


def _regions_concerned(obj: DistributorSite | Venue) -> set[int | None]:
    """The region the object is in, and the one it was in before this change (None: national)."""
    regions = {obj.region_id}
    if obj.pk is not None:
        regions |= set(type(obj).objects.filter(pk=obj.pk).values_list("region_id", flat=True))
    return regions


def save_site(*, actor: Any, site: DistributorSite, changed: Iterable[str] = ()) -> DistributorSite:
    """Create or edit a distributor site: the national administrators, or the social and health
    coordinator of its region (of both regions, when it moves)."""
    if not all(can_run_distributor_sites_in(actor, r) for r in _regions_concerned(site)):
        raise NotAllowed()
    return _save(actor, site, changed)


def save_venue(*, actor: Any, venue: Venue, changed: Iterable[str] = ()) -> Venue:
    """Create or edit a venue: the national administrators (pop-up venues are theirs alone), or the
    culture coordinator of its region (of both regions, when it moves)."""
    if not all(can_run_venues_in(actor, r) for r in _regions_concerned(venue)):
        raise NotAllowed()
    if venue.is_popup:
        venue.region = None
    check_venue_period(venue)
    return _save(actor, venue, changed)


# --- the national administrators' network: regions, their responsible persons, ticket agencies ----


def _national(actor: Any) -> None:
    if not scope_for(actor).national:
        raise NotAllowed()


def check_region(region: Region) -> None:
    """The pilot's period (rules.py), and no two regions share an address name (slug)."""
    check_pilot_period(region)
    if Region.objects.filter(slug=region.slug).exclude(pk=region.pk).exists():
        raise SlugTaken(slug=region.slug)


def save_region(
    *,
    actor: Any,
    region: Region,
    municipalities: Iterable[Municipality],
    changed: Iterable[str] = (),
) -> Region:
    """Create or edit a region and its municipalities (national administrators). The model lets a
    municipality belong to several regions (Municipality.regions, a many-to-many with no rule
    against sharing), so none is refused for being in another region; the regions' list shows the
    shared ones."""
    _national(actor)
    stored = (
        Region.objects.filter(pk=region.pk).values("pilot_starts", "pilot_ends").first()
        if region.pk
        else None
    )
    check_region(region)
    changed = set(changed)
    if stored:  # a region made permanent loses its pilot dates (rules.py): the audit names them
        changed |= {name for name, day in stored.items() if getattr(region, name) != day}
    with transaction.atomic():
        _save(actor, region, sorted(changed))
        region.municipalities.set(list(municipalities))
    return region


COORDINATOR_SIDES = ("coordinator_culture", "coordinator_sote")


def _check_side(side: str) -> None:
    if side not in COORDINATOR_SIDES:
        raise NotCoordinatorRole()


def assign_responsible_person(*, actor: Any, region: Region, side: str, user: Any) -> Any:
    """Make an existing, active staff member the region's responsible person on `side` (the
    culture side runs venues, the social and health side distributor sites): the coordinator role,
    granted and audited as every role is (accounts.services.grant_role)."""
    from kaikukanta.accounts.services import grant_role

    _national(actor)
    _check_side(side)
    return grant_role(actor=actor, user=user, role=side, region=region)


def invite_responsible_person(
    *,
    actor: Any,
    region: Region,
    side: str,
    email: str,
    first_name: str,
    last_name: str,
    link_for: Any,
) -> Any:
    """Invite a new responsible person by e-mail: the account, its coordinator role and a
    single-use link to set a password (accounts.services.invite_staff)."""
    from kaikukanta.accounts.services import invite_staff

    _national(actor)
    _check_side(side)
    return invite_staff(
        actor=actor,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=side,
        region=region,
        link_for=link_for,
    )


def remove_responsible_person(*, actor: Any, assignment: Any) -> None:
    """Take a responsible person's coordinator role in a region away (audited as role.revoked);
    the account and its other roles stay."""
    from kaikukanta.accounts.services import revoke_role

    _national(actor)
    _check_side(assignment.role)
    revoke_role(actor=actor, assignment=assignment)


def save_ticket_agency(
    *,
    actor: Any,
    agency: TicketAgency,
    venues: Iterable[Venue],
    changed: Iterable[str] = (),
) -> TicketAgency:
    """Create or edit a ticket agency and the venues it sells for (national administrators). A
    venue taken off the list is no longer served by the agency's API tokens (api.services)."""
    _national(actor)
    _validate(agency)
    chosen = {venue.pk for venue in venues}
    before = set(agency.venues.values_list("pk", flat=True)) if agency.pk else set()
    created = agency.pk is None
    with transaction.atomic():
        token_cache.invalidate()
        agency.save()
        agency.venues.set(chosen)
        record(
            actor=actor,
            action=Action.OBJECT_CREATED if created else Action.OBJECT_CHANGED,
            target=agency,
            data={
                "fields": sorted(
                    set(changed) - {"venues"} | ({"venues"} if chosen != before else set())
                ),
                "venues_added": sorted(chosen - before),
                "venues_removed": sorted(before - chosen),
            },
        )
    return agency


def save_network_object(*, actor: Any, obj: _M, changed: Iterable[str] = ()) -> _M:
    """Create or edit a region, organisation, municipality, county or ticket agency: national."""
    if not scope_for(actor).national:
        raise NotAllowed()
    return _save(actor, obj, changed)


def delete_network_object(*, actor: Any, obj: models.Model) -> None:
    """Delete a part of the network (national administrators). The database refuses what still has
    cards or uses (PROTECT)."""
    if not scope_for(actor).national:
        raise NotAllowed()
    with transaction.atomic():
        token_cache.invalidate()  # a venue, a region or an agency takes its tokens' venues along
        record(
            actor=actor,
            action=Action.OBJECT_DELETED,
            target=obj,
            region=_region_of(obj) if not isinstance(obj, Region) else None,
            data={"name": str(obj)[:200]},
        )
        obj.delete()
