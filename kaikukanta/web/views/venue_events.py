"""The venue's events: create and edit them (title, time, cardholder quota, sold out), with what is
left of each quota. The box office offers them when admitting; the last ticket is never given twice
(uses.services claims tickets with the event row locked)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.permissions import can_keep_venue, side_refused
from kaikukanta.accounts.scope import CULTURE
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.events.models import Event
from kaikukanta.events.services import create_event, update_event
from kaikukanta.network.models import Venue

from ..access import ACTS_FOR_VENUE, other_side_page, requires
from ..forms import add_domain_error
from ..forms.venue_events import EventForm
from .box_office import _chosen_venue, _venues


def _other_side(request: HttpRequest, venue: Venue) -> OtherSidesWork | None:
    """The explanation for a coordinator of the venue's region whose side (social and health) does
    not keep its events: they see the list (the box office admits to them), not the form."""
    if can_keep_venue(request.user, venue) or not side_refused(
        request.user, CULTURE, venue.region_id
    ):
        return None
    return OtherSidesWork(side=CULTURE, region=venue.region)


@requires(ACTS_FOR_VENUE)
def event_list(request: HttpRequest) -> HttpResponse:
    """The chosen venue's coming events (with what is left of each quota), and a form for a new one."""
    venues = _venues(request)
    venue = _chosen_venue(request, venues)
    refusal = _other_side(request, venue) if venue is not None else None
    if refusal is not None and request.method == "POST":
        return other_side_page(request, refusal)
    form = EventForm(request.POST or None)
    status = 200
    if request.method == "POST" and venue is not None:
        status = 422
        if form.is_valid():
            try:
                create_event(actor=request.user, venue=venue, **form.values())
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("The event was added."))
                return redirect("web:venue_events")
    events = (
        Event.objects.filter(venue=venue)
        .upcoming(today())
        .with_tickets_taken()
        .order_by("starts_at", "title")
        if venue is not None
        else Event.objects.none()
    )
    return render(
        request,
        "web/box_office/events.html",
        {"venue": venue, "events": events, "form": form, "refusal": refusal},
        status=status,
    )


@requires(ACTS_FOR_VENUE)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.filter(venue__in=Venue.objects.acted_for_by(request.user)).select_related(
            "venue"
        ),
        pk=pk,
    )
    refusal = _other_side(request, event.venue)
    if refusal is not None:
        return other_side_page(request, refusal)
    initial = {
        "title": event.title,
        "starts_at": event.starts_at,
        "category": event.category,
        "cardholder_quota": event.cardholder_quota,
        "sold_out": event.sold_out,
    }
    form = EventForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                update_event(
                    actor=request.user,
                    event=event,
                    sold_out=form.cleaned_data["sold_out"],
                    **form.values(),
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("The event was saved."))
                return redirect("web:venue_events")
    return render(
        request,
        "web/box_office/event_edit.html",
        {"event": event, "form": form, "left": event.tickets_left()},
        status=status,
    )


urlpatterns = [
    path("venue/events/", event_list, name="venue_events"),
    path("venue/events/<int:pk>/", event_edit, name="venue_event"),
]
