"""What the tests set over POST /control, kept in this one process: how the next ID tokens
misbehave, the tests' clock, and each sign-in's e-mail verification and multi-factor."""

from __future__ import annotations

import threading
from typing import Any

lock = threading.Lock()
state: dict[str, Any] = {
    "id_token": "ok",  # "ok" | "wrong_iss" | "wrong_aud" | "expired"
    "offset": 0.0,  # the tests' clock minus this process's (the test run moves its clock)
    "accounts": {},  # username (the subject): {"email_verified": bool, "mfa": bool}
    "issued": [],  # the ID tokens' claims, for the tests to read
}


def get(key: str) -> Any:
    with lock:
        return state[key]
