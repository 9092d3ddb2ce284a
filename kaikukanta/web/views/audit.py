"""The audit trail: who did what, for the national administrators (everything) and the coordinators
(their regions). It names objects by their key, never by what a person typed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from kaikukanta.audit.models import AuditEvent
from kaikukanta.network.models import Region

from ..access import OVERSEER, requires
from ..forms.audit import AuditFilterForm
from ..pagination import KeysetPaginator
from .uses import day_ends, day_starts


@requires(OVERSEER)
def audit_trail(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.visible_to(request.user).order_by("name")
    filters = AuditFilterForm(regions, request.GET or None)
    events = AuditEvent.objects.visible_to(request.user).select_related("region", "venue")
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
    page = KeysetPaginator(events, "-occurred_at").page(request.GET)
    return render(request, "web/audit/list.html", {"page": page, "filters": filters})


urlpatterns = [
    path("audit/", audit_trail, name="audit"),
]
