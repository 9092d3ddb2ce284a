"""A write that takes a request key happens once: the same key again returns the first result.

The client sends a key with each attempt (a UUID will do). A retry with the same key and the same
content gets back what the first attempt wrote, even when both arrive at the same moment; the same key
with different content is a conflict, never a silent return of something else. Every write that takes
a key goes through `once`: today uses and group visits; card registration's double-click protection
will too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import IntegrityError, transaction

from .errors import (
    DomainError,
    IdempotencyConflict,
    IdempotencyKeyInvalid,
    IdempotencyKeyReserved,
)

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]{8,64}$")
# The registry import's request keys (migration_import.importer.USE_KEY_PREFIX): not a client's.
RESERVED_PREFIX = "import:"

T = TypeVar("T")


@dataclass(frozen=True)
class Once(Generic[T]):
    result: T
    created: bool


def validate_key(key: object) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise IdempotencyKeyInvalid()
    if key[: len(RESERVED_PREFIX)].lower() == RESERVED_PREFIX:
        raise IdempotencyKeyReserved()
    return key


def once(
    *,
    find: Callable[[], T | None],
    same: Callable[[T], bool],
    create: Callable[[], T],
) -> Once[T]:
    """`create()` in a transaction, unless `find()` returns what an earlier attempt with the key
    wrote. The key must be unique in the database, so that of two attempts arriving at once one
    insert fails; that attempt (or one refused by a rule, say the last quota ticket, because its
    twin took it) then returns its twin's result."""
    earlier = repeated(find=find, same=same)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            return Once(create(), created=True)
    except (IntegrityError, DomainError):
        previous = find()
        if previous is None:
            raise
        return _repeat(previous, same)


def repeated(*, find: Callable[[], T | None], same: Callable[[T], bool]) -> Once[T] | None:
    """What an earlier attempt with the key wrote (`created` False), or None when the key is new;
    the same key with different content raises IdempotencyConflict. A write whose rules may refuse
    a retry although its first attempt succeeded (a card registered at a site that has since left
    the network) asks this before judging the request, then `once`."""
    previous = find()
    return None if previous is None else _repeat(previous, same)


def _repeat(previous: T, same: Callable[[T], bool]) -> Once[T]:
    if not same(previous):
        raise IdempotencyConflict()
    return Once(previous, created=False)
