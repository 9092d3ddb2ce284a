"""The one place that keeps an unverified session of a national administrator or coordinator on the
second step of logging in (the API checks the same in its session authentication, api/v1/auth.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from .oidc import SESSION_KEY as SSO_SESSION_KEY
from .services import needs_two_factor

# The pages an unverified session may open: those marked for everyone (the login page, logging
# out, the language switch) and the second step itself (web/views/two_factor.py).
OPEN_TO_UNVERIFIED = "open_to_unverified"


def session_verified(request: HttpRequest) -> bool:
    """Whether the session passed the second step: django-otp's OTPMiddleware tells, or the identity
    provider's token said multi-factor at this session's sign-in (accounts/oidc.py)."""
    is_verified = getattr(request.user, "is_verified", None)
    if is_verified and is_verified():
        return True
    signed_in = getattr(request, "session", {}).get(SSO_SESSION_KEY) or {}
    return bool(signed_in.get("mfa"))


def held_at_second_step(request: HttpRequest) -> bool:
    """A signed-in national administrator or coordinator whose session has not passed the second
    step: they may open nothing but the step itself."""
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and not session_verified(request)
        and needs_two_factor(user)
    )


class TwoFactorRequired:
    """Sends such a session from any other page to the second step (or to setting it up), with
    the page asked for as `next`. The API answers 401 itself (api/v1/auth.py), so that a system
    calling with a bearer token is not sent to a login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        # Public pages (web.access.public) and the second step's own pages carry the mark.
        if getattr(view, OPEN_TO_UNVERIFIED, False):
            return None
        if request.path_info.startswith("/api/"):
            return None
        if not held_at_second_step(request):
            return None
        target = reverse("web:two_factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
