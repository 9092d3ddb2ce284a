"""The public catalogue: what the card offers, region by region, and the national pop-up venues.

No login. Every page and filter has its own address (GET parameters), so that a link can be shared;
the same content is open data under /api/v1/catalogue/ and a brochure per region (network/brochure.py)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kaikukanta.core import exports
from kaikukanta.core.dates import today
from kaikukanta.feedback.models import Feedback
from kaikukanta.network import brochure
from kaikukanta.network.models import OFFER_KEYS, Municipality, Region, Venue

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


def catalogue_venues(day: Any) -> QuerySet[Venue]:
    return (
        Venue.objects.in_catalogue(day)
        .select_related("region", "municipality")
        .order_by("is_popup", "region__name", "name", "pk")
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _param(params: Any, name: str) -> str:
    """A filter as typed, without control characters: no one types them, and PostgreSQL refuses a NUL
    in a text value (it would be a server error, not "nothing found")."""
    return _CONTROL.sub(" ", str(params.get(name) or ""))


SEARCHED = (
    "name",
    "name_sv",
    "name_en",
    "description",
    "description_sv",
    "description_en",
    "municipality__name",
)
# pg_trgm's word similarity (the share of the word's trigrams found in some stretch of the text) at
# which a word counts as found: "uimahali" (0.78) or "uimahallissa" (0.69) finds "Valkeakosken
# uimahalli", "art" does not find "kartano" (0.25). Shorter words have too few trigrams to tell a
# typo from another word: they are found as typed only.
SIMILARITY = 0.6
SHORTEST_FUZZY = 4


def _matching(venues: QuerySet[Venue], word: str, number: int) -> QuerySet[Venue]:
    """The venues where `word` is found in a name, a description or the municipality: as it is
    typed, and on PostgreSQL also with a typo or another ending (trigram similarity, pg_trgm; the
    extension is created by public.0002). SQLite has no trigrams: there a word is found as typed."""
    found = Q()
    for name in SEARCHED:
        found |= Q(**{f"{name}__icontains": word})
    if connection.vendor == "postgresql" and len(word) >= SHORTEST_FUZZY:
        similarity = f"word_similarity_{number}"
        venues = venues.alias(
            **{similarity: Greatest(*(TrigramWordSimilarity(word, name) for name in SEARCHED))}
        )
        found |= Q(**{f"{similarity}__gte": SIMILARITY})
    return venues.filter(found)


def filter_venues(venues: QuerySet[Venue], params: Any) -> tuple[QuerySet[Venue], dict[str, str]]:
    """Apply the catalogue's filters (search words, region, municipality, category, offer) as the
    page, the open data and the brochure read them; the filters that were valid."""
    chosen: dict[str, str] = {}
    words = _param(params, "q").strip()[:100]
    if words:
        chosen["q"] = words
        for number, word in enumerate(words.split()):
            venues = _matching(venues, word, number)
    region = _param(params, "region")
    if region == "popup":
        venues = venues.filter(is_popup=True)
        chosen["region"] = region
    elif region and Region.objects.filter(slug=region).exists():
        venues = venues.filter(region__slug=region)
        chosen["region"] = region
    municipality = _param(params, "municipality")
    if municipality and Municipality.objects.filter(code=municipality).exists():
        # A venue without a municipality of its own is in its region's municipalities.
        venues = venues.filter(
            Q(municipality__code=municipality)
            | Q(municipality__isnull=True, region__municipalities__code=municipality)
        ).distinct()
        chosen["municipality"] = municipality
    category = _param(params, "category")
    if category in Venue.Category.values:
        venues = venues.filter(category=category)
        chosen["category"] = category
    offer = _param(params, "offer")
    if offer in OFFER_KEYS:
        venues = venues.filter(**{f"offers_{offer}": True})
        chosen["offer"] = offer
    return venues, chosen


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
