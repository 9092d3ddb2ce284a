"""Middleware of the whole service."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NeverCacheForSignedInUsers:
    """``Cache-Control: no-store`` (and the rest of Django's never-cache headers) on every response to a
    signed-in user: pages with holder data must never be kept by a browser, a shared computer's
    back button or a proxy. Pages for anonymous visitors (the login page, errors) are left as they are.

    Comes after AuthenticationMiddleware, which sets ``request.user``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


# Pages that scan a card's barcode or QR code with the device's camera (web/_card_number_scripts.html):
# the box office, its group visit, and the distributor's card search, registration and replacement.
CAMERA_VIEWS = frozenset(
    {
        "web:venue",
        "web:venue_admit",
        "web:venue_group_visit",
        "web:cards",
        "web:register_card",
        "web:register_community_card",
        "web:card_replace",
    }
)
_DENIED = (
    "microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), display-capture=()"
)


class PermissionsPolicy:
    """``Permissions-Policy`` on every response: no page may use the microphone, location, payment or
    devices; the camera only on the pages in :data:`CAMERA_VIEWS`, and only for this site."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        camera = "(self)" if match is not None and match.view_name in CAMERA_VIEWS else "()"
        response.setdefault("Permissions-Policy", f"camera={camera}, {_DENIED}")
        return response
