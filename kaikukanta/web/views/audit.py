"""The audit trail: who did what, for the national administrators (everything) and the coordinators
(their regions). It names objects by their key, never by what a person typed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path

from kaikukanta.audit.models import AuditEvent
from kaikukanta.network.models import Region

from ..access import OVERSEER, requires
from ..forms.audit import AuditFilterForm
from ..pagination import KeysetPaginator
from .uses import day_ends, day_starts


def filtered_events(user, params: QueryDict) -> tuple[AuditFilterForm, QuerySet[AuditEvent], str]:
    """The audit trail's filter form, its events and their ordering, for `user` and the request's
    GET parameters (benchmarks/lists.py builds the same query to find a cursor in the middle)."""
    regions = Region.objects.visible_to(user).order_by("name")
    filters = AuditFilterForm(regions, params or None)
    events = AuditEvent.objects.visible_to(user).select_related("region", "venue")
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("region"):
            events = events.filter(region=data["region"])
        if data.get("since"):
            events = events.filter(occurred_at__gte=day_starts(data["since"]))
        if data.get("until"):
            events = events.filter(occurred_at__lt=day_ends(data["until"]))
    return filters, events, "-occurred_at"


@requires(OVERSEER)
def audit_trail(request: HttpRequest) -> HttpResponse:
    filters, events, ordering = filtered_events(request.user, request.GET)
    page = KeysetPaginator(events, ordering).page(request.GET)
    return render(request, "web/audit/list.html", {"page": page, "filters": filters})


urlpatterns = [
    path("audit/", audit_trail, name="audit"),
]
