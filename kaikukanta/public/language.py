"""The language a cardholder chooses: ?lang=sv on any public page switches to it and remembers the
choice on the device (the same cookie Django's LocaleMiddleware reads on every later visit)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

CODES = {code for code, _name in settings.LANGUAGES}


def with_chosen_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = request.GET.get("lang", "")
        if chosen not in CODES:
            return view(request, *args, **kwargs)
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = view(request, *args, **kwargs)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
        )
        response["Content-Language"] = chosen
        return response

    return wrapped
