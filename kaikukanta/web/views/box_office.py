"""The venue's box office: check a card (in place with htmx), the venue's events and latest uses."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from kaikukanta.cards.services import check_card
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.events.models import Event
from kaikukanta.network.models import Venue
from kaikukanta.uses.models import Use

from ..access import ACTS_FOR_VENUE, requires
from ..forms import add_domain_error
from ..forms.box_office import CardCheckForm


@requires(ACTS_FOR_VENUE)
def venue_home(request: HttpRequest) -> HttpResponse:
    # The venues the user acts for: their own, and a coordinator's region's (paper records).
    venues = Venue.objects.acted_for_by(request.user).select_related("region").order_by("name")
    form = CardCheckForm(venues, request.POST or None)
    result = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                result = check_card(
                    actor=request.user,
                    venue=form.cleaned_data["venue"],
                    identifier=form.cleaned_data["identifier"],
                )
                status = 200
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
    context: dict[str, Any] = {"form": form, "result": result, "venues": venues}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/box_office/_check.html", context, status=status)
    context.update(
        {
            "recent_uses": Use.objects.visible_to(request.user)
            .filter(venue__in=venues)
            .select_related("card", "venue", "event")[:15],
            "events": Event.objects.visible_to(request.user)
            .filter(venue__in=venues)
            .filter(Q(starts_at__isnull=True) | Q(starts_at__date__gte=today()))
            .select_related("venue")
            .order_by("starts_at")[:10],
        }
    )
    return render(request, "web/box_office/venue.html", context, status=status)


urlpatterns = [
    path("venue/", venue_home, name="venue"),
]
