"""Fixed-window counters shared by every server process, for rate limits.

With REDIS_URL set, the counters live in Redis (INCR is atomic); otherwise in a table of the database
(`RateCounter`), incremented with one atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING,
on PostgreSQL and SQLite alike), so that requests arriving at once are all counted. A window is
`seconds` long and starts at a multiple of `seconds` since the epoch.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import RateCounter

# One request in this many also deletes the database's expired counters.
CLEANUP_ONE_IN = 200


def _add(key: str, amount: int, seconds: int) -> int:
    """Add `amount` to the counter `key` (created at zero, kept `seconds`); its new value."""
    if settings.REDIS_URL:
        if cache.add(key, amount, timeout=seconds):
            return amount
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired between add and incr
            cache.set(key, amount, timeout=seconds)
            return amount
    quote = connection.ops.quote_name
    table, key_column, count, expires_at = (
        quote(name) for name in (RateCounter._meta.db_table, "key", "count", "expires_at")
    )
    expires = timezone.now() + dt.timedelta(seconds=seconds)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count}, {expires_at}) "  # noqa: S608
            f"VALUES (%s, %s, %s) ON CONFLICT ({key_column}) "
            f"DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count} RETURNING {count}",
            [key, amount, expires],
        )
        value = int(cursor.fetchone()[0])
    if random.random() < 1 / CLEANUP_ONE_IN:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return value


def _get(key: str) -> int:
    if settings.REDIS_URL:
        return int(cache.get(key, 0))
    return (
        RateCounter.objects.filter(key=key, expires_at__gte=timezone.now())
        .values_list("count", flat=True)
        .first()
        or 0
    )


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

    def first_time(self, event: str, subject: str) -> bool:
        """True once per window for (`event`, `subject`): for raising a flag only once."""
        return _add(f"{self._key(subject)}:{event}", 1, self.seconds + 5) == 1

    def reopens_at(self) -> dt.datetime:
        """When the current window ends and its count starts afresh."""
        ends = (int(time.time() // self.seconds) + 1) * self.seconds
        return dt.datetime.fromtimestamp(ends, tz=dt.UTC)
