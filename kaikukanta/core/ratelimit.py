"""Fixed-window counters in the shared cache, for rate limits that hold across server processes.

The cache is the database cache by default and Redis when REDIS_URL is set (settings.CACHES), so every
gunicorn worker counts in the same place. A window is `seconds` long and starts at a multiple of
`seconds` since the epoch: a limit of 10 a minute lets at most 20 through across one minute boundary,
which is enough for throttling look-ups and needs one cache key per window.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Window:
    name: str
    limit: int
    seconds: int

    def _slot(self) -> int:
        return int(time.time() // self.seconds)

    def _key(self, subject: str) -> str:
        return f"kaikukanta:rl:{self.name}:{subject}:{self._slot()}"

    def hit(self, subject: str) -> int:
        """Count one more for `subject` in the current window; the count so far, this one included."""
        key = self._key(subject)
        if cache.add(key, 1, timeout=self.seconds + 5):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.seconds + 5)
            return 1

    def count(self, subject: str) -> int:
        return int(cache.get(self._key(subject), 0))

    def exceeded(self, subject: str) -> bool:
        return self.count(subject) >= self.limit

    def first_time(self, event: str, subject: str) -> bool:
        """True once per window for (`event`, `subject`): for raising a flag only once."""
        return cache.add(f"{self._key(subject)}:{event}", 1, timeout=self.seconds + 5)

    def minutes_left(self) -> int:
        """Whole minutes (at least one) until the current window ends."""
        left = self.seconds - (time.time() % self.seconds)
        return max(1, math.ceil(left / 60))
