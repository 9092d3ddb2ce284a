"""Who calls the API: the page with its signed-in session (and its CSRF token), or a system with
`Authorization: Bearer <token>` (api/models.py ApiToken)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from ..services import user_for_token


class BearerToken(HttpBearer):
    openapi_description = "An API token: `Authorization: Bearer kk_…` (shown once when made)."

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


AUTH = [BearerToken(), django_auth]
