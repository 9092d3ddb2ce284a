"""Each role's start page: national, region, distributor. (A venue starts at its box office.)"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from kaikukanta.accounts.models import COORDINATOR_ROLES, RoleAssignment
from kaikukanta.accounts.scope import scope_for
from kaikukanta.cards.models import Card, CardStatus, CardType
from kaikukanta.core.dates import today
from kaikukanta.network.models import DistributorSite, Region, Venue
from kaikukanta.stats.queries import yearly_table

from ..access import DISTRIBUTOR, NATIONAL, SIGNED_IN, requires
from ..navigation import landing_url
from .stats import chosen_year, figures_context


@requires(SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    url = landing_url(request.user)
    if url:
        return redirect(url)
    return render(request, "web/dashboards/no_role.html")


@requires(NATIONAL)
def national(request: HttpRequest) -> HttpResponse:
    year = chosen_year(request)
    rows = yearly_table(request.user, year, _("Pop-up venues"), _("All regions"))
    regions = Region.objects.visible_to(request.user).annotate(
        distributor_count=Count("distributor_sites", distinct=True),
        venue_count=Count("venues", distinct=True),
    )
    context = {
        "regions": regions,
        "popup_venues": Venue.objects.visible_to(request.user).filter(is_popup=True),
        "active_cards": Card.objects.visible_to(request.user)
        .filter(status=CardStatus.ACTIVE, valid_until__gte=today())
        .count(),
        **figures_context(year, rows),
    }
    return render(request, "web/dashboards/national.html", context)


@requires(SIGNED_IN)  # which regions: Region.objects.visible_to, a 404 for the others
def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    # The region's figures are for its coordinators: to a venue or distributor, whose scope covers
    # only their own site, they would look like the region's and be wrong.
    is_coordinator = scope_for(request.user).coordinates(region.pk)
    year = chosen_year(request)
    rows = []
    if is_coordinator:
        rows = [
            row
            for row in yearly_table(request.user, year, _("Pop-up venues"), _("All regions"))
            if row.region is not None and row.region.pk == region.pk
        ]
    context = {
        "region": region,
        "municipalities": region.municipalities.all(),
        "distributor_sites": DistributorSite.objects.visible_to(request.user)
        .filter(region=region)
        .select_related("organisation")
        .order_by("organisation__name", "name"),
        "venues": Venue.objects.visible_to(request.user)
        .filter(region=region)
        .select_related("organisation")
        .order_by("category", "name"),
        "coordinators": RoleAssignment.objects.filter(region=region, role__in=COORDINATOR_ROLES)
        .select_related("user")
        .order_by("role", "user__last_name"),
        "active_cards": Card.objects.visible_to(request.user)
        .filter(region=region, status=CardStatus.ACTIVE, valid_until__gte=today())
        .count(),
        "is_coordinator": is_coordinator,
        **figures_context(year, rows),
    }
    return render(request, "web/dashboards/region.html", context)


@requires(DISTRIBUTOR)
def distributor_home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    sites = (
        DistributorSite.objects.visible_to(request.user)
        .filter(pk__in=scope.distributor_sites)
        .select_related("organisation", "region")
    )
    cards = Card.objects.visible_to(request.user).select_related("issuing_site")
    own = cards.filter(issuing_site__in=scope.distributor_sites, card_type=CardType.PERSONAL)
    day = today()
    context = {
        "sites": sites,
        "active_count": own.filter(status=CardStatus.ACTIVE, valid_until__gte=day).count(),
        "recent_cards": own.order_by("-issued_on", "-pk")[:10],
        "expiring_cards": own.filter(
            status=CardStatus.ACTIVE,
            valid_until__gte=day,
            valid_until__lte=day + dt.timedelta(days=30),
        ).order_by("valid_until")[:20],
        "community_cards": cards.filter(card_type=CardType.COMMUNITY).order_by("-valid_until"),
        "today": day,
    }
    return render(request, "web/dashboards/distributor.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("national/", national, name="national"),
    path("regions/<slug:slug>/", region_detail, name="region"),
    path("distributor/", distributor_home, name="distributor"),
]
