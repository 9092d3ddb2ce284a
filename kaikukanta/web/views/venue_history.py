"""The venue's own history of uses: searchable by time, kind and category, with totals, a page at a
time, and as a CSV file with the same filters (for the venue's own reporting)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import cast

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from kaikukanta.network.models import Venue
from kaikukanta.uses.services import uses_exported

from ..access import ACTS_FOR_VENUE, requires
from ..pagination import KeysetPaginator
from .uses import filtered_uses


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(uses) -> Iterator[list[str]]:
    yield [
        _("Time"),
        _("Card number"),
        _("Venue"),
        _("Event"),
        _("Kind"),
        _("Category"),
        _("Holder's ticket"),
        _("Child tickets"),
        _("Clients without a card"),
        _("group visit"),
    ]
    tz = timezone.get_current_timezone()
    for use in uses.iterator(chunk_size=2000):
        yield [
            use.occurred_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            use.card.display_identifier,
            use.venue.display_name,
            use.event.title if use.event else "",
            use.kind,
            use.category,
            "1" if use.adult_ticket else "0",
            str(use.child_tickets),
            str(use.clients_without_card),
            "1" if use.group_visit_id else "0",
        ]


@requires(ACTS_FOR_VENUE)
def history(request: HttpRequest) -> HttpResponse:
    """The uses at the venues the user acts for (filtered as asked), their totals, and the CSV."""
    filters, uses, ordering = filtered_uses(request.user, request.GET)
    uses = uses.filter(venue__in=Venue.objects.acted_for_by(request.user))
    if request.GET.get("format") == "csv":
        uses_exported(
            actor=request.user,
            venues=list(Venue.objects.acted_for_by(request.user)),
            filters=[key for key, value in request.GET.items() if value and key != "format"],
        )
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in _csv_rows(uses.order_by("-occurred_at", "-pk"))),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="kaikukanta-uses.csv"'
        # Streamed, not built in memory: a venue's history may be long. (`requires` types its views
        # as answering HttpResponse; a streaming answer is served the same way.)
        return cast(HttpResponse, response)
    totals = uses.order_by().aggregate(
        uses=Count("pk"),
        holders=Count("pk", filter=Q(adult_ticket=True)),
        children=Sum("child_tickets"),
        without_card=Sum("clients_without_card"),
    )
    totals["children"] = totals["children"] or 0
    totals["without_card"] = totals["without_card"] or 0
    page = KeysetPaginator(uses, ordering).page(request.GET)
    query = request.GET.copy()
    for name in ("after", "before", "page"):
        query.pop(name, None)
    query["format"] = "csv"
    return render(
        request,
        "web/box_office/history.html",
        {"page": page, "filters": filters, "totals": totals, "csv_query": query.urlencode()},
    )


urlpatterns = [
    path("venue/history/", history, name="venue_history"),
]
