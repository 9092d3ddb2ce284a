"""The look-up of a Bearer token kept in the shared cache, invalidated at once (zulip's pattern).

`api/services.py user_for_token` reads a token's row, its account's roles and the token's venues on
every API request. With KAIKUKANTA_TOKEN_CACHE_SECONDS > 0 (the default with Redis: settings.py) it
keeps what it found under the token's stored SHA-256 (never the token itself): the token's and the
account's keys, the token's expiry and last use, its venues with their regions. Ids and times only,
no card data.

Invalidation is one generation counter for all tokens: an entry counts only if it was made at the
current generation, and both are read in one round trip (`get_many`). Every change that could alter
an entry bumps the counter, before and again once its transaction commits (so that a request that
read the old rows between the two cannot leave an entry that counts): a token made, revoked or
deleted, its venues changed; an account saved (deactivated, made superuser...) or deleted; a role
granted or removed; an agency's venues changed; a venue saved or deleted. The bumps are connected to
the models' save, delete and many-to-many signals (`connect`), so the services of accounts/, api/
and network/ and the Django admin all invalidate, whichever path they take; a bulk `update()` of
those tables sends no signal and must call `invalidate()` itself (there is none today). Such
changes are rare next to API requests; each one only costs every token one look-up in the database.

Only a cache that every worker and server shares can be told of a change: with each process's own
memory (LocMemCache, no REDIS_URL) the setting stays 0 and nothing is cached. What a request still
does each time, cached or not: compare the expiry with the clock, read the account (a deactivated one
is refused even if a bump were lost), count the token's look-ups, write the audit."""

from __future__ import annotations

import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "kaikukanta:api-token:generation"
ENTRY_PREFIX = "kaikukanta:api-token:"

# An account's save that cannot change what its tokens may do (signing in, a new password, the
# language of its pages) leaves the entries alone.
_HARMLESS_USER_FIELDS = frozenset({"last_login", "password", "language"})


def seconds() -> int:
    """How long an entry is kept; 0: the cache is off."""
    return max(0, int(getattr(settings, "KAIKUKANTA_TOKEN_CACHE_SECONDS", 0)))


def _bump() -> None:
    cache = caches["default"]
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # missing (never set, or evicted): a value no entry was made at
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def invalidate(using: str | None = None) -> None:
    """Make every cached token look-up stale: now, and again once the current transaction commits.
    Even where this process keeps nothing (KAIKUKANTA_TOKEN_CACHE_SECONDS 0, say a command run
    without the servers' setting): the servers sharing the cache may."""
    _bump()
    transaction.on_commit(_bump, using=using)


def look_up(digest: str) -> tuple[int | None, dict[str, Any] | None]:
    """The current generation and the token's entry if it was made at that generation, in one round
    trip. A generation of None: another request has just started one; nothing is kept this time."""
    key = ENTRY_PREFIX + digest
    cache = caches["default"]
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        started = time.time_ns()
        # Ours if no one else started one meanwhile; otherwise nothing is kept this time.
        return (started if cache.add(GENERATION_KEY, started, timeout=None) else None), None
    entry = found.get(key)
    if entry is None or entry.get("generation") != generation:
        return generation, None
    return generation, entry


def keep(digest: str, generation: int, entry: dict[str, Any]) -> None:
    """Keep `entry` (ids and times only) for the token, made at `generation` (read before the rows)."""
    caches["default"].set(ENTRY_PREFIX + digest, {**entry, "generation": generation}, seconds())


def _saved(sender: Any, using: str | None = None, **_kwargs: Any) -> None:
    invalidate(using)


def _user_saved(sender: Any, update_fields: Any = None, using: str | None = None, **_: Any) -> None:
    if update_fields is not None and set(update_fields) <= _HARMLESS_USER_FIELDS:
        return
    invalidate(using)


def _m2m_changed(sender: Any, action: str, using: str | None = None, **_kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        invalidate(using)


def connect() -> None:
    """Connect the bumps (AccountsConfig.ready). The network's models by name: accounts sit below."""
    post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="kk-token-user")
    post_delete.connect(_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="kk-token-user-del")
    for label in (
        "accounts.RoleAssignment",
        "accounts.ApiToken",
        "network.Venue",
        "network.TicketAgency",
    ):
        post_save.connect(_saved, sender=label, dispatch_uid=f"kk-token-{label}")
        post_delete.connect(_saved, sender=label, dispatch_uid=f"kk-token-{label}-del")
    for label in ("accounts.ApiToken", "network.TicketAgency"):
        through = apps.get_model(label).venues.through
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"kk-token-{label}-venues")
