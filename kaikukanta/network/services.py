"""Every change to the network, one function each: save (create or edit) a distributor site, a venue,
or any other part of the network (regions, organisations, municipalities, counties, ticket agencies),
and delete one. Each checks the actor's right, validates, writes the change and its audit event in one
transaction. The administration and the coordinators' pages call these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from kaikukanta.accounts.permissions import can_run_distributor_sites_in, can_run_venues_in
from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record, save_audited
from kaikukanta.core.errors import NotAllowed

from .errors import NetworkDataInvalid
from .models import DistributorSite, Region, Venue

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
    return _save(actor, venue, changed)


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
        record(
            actor=actor,
            action=Action.OBJECT_DELETED,
            target=obj,
            region=_region_of(obj) if not isinstance(obj, Region) else None,
            data={"name": str(obj)[:200]},
        )
        obj.delete()
