"""The service's public front page (what the Kaikukortti is, what it offers, where to get one, the
staff login) and the legal pages: the accessibility statement and the privacy notice."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kaikukanta.core.dates import today
from kaikukanta.network.models import DistributorSite, Organisation, Region

from . import legal
from .language import with_chosen_language
from .models import LegalPage
from .styles import with_inline_styles


@dataclass
class Distributors:
    """Where a region's cards are handed out: its organisations and their sites (no people)."""

    region: Region
    organisations: dict[Organisation, list[DistributorSite]] = field(default_factory=dict)


def distributors_by_region() -> list[Distributors]:
    """The distributor sites that take part, by region (only regions whose cards can be had today)
    and organisation. Which organisations hand out the card is the programme's public information;
    which of them issued a given card is not, and no page says it to anyone but the holder."""
    day = today()
    sites = (
        DistributorSite.objects.filter(is_active=True)
        .select_related("region", "organisation")
        .order_by("region__name", "organisation__name", "name", "pk")
    )
    grouped: dict[int, Distributors] = {}
    for site in sites:
        if not site.region.is_running_on(day):
            continue
        entry = grouped.setdefault(site.region_id, Distributors(site.region))
        entry.organisations.setdefault(site.organisation, []).append(site)
    return list(grouped.values())


@require_GET
@with_chosen_language
@with_inline_styles
def front_page(request: HttpRequest) -> HttpResponse:
    context = {
        "regions": Region.objects.order_by("name"),
        "distributors": distributors_by_region(),
    }
    return render(request, "public/front.html", context)


def _legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    page = legal.shown(kind)
    context = {
        "kind": kind,
        "title": LegalPage.Kind(kind).label,
        "body": legal.render(page.text),
        "updated_on": page.updated_on,
    }
    return render(request, "public/legal.html", context)


@require_GET
@with_chosen_language
@with_inline_styles
def accessibility(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, LegalPage.Kind.ACCESSIBILITY)


@require_GET
@with_chosen_language
@with_inline_styles
def privacy(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, LegalPage.Kind.PRIVACY)
