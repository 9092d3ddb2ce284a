"""The cardholder's own pages, opened without an account."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from kaikukanta.cards.services import hand_over_for
from kaikukanta.core.dates import today

app_name = "public"


def mobile_card(request: HttpRequest, secret: str) -> HttpResponse:
    """The mobile card a hand-over link opens; an unknown or revoked link gets a page that reveals
    nothing, not even whether such a link ever existed."""
    hand_over = hand_over_for(secret)
    if hand_over is None:
        return render(request, "public/link_not_working.html", status=404)
    card = hand_over.card
    context = {"card": card, "status": card.status_on(today())}
    return render(request, "public/mobile_card.html", context)


urlpatterns = [
    path("m/<str:secret>/", mobile_card, name="mobile_card"),
]
