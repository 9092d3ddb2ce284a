"""The mobile card: the page a hand-over link opens on the holder's phone, its visits and feedback,
and what makes it installable and readable offline (a web manifest and a service worker).

The holder has no account: the link's secret is the key. Every request to a link is counted per
client address (core/ratelimit.Window) and every opening of a working link is audited. A link that
opens nothing gets the same neutral page, byte for byte, whether it never existed or was revoked."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods

from kaikukanta.cards.models import HandOver
from kaikukanta.core.clients import client_ip
from kaikukanta.core.dates import today
from kaikukanta.core.digests import keyed_digest
from kaikukanta.core.errors import DomainError
from kaikukanta.core.ratelimit import Window
from kaikukanta.feedback.models import MAX_TEXT
from kaikukanta.feedback.services import receive_feedback

from . import barcodes
from .language import with_chosen_language
from .services import open_mobile_card
from .styles import with_inline_styles

TEN_MINUTES = 600


def _too_many(request: HttpRequest) -> bool:
    window = Window("public:mobile-card", settings.KAIKUKANTA_MOBILE_CARD_REQUESTS, TEN_MINUTES)
    return window.hit(keyed_digest(client_ip(request) or "unknown", "mobile-card")) > window.limit


def _not_working(request: HttpRequest) -> HttpResponse:
    """The one page for every link that opens no card (unknown, revoked, mistyped)."""
    response = render(request, "public/link_not_working.html", status=404)
    add_never_cache_headers(response)  # its address may be a real secret, mistyped
    return response


def _throttled(request: HttpRequest) -> HttpResponse:
    response = render(request, "public/too_many.html", status=429)
    response["Retry-After"] = str(TEN_MINUTES)
    add_never_cache_headers(response)
    return response


def _open(request: HttpRequest, secret: str, page: str) -> HandOver | HttpResponse:
    if _too_many(request):
        return _throttled(request)
    hand_over = open_mobile_card(secret, page=page)
    if hand_over is None:
        return _not_working(request)
    return hand_over


def _state(*parts: Any) -> str:
    """A short fingerprint of what a saved page shows (no card data in clear in the header)."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def _for_offline(response: HttpResponse) -> HttpResponse:
    """Mark a page the service worker keeps a copy of, for showing it offline; the browser's own
    cache keeps none (the worker decides)."""
    response["X-Offline-Copy"] = "yes"
    response["Cache-Control"] = "no-cache, private"
    return response


@require_GET
@gzip_page
@with_chosen_language
@with_inline_styles
def mobile_card(request: HttpRequest, secret: str) -> HttpResponse:
    opened = _open(request, secret, "card")
    if isinstance(opened, HttpResponse):
        return opened
    card = opened.card
    day = today()
    state = card.holder_state_on(day)
    number = card.display_identifier
    # Where the holder goes next (named behind a fold): the service that gave the card, or the new
    # card's, for a replaced one; none while the card is simply valid.
    site = None
    if state == "replaced" and card.replaced_by is not None:
        site = card.replaced_by.issuing_site
    elif state not in ("valid", "not_yet_valid"):
        site = card.issuing_site
    context: dict[str, Any] = {
        "card": card,
        "state": state,
        "number": number,
        "qr": barcodes.qr_svg(card.identifier),
        "qr_label": _("QR code of card number %(number)s") % {"number": number},
        "code39": barcodes.code39_svg(card.identifier),
        "code39_label": _("Barcode of card number %(number)s") % {"number": number},
        "updated_at": timezone.localtime(),
        "issuing_site": site,
        "region": card.region,
    }
    response = _for_offline(render(request, "public/mobile_card.html", context))
    # What the saved copy on the phone must agree with (public/sw.js): a change reloads the page.
    response["X-Card-State"] = _state(
        state, card.effective_valid_until, card.children, get_language()
    )
    return response


@require_GET
@gzip_page
@with_chosen_language
@with_inline_styles
def my_visits(request: HttpRequest, secret: str) -> HttpResponse:
    """The card's own uses, newest first: the day, the venue and the tickets. Only this card's."""
    opened = _open(request, secret, "visits")
    if isinstance(opened, HttpResponse):
        return opened
    card = opened.card
    uses = card.uses.select_related("venue").order_by("-occurred_at", "-pk")[:200]
    context = {"card": card, "uses": uses, "updated_at": timezone.localtime()}
    response = _for_offline(render(request, "public/visits.html", context))
    latest = uses[0].pk if uses else 0
    response["X-Card-State"] = _state(card.status_on(today()), latest, get_language())
    return response


@require_http_methods(["GET", "POST"])
@never_cache  # its address carries the link's secret; a sent form is not shown again from a cache
@with_chosen_language
@with_inline_styles
def feedback(request: HttpRequest, secret: str) -> HttpResponse:
    """Anonymous feedback from the holder: a rating and free text, stored with the card's region
    only. Sending it is not an opening of the card (it is not audited against the card)."""
    if _too_many(request):
        return _throttled(request)
    from kaikukanta.cards.services import hand_over_for

    hand_over = hand_over_for(secret)
    if hand_over is None:
        return _not_working(request)
    errors: dict[str, str] = {}
    values = {"rating": "", "text": ""}
    if request.method == "POST":
        values = {"rating": request.POST.get("rating", ""), "text": request.POST.get("text", "")}
        try:
            receive_feedback(
                region=hand_over.card.region,
                rating=values["rating"],
                text=values["text"],
                sender=client_ip(request) or "unknown",
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            return redirect(reverse("public:feedback", args=[secret]) + "?sent=1")
    context = {
        "sent": request.GET.get("sent") == "1" and request.method == "GET",
        "errors": errors,
        "values": values,
        "ratings": [
            (5, _("5 - excellent")),
            (4, _("4 - good")),
            (3, _("3 - fair")),
            (2, _("2 - poor")),
            (1, _("1 - very poor")),
        ],
        "max_text": MAX_TEXT,
    }
    status = 200 if not errors else (429 if "form" in errors else 400)
    return render(request, "public/feedback.html", context, status=status)


@require_GET
def manifest(request: HttpRequest, secret: str) -> HttpResponse:
    """The web manifest that makes the card installable; the same for every link (it looks nothing
    up): it starts at the link it sits under."""
    from django.templatetags.static import static

    body = render_to_string("public/manifest.webmanifest", {"static": static}, request=request)
    response = HttpResponse(body, content_type="application/manifest+json")
    # Private: its address carries the link's secret, which no shared cache may keep.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker that keeps the card readable offline, served at /m/ so that its scope covers every
    mobile-card link."""
    body = render_to_string("public/sw.js")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
