"""Recording uses: a holder's own use, a community card's group visit, cancelling a use recorded by
mistake, and the caller's venues' uses, newest first.

Every write takes an `Idempotency-Key` header (8 to 64 characters of letters, digits and `_.:-`; a UUID
will do): the same key and body again answers 200 with what the first request recorded, the same key
with another body 409. Card numbers travel in bodies only, never in addresses; no operation lists or
searches cards."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Literal

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status

from kaikukanta.core.errors import DomainError
from kaikukanta.events.models import Event
from kaikukanta.network.models import Venue
from kaikukanta.uses.models import GroupVisit, Use
from kaikukanta.uses.services import (
    GroupMember,
    cancel_use,
    record_group_visit,
    record_use,
)

from ..errors import fields_named
from .auth import AUTH
from .checks import own_venue
from .schemas import BODY_ERRORS, ERRORS, Error, IsoDate

router = Router(tags=["uses"], auth=AUTH)

WRITE_ERRORS = {**BODY_ERRORS, 409: Error}
Kind = Literal["entry_ticket", "course_place", "season_pass"]
# Venue.Category's values (tests/api/test_uses_api.py holds the two together).
Category = Literal["culture", "education", "science", "sports"]


class EventUnknown(DomainError):
    code = "event_unknown"
    field = "event"
    status = 404
    template = _(
        "No event of your venues has the number %(event)s. Ask for them at /api/v1/events."
    )


class UseUnknown(DomainError):
    code = "use_unknown"
    status = 404
    template = _("No use of your venues has the number %(use)s.")


class CursorInvalid(DomainError):
    code = "cursor_invalid"
    field = "cursor"
    template = _("The cursor is not one this API gave. Start again without it.")


class SinceInvalid(DomainError):
    code = "since_invalid"
    field = "since"
    template = _(
        "“%(value)s” is neither a day nor a moment. Give a day, 2026-06-01, or a moment with its "
        "offset from UTC, 2026-06-01T08:30:00+03:00 (or …Z for UTC)."
    )


def since_moment(value: str) -> dt.datetime:
    """The start of `since`: a day (from its midnight in Finland) or an ISO 8601 moment with its
    offset. A moment without an offset is refused: which clock it means cannot be known."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return timezone.make_aware(dt.datetime.combine(day, dt.time()))
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SinceInvalid(value=value[:40]) from None
    if timezone.is_naive(moment):
        raise SinceInvalid(value=value[:40])
    return moment


class UseIn(Schema):
    venue: int = Field(description="The venue's id, from /api/v1/venues.")
    card: str = Field(max_length=40, description="The card number as typed or scanned.")
    kind: Kind = "entry_ticket"
    adult_ticket: bool = Field(True, description="The holder's own ticket.")
    child_tickets: int = Field(0, ge=0, le=99, description="Tickets for the holder's children.")
    event: int | None = Field(None, description="The event's id, from /api/v1/events.")
    category: Category | None = Field(None, description="Default: the event's or venue's.")
    occurred_at: dt.datetime | None = Field(
        None,
        description="When the holder was admitted, for an admission sent later (queued offline, "
        "typed in from paper); at most the backdating limit back. Default: now.",
    )
    sent_at: dt.datetime | None = Field(
        None,
        description="The sending device's clock when it sent the request (an offline queue's): "
        "the audit trail notes a clock more than 5 minutes off. `occurred_at` is kept as given.",
    )


class UseOut(Schema):
    id: int
    venue: int
    card: str = Field(description="The card number, in two groups of five.")
    kind: str
    category: str
    adult_ticket: bool
    child_tickets: int
    clients_without_card: int = Field(
        description="A community card's use in a group visit: clients under the age limit who "
        "came without a card (not child tickets)."
    )
    event: int | None
    group_visit: int | None
    occurred_at: dt.datetime
    cancellable_until: dt.datetime | None = Field(
        description="Until when the venue may cancel the use (null: not by itself)."
    )


class UsePage(Schema):
    items: list[UseOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null: no more."
    )


class MemberIn(Schema):
    card: str = Field(max_length=40)
    child_tickets: int = Field(0, ge=0, le=99)


class GroupVisitIn(Schema):
    venue: int
    community_card: str = Field(max_length=40, description="The accompanying worker's card.")
    members: list[MemberIn] = Field(default_factory=list, max_length=100)
    covered_client_ages: list[int] = Field(
        default_factory=list,
        max_length=100,
        description="Ages of clients under the community-card age limit who come without a card.",
    )
    kind: Kind = "entry_ticket"
    event: int | None = None
    category: Category | None = None


class GroupVisitOut(Schema):
    id: int
    venue: int
    community_card: str
    event: int | None
    occurred_at: dt.datetime
    tickets: int
    uses: list[UseOut]


class Cancelled(Schema):
    id: int
    cancelled: bool


def use_out(use: Use) -> dict:
    window = dt.timedelta(minutes=settings.KAIKUKANTA_USE_CANCEL_MINUTES)
    return {
        "id": use.pk,
        "venue": use.venue_id,
        "card": use.card.display_identifier,
        "kind": use.kind,
        "category": use.category,
        "adult_ticket": use.adult_ticket,
        "child_tickets": use.child_tickets,
        "clients_without_card": use.clients_without_card,
        "event": use.event_id,
        "group_visit": use.group_visit_id,
        "occurred_at": use.occurred_at,
        "cancellable_until": None if use.group_visit_id else use.recorded_at + window,
    }


def _event(request: HttpRequest, pk: int | None) -> Event | None:
    if pk is None:
        return None
    event = Event.objects.visible_to(request.user).select_related("venue").filter(pk=pk).first()
    if event is None:
        raise EventUnknown(event=pk)
    return event


@router.post(
    "/uses",
    response={201: UseOut, 200: UseOut, **WRITE_ERRORS},
    summary="Record a holder's use",
)
def create_use(
    request: HttpRequest,
    payload: UseIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key"),
) -> Status:
    """201 with the use; the same key and body again: 200 with the same use; the same key with
    another body: 409. A rule's refusal: its status and code (the same as the check's refusal)."""
    venue = own_venue(request, payload.venue)
    with fields_named(identifier="card", card_identifier="card"):
        outcome = record_use(
            actor=request.user,
            venue=venue,
            card_identifier=payload.card,
            idempotency_key=idempotency_key,
            kind=payload.kind,
            adult_ticket=payload.adult_ticket,
            child_tickets=payload.child_tickets,
            event=_event(request, payload.event),
            category=payload.category or "",
            occurred_at=payload.occurred_at,
            device_clock=payload.sent_at,
        )
    return Status(201 if outcome.created else 200, use_out(outcome.use))


@router.post(
    "/group-visits",
    response={201: GroupVisitOut, 200: GroupVisitOut, **WRITE_ERRORS},
    summary="Record a community card's group visit",
)
def create_group_visit(
    request: HttpRequest,
    payload: GroupVisitIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key"),
) -> Status:
    """The worker's community card, each member's own card (with tickets for their own children),
    and the clients under the age limit without a card. Idempotent as POST /uses."""
    venue = own_venue(request, payload.venue)
    with fields_named(identifier="community_card", community_card_identifier="community_card"):
        outcome = record_group_visit(
            actor=request.user,
            venue=venue,
            community_card_identifier=payload.community_card,
            members=[GroupMember(m.card, m.child_tickets) for m in payload.members],
            covered_client_ages=payload.covered_client_ages,
            idempotency_key=idempotency_key,
            kind=payload.kind,
            event=_event(request, payload.event),
            category=payload.category or "",
        )
    visit: GroupVisit = outcome.group_visit
    uses = list(Use.objects.filter(group_visit=visit).select_related("card").order_by("pk"))
    body = {
        "id": visit.pk,
        "venue": visit.venue_id,
        "community_card": visit.community_card.display_identifier,
        "event": visit.event_id,
        "occurred_at": visit.occurred_at,
        "tickets": sum(use.tickets for use in uses),
        "uses": [use_out(use) for use in uses],
    }
    return Status(201 if outcome.created else 200, body)


@router.post(
    "/uses/{int:use_id}/cancel",
    response={200: Cancelled, **WRITE_ERRORS},
    summary="Cancel a use recorded by mistake",
)
def cancel(request: HttpRequest, use_id: int) -> dict:
    """The venue that recorded a use may cancel it within the cancel window (the use's
    `cancellable_until`); the audit trail keeps the cancellation. A use already cancelled is 404."""
    use = (
        Use.objects.filter(venue__in=Venue.objects.acted_for_by(request.user))
        .select_related("venue")
        .filter(pk=use_id)
        .first()
    )
    if use is None:
        raise UseUnknown(use=use_id)
    cancel_use(actor=request.user, use=use)
    return {"id": use_id, "cancelled": True}


def _cursor(use: Use, field: str) -> str:
    # The moment of the field the page is ordered by: when the use took place, or when the registry
    # recorded it (a `since` moment: "since my last sync").
    raw = f"{getattr(use, field).isoformat()}|{use.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(cursor: str, field: str) -> Q:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, pk_text = raw.split("|")
        moment, pk = dt.datetime.fromisoformat(moment_text), int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise CursorInvalid() from error
    return Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk})


class UseFilter(Schema):
    venue: int | None = Field(None, description="One of the caller's venues; default: all of them.")
    since: str | None = Field(
        None,
        max_length=40,
        description=(
            "A day (2026-06-01, inclusive): the uses that took place from that day on. Or a moment, "
            "ISO 8601 with its offset (2026-06-01T08:30:00+03:00, inclusive), for example the time "
            "of your last sync: the uses the registry recorded from that moment on, also those "
            "that took place earlier (an admission made offline and sent later); the page is then "
            "ordered by when each was recorded, newest first."
        ),
    )
    until: IsoDate | None = Field(None, description="To this day (inclusive), as 2026-06-30.")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=500)


@router.get("/uses", response={200: UsePage, **ERRORS}, summary="The caller's venues' uses")
def list_uses(request: HttpRequest, filters: Query[UseFilter]) -> dict:
    """Newest first, a page at a time: follow `next_cursor` until it is null."""
    venues = Venue.objects.acted_for_by(request.user)
    if filters.venue is not None:
        venue = own_venue(request, filters.venue)
        uses = Use.objects.filter(venue=venue)
    else:
        uses = Use.objects.filter(venue__in=list(venues.values_list("pk", flat=True)))
    tz = timezone.get_current_timezone()
    # A day asks what took place; a moment ("since my last sync") asks what the registry learned:
    # an admission recorded offline at 10.00 and sent at 12.00 is new to a sync made at 11.00.
    field = "occurred_at"
    if filters.since:
        start = since_moment(filters.since)
        if len(filters.since.strip()) != 10:
            field = "recorded_at"
        uses = uses.filter(**{f"{field}__gte": start})
    if filters.until is not None:
        end = filters.until + dt.timedelta(days=1)
        uses = uses.filter(
            occurred_at__lt=timezone.make_aware(dt.datetime.combine(end, dt.time()), tz)
        )
    if filters.cursor:
        uses = uses.filter(_after(filters.cursor, field))
    page = list(uses.select_related("card").order_by(f"-{field}", "-pk")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [use_out(use) for use in page],
        "next_cursor": _cursor(page[-1], field) if more and page else None,
    }
