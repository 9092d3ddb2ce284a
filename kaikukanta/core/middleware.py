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
