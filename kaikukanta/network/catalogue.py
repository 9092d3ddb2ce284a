"""Keeping the public catalogue's content: a venue its own entry, coordinators their region's venues
and the region's introduction, national administrators everything."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.core.errors import DomainError

from .models import Region, Venue
from .querysets import VenueQuerySet

REGION_FIELDS = ("description", "description_sv", "description_en")


class NotYourCatalogueEntry(DomainError):
    code = "catalogue_not_allowed"
    status = 403
    template = _(
        "Only the venue's own staff and its region's coordinators can change its catalogue entry."
    )


def can_edit_entry(user: Any, venue: Venue) -> bool:
    """A venue's own staff, its region's coordinators (pop-ups: national administrators)."""
    scope = scope_for(user)
    return scope.works_at_venue_or_coordinates(venue.pk, venue.region_id)


def editable_venues(user: Any) -> VenueQuerySet:
    """The venues whose entries the user keeps: the same rule as can_edit_entry, for lists."""
    scope = scope_for(user)
    if scope.national:
        return Venue.objects.all()
    return Venue.objects.filter(Q(pk__in=scope.venues) | Q(region__in=scope.coordinator_regions))


def update_venue_entry(*, actor: Any, venue: Venue, values: dict[str, Any]) -> Venue:
    """Save the catalogue fields given in `values` (Venue.CATALOGUE_FIELDS only); audited with the
    names of the fields that changed."""
    if not can_edit_entry(actor, venue):
        raise NotYourCatalogueEntry()
    with transaction.atomic():
        venue = Venue.objects.select_for_update().get(pk=venue.pk)
        changed = [
            name
            for name in Venue.CATALOGUE_FIELDS
            if name in values and getattr(venue, name) != values[name]
        ]
        for name in changed:
            setattr(venue, name, values[name])
        if changed:
            venue.full_clean(exclude=[f.name for f in Venue._meta.fields if f.name not in changed])
            venue.save(update_fields=changed)
            record(
                actor=actor,
                action=Action.CATALOGUE_CHANGED,
                target=venue,
                region=venue.region,
                venue=venue,
                data={"fields": sorted(changed)},
            )
    return venue


def update_region_description(*, actor: Any, region: Region, values: dict[str, str]) -> Region:
    """The region's introduction in the catalogue: its coordinators (and national administrators)."""
    if not scope_for(actor).coordinates(region.pk):
        raise NotYourCatalogueEntry()
    with transaction.atomic():
        region = Region.objects.select_for_update().get(pk=region.pk)
        changed = [
            name
            for name in REGION_FIELDS
            if name in values and getattr(region, name) != values[name]
        ]
        for name in changed:
            setattr(region, name, values[name])
        if changed:
            region.save(update_fields=changed)
            record(
                actor=actor,
                action=Action.CATALOGUE_CHANGED,
                target=region,
                region=region,
                data={"fields": sorted(changed)},
            )
    return region
