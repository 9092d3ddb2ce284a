"""Publishing a guideline version (national admins) and acknowledging it for a site or venue (its
staff, or its region's coordinator)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.core.errors import NotAllowed
from kaikukanta.network.models import DistributorSite, Region, Venue

from .models import Acknowledgement, GuidelineVersion


def publish_version(*, actor: Any, version: str, title: str, url: str) -> GuidelineVersion:
    from kaikukanta.accounts.scope import scope_for

    if not scope_for(actor).national:
        raise NotAllowed()
    with transaction.atomic():
        published = GuidelineVersion.objects.create(
            version=version, title=title, url=url, published_by=actor
        )
        record(actor=actor, action=Action.OBJECT_CREATED, target=published)
    return published


def acknowledge(
    *,
    actor: Any,
    version: GuidelineVersion,
    distributor_site: DistributorSite | None = None,
    venue: Venue | None = None,
) -> Acknowledgement:
    """Record that the site or venue has read this version; a second acknowledgement of the same
    version returns the first one."""
    from kaikukanta.accounts.scope import scope_for

    scope = scope_for(actor)
    place: dict[str, DistributorSite | Venue] = {}
    region: Region | None = None
    if distributor_site is not None:
        allowed = scope.works_at_site_or_coordinates(
            distributor_site.pk, distributor_site.region_id
        )
        place = {"distributor_site": distributor_site}
        region = distributor_site.region
    elif venue is not None:
        allowed = scope.works_at_venue_or_coordinates(venue.pk, venue.region_id)
        place = {"venue": venue}
        region = venue.region
    else:
        allowed = False
    if not allowed:
        raise NotAllowed()
    existing = Acknowledgement.objects.filter(version=version, **place).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            done = Acknowledgement.objects.create(version=version, acknowledged_by=actor, **place)
            record(actor=actor, action=Action.OBJECT_CREATED, target=done, region=region)
    except IntegrityError:  # acknowledged at the same moment by a colleague
        return Acknowledgement.objects.get(version=version, **place)
    return done
