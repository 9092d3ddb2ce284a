"""The caller's venues' events, with what is left of each cardholder quota."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kaikukanta.core.dates import today
from kaikukanta.events.models import MAX_QUOTA, Event
from kaikukanta.network.models import Venue

from .auth import AUTH
from .checks import own_venue
from .schemas import ERRORS

router = Router(tags=["events"], auth=AUTH)


class EventOut(Schema):
    id: int
    venue: int
    title: str
    starts_at: dt.datetime | None
    category: str = Field(description="The event's category (the venue's when not set).")
    cardholder_quota: int | None = Field(
        ge=1, le=MAX_QUOTA, description="Cardholder tickets at most; null: no cap."
    )
    sold_out: bool
    tickets_left: int | None = Field(description="What is left of the quota; null: no cap.")


@router.get("/events", response={200: list[EventOut], **ERRORS}, summary="The venues' events")
def events(request: HttpRequest, venue: int | None = None) -> list[dict]:
    """Events that have not begun before today (and those without a time), of one of the
    caller's venues or all of them."""
    if venue is not None:
        venues = [own_venue(request, venue).pk]
    else:
        venues = list(Venue.objects.acted_for_by(request.user).values_list("pk", flat=True))
    rows = (
        Event.objects.filter(venue__in=venues)
        .upcoming(today())
        .select_related("venue")
        .with_tickets_taken()
        .order_by("starts_at", "title", "pk")[:500]
    )
    return [
        {
            "id": event.pk,
            "venue": event.venue_id,
            "title": event.title,
            "starts_at": event.starts_at,
            "category": event.effective_category,
            "cardholder_quota": event.cardholder_quota,
            "sold_out": event.sold_out,
            "tickets_left": event.tickets_left(),
        }
        for event in rows
    ]
