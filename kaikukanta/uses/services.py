"""Recording uses: one function for a holder's own use, one for a community-card group visit.

Both are idempotent (`core/idempotency.py`): the client sends a key with each attempt, and a retry with
the same key and content returns what the first attempt recorded instead of recording again, even when
the two arrive at the same time; the same key with other content is a conflict. Both write everything
or nothing. A refused attempt leaves a `use.rejected` audit event, so that a venue that keeps being
refused shows up, and a number that matches no card counts towards the look-up limits.

Whether a card may be used at a venue on a day is `Card.refusal_at` (cards/models.py): the venue's check
asks the same question, so the check predicts the recording. A use recorded later (queued offline,
typed in from paper) is judged at its own moment: a card closed after it does not undo it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.permissions import can_act_for_venue, side_refused
from kaikukanta.accounts.scope import CULTURE, scope_for
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.cards import identifiers, lookups
from kaikukanta.cards.models import Card
from kaikukanta.cards.services import CardCheck, card_check_of, find_card, typed_number_for_audit
from kaikukanta.core.dates import CLOCK_TOLERANCE, now, typed_moment
from kaikukanta.core.errors import ChoiceInvalid, DomainError, NotAllowed
from kaikukanta.core.idempotency import once, validate_key
from kaikukanta.events.models import Event
from kaikukanta.network.models import Region, Venue
from kaikukanta.stats import summaries

from .errors import (
    AgeInvalid,
    AlreadyRemoved,
    CancelGroupMember,
    CancelTooLate,
    ChildTicketsInvalid,
    CommunityCardNotForCourses,
    CoveredClientTooOld,
    EventOfAnotherVenue,
    EventSoldOut,
    GroupEmpty,
    MemberCardNotPersonal,
    MemberListedTwice,
    NoChildTicketsForCourses,
    NoChildTicketsHere,
    NotACommunityCard,
    NoTickets,
    QuotaExhausted,
    RemovalForCoordinator,
    RemoveWholeGroupVisit,
    TooManyChildTickets,
    UseRequestCancelled,
)
from .models import CancelledRequest, GroupVisit, RefusedRequest, RemovalReason, Use, UseKind


@dataclass(frozen=True)
class UseResult:
    use: Use
    created: bool


@dataclass(frozen=True)
class GroupMember:
    """One client in a group visit: their own card, and tickets for their own children."""

    identifier: str
    child_tickets: int = 0


@dataclass(frozen=True)
class GroupVisitResult:
    group_visit: GroupVisit
    uses: list[Use] = field(default_factory=list)
    created: bool = True


# --- rules shared by both kinds of use ------------------------------------------------------------


def _regions(venue: Venue) -> list[Region]:
    """Whose coordinators hear of a look-up sweep at `venue` (none: the national administrators)."""
    return [venue.region] if venue.region is not None else []


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _find_card(raw: str) -> Card:
    """The card of a typed or scanned number, its row locked until the use is recorded (a closing
    of the card waits, so that no use lands after it). An unknown number's error remembers the
    number, for the audit trail."""
    try:
        return find_card(identifiers.normalize(raw), lock=True)
    except DomainError as error:
        error.card_number = raw
        raise


def _check_usable(card: Card, venue: Venue, moment: dt.datetime, *, in_group: bool = False) -> None:
    refusal = card.refusal_at(venue, timezone.localdate(moment), in_group=in_group, at=moment)
    if refusal is not None:
        raise refusal


USE_KINDS = frozenset(UseKind.values)  # computed once (an enum's `values` is built on every call)


def _check_kind(kind: str) -> None:
    if kind not in USE_KINDS:
        raise ChoiceInvalid(field="kind", value=kind)


def _check_child_tickets(card: Card, venue: Venue, kind: str, child_tickets: int) -> None:
    if not isinstance(child_tickets, int) or isinstance(child_tickets, bool) or child_tickets < 0:
        raise ChildTicketsInvalid()
    if child_tickets and kind != UseKind.ENTRY_TICKET:
        raise NoChildTicketsForCourses()
    if child_tickets and not venue.child_tickets:
        raise NoChildTicketsHere(venue=venue)
    if child_tickets > card.child_tickets_at(venue):
        raise TooManyChildTickets(identifier=card.display_identifier, children=card.children or 0)


def check_use(
    card: Card, venue: Venue, moment: dt.datetime, kind: str, adult_ticket: bool, child_tickets: int
) -> None:
    """The rules a single use (not in a group visit, without an event) must meet: the card usable
    at the venue at that moment, the kind, the child tickets, at least one ticket. Recording a use
    calls it, and so does the registry import (migration_import), which writes uses in batches."""
    _check_usable(card, venue, moment)
    _check_kind(kind)
    _check_child_tickets(card, venue, kind, child_tickets)
    if not adult_ticket and not child_tickets:
        raise NoTickets()


def _category(category: str, event: Event | None, venue: Venue) -> str:
    if category:
        if category not in Venue.Category.values:
            raise ChoiceInvalid(field="category", value=category)
        return category
    return event.effective_category if event is not None else venue.category


def _claim_event_tickets(event: Event | None, venue: Venue, needed: int) -> Event | None:
    """Check the event and reserve `needed` cardholder tickets. The event row stays locked until the
    transaction ends, so concurrent requests for the last tickets are served one at a time."""
    if event is None:
        return None
    if event.venue_id != venue.pk:
        raise EventOfAnotherVenue(event=event, venue=venue)
    event = Event.objects.select_for_update().select_related("venue").get(pk=event.pk)
    if event.sold_out:
        raise EventSoldOut(event=event)
    if event.cardholder_quota is not None:
        left = event.tickets_left() or 0
        if needed > left:
            raise QuotaExhausted(
                event=event, left=left, quota=event.cardholder_quota, needed=needed
            )
    return event


def _clock_note(device_clock: dt.datetime | None) -> dict[str, int]:
    """For the audit trail: how far the sending device's clock (an offline queue's, at sending) was
    from the registry's, when clearly wrong (more than CLOCK_TOLERANCE). The use keeps the time the
    device gave, within the backdating rule: a wrong clock is noted, never silently corrected."""
    if device_clock is None:
        return {}
    off = (now() - (_aware(device_clock) or device_clock)).total_seconds()
    return (
        {"device_clock_off_seconds": round(off)}
        if abs(off) > CLOCK_TOLERANCE.total_seconds()
        else {}
    )


def _refused(
    actor: Any,
    venue: Venue,
    error: DomainError,
    identifier: str,
    lookup: lookups.Lookup,
    device_clock: dt.datetime | None = None,
    *,
    key: str,
) -> None:
    """A refused attempt: audited with the rule that refused it and the number it concerns, and
    counted towards the look-up limits when that number matched no card. Once per request key and
    refusal: a retry of the same request (its answer lost on the way) is refused again, silently."""
    if not _first_refusal(venue, key, error.code):
        return
    number = identifiers.normalize(error.card_number or identifier)
    record(
        actor=actor,
        action=Action.USE_REJECTED,
        venue=venue,
        region=venue.region,
        data={"code": error.code, **typed_number_for_audit(number), **_clock_note(device_clock)},
    )
    lookup.failed(error, number)


def _first_refusal(venue: Venue, key: str, code: str) -> bool:
    """Marks the request `key` at `venue` refused with `code`; False when it already was (the unique
    marker's insert fails, in its own savepoint: two retries at once are told apart too)."""
    try:
        with transaction.atomic():
            RefusedRequest.objects.create(venue=venue, idempotency_key=key, code=code)
    except IntegrityError:
        return False
    return True


# --- a holder's own use ---------------------------------------------------------------------------


def record_use(
    *,
    actor: Any,
    venue: Venue,
    card_identifier: str,
    idempotency_key: str,
    kind: str = UseKind.ENTRY_TICKET,
    adult_ticket: bool = True,
    child_tickets: int = 0,
    event: Event | None = None,
    category: str = "",
    occurred_at: dt.datetime | None = None,
    device_clock: dt.datetime | None = None,
) -> UseResult:
    """Record that a cardholder obtained a free entry ticket, course place or season pass, with
    `child_tickets` tickets for their own children or grandchildren under 18 at the same event.
    `occurred_at` is when (a use sent later: judged at that moment); `device_clock`, the sending
    device's clock at sending, for the audit trail's note of a clock that is clearly wrong."""
    if not can_act_for_venue(actor, venue):
        raise NotAllowed()
    key = validate_key(idempotency_key)
    number = identifiers.normalize(card_identifier)
    lookup = lookups.admit(actor, venue, numbers=[number], regions=_regions(venue), count=False)
    moment = _aware(occurred_at)

    def same(use: Use) -> bool:
        return (
            use.card.identifier == number
            and use.kind == kind
            and use.adult_ticket == bool(adult_ticket)
            and use.child_tickets == child_tickets
            and use.event_id == (event.pk if event is not None else None)
            and (not category or use.category == category)
            and (moment is None or use.occurred_at == moment)
        )

    try:
        if CancelledRequest.objects.filter(venue=venue, idempotency_key=key).exists():
            raise UseRequestCancelled()
        outcome = once(
            find=lambda: (
                Use.objects.select_related("card").filter(venue=venue, idempotency_key=key).first()
            ),
            same=same,
            create=lambda: _record_use(
                actor=actor,
                venue=venue,
                card_identifier=card_identifier,
                key=key,
                kind=kind,
                adult_ticket=adult_ticket,
                child_tickets=child_tickets,
                event=event,
                category=category,
                occurred_at=occurred_at,
                device_clock=device_clock,
            ),
        )
    except DomainError as error:
        _refused(actor, venue, error, card_identifier, lookup, device_clock, key=key)
        raise
    lookup.found()
    return UseResult(outcome.result, created=outcome.created)


def _record_use(
    *,
    actor: Any,
    venue: Venue,
    card_identifier: str,
    key: str,
    kind: str,
    adult_ticket: bool,
    child_tickets: int,
    event: Event | None,
    category: str,
    occurred_at: dt.datetime | None,
    device_clock: dt.datetime | None = None,
) -> Use:
    occurred_at = typed_moment(occurred_at)
    card = _find_card(card_identifier)
    check_use(card, venue, occurred_at, kind, adult_ticket, child_tickets)
    event = _claim_event_tickets(event, venue, int(bool(adult_ticket)) + child_tickets)
    use = Use.objects.create(
        card=card,
        card_region_id=card.region_id,
        venue=venue,
        event=event,
        occurred_at=occurred_at,
        category=_category(category, event, venue),
        kind=kind,
        adult_ticket=bool(adult_ticket),
        child_tickets=child_tickets,
        recorded_by=actor,
        idempotency_key=key,
    )
    summaries.uses_added([use])
    record(
        actor=actor,
        action=Action.USE_RECORDED,
        target=use,
        venue=venue,
        region=venue.region,
        data={"card": card.pk, **_clock_note(device_clock)},
    )
    return use


# --- a community-card group visit -----------------------------------------------------------------


def record_group_visit(
    *,
    actor: Any,
    venue: Venue,
    community_card_identifier: str,
    members: Sequence[GroupMember | str],
    idempotency_key: str,
    covered_client_ages: Sequence[int] = (),
    kind: str = UseKind.ENTRY_TICKET,
    event: Event | None = None,
    category: str = "",
    occurred_at: dt.datetime | None = None,
) -> GroupVisitResult:
    """Record a small-group visit on a distributor's community card.

    The accompanying worker gets a ticket on the community card, as do clients younger than the
    community-card age limit who come without a card (`covered_client_ages`). Every other member of
    the group shows their own valid card, and gets a use of their own.
    """
    if not can_act_for_venue(actor, venue):
        raise NotAllowed()
    key = validate_key(idempotency_key)
    group = [GroupMember(m) if isinstance(m, str) else m for m in members]
    numbers = [identifiers.normalize(community_card_identifier)] + [
        identifiers.normalize(member.identifier) for member in group
    ]
    lookup = lookups.admit(actor, venue, numbers=numbers, regions=_regions(venue), count=False)
    ages = list(covered_client_ages)
    moment = _aware(occurred_at)
    asked = (
        identifiers.normalize(community_card_identifier),
        [(identifiers.normalize(m.identifier), m.child_tickets) for m in group],
        len(ages),
        kind,
        event.pk if event is not None else None,
    )

    def same(visit: GroupVisit) -> bool:
        uses = list(visit.uses.select_related("card").order_by("pk"))
        recorded = (
            visit.community_card.identifier,
            [(use.card.identifier, use.child_tickets) for use in uses[1:]],
            uses[0].clients_without_card if uses else 0,
            uses[0].kind if uses else kind,
            visit.event_id,
        )
        return (
            recorded == asked
            and (not category or all(use.category == category for use in uses))
            and (moment is None or visit.occurred_at == moment)
        )

    try:
        if CancelledRequest.objects.filter(venue=venue, idempotency_key=key).exists():
            raise UseRequestCancelled()  # removed by a coordinator (remove_group_visit)
        outcome = once(
            find=lambda: (
                GroupVisit.objects.filter(venue=venue, idempotency_key=key)
                .select_related("community_card")
                .first()
            ),
            same=same,
            create=lambda: _record_group_visit(
                actor=actor,
                venue=venue,
                community_card_identifier=community_card_identifier,
                members=group,
                key=key,
                covered_client_ages=ages,
                kind=kind,
                event=event,
                category=category,
                occurred_at=occurred_at,
            ),
        )
    except DomainError as error:
        _refused(actor, venue, error, community_card_identifier, lookup, key=key)
        raise
    lookup.found()
    visit = outcome.result
    return GroupVisitResult(visit, list(visit.uses.order_by("pk")), created=outcome.created)


def _record_group_visit(
    *,
    actor: Any,
    venue: Venue,
    community_card_identifier: str,
    members: list[GroupMember],
    key: str,
    covered_client_ages: list[int],
    kind: str,
    event: Event | None,
    category: str,
    occurred_at: dt.datetime | None,
) -> GroupVisit:
    occurred_at = typed_moment(occurred_at)
    _check_kind(kind)
    if kind != UseKind.ENTRY_TICKET:
        raise CommunityCardNotForCourses()
    # Lock every card of the group at once, in one order, so that two group visits sharing cards
    # wait for each other instead of deadlocking.
    numbers = {identifiers.normalize(m.identifier) for m in members}
    numbers.add(identifiers.normalize(community_card_identifier))
    list(
        Card.objects.select_for_update(of=("self",))
        .filter(identifier__in=sorted(numbers))
        .order_by("identifier")
        .values_list("pk", flat=True)
    )
    community_card = _find_card(community_card_identifier)
    if not community_card.is_community:
        raise NotACommunityCard(identifier=community_card.display_identifier)
    _check_usable(community_card, venue, occurred_at, in_group=True)

    limit = settings.KAIKUKANTA_COMMUNITY_CARD_CLIENT_AGE_LIMIT
    for age in covered_client_ages:
        if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120:
            raise AgeInvalid()
        if age >= limit:
            raise CoveredClientTooOld(age=age, limit=limit)
    if not members and not covered_client_ages:
        raise GroupEmpty(limit=limit)

    seen = {community_card.identifier}
    member_cards: list[tuple[Card, int]] = []
    for member in members:
        try:
            card = _find_card(member.identifier)
            if card.identifier in seen:
                if card.is_community:
                    raise MemberCardNotPersonal(identifier=card.display_identifier)
                raise MemberListedTwice(identifier=card.display_identifier)
            seen.add(card.identifier)
            if card.is_community:
                raise MemberCardNotPersonal(identifier=card.display_identifier)
            _check_usable(card, venue, occurred_at)
            _check_child_tickets(card, venue, kind, member.child_tickets)
        except DomainError as error:
            # Named by the member's own number: the page marks their line, the audit keeps it.
            error.card_number = error.card_number or member.identifier
            raise
        member_cards.append((card, member.child_tickets))

    needed = 1 + len(covered_client_ages) + sum(1 + children for _card, children in member_cards)
    event = _claim_event_tickets(event, venue, needed)
    category = _category(category, event, venue)
    visit = GroupVisit.objects.create(
        community_card=community_card,
        venue=venue,
        event=event,
        occurred_at=occurred_at,
        recorded_by=actor,
        idempotency_key=key,
    )
    # The community card's use: the worker, and the clients without a card (not child tickets).
    rows = [(community_card, 0, len(covered_client_ages)), *((c, n, 0) for c, n in member_cards)]
    uses = Use.objects.bulk_create(
        [
            Use(
                card=card,
                card_region_id=card.region_id,
                venue=venue,
                event=event,
                occurred_at=occurred_at,
                category=category,
                kind=kind,
                adult_ticket=True,
                child_tickets=children,
                clients_without_card=without_card,
                group_visit=visit,
                recorded_by=actor,
                idempotency_key=f"{key}/{position}",
            )
            for position, (card, children, without_card) in enumerate(rows)
        ]
    )
    # Every card of the group is locked above, sorted by number: step 1 of the summaries' lock
    # order (stats/summaries.py), which counts all the uses at once in that order.
    summaries.uses_added(uses)
    record(
        actor=actor,
        action=Action.GROUP_VISIT_RECORDED,
        target=visit,
        venue=venue,
        region=venue.region,
        data={
            "community_card": community_card.pk,
            "member_cards": [card.pk for card, _children in member_cards],
            "covered_clients": len(covered_client_ages),
        },
    )
    return visit


# --- what the box office is told before it acts --------------------------------------------------


def admitted_today_at(*, venue: Venue, card_identifier: str) -> dt.datetime | None:
    """When `venue` last recorded a use of the card today (local time), or None: the clerk is told
    before admitting the holder again, and decides (a second event the same day is allowed)."""
    day = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return (
        Use.objects.filter(
            venue=venue,
            card__identifier=identifiers.normalize(card_identifier),
            occurred_at__gte=midnight,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )


# --- the box office's list of card states, for offline answers ------------------------------------


@dataclass(frozen=True)
class CardStates:
    """What the box office keeps on the device to answer offline: the state of each card used at the
    venue lately, as the venue's check would give it today (`card_check_of`: verdict, valid-until,
    child tickets, type; never who issued it, nothing of the holder)."""

    venue: Venue
    day: dt.date
    days: int
    cards: list[CardCheck]


def card_states_at(*, actor: Any, venue: Venue) -> CardStates:
    """The cards used at `venue` within KAIKUKANTA_CARD_STATES_DAYS (the latest used first, at most
    KAIKUKANTA_CARD_STATES_MAX), each with its state today: a card closed, renewed or expired since
    it was used here shows as it is now. Only cards this venue has admitted: what it already knows of
    them, kept current. The venue's own staff only (not a coordinator typing in paper records, who
    has no box office to keep offline). Audited once per fetch, with the counts only.

    Read by the venue's use index (venue, occurred_at): a busy venue's window, not the card table."""
    if not scope_for(actor).works_at_venue(venue.pk):
        raise NotAllowed()
    day = timezone.localdate()
    days = settings.KAIKUKANTA_CARD_STATES_DAYS
    since = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=days), dt.time()))
    latest = (
        Use.objects.filter(venue=venue, occurred_at__gte=since)
        .values("card_id")
        .annotate(last=Max("occurred_at"))
        .order_by("-last", "-card_id")
        .values_list("card_id", flat=True)[: settings.KAIKUKANTA_CARD_STATES_MAX]
    )
    cards = Card.objects.filter(pk__in=list(latest)).select_related("region").order_by("pk")
    states = [card_check_of(card, venue, day) for card in cards]
    record(
        actor=actor,
        action=Action.CARD_STATES_SYNCED,
        venue=venue,
        region=venue.region,
        data={"cards": len(states), "days": days},
    )
    return CardStates(venue=venue, day=day, days=days, cards=states)


# --- cancelling a use recorded by mistake ---------------------------------------------------------


def cancellable(use: Use, *, at: dt.datetime | None = None) -> bool:
    """Whether the venue may still cancel `use` itself: a holder's own use (not a member of a group
    visit), recorded less than KAIKUKANTA_USE_CANCEL_MINUTES ago."""
    moment = at or timezone.now()
    window = dt.timedelta(minutes=settings.KAIKUKANTA_USE_CANCEL_MINUTES)
    return use.group_visit_id is None and moment - use.recorded_at <= window


def cancel_use(*, actor: Any, use: Use) -> None:
    """Take back a use recorded by mistake: the use is removed (the statistics never count it), and
    the audit trail keeps what it was and who cancelled it. Only the venue that recorded it (or whoever
    acts for it), within the cancel window; after it, the region's culture coordinator removes it
    (`remove_use`)."""
    if not can_act_for_venue(actor, use.venue):
        raise NotAllowed()
    with transaction.atomic():
        use = _locked_use(use)
        if use.group_visit_id is not None:
            raise CancelGroupMember()
        if not cancellable(use):
            raise CancelTooLate(minutes=settings.KAIKUKANTA_USE_CANCEL_MINUTES)
        _take_back(
            actor=actor,
            venue=use.venue,
            uses=[use],
            request_key=use.idempotency_key,
            action=Action.USE_CANCELLED,
            target=use,
            data=_what_it_was(use),
        )


# --- a coordinator's correction: removing a use or a group visit recorded by mistake -------------
#
# The statistics have no frozen or published months: every figure is counted live from the summary
# tables (stats/summaries.py), so a removal changes the figures of the use's own month, however long
# ago, at once and in the same transaction. A table already downloaded or sent on keeps its old
# figure; the audit trail's event says what changed and when.

REMOVAL_REASONS = frozenset(RemovalReason.values)


def may_remove_uses(user: Any, venue: Venue) -> bool:
    """Whether `user` may remove uses recorded by mistake at `venue`, at any time (`remove_use`,
    `remove_group_visit`): its region's culture coordinator, who runs the region's venues, and
    national administrators (pop-up venues have no region: national administrators only). The pages
    ask it before offering Correct."""
    return scope_for(user).covers(CULTURE, venue.region_id)


def check_remove_uses(actor: Any, venue: Venue) -> None:
    """Raise unless `actor` may remove uses at `venue`: the social and health coordinator of its
    region is told whose work it is (OtherSidesWork), the venue's own staff what they can do
    instead (RemovalForCoordinator); anyone else plainly not allowed."""
    if may_remove_uses(actor, venue):
        return
    if side_refused(actor, CULTURE, venue.region_id):
        raise OtherSidesWork(side=CULTURE, region=venue.region)
    if scope_for(actor).works_at_venue(venue.pk):
        raise RemovalForCoordinator(minutes=settings.KAIKUKANTA_USE_CANCEL_MINUTES)
    raise NotAllowed()


def _check_reason(reason: str) -> None:
    if reason not in REMOVAL_REASONS:
        raise ChoiceInvalid(field="reason", value=reason)


def remove_use(*, actor: Any, use: Use, reason: str) -> None:
    """Remove a holder's own use recorded by mistake, at any time (after the venue's cancel window
    too): the region's culture coordinator or a national administrator, with a `reason` of
    RemovalReason. As `cancel_use`: the use is deleted, the statistics of its month counted again in
    the same transaction, its request key kept so that a retry does not record it again, and the
    audit trail keeps what it was, with the reason's code. A member of a group visit is removed with
    the whole visit (`remove_group_visit`)."""
    _check_reason(reason)
    check_remove_uses(actor, use.venue)
    with transaction.atomic():
        use = _locked_use(use)
        if use.group_visit_id is not None:
            raise RemoveWholeGroupVisit()
        _take_back(
            actor=actor,
            venue=use.venue,
            uses=[use],
            request_key=use.idempotency_key,
            action=Action.USE_REMOVED,
            target=use,
            data={**_what_it_was(use), "reason": reason},
        )


def remove_group_visit(*, actor: Any, visit: GroupVisit, reason: str) -> None:
    """Remove a group visit recorded by mistake, all its uses at once (the community card's and every
    member's), or nothing: as `remove_use`, by the same people, with one audit event for the visit
    that lists each use it had. A retry of the visit's request does not record it again."""
    _check_reason(reason)
    check_remove_uses(actor, visit.venue)
    with transaction.atomic():
        # Step 1 of the lock order: every card of the visit at once, sorted by number, as recording
        # the visit locked them. The visit's uses are only ever written and removed with it.
        cards = Use.objects.filter(group_visit_id=visit.pk).values_list("card_id", flat=True)
        _lock_cards([visit.community_card_id, *cards])
        try:
            visit = (
                GroupVisit.objects.select_for_update(of=("self",))
                .select_related("venue__region")
                .get(pk=visit.pk)
            )
        except GroupVisit.DoesNotExist:
            raise AlreadyRemoved() from None
        uses = list(
            Use.objects.select_for_update(of=("self",)).filter(group_visit=visit).order_by("pk")
        )
        _take_back(
            actor=actor,
            venue=visit.venue,
            uses=uses,
            request_key=visit.idempotency_key,
            action=Action.GROUP_VISIT_REMOVED,
            target=visit,
            data={
                "reason": reason,
                "community_card": visit.community_card_id,
                "event": visit.event_id,
                "occurred_at": visit.occurred_at.isoformat(),
                "recorded_at": visit.created_at.isoformat(),
                "uses": [_what_it_was(use) for use in uses],
            },
        )
        visit.delete()


# --- the one way out of the registry for a recorded use --------------------------------------------


def _lock_cards(card_ids: Iterable[int]) -> None:
    """Step 1 of the statistics' lock order (stats/summaries.py): the cards at once, sorted by
    number, as recording takes them (the card, then the use): a use of the same card recorded at this
    moment then waits for the removal, or the removal for it, and the statistics of the card's month
    see the other's use."""
    list(
        Card.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(set(card_ids)))
        .order_by("identifier")
        .values_list("pk", flat=True)
    )


def _locked_use(use: Use) -> Use:
    """`use` read again under its lock, after its card's; gone meanwhile: AlreadyRemoved."""
    _lock_cards([use.card_id])
    try:
        return (
            Use.objects.select_for_update(of=("self",))
            .select_related("venue__region")
            .get(pk=use.pk)
        )
    except Use.DoesNotExist:
        raise AlreadyRemoved() from None


def _what_it_was(use: Use) -> dict[str, Any]:
    """A removed use as the audit trail keeps it: keys, codes, numbers and times; no card number."""
    return {
        "card": use.card_id,
        "event": use.event_id,
        "kind": use.kind,
        "adult_ticket": use.adult_ticket,
        "child_tickets": use.child_tickets,
        "clients_without_card": use.clients_without_card,
        "occurred_at": use.occurred_at.isoformat(),
        "recorded_at": use.recorded_at.isoformat(),
    }


def _take_back(
    *,
    actor: Any,
    venue: Venue,
    uses: list[Use],
    request_key: str,
    action: Any,
    target: Any,
    data: dict[str, Any],
) -> None:
    """Every way a recorded use leaves the registry (`cancel_use`, `remove_use`,
    `remove_group_visit`), in the transaction that holds its cards' and its own locks: the audit
    event, the request key kept (a retry of the request, from an offline queue or a reload, is
    refused instead of recording it again: UseRequestCancelled), the statistics counted out
    (`summaries.uses_removed`, steps 2 to 4 of the lock order), then the rows deleted."""
    record(actor=actor, action=action, target=target, venue=venue, region=venue.region, data=data)
    CancelledRequest.objects.get_or_create(venue=venue, idempotency_key=request_key)
    summaries.uses_removed(uses)
    Use.objects.filter(pk__in=[use.pk for use in uses]).delete()


def uses_exported(*, actor: Any, venues: list[Venue], filters: list[str]) -> None:
    """A venue's history left the registry as a file (CSV): audited with the venues and the names of
    the filters used, never their values or the rows."""
    record(
        actor=actor,
        action=Action.USES_EXPORTED,
        venue=venues[0] if len(venues) == 1 else None,
        data={"venues": [venue.pk for venue in venues], "filters": sorted(filters)},
    )
