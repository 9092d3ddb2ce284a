"""One log line per request, and the request's id on every log line written while it is served.

``RequestLog`` (a middleware, second in ``settings.MIDDLEWARE``) takes the proxy's ``X-Request-Id``
(nginx's ``$request_id``; a new random one when there is none or it is not a plain token), answers with
it, and logs ``request`` with the method, the path (masked like every log line), the status, the
duration, the user's id (never a name) and the venue's id where the URL names one. ``RequestContext``
(a logging filter on the console handler) puts the request id, user id and venue id on every record
written during the request, so that a traceback and its request line can be found together.

With ``KAIKUKANTA_LOG_FORMAT=json`` (the default outside development and tests) the console writes JSON
lines through :class:`JsonLines`, which masks every string field, not only the message.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from pythonjsonlogger.json import JsonFormatter

from kaikukanta.core.logging import mask_card_numbers

logger = logging.getLogger("kaikukanta.request")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_context: ContextVar[dict[str, Any] | None] = ContextVar("kaikukanta_request", default=None)
# Fields that are ours and never hold a card number; every other string is masked.
UNMASKED_FIELDS = {"timestamp", "level", "logger", "request_id"}


class RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for name in ("request_id", "user_id", "venue_id"):
            if not hasattr(record, name):
                setattr(record, name, context.get(name) if context else None)
        return True


class JsonLines(JsonFormatter):
    """python-json-logger's formatter: one JSON object a line, every string field masked."""

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _masked(key, value) for key, value in log_data.items()}


def _masked(key: str, value: Any) -> Any:
    """Numbers as they are; anything else (Django's ``request`` extra too) as masked text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value) if key in UNMASKED_FIELDS else mask_card_numbers(str(value))


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return int(user.pk)
    token_user = getattr(request, "auth", None)  # django-ninja's authenticated token, if any
    owner = getattr(token_user, "user_id", None)
    return int(owner) if isinstance(owner, int) else None


def _venue_id(request: HttpRequest) -> int | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    value = match.kwargs.get("venue_id")
    return int(value) if isinstance(value, int) else None


class RequestLog:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get("X-Request-Id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        context: dict[str, Any] = {"request_id": request_id}
        token = _context.set(context)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            context["user_id"] = _user_id(request)
            context["venue_id"] = _venue_id(request)
            response["X-Request-Id"] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _context.reset(token)
