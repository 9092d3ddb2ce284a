"""Uses as the reader's scope lets them see: a venue its own, a coordinator their region's."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from kaikukanta.network.models import Venue
from kaikukanta.uses.models import Use

from ..access import ANY_ROLE, requires
from ..forms.uses import UseFilterForm

PAGE_SIZE = 50


@requires(ANY_ROLE)
def use_list(request: HttpRequest) -> HttpResponse:
    venues = Venue.objects.visible_to(request.user).order_by("name")
    filters = UseFilterForm(venues, request.GET or None)
    uses = Use.objects.visible_to(request.user).select_related("card", "venue", "event")
    if filters.is_valid():
        if filters.cleaned_data.get("venue"):
            uses = uses.filter(venue=filters.cleaned_data["venue"])
        if filters.cleaned_data.get("since"):
            uses = uses.filter(occurred_at__date__gte=filters.cleaned_data["since"])
        if filters.cleaned_data.get("until"):
            uses = uses.filter(occurred_at__date__lte=filters.cleaned_data["until"])
    page = Paginator(uses.order_by("-occurred_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/uses/list.html", {"page": page, "filters": filters})


urlpatterns = [
    path("uses/", use_list, name="uses"),
]
