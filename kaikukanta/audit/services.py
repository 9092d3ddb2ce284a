from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from .actions import is_registered
from .models import Action, AuditEvent

if TYPE_CHECKING:
    from kaikukanta.network.models import Region, Venue


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    region: Region | None = None,
    venue: Venue | None = None,
    data: dict[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change it describes.
    `occurred_at`: only to keep less than the exact time (a holder's anonymous feedback keeps its
    day only, so that its time cannot be matched with the card's own events).

    An actor acting through an API token (api/services.py sets `api_token_id` on the account) is
    named with the token too, `data["api_token"]` (its key): an organisation's client systems, or
    an agency's, all act through one account, and the trail tells which of them acted."""
    if not is_registered(
        action
    ):  # a verb no app registered (audit/actions.py): a programming error
        raise ValueError(f"unregistered audit action {action!r}")
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    token = getattr(actor, "api_token_id", None) if is_user else None
    if token is not None:
        data = {**(data or {}), "api_token": token}
    return AuditEvent.objects.create(
        occurred_at=occurred_at or timezone.now(),
        actor=actor if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        region=region,
        venue=venue,
        data=data or {},
    )


_M = TypeVar("_M", bound=models.Model)


def save_audited(
    *, actor: Any, obj: _M, changed: Iterable[str], region: Region | None = None
) -> _M:
    """Save a network or account object and record it as created or changed, naming the fields
    that changed, never their values (an e-mail address, a password hash)."""
    created = obj.pk is None
    with transaction.atomic():
        obj.save()
        record(
            actor=actor,
            action=Action.OBJECT_CREATED if created else Action.OBJECT_CHANGED,
            target=obj,
            region=region,
            data={"fields": sorted(changed)},
        )
    return obj
