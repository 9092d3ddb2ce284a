from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from kaikukanta.accounts.permissions import require_keeps_venue
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.core.errors import ChoiceInvalid
from kaikukanta.network.models import Venue

from .errors import EventTitleMissing, QuotaInvalid
from .models import MAX_QUOTA, Event


def _validated(title: str, category: str, cardholder_quota: int | None) -> str:
    """The event's title, trimmed; its category and quota checked."""
    title = (title or "").strip()
    if not title:
        raise EventTitleMissing()
    if category and category not in Venue.Category.values:
        raise ChoiceInvalid(field="category", value=category)
    if cardholder_quota is not None and (
        not isinstance(cardholder_quota, int)
        or isinstance(cardholder_quota, bool)
        or not 1 <= cardholder_quota <= MAX_QUOTA
    ):
        raise QuotaInvalid()
    return title


def create_event(
    *,
    actor: Any,
    venue: Venue,
    title: str,
    starts_at: dt.datetime | None = None,
    category: str = "",
    cardholder_quota: int | None = None,
) -> Event:
    require_keeps_venue(actor, venue)
    title = _validated(title, category, cardholder_quota)
    with transaction.atomic():
        event = Event.objects.create(
            venue=venue,
            title=title[:200],
            starts_at=starts_at,
            category=category,
            cardholder_quota=cardholder_quota,
        )
        record(
            actor=actor, action=Action.EVENT_CREATED, target=event, venue=venue, region=venue.region
        )
    return event


def set_sold_out(*, actor: Any, event: Event, sold_out: bool = True) -> Event:
    """Mark an event sold out (or open again): a sold-out event gives cardholders nothing."""
    require_keeps_venue(actor, event.venue)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.sold_out = sold_out
        event.save(update_fields=["sold_out"])
        record(
            actor=actor,
            action=Action.EVENT_CHANGED,
            target=event,
            venue=event.venue,
            region=event.venue.region,
            data={"sold_out": sold_out},
        )
    return event


def update_event(
    *,
    actor: Any,
    event: Event,
    title: str,
    starts_at: dt.datetime | None = None,
    category: str = "",
    cardholder_quota: int | None = None,
    sold_out: bool = False,
) -> Event:
    """Change an event. A quota lowered below the tickets already given leaves none: the uses
    recorded stay."""
    require_keeps_venue(actor, event.venue)
    title = _validated(title, category, cardholder_quota)
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("venue").get(pk=event.pk)
        )
        before = {
            "title": event.title,
            "starts_at": event.starts_at.isoformat() if event.starts_at else None,
            "category": event.category,
            "cardholder_quota": event.cardholder_quota,
            "sold_out": event.sold_out,
        }
        event.title = title[:200]
        event.starts_at = starts_at
        event.category = category
        event.cardholder_quota = cardholder_quota
        event.sold_out = sold_out
        event.save()
        after = {
            "title": event.title,
            "starts_at": event.starts_at.isoformat() if event.starts_at else None,
            "category": event.category,
            "cardholder_quota": event.cardholder_quota,
            "sold_out": event.sold_out,
        }
        changed = sorted(name for name in after if after[name] != before[name])
        record(
            actor=actor,
            action=Action.EVENT_CHANGED,
            target=event,
            venue=event.venue,
            region=event.venue.region,
            # The names of the fields changed, never their typed text (the audit keeps no free text).
            data={"changed": changed, "sold_out": event.sold_out},
        )
    return event
