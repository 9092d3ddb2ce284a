"""The venue's own history of uses: searchable by time, kind and category, with totals, a page at a
time, and as a CSV file with the same filters (for the venue's own reporting)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Max, Min, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from kaikukanta.core import exports
from kaikukanta.core.dates import today
from kaikukanta.network.models import Venue
from kaikukanta.uses.services import uses_exported

from ..access import ACTS_FOR_VENUE, requires
from ..pagination import KeysetPaginator
from .uses import filtered_uses, mark_correctable


def _csv_rows(uses) -> Iterator[list[exports.Value]]:
    """The same columns and values as the page's table (web/uses/_table.html), with the event, the
    clients without a card and the group visit in columns of their own."""
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
        _("Group visit"),
    ]
    for use in uses.iterator(chunk_size=2000):
        yield [
            use.occurred_at,
            use.card.display_identifier,
            use.venue.display_name,
            use.event.title if use.event else "",
            use.get_kind_display(),
            use.get_category_display(),
            bool(use.adult_ticket),
            use.child_tickets,
            use.clients_without_card,
            bool(use.group_visit_id),
        ]


def _file_name(filters, uses) -> str:
    """venue-history-2026-01-01--2026-03-31.csv: the days asked, or those of the first and the last
    use listed."""
    data = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    since, until = data.get("since"), data.get("until")
    if since is None or until is None:
        span = uses.order_by().aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
        tz = timezone.get_current_timezone()
        if since is None:
            since = span["first"].astimezone(tz).date() if span["first"] else today()
        if until is None:
            until = span["last"].astimezone(tz).date() if span["last"] else today()
    return f"kaikukanta-venue-history-{since:%Y-%m-%d}--{until:%Y-%m-%d}.csv"


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
        # Streamed, not built in memory: a venue's history may be long.
        return exports.csv_streaming_response(
            _file_name(filters, uses), _csv_rows(uses.order_by("-occurred_at", "-pk"))
        )
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
    corrects = mark_correctable(request.user, page.items)
    return render(
        request,
        "web/box_office/history.html",
        {
            "page": page,
            "filters": filters,
            "totals": totals,
            "csv_query": query.urlencode(),
            "corrects": corrects,
        },
    )


urlpatterns = [
    path("venue/history/", history, name="venue_history"),
]
