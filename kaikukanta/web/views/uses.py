"""Uses as the reader's scope lets them see: a venue its own, a coordinator their region's."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from kaikukanta.network.models import Region, Venue
from kaikukanta.uses.models import Use

from ..access import ANY_ROLE, requires
from ..forms.uses import UseFilterForm
from ..pagination import KeysetPaginator


def day_starts(day: dt.date) -> dt.datetime:
    """The first moment of a day in Finland: a time range, not a date cast, so the index serves it."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def day_ends(day: dt.date) -> dt.datetime:
    return day_starts(day + dt.timedelta(days=1))


def filtered_uses(user, params: QueryDict) -> tuple[UseFilterForm, QuerySet[Use], str]:
    """The use list's filter form, its uses and their ordering, for `user` and the request's GET
    parameters (benchmarks/lists.py builds the same query to find a cursor in the middle)."""
    venues = Venue.objects.visible_to(user).order_by("name")
    regions = Region.objects.visible_to(user).order_by("name")
    filters = UseFilterForm(venues, regions, params or None)
    uses = (
        Use.objects.visible_to(user).in_scope_period(user).select_related("card", "venue", "event")
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("venue"):
            uses = uses.filter(venue=data["venue"])
        if data.get("region"):
            uses = uses.filter(venue__in=Venue.objects.filter(region=data["region"]))
        if data.get("since"):
            uses = uses.filter(occurred_at__gte=day_starts(data["since"]))
        if data.get("until"):
            uses = uses.filter(occurred_at__lt=day_ends(data["until"]))
        if data.get("category"):
            uses = uses.filter(category=data["category"])
        if data.get("kind"):
            uses = uses.filter(kind=data["kind"])
    return filters, uses, "-occurred_at"


@requires(ANY_ROLE)
def use_list(request: HttpRequest) -> HttpResponse:
    filters, uses, ordering = filtered_uses(request.user, request.GET)
    page = KeysetPaginator(uses, ordering).page(request.GET)
    return render(request, "web/uses/list.html", {"page": page, "filters": filters})


urlpatterns = [
    path("uses/", use_list, name="uses"),
]
