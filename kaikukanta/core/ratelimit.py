"""Fixed-window counters shared by every server process, for rate limits.

With REDIS_URL set, the counters live in Redis (INCRBY is atomic); otherwise in a table of the database
(`RateCounter`, UNLOGGED on PostgreSQL: core/migrations/0002), incremented with one atomic upsert
(INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on PostgreSQL and SQLite alike), so that requests
arriving at once are all counted. A window is `seconds` long and starts at a multiple of `seconds` since
the epoch. `hit_many` and `count_many` take several counters in one round trip: a venue's check of a number
of the earlier registry's format counts three at once (cards/lookups.py)."""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import RateCounter

# One request in this many also deletes the database's expired counters.
CLEANUP_ONE_IN = 200


def _add(key: str, amount: int, seconds: int) -> int:
    """Add `amount` to the counter `key` (created at zero, kept `seconds`); its new value."""
    return _add_many([(key, amount, seconds)])[key]


def _add_many(changes: Sequence[tuple[str, int, int]]) -> dict[str, int]:
    """Add to several counters at once, `(key, amount, seconds)` each: their new values by key. One
    round trip: one MULTI of SET NX and INCRBY in Redis, one multi-row upsert in the database (its
    rows in the order of their keys, so that two requests never wait for each other's rows)."""
    merged: dict[str, tuple[int, int]] = {}
    for key, amount, seconds in changes:
        before, longest = merged.get(key, (0, 0))
        merged[key] = (before + amount, max(longest, seconds))
    if not merged:
        return {}
    if settings.REDIS_URL:
        return _add_in_redis(merged)
    quote = connection.ops.quote_name
    table, key_column, count, expires_at = (
        quote(name) for name in (RateCounter._meta.db_table, "key", "count", "expires_at")
    )
    now = timezone.now()
    values: list[str | int | dt.datetime] = []
    for key, (amount, seconds) in sorted(merged.items()):
        values += [key, amount, now + dt.timedelta(seconds=seconds)]
    rows = ", ".join(["(%s, %s, %s)"] * len(merged))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count}, {expires_at}) "  # noqa: S608
            f"VALUES {rows} ON CONFLICT ({key_column}) "
            f"DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count} "
            f"RETURNING {key_column}, {count}",
            values,
        )
        counted = {key: int(value) for key, value in cursor.fetchall()}
    if random.random() < 1 / CLEANUP_ONE_IN:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(expires_at__lt=now).delete()
    return counted


@functools.cache
def _redis(url: str) -> redis.Redis:
    """A client of the Redis server that holds the cache (settings.REDIS_URL), with its own pool: the
    cache backend's own client is not public API."""
    return redis.Redis.from_url(url, **settings.REDIS_TIMEOUTS)


def _add_in_redis(merged: dict[str, tuple[int, int]]) -> dict[str, int]:
    """A counter that does not exist yet starts at zero with its expiry (SET NX EX), then INCRBY;
    all in one MULTI, so that no counter can expire between the two. Django's Redis cache stores an
    int as a plain Redis integer, which INCRBY adds to and `cache.get` reads back; the keys are the
    cache's own (`make_and_validate_key`: its prefix and version)."""
    keys = {key: cache.make_and_validate_key(key) for key in merged}
    client = _redis(settings.REDIS_URL)
    with client.pipeline(transaction=True) as pipe:
        for key, (amount, seconds) in merged.items():
            pipe.set(keys[key], 0, ex=seconds, nx=True)
            pipe.incrby(keys[key], amount)
        answers = pipe.execute()
    return {key: int(answers[2 * index + 1]) for index, key in enumerate(merged)}


def _get(key: str) -> int:
    return _get_many([key])[key]


def _get_many(keys: Sequence[str]) -> dict[str, int]:
    """Several counters' values (0 for one that is not there or has expired), in one round trip."""
    if settings.REDIS_URL:
        found = cache.get_many(keys)
        return {key: int(found.get(key, 0)) for key in keys}
    if not keys:
        return {}
    quote = connection.ops.quote_name
    table, key_column, count, expires_at = (
        quote(name) for name in (RateCounter._meta.db_table, "key", "count", "expires_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key_column}, {count} FROM {table} "  # noqa: S608
            f"WHERE {key_column} IN ({', '.join(['%s'] * len(keys))}) AND {expires_at} >= %s",
            [*keys, timezone.now()],
        )
        rows = {key: int(value) for key, value in cursor.fetchall()}
    return {key: rows.get(key, 0) for key in keys}


def hit_many(hits: Sequence[tuple[Window, str, int]]) -> list[int]:
    """`Window.hit` for several (window, subject, amount) at once, in one round trip: the counts so
    far, in the same order."""
    keys = [window._key(subject) for window, subject, _amount in hits]
    counted = _add_many(
        [
            (key, amount, window.seconds + 5)
            for key, (window, _s, amount) in zip(keys, hits, strict=True)
        ]
    )
    return [counted[key] for key in keys]


def count_many(counters: Sequence[tuple[Window, str]]) -> list[int]:
    """`Window.count` for several (window, subject) at once, in one round trip."""
    keys = [window._key(subject) for window, subject in counters]
    counted = _get_many(keys)
    return [counted[key] for key in keys]


@dataclass(frozen=True)
class Window:
    name: str
    limit: int
    seconds: int

    def _key(self, subject: str) -> str:
        slot = int(time.time() // self.seconds)
        return f"kaikukanta:rl:{self.name}:{subject}:{slot}"

    def hit(self, subject: str, amount: int = 1) -> int:
        """Count `amount` more for `subject` in the current window; the count so far."""
        return _add(self._key(subject), amount, self.seconds + 5)

    def give_back(self, subject: str) -> None:
        """Take back one count of this window (a reservation that turned out not to be needed)."""
        _add(self._key(subject), -1, self.seconds + 5)

    def count(self, subject: str) -> int:
        return _get(self._key(subject))

    def reset(self, subject: str, events: Sequence[str] = ("flag",)) -> None:
        """Start the current window afresh for `subject` (a lock lifted by hand), with the flags of
        `events` (first_time), so that a lock again the same window is flagged again."""
        keys = [self._key(subject), *(f"{self._key(subject)}:{event}" for event in events)]
        if settings.REDIS_URL:
            cache.delete_many(keys)
        else:
            RateCounter.objects.filter(key__in=keys).delete()

    def first_time(self, event: str, subject: str) -> bool:
        """True once per window for (`event`, `subject`): for raising a flag only once."""
        return _add(f"{self._key(subject)}:{event}", 1, self.seconds + 5) == 1

    def reopens_at(self) -> dt.datetime:
        """When the current window ends and its count starts afresh."""
        ends = (int(time.time() // self.seconds) + 1) * self.seconds
        return dt.datetime.fromtimestamp(ends, tz=dt.UTC)
