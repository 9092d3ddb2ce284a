"""Throttling of card look-ups: card numbers must not be found by guessing.

Every look-up by number (a venue's check, a distributor's search, a use recorded with a number) asks
`admit` first and reports how it went. Look-ups are limited per user and per venue; numbers that match
no card or fail their check character have a much lower limit, and once it is reached the user (or
venue) gets no answers until the window ends. Each check or search reserves a failure before it
looks, and gives it back when the number was a card: so that checks sent all at once cannot all pass
the limit before any of them has failed (which also caps a user's checks in flight at once at the
failure limit). The first time a failure window fills up, a `Flag` is raised for the
region's coordinators (pop-up venues: the national administrators) with who and where, never what was
typed. A refused look-up leaves an audit event too.

Limits are settings (KAIKUKANTA_LOOKUPS_PER_MINUTE and friends, see the README); the counters are
shared by every server process (core/ratelimit.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from kaikukanta.audit.models import Action, Flag
from kaikukanta.audit.services import record
from kaikukanta.core.errors import DomainError
from kaikukanta.core.ratelimit import Window, count_many, hit_many

from .errors import (
    CardNotFound,
    IdentifierCheckFailed,
    IdentifierHasInvalidCharacters,
    IdentifierMalformed,
    TooManyLookups,
)

if TYPE_CHECKING:
    from kaikukanta.network.models import Region, Venue

# What a guesser gets back for a number that is not a card.
UNKNOWN_NUMBER = (
    CardNotFound,
    IdentifierCheckFailed,
    IdentifierHasInvalidCharacters,
    IdentifierMalformed,
)


def give_back(counted: list[tuple[Window, str]]) -> None:
    """Take back one count of each (window, subject), in one round trip."""
    if counted:
        hit_many([(window, subject, -1) for window, subject in counted])


def _subjects(actor: Any, venue: Venue | None) -> list[tuple[Window, Window, str]]:
    """(all look-ups a minute, failed look-ups in the failure window, subject) per user and venue."""
    seconds = settings.KAIKUKANTA_FAILED_LOOKUP_MINUTES * 60
    subjects = [
        (
            Window("lookups:user", settings.KAIKUKANTA_LOOKUPS_PER_MINUTE, 60),
            Window("failed:user", settings.KAIKUKANTA_FAILED_LOOKUPS, seconds),
            f"user:{actor.pk}",
        )
    ]
    if venue is not None:
        subjects.append(
            (
                Window("lookups:venue", settings.KAIKUKANTA_VENUE_LOOKUPS_PER_MINUTE, 60),
                Window("failed:venue", settings.KAIKUKANTA_VENUE_FAILED_LOOKUPS, seconds),
                f"venue:{venue.pk}",
            )
        )
    return subjects


@dataclass
class Lookup:
    """An admitted look-up: say how it went with `found` or `failed`."""

    actor: Any
    venue: Venue | None
    regions: list[Region]
    reserved: list[tuple[Window, str, int]]
    reserve: bool = True

    def found(self) -> None:
        """The number was a card: the reserved failures are given back."""
        give_back([(window, subject) for window, subject, _count in self.reserved])
        self.reserved = []

    def failed(self, error: DomainError) -> None:
        """The look-up ended with `error`: a number that matched no card keeps its reserved
        failures, and fills a window the first time raises a flag; any other refusal (the card was
        found, a rule said no) gives them back."""
        if not isinstance(error, UNKNOWN_NUMBER):
            self.found()
            return
        if not self.reserve:  # counted now that it failed
            windows = [
                (failed, subject) for _rate, failed, subject in _subjects(self.actor, self.venue)
            ]
            counts = hit_many([(failed, subject, 1) for failed, subject in windows])
            self.reserved = [
                (failed, subject, count)
                for (failed, subject), count in zip(windows, counts, strict=True)
            ]
        for window, subject, count in self.reserved:
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
    regions: Iterable[Region] = (),
    count: bool = True,
) -> Lookup:
    """Admit one look-up by `actor` (at `venue`), or raise TooManyLookups (and audit the refusal).
    `regions`: whose coordinators a flag goes to (the venue's region; a distributor's regions).

    A check or search (`count`) is counted against the rate and reserves a failure before it looks.
    Recording a use by number is not a question about the card: it is refused only once the
    failures are used up, and its own failure is counted when it comes, so that a box office or a
    ticketing system may record many uses at once."""
    regions = list(regions)
    subjects = _subjects(actor, venue)
    if count:
        # Every counter of the look-up in one round trip: the failures reserved and the rate hit.
        counts = hit_many(
            [(failed, subject, 1) for _rate, failed, subject in subjects]
            + [(rate, subject, 1) for rate, _failed, subject in subjects]
        )
        failures, rates = counts[: len(subjects)], counts[len(subjects) :]
    else:
        failures = [n + 1 for n in count_many([(failed, s) for _rate, failed, s in subjects])]
        rates = [0] * len(subjects)
    reserved: list[tuple[Window, str, int]] = []
    not_counted: list[tuple[Window, str]] = []
    refused_until = None
    for (rate, failed, subject), failed_so_far, rate_so_far in zip(
        subjects, failures, rates, strict=True
    ):
        if count:
            reserved.append((failed, subject, failed_so_far))
        if failed_so_far > failed.limit:
            refused_until = failed.reopens_at()
            if count:  # a look-up refused for its failures is not counted against the rate
                not_counted.append((rate, subject))
        elif count and rate_so_far > rate.limit:
            refused_until = refused_until or rate.reopens_at()
    lookup = Lookup(actor, venue, regions, reserved, reserve=count)
    if refused_until is not None:
        give_back(not_counted + [(window, subject) for window, subject, _n in reserved])
        lookup.reserved = []  # nothing was looked up
        record(
            actor=actor,
            action=Action.LOOKUP_REFUSED,
            venue=venue,
            region=regions[0] if regions else None,
            data={"code": TooManyLookups.code},
        )
        raise TooManyLookups(until=refused_until)
    return lookup
