"""Error reports to Sentry (or GlitchTip, which speaks its protocol) when ``SENTRY_DSN`` is set.

Nothing a report carries may link it to a cardholder: :func:`scrub` runs on every event before it
leaves the process and

- drops what forms and API calls sent (``request.data``: a posted card number, a holder's answers), the
  cookies, and every header but a few harmless ones;
- drops the local variables of every frame (a holder's birth year or postcode has no shape to mask; the
  SDK is also told not to collect them);
- masks every remaining string, wherever it is (the message, the exception's text, the URL, the query
  string, breadcrumbs), by the log masking's rules (core/logging.py): card numbers, identity codes,
  mobile-card link secrets.

Sentry's default of sending no personal data stays (no user names, e-mail or addresses), only the user's id is attached, and
no performance traces are sent.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from kaikukanta.core.health import commit
from kaikukanta.core.logging import MaskCardNumbers, mask_card_numbers

KEPT_HEADERS = {"Accept-Language", "Content-Type", "Host", "User-Agent", "X-Request-Id"}
REMOVED = "[removed]"


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_card_numbers(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def _frames(event: dict[str, Any]) -> list[dict[str, Any]]:
    stacks = []
    for kind in ("exception", "threads"):
        container = event.get(kind)
        values = container.get("values") if isinstance(container, dict) else None
        for value in values if isinstance(values, list) else []:
            if isinstance(value, dict):
                stacks.append(value.get("stacktrace"))
    stacks.append(event.get("stacktrace"))
    return [
        frame
        for stack in stacks
        if isinstance(stack, dict) and isinstance(stack.get("frames"), list)
        for frame in stack["frames"]
        if isinstance(frame, dict)
    ]


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    for frame in _frames(event):
        frame.pop("vars", None)
    request = event.get("request")
    if isinstance(request, dict):
        if "data" in request:
            request["data"] = REMOVED
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name in KEPT_HEADERS
            }
        request.pop("env", None)
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return dict(_masked(event))


def setup() -> bool:
    """Start the SDK when SENTRY_DSN is set; returns whether it did."""
    if not settings.SENTRY_DSN:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        release=commit(),
        integrations=[DjangoIntegration()],
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrub,  # type: ignore[arg-type]
        before_send_transaction=None,
    )
    # The SDK logs its own trouble (an endpoint that refuses an event, say) through a handler of its
    # own on standard error: masked like every other handler.
    for handler in logging.getLogger("sentry_sdk.errors").handlers:
        if not any(isinstance(existing, MaskCardNumbers) for existing in handler.filters):
            handler.addFilter(MaskCardNumbers())
    return True
