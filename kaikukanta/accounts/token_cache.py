"""The look-up of a Bearer token kept in the shared cache, invalidated at once (zulip's pattern).

`api/services.py user_for_token` reads a token's row, its account's roles and the token's venues on
every API request. With KAIKUKANTA_TOKEN_CACHE_SECONDS > 0 (the default with Redis: settings.py) it
keeps what it found under the token's stored SHA-256 (never the token itself): the token's and the
account's keys, the token's expiry and last use, its venues with their regions. Ids and times only,
no card data.

Invalidation is one generation counter for all tokens: an entry counts only if it was made at the
current generation, and both are read in one round trip (`get_many`). The service that changes what
an entry holds calls `invalidate()` itself (derived data is written by the service that changes its
source, no signal receivers; zulip's pattern), which bumps the counter before the change and again
once its transaction commits (so that a request that read the old rows between the two cannot leave
an entry that counts). The callers: making a token (api/services.py), revoking one
(accounts/tokens.py `revoke_token`, also on deactivation and a two-factor reset), deactivating or
editing an account, granting or removing a role (accounts/services.py), saving or deleting a venue,
a distributor site, a region or a ticket agency and an agency's venues (network/services.py). The Django admin saves
through those services. A new write path to those rows (a bulk `update()`, a command) must call
`invalidate()` too. Such changes are rare next to API requests; each one only costs every token one
look-up in the database.

Only a cache that every worker and server shares can be told of a change: with each process's own
memory (LocMemCache, no REDIS_URL) the setting stays 0 and nothing is cached, and a setting above 0
with such a cache is refused by a system check (`check_shared_cache`: another worker would keep a
revoked token working until its entry expired). When the shared cache does not answer (Redis down),
the look-up reads the database as with the cache off, and a change still goes through: the failed
bump is logged, and an entry that outlives the outage lives at most KAIKUKANTA_TOKEN_CACHE_SECONDS.
What a request still does each time, cached or not: compare the expiry with the clock, read the
account (a deactivated one is refused even if a bump were lost), count the token's look-ups, write
the audit."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "kaikukanta:api-token:generation"
ENTRY_PREFIX = "kaikukanta:api-token:"

# Caches that every worker and server of a deployment reads and writes alike.
SHARED_BACKENDS = frozenset(
    {
        "django.core.cache.backends.redis.RedisCache",
        "django.core.cache.backends.memcached.PyMemcacheCache",
        "django.core.cache.backends.memcached.PyLibMCCache",
        "django.core.cache.backends.db.DatabaseCache",
    }
)


def seconds() -> int:
    """How long an entry is kept; 0: the cache is off."""
    return max(0, int(getattr(settings, "KAIKUKANTA_TOKEN_CACHE_SECONDS", 0)))


def check_shared_cache(**_kwargs: Any) -> list[checks.CheckMessage]:
    """A system check (AccountsConfig.ready): the token cache on needs a cache every process shares;
    with each process's own memory a revoked token would keep working on the other workers until
    their entry expired."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if seconds() and backend not in SHARED_BACKENDS:
        return [
            checks.Error(
                f"KAIKUKANTA_TOKEN_CACHE_SECONDS is {seconds()} but the default cache ({backend}) "
                "is not shared by every worker: a revoked API token would keep working elsewhere.",
                hint="Set REDIS_URL, or KAIKUKANTA_TOKEN_CACHE_SECONDS=0.",
                id="kaikukanta.E001",
            )
        ]
    return []


def _bump() -> None:
    cache = caches["default"]
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # missing (never set, or evicted): a value no entry was made at
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:
        # The shared cache is down: the change itself goes through; an entry made before lives
        # at most KAIKUKANTA_TOKEN_CACHE_SECONDS (the module's docstring).
        logger.exception("The API token cache could not be invalidated")


def invalidate(using: str | None = None) -> None:
    """Make every cached token look-up stale: now, and again once the current transaction commits.
    Called by every service that changes a token, an account, its roles, a venue or an agency's
    venues. Even where this process keeps nothing (KAIKUKANTA_TOKEN_CACHE_SECONDS 0, say a command
    run without the servers' setting): the servers sharing the cache may."""
    _bump()
    transaction.on_commit(_bump, using=using)


def look_up(digest: str) -> tuple[int | None, dict[str, Any] | None]:
    """The current generation and the token's entry if it was made at that generation, in one round
    trip. A generation of None: another request has just started one, or the cache does not answer;
    nothing is kept this time."""
    key = ENTRY_PREFIX + digest
    cache = caches["default"]
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            started = time.time_ns()
            # Ours if no one else started one meanwhile; otherwise nothing is kept this time.
            return (started if cache.add(GENERATION_KEY, started, timeout=None) else None), None
    except Exception:
        logger.warning("The API token cache does not answer: the database is read", exc_info=True)
        return None, None
    entry = found.get(key)
    if entry is None or entry.get("generation") != generation:
        return generation, None
    return generation, entry


def keep(digest: str, generation: int, entry: dict[str, Any]) -> None:
    """Keep `entry` (ids and times only) for the token, made at `generation` (read before the rows)."""
    try:
        caches["default"].set(ENTRY_PREFIX + digest, {**entry, "generation": generation}, seconds())
    except Exception:
        logger.warning("The API token cache does not answer: nothing kept", exc_info=True)
