"""Throttling of card look-ups: card numbers must not be found by guessing.

Every look-up by number (a venue's check, a distributor's search, a use recorded with a number) first
asks `admit`. Look-ups are limited per user and per venue; numbers that match no card or fail their
check character have a much lower limit, and once it is reached the user (or venue) gets no answers at
all until the window ends. The first time a window fills up, a `Flag` is raised for the region's
coordinators (pop-up venues: the national administrators) with who and where, never what was typed.

Limits are settings (KAIKUKANTA_LOOKUPS_PER_MINUTE and friends, see the README); the counters live in
the shared cache, so every server process counts together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from kaikukanta.audit.models import Action, Flag
from kaikukanta.audit.services import record
from kaikukanta.core.errors import DomainError
from kaikukanta.core.ratelimit import Window

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


_Windows = list[tuple[Window, str]]  # each window with the subject it counts


def _windows(actor: Any, venue: Venue | None) -> tuple[_Windows, _Windows]:
    minutes = settings.KAIKUKANTA_FAILED_LOOKUP_MINUTES * 60
    subjects = [
        (
            "user",
            f"user:{actor.pk}",
            settings.KAIKUKANTA_LOOKUPS_PER_MINUTE,
            settings.KAIKUKANTA_FAILED_LOOKUPS,
        )
    ]
    if venue is not None:
        subjects.append(
            (
                "venue",
                f"venue:{venue.pk}",
                settings.KAIKUKANTA_VENUE_LOOKUPS_PER_MINUTE,
                settings.KAIKUKANTA_VENUE_FAILED_LOOKUPS,
            )
        )
    all_lookups = [(Window(f"lookups:{kind}", limit, 60), key) for kind, key, limit, _f in subjects]
    failed = [(Window(f"failed:{kind}", limit, minutes), key) for kind, key, _l, limit in subjects]
    return all_lookups, failed


def admit(actor: Any, venue: Venue | None = None, *, count: bool = True) -> None:
    """Raise TooManyLookups when the actor or venue has looked up too much; otherwise count this
    look-up (unless `count` is false: recording a use by number is limited by failures only)."""
    all_lookups, failed = _windows(actor, venue)
    for window, subject in failed:
        if window.exceeded(subject):
            raise TooManyLookups(minutes=window.minutes_left())
    if count:
        for window, subject in all_lookups:
            if window.hit(subject) > window.limit:
                raise TooManyLookups(minutes=window.minutes_left())


def note_failure(
    actor: Any, error: DomainError, venue: Venue | None = None, region: Region | None = None
) -> None:
    """Count a look-up whose number matched no card; the first time a window fills, raise a flag."""
    if not isinstance(error, UNKNOWN_NUMBER):
        return
    _all, failed = _windows(actor, venue)
    for window, subject in failed:
        count = window.hit(subject)
        if count >= window.limit and window.first_time("flag", subject):
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
