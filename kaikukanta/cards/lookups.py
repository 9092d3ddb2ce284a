"""Throttling of card look-ups: card numbers must not be found by guessing, and guessing must not
stop a box office.

Every look-up by number (a venue's check, a distributor's search, a use recorded with a number) asks
`admit` first, with the numbers it will look up, and reports how it went (`found` or `failed`). What
a guess can win decides the limit:

- A number with a valid check character (`identifiers.is_valid`) is one of 29**9 = 1.45e13: a sweep
  is hopeless at any rate a person or a till reaches. Such a number that matches a card is always
  answered (never refused because someone, or the same clerk, typed unknown numbers); the only limit
  is each user's (each API token's) own rate of look-ups a minute, counted before looking, which no
  box office reaches. Unknown numbers of this kind are counted only to raise a flag.
- A number that could be one imported from the earlier registry (letters and digits, not a valid
  check character, and some imported card has a number of that length) may be short and guessable.
  Its unknown answers are limited per user and per venue within a long window; once a limit is
  reached, every such look-up by that user, or at that venue, is refused (found or not, so that the
  refusal tells nothing) until the window ends or a coordinator lifts the lock. Each reserves a
  failure before it looks and gives it back when the number was a card, so that look-ups sent all
  at once cannot all pass the limit before any has failed.
- Anything else (no card can have the number) is answered at once and not counted.

The first time a failure window fills up, a `Flag` is raised for the region's coordinators (pop-up
venues: the national administrators) with who and where, never what was typed. A refused look-up
leaves an audit event too. An API token is counted as itself, not as the account it acts as, so
that one ticket agency's tokens do not share each other's counters.

Limits are settings (KAIKUKANTA_LOOKUPS_PER_MINUTE and friends, see docs/configuration.md and
docs/lookup-limits.md); the counters are shared by every server process (core/ratelimit.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action, Flag
from kaikukanta.audit.services import record
from kaikukanta.core.errors import DomainError, NotAllowed
from kaikukanta.core.ratelimit import Window, count_many, hit_many

from . import identifiers
from .errors import (
    CardNotFound,
    IdentifierCheckFailed,
    IdentifierHasInvalidCharacters,
    IdentifierMalformed,
    TooManyLookups,
)
from .models import Card

if TYPE_CHECKING:
    from kaikukanta.network.models import Region, Venue

# What a guesser gets back for a number that is not a card.
UNKNOWN_NUMBER = (
    CardNotFound,
    IdentifierCheckFailed,
    IdentifierHasInvalidCharacters,
    IdentifierMalformed,
)

# What kind of number a look-up is for (`kind_of`).
NATIVE = "native"
LEGACY = "legacy"
NO_CARD = "no_card"


def kind_of(number: str) -> str:
    """NATIVE: a valid check character; LEGACY: could be a number imported from the earlier
    registry; NO_CARD: no card can have it. `number` is normalised."""
    if identifiers.is_valid(number):
        return NATIVE
    if number and identifiers.IMPORTED_PATTERN.match(number) and _legacy_length(len(number)):
        return LEGACY
    return NO_CARD


def imported_of_length(length: int) -> QuerySet[Card]:
    """The imported cards (numbers without a valid check character) whose number has `length`
    characters: read by the partial index card_imported_length (one probe, however many cards)."""
    return (
        Card.objects.filter(imported=True)
        .alias(number_length=Length("identifier"))
        .filter(number_length=length)
    )


def _legacy_length(length: int) -> bool:
    """Whether some imported card has a number of this length."""
    return imported_of_length(length).exists()


def subject_of(actor: Any) -> str:
    """Whose counters: an API token's own (api/services.py marks the account it acts as), else
    the user's."""
    token = getattr(actor, "api_token_id", None)
    return f"token:{token}" if token is not None else f"user:{actor.pk}"


def venue_subject(venue: Venue) -> str:
    return f"venue:{venue.pk}"


def rate_window() -> Window:
    return Window("lookups:user", settings.KAIKUKANTA_LOOKUPS_PER_MINUTE, 60)


def unknown_windows() -> tuple[Window, Window]:
    """Unknown numbers with a valid check character, per user and per venue: counted for flags."""
    seconds = settings.KAIKUKANTA_FAILED_LOOKUP_MINUTES * 60
    return (
        Window("failed:user", settings.KAIKUKANTA_FAILED_LOOKUPS, seconds),
        Window("failed:venue", settings.KAIKUKANTA_VENUE_FAILED_LOOKUPS, seconds),
    )


def legacy_windows() -> tuple[Window, Window]:
    """Unknown numbers of the earlier registry's format, per user and per venue: limited."""
    seconds = settings.KAIKUKANTA_LEGACY_LOOKUP_HOURS * 3600
    return (
        Window("legacy:user", settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS, seconds),
        Window("legacy:venue", settings.KAIKUKANTA_VENUE_LEGACY_FAILED_LOOKUPS, seconds),
    )


def _pairs(
    actor: Any, venue: Venue | None, windows: tuple[Window, Window]
) -> list[tuple[Window, str]]:
    pairs = [(windows[0], subject_of(actor))]
    if venue is not None:
        pairs.append((windows[1], venue_subject(venue)))
    return pairs


def give_back(counted: list[tuple[Window, str]]) -> None:
    """Take back one count of each (window, subject), in one round trip."""
    if counted:
        hit_many([(window, subject, -1) for window, subject in counted])


@dataclass
class Lookup:
    """An admitted look-up: say how it went with `found` or `failed`."""

    actor: Any
    venue: Venue | None
    regions: list[Region]
    kinds: dict[str, str]
    reserved: list[tuple[Window, str, int]] = field(default_factory=list)

    def found(self) -> None:
        """The numbers were cards (or a rule other than an unknown number said no): the reserved
        failures are given back."""
        give_back([(window, subject) for window, subject, _count in self.reserved])
        self.reserved = []

    def failed(self, error: DomainError, number: str | None = None) -> None:
        """The look-up ended with `error` for `number` (normalised; by default the only number
        asked). An unknown legacy-format number keeps its reserved failure (or counts one now); an
        unknown number with a valid check character is counted for the flags only; a window filled
        for the first time raises a flag."""
        if not isinstance(error, UNKNOWN_NUMBER):
            self.found()
            return
        if number is None:
            number = next(iter(self.kinds), "")
        kind = self.kinds.get(number) or kind_of(number)
        if kind == LEGACY:
            counted = {(window, subject): n for window, subject, n in self.reserved}
            if not counted:
                pairs = _pairs(self.actor, self.venue, legacy_windows())
                hits = hit_many([(window, subject, 1) for window, subject in pairs])
                counted = dict(zip(pairs, hits, strict=True))
        else:
            self.found()
            if kind == NO_CARD:
                return
            pairs = _pairs(self.actor, self.venue, unknown_windows())
            hits = hit_many([(window, subject, 1) for window, subject in pairs])
            counted = dict(zip(pairs, hits, strict=True))
        for (window, subject), count in counted.items():
            if count >= window.limit and window.first_time("flag", subject):
                regions: list[Region | None] = [*self.regions] or [None]
                for region in regions:
                    _raise_flag(self.actor, self.venue, region, count, window)
        self.reserved = []


def _raise_flag(
    actor: Any, venue: Venue | None, region: Region | None, count: int, window: Window
) -> None:
    flag = Flag.objects.create(
        kind=Flag.Kind.LOOKUP_SWEEP,
        region=region,
        venue=venue,
        actor=actor,
        actor_username=actor.get_username(),
        count=count,
        minutes=window.seconds // 60,
    )
    record(
        actor=actor,
        action=Action.LOOKUPS_FLAGGED,
        target=flag,
        region=region,
        venue=venue,
        data={"count": count, "minutes": window.seconds // 60},
    )


def admit(
    actor: Any,
    venue: Venue | None = None,
    *,
    numbers: Sequence[str] = (),
    regions: Iterable[Region] = (),
    count: bool = True,
) -> Lookup:
    """Admit a look-up by `actor` (at `venue`) of `numbers` (normalised), or raise TooManyLookups
    (and audit the refusal). `regions`: whose coordinators a flag goes to (the venue's region; a
    distributor's regions).

    A check or search (`count`) is counted against the user's rate and, for a legacy-format
    number, reserves a failure before it looks. Recording a use by number is not a question about
    the card: it is not counted against the rate, is refused only once the legacy failures are used
    up, and its own failure is counted when it comes, so that a box office or a ticketing system
    may record many uses at once."""
    regions = list(regions)
    kinds = {number: kind_of(number) for number in numbers}
    legacy = _pairs(actor, venue, legacy_windows()) if LEGACY in kinds.values() else []
    rate = [(rate_window(), subject_of(actor))] if count else []
    if count:
        counts = hit_many([(window, subject, 1) for window, subject in legacy + rate])
    else:
        counts = [n + 1 for n in count_many(legacy)]
    legacy_counts, rate_counts = counts[: len(legacy)], counts[len(legacy) :]
    refused_until: dt.datetime | None = None
    for (window, _subject), so_far in zip(legacy, legacy_counts, strict=True):
        if so_far > window.limit:
            refused_until = max(refused_until or window.reopens_at(), window.reopens_at())
    for (window, _subject), so_far in zip(rate, rate_counts, strict=True):
        if so_far > window.limit:
            refused_until = refused_until or window.reopens_at()
    reserved = (
        [(window, subject, n) for (window, subject), n in zip(legacy, legacy_counts, strict=True)]
        if count
        else []
    )
    lookup = Lookup(actor, venue, regions, kinds, reserved)
    if refused_until is not None:
        lookup.found()  # nothing was looked up: the reserved failures go back
        record(
            actor=actor,
            action=Action.LOOKUP_REFUSED,
            venue=venue,
            region=regions[0] if regions else None,
            data={"code": TooManyLookups.code},
        )
        raise TooManyLookups(until=refused_until)
    return lookup


# --- locks a coordinator sees and lifts -----------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """Legacy-format look-ups refused, at a venue or for a user, until `until`."""

    venue: Venue | None
    user: Any | None
    count: int
    until: dt.datetime

    @property
    def subject(self) -> str:
        return venue_subject(self.venue) if self.venue is not None else subject_of(self.user)


def _may_lift(actor: Any, region: Region) -> bool:
    scope = scope_for(actor)
    return scope.national or scope.coordinates(region.pk)


def locks_in(actor: Any, region: Region) -> list[Lock]:
    """The region's venues, and the users with a role at its venues or distributor sites, whose
    legacy-format look-ups are refused now. For the region's coordinators (and national
    administrators); anyone else gets NotAllowed."""
    from kaikukanta.accounts.models import User
    from kaikukanta.network.models import Venue

    if not _may_lift(actor, region):
        raise NotAllowed()
    user_window, venue_window = legacy_windows()
    venues = list(Venue.objects.filter(region=region).order_by("name"))
    users = list(
        User.objects.filter(
            Q(role_assignments__venue__region=region)
            | Q(role_assignments__distributor_site__region=region)
        )
        .distinct()
        .order_by("username")
    )
    counters = [(venue_window, venue_subject(venue)) for venue in venues] + [
        (user_window, subject_of(user)) for user in users
    ]
    counts = count_many(counters)
    found: list[Lock] = []
    for index, n in enumerate(counts):
        if n < (venue_window if index < len(venues) else user_window).limit:
            continue
        if index < len(venues):
            found.append(Lock(venues[index], None, n, venue_window.reopens_at()))
        else:
            found.append(Lock(None, users[index - len(venues)], n, user_window.reopens_at()))
    return found


def lift_lock(actor: Any, region: Region, subject: str) -> Lock:
    """Lift one of `locks_in(actor, region)`, named by its `subject`: its window starts afresh.
    Audited. A subject that is not locked there: NotAllowed (nothing to lift)."""
    lock = next((lock for lock in locks_in(actor, region) if lock.subject == subject), None)
    if lock is None:
        raise NotAllowed()
    user_window, venue_window = legacy_windows()
    (venue_window if lock.venue is not None else user_window).reset(subject)
    record(
        actor=actor,
        action=Action.LOOKUP_LOCK_LIFTED,
        target=lock.user,
        venue=lock.venue,
        region=region,
        data={"count": lock.count},
    )
    return lock
