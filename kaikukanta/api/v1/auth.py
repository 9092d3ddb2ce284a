"""Who calls the API: the page with its signed-in session (and its CSRF token), or a system with
`Authorization: Bearer <token>` (accounts/tokens.py ApiToken)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import security
from ninja.security import HttpBearer

from kaikukanta.accounts.middleware import held_at_second_step

from ..errors import InvalidToken
from ..services import user_for_token


class BearerToken(HttpBearer):
    openapi_description = "An API token: `Authorization: Bearer kk_…` (shown once when made)."

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        """The token's account. A request that sends a bearer token is answered as the token's:
        one that is unknown, mistyped, revoked or expired is refused (401 `invalid_token`) on every
        method, before the session and its CSRF check are looked at."""
        user = user_for_token(token)
        if user is None:
            raise InvalidToken()
        request.user = user
        return user


class SessionAuth(security.SessionAuth):
    """The signed-in session of the page, with its CSRF token; a national administrator's or a
    coordinator's only once it has passed the second step of logging in (two-factor)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = super().authenticate(request, key)
        if user is not None and held_at_second_step(request):
            return None
        return user


AUTH = [BearerToken(), SessionAuth()]
