"""Each role's start page: national, region, distributor. (A venue starts at its box office.)"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts.models import COORDINATOR_ROLES, RoleAssignment
from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Flag
from kaikukanta.cards import lookups
from kaikukanta.cards.models import Card, CardType
from kaikukanta.cards.querysets import EXPIRING_DAYS
from kaikukanta.core.dates import today
from kaikukanta.core.errors import NotAllowed
from kaikukanta.network.models import DistributorSite, Region, Venue
from kaikukanta.public.front import front_page
from kaikukanta.stats.queries import yearly_table

from ..access import DISTRIBUTOR, NATIONAL, SIGNED_IN, public, requires
from ..forms.cards import CardSearchForm
from ..navigation import landing_url
from .stats import chosen_year, figures_context

SHOWN_ON_LANDING = 20


@public
def home(request: HttpRequest) -> HttpResponse:
    """The public front page to those not signed in; staff go on to their own start page."""
    if not request.user.is_authenticated:
        return front_page(request)
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
    popups = list(
        Venue.objects.visible_to(request.user)
        .filter(is_popup=True)
        .order_by("-active_from", "name")
    )
    for venue in popups:
        venue.starts_on = venue.starts_later(today())  # type: ignore[attr-defined]
    context = {
        "regions": regions,
        "popup_venues": popups,
        # Counted from their first day on (VenueQuerySet.accepting_on); upcoming ones are listed.
        "popup_count": Venue.objects.filter(is_popup=True).accepting_on(today()).count(),
        "active_cards": Card.objects.visible_to(request.user).valid_on().count(),
        "flags": Flag.objects.visible_to(request.user).select_related("region", "venue")[:10],
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
        rows = yearly_table(request.user, year, _("Pop-up venues"), _("All regions"), region=region)
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
        "coordinators": RoleAssignment.objects.filter(
            region=region, role__in=COORDINATOR_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("role", "user__last_name"),
        # The region's own figure, for those who see all of the region's cards; to a distributor it
        # would be their site's count shown as the region's.
        "active_cards": (
            Card.objects.visible_to(request.user).filter(region=region).valid_on().count()
            if is_coordinator
            else None
        ),
        "flags": (
            Flag.objects.visible_to(request.user).filter(region=region).select_related("venue")[:10]
            if is_coordinator
            else []
        ),
        "is_coordinator": is_coordinator,
        "locks": lookups.locks_in(request.user, region) if is_coordinator else [],
        **figures_context(year, rows),
    }
    return render(request, "web/dashboards/region.html", context)


@require_POST
@requires(SIGNED_IN)  # whose locks: lookups.lift_lock, for the region's coordinators
def lift_lookup_lock(request: HttpRequest, slug: str) -> HttpResponse:
    """Lift a lock of legacy-format look-ups at one of the region's venues or for one of its users
    (cards/lookups.py). A lock that has ended or was lifted meanwhile is said to be gone."""
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    if not scope_for(request.user).coordinates(region.pk):
        raise PermissionDenied
    try:
        lookups.lift_lock(request.user, region, request.POST.get("subject", ""))
    except NotAllowed:
        messages.info(request, _("That lock had already ended."))
    else:
        messages.success(request, _("The lock is lifted: look-ups are answered again."))
    return redirect(reverse("web:region", args=[region.slug]) + "#locks-heading")


@requires(DISTRIBUTOR)
def distributor_home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    sites = (
        DistributorSite.objects.visible_to(request.user)
        .filter(pk__in=scope.distributor_sites)
        .select_related("organisation", "region")
    )
    cards = Card.objects.visible_to(request.user).select_related("issuing_site", "region")
    own = cards.filter(issuing_site__in=scope.distributor_sites, card_type=CardType.PERSONAL)
    expiring = own.expiring()
    community = cards.filter(card_type=CardType.COMMUNITY)
    context = {
        "sites": sites,
        "active_count": own.valid_on().count(),
        "expiring_count": expiring.count(),
        "expiring_cards": expiring.order_by("valid_until", "pk")[:SHOWN_ON_LANDING],
        "recent_cards": own.order_by("-issued_on", "-pk")[:10],
        "community_cards": community.order_by("-issued_on", "-pk")[:SHOWN_ON_LANDING],
        "community_count": community.count(),
        "search": CardSearchForm(),
        "days": EXPIRING_DAYS,
        "no_expiring_text": _("No card expires within %(days)s days.") % {"days": EXPIRING_DAYS},
        "today": today(),
    }
    return render(request, "web/dashboards/distributor.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("national/", national, name="national"),
    path("regions/<slug:slug>/", region_detail, name="region"),
    path("regions/<slug:slug>/lift-lock/", lift_lookup_lock, name="lift_lookup_lock"),
    path("distributor/", distributor_home, name="distributor"),
]
