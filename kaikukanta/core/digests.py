"""Keyed digests of what identifies a person or a client (a client's address, an e-mail address) where
it is kept only to be recognised again: rate-limit keys, the second step's wrong codes. A plain
SHA-256 of an IPv4 address or a known e-mail address is undone by trying them all; an HMAC keyed
with the deployment's SECRET_KEY is not, without the key."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def keyed_digest(value: str, purpose: str) -> str:
    """64 hex characters: the HMAC-SHA256 of `value`, keyed with SECRET_KEY and `purpose` (so that
    two uses of one value are not linkable). A new SECRET_KEY starts the counters afresh."""
    key = hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
