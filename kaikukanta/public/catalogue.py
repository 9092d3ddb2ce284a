"""The public catalogue: what the card offers, region by region, and the national pop-up venues.

No login. Every page and filter has its own address (GET parameters), so that a link can be shared;
the same content is open data under /api/v1/catalogue/ and a brochure per region (network/brochure.py)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kaikukanta.core import exports
from kaikukanta.core.dates import today
from kaikukanta.feedback.models import Feedback
from kaikukanta.network import brochure
from kaikukanta.network.models import Municipality, Region, Venue
from kaikukanta.network.search import catalogue_venues, filter_venues

from .language import CODES, with_chosen_language
from .styles import with_inline_styles

PER_PAGE = 40


def offer_labels() -> dict[str, str]:
    return {
        "entry": _("entry tickets"),
        "courses": _("courses"),
        "sports": _("sports"),
        "events": _("events and performances"),
    }


def _marked(venues: list[Venue], day: Any) -> list[Venue]:
    """Each venue with `starts_on`: its first day when that is still to come (Venue.starts_later),
    for the "from 1.3.2027" beside its name."""
    for venue in venues:
        venue.starts_on = venue.starts_later(day)  # type: ignore[attr-defined]
    return venues


def _query(chosen: dict[str, str], **extra: Any) -> str:
    from urllib.parse import urlencode

    return urlencode({**chosen, **extra})


@require_GET
@with_chosen_language
@with_inline_styles
def catalogue(request: HttpRequest) -> HttpResponse:
    day = today()
    venues, chosen = filter_venues(catalogue_venues(day), request.GET)
    page = Paginator(venues, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _marked(list(page.object_list), day)
    regions = Region.objects.order_by("name")
    municipalities = (
        Municipality.objects.filter(venues__in=Venue.objects.in_catalogue(day))
        .distinct()
        .order_by("name")
    )
    context = {
        "page": page,
        "chosen": chosen,
        "chosen_query": _query(chosen),
        "regions": regions,
        "municipalities": municipalities,
        "categories": Venue.Category.choices,
        "offers": offer_labels(),
        "previous_query": _query(chosen, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_query": _query(chosen, page=page.next_page_number()) if page.has_next() else "",
        # Counted from their first day on; an upcoming one is listed, marked "from 1.3.2027".
        "count": venues.filter(pk__in=Venue.objects.accepting_on(day).values("pk")).count(),
        "upcoming_count": venues.exclude(
            pk__in=Venue.objects.accepting_on(day).values("pk")
        ).count(),
    }
    return render(request, "public/catalogue.html", context)


@require_GET
@with_chosen_language
@with_inline_styles
def catalogue_region(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region, slug=slug)
    day = today()
    offered = (
        Venue.objects.offered_to(region, day)
        .select_related("region", "municipality")
        .order_by("is_popup", "name", "pk")
    )
    # The catalogue's filters, but for the region chosen by the address.
    params = {name: value for name, value in request.GET.items() if name != "region"}
    shown, chosen = filter_venues(offered, params)
    quotes = Feedback.objects.published().filter(region=region)[:5]
    context = {
        "region": region,
        "own": _marked([venue for venue in shown if not venue.is_popup], day),
        "popups": _marked([venue for venue in shown if venue.is_popup], day),
        "chosen": chosen,
        "municipalities": region.municipalities.order_by("name"),
        "categories": Venue.Category.choices,
        "offers": offer_labels(),
        "quotes": quotes,
        "running": region.is_running_on(day),
        "languages": [("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
    }
    return render(request, "public/catalogue_region.html", context)


@require_GET
def region_brochure(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    if language not in CODES:
        raise Http404
    region = get_object_or_404(Region, slug=slug)
    with translation.override(language):
        pdf = brochure.region_brochure(region, today())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="kaikukortti-{region.slug}-{language}.pdf"'
    response["Cache-Control"] = "public, max-age=600"
    return response


@require_GET
@with_chosen_language
def catalogue_spreadsheet(request: HttpRequest) -> HttpResponse:
    """The catalogue as the page lists it (the same filters), as a spreadsheet in the reader's
    language (core/exports.py: semicolons, d.m.yyyy). Programs read the open data instead
    (/api/v1/catalogue/venues.csv, a stable machine format)."""
    day = today()
    venues, _chosen = filter_venues(catalogue_venues(day), request.GET)
    labels = offer_labels()
    rows: list[list[exports.Value]] = []
    for venue in venues:
        starts, ends = venue.active_period()
        rows.append(
            [
                venue.display_name,
                _("National pop-up venue")
                if venue.is_popup
                else (venue.region.display_name if venue.region else ""),
                venue.municipality.display_name if venue.municipality else "",
                str(venue.get_category_display()).capitalize(),
                ", ".join(labels[key] for key in venue.offers()),
                venue.child_tickets,
                starts,
                ends,
                venue.location,
                venue.web_link,
            ]
        )
    headings: list[exports.Value] = [
        _("Venue"),
        _("Region"),
        _("Municipality"),
        _("Category"),
        _("Offered to cardholders"),
        _("Child tickets"),
        _("Accepts the card from"),
        _("Accepts the card until"),
        _("Street address"),
        _("Web page"),
    ]
    response = exports.csv_response(
        f"kaikukortti-venues-{day:%Y-%m-%d}.csv",
        [[_("What the Kaikukortti offers"), exports.finnish_date(day)], headings, *rows],
    )
    response["Cache-Control"] = "public, max-age=600"
    return response
