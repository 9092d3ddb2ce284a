"""The audit trail: who did what, for the national administrators (everything) and the coordinators
(their regions). It names objects by their key, never by what a person typed."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaikukanta.audit.models import AuditEvent
from kaikukanta.network.models import Region

from ..access import OVERSEER, requires
from ..forms.audit import AuditFilterForm
from ..pagination import KeysetPaginator
from .uses import day_ends, day_starts

# What the details of an event mean, in the reader's language (the trail stores keys, not text).
DETAILS = {
    "identifier": gettext_lazy("card number"),
    "found": gettext_lazy("card found"),
    "visible": gettext_lazy("the searcher's own card"),
    "refusal": gettext_lazy("refused because"),
    "code": gettext_lazy("refused because"),
    "not_a_card_number": gettext_lazy("not a card number"),
    "typed_length": gettext_lazy("characters typed"),
    "number_hmac": gettext_lazy("unknown number, keyed hash"),
    "hmac_key": gettext_lazy("hash key"),
    "fields": gettext_lazy("fields changed"),
    "changed": gettext_lazy("fields changed"),
    "reason": gettext_lazy("reason"),
    "previous_valid_until": gettext_lazy("valid until, before"),
    "valid_until": gettext_lazy("valid until"),
    "card": gettext_lazy("card (key)"),
    "community_card": gettext_lazy("community card (key)"),
    "member_cards": gettext_lazy("members' cards (keys)"),
    "covered_clients": gettext_lazy("clients without a card"),
    "replaced_by": gettext_lazy("replaced by (key)"),
    "replaces": gettext_lazy("replaces (key)"),
    "sold_out": gettext_lazy("sold out"),
    "count": gettext_lazy("count"),
    "minutes": gettext_lazy("within minutes"),
    "user": gettext_lazy("user (key)"),
    "role": gettext_lazy("role"),
    "name": gettext_lazy("name"),
    "card_type": gettext_lazy("card type"),
    "api_token": gettext_lazy("API token (key)"),
}


def readable_details(data: dict[str, Any]) -> list[tuple[str, str]]:
    def value(item: Any) -> str:
        if isinstance(item, bool):
            return _("yes") if item else _("no")
        if isinstance(item, list):
            return ", ".join(str(part) for part in item)
        return "\u2013" if item is None else str(item)  # an en dash

    return [(str(DETAILS.get(key, key)), value(item)) for key, item in data.items()]


def object_name(label: str) -> str:
    """The object type's name in the reader's language (the events of API tokens written before
    they moved to the accounts were renamed by audit.0012)."""
    try:
        return str(apps.get_model(label)._meta.verbose_name) if label else ""
    except (LookupError, ValueError):
        return label


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
    for event in page.items:
        event.details = readable_details(event.data)
        event.object_name = object_name(event.object_type)
    return render(request, "web/audit/list.html", {"page": page, "filters": filters})


urlpatterns = [
    path("audit/", audit_trail, name="audit"),
]
