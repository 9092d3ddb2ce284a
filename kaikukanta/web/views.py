"""Pages. Each starts from a `visible_to(request.user)` scope and changes nothing except through a
service function; what a role may not see is a 404 (an object) or a 403 (another role's page)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kaikukanta.accounts.models import COORDINATOR_ROLES, RoleAssignment
from kaikukanta.accounts.scope import scope_for
from kaikukanta.cards import printing
from kaikukanta.cards.models import Card, CardStatus, CardType
from kaikukanta.cards.services import check_card, look_up_card
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.events.models import Event
from kaikukanta.network.models import DistributorSite, Region, Venue
from kaikukanta.stats.queries import CATEGORIES, yearly_table
from kaikukanta.uses.models import Use

from .forms import CardCheckForm, CardSearchForm, LoginForm, UseFilterForm, YearForm

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def landing_url(user) -> str | None:
    """The page a user starts from: their most encompassing role's page."""
    scope = scope_for(user)
    if scope.national:
        return reverse("web:national")
    if scope.coordinator_regions:
        region = Region.objects.filter(pk__in=scope.coordinator_regions).order_by("name").first()
        return reverse("web:region", args=[region.slug])
    if scope.distributor_sites:
        return reverse("web:distributor")
    if scope.venues:
        return reverse("web:venue")
    return None


@login_required
def home(request):
    url = landing_url(request.user)
    if url:
        return redirect(url)
    return render(request, "web/no_role.html")


def _year(request) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    if form.is_bound and not form.is_valid():
        for error in form.errors.get("year", []):
            messages.error(request, error)
    return today().year


def _table_context(user, year: int, rows) -> dict:
    return {
        "year": year,
        "rows": rows,
        "categories": [(value, label) for value, label in Venue.Category.choices],
        "category_keys": CATEGORIES,
    }


@login_required
def national(request):
    scope = scope_for(request.user)
    if not scope.national:
        raise PermissionDenied
    year = _year(request)
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
        **_table_context(request.user, year, rows),
    }
    return render(request, "web/national.html", context)


@login_required
def region_detail(request, slug: str):
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    # The region's figures are for its coordinators: to a venue or distributor, whose scope covers
    # only their own site, they would look like the region's and be wrong.
    is_coordinator = scope_for(request.user).coordinates(region.pk)
    year = _year(request)
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
        **_table_context(request.user, year, rows),
    }
    return render(request, "web/region.html", context)


@login_required
def distributor_home(request):
    scope = scope_for(request.user)
    if not scope.distributor_sites:
        raise PermissionDenied
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
    return render(request, "web/distributor.html", context)


@login_required
def venue_home(request):
    scope = scope_for(request.user)
    if not scope.venues:
        raise PermissionDenied
    venues = Venue.objects.visible_to(request.user).filter(pk__in=scope.venues)
    form = CardCheckForm(venues, request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = check_card(
                actor=request.user,
                venue=form.cleaned_data["venue"],
                identifier=form.cleaned_data["identifier"],
            )
        except DomainError as error:
            form.add_error("identifier", error.message)
    context = {"form": form, "result": result, "venues": venues}
    if request.htmx:
        return render(request, "web/_card_check.html", context)
    context.update(
        {
            "recent_uses": Use.objects.visible_to(request.user)
            .filter(venue__in=venues)
            .select_related("card", "venue", "event")[:15],
            "events": Event.objects.visible_to(request.user)
            .filter(venue__in=venues)
            .filter(Q(starts_at__isnull=True) | Q(starts_at__date__gte=today()))
            .select_related("venue")
            .order_by("starts_at")[:10],
        }
    )
    return render(request, "web/venue.html", context)


def _require_card_access(user) -> None:
    scope = scope_for(user)
    if not (scope.national or scope.coordinator_regions or scope.distributor_sites):
        raise PermissionDenied


@login_required
def card_list(request):
    _require_card_access(request.user)
    search = CardSearchForm(request.GET or None)
    cards = Card.objects.visible_to(request.user).select_related("issuing_site", "region")
    if search.is_valid():
        number = search.cleaned_data.get("q")
        if number:
            try:
                card = look_up_card(actor=request.user, identifier=number)
            except DomainError as error:
                search.add_error("q", error.message)
            else:
                return redirect("web:card", identifier=card.identifier)
        status = search.cleaned_data.get("status")
        day = today()
        if status == "valid":
            cards = cards.filter(status=CardStatus.ACTIVE, valid_until__gte=day)
        elif status == "expired":
            cards = cards.filter(status=CardStatus.ACTIVE, valid_until__lt=day)
        elif status == "closed":
            cards = cards.filter(status=CardStatus.CLOSED)
        if search.cleaned_data.get("card_type"):
            cards = cards.filter(card_type=search.cleaned_data["card_type"])
    page = Paginator(cards.order_by("-issued_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/card_list.html", {"page": page, "search": search, "today": today()})


def _inline_svg(data: bytes) -> str:
    svg = data.decode()
    svg = svg[svg.index("<svg") :]
    # Generated by segno and python-barcode from a card number of letters and digits only.
    return mark_safe(svg.replace("<svg", '<svg aria-hidden="true" focusable="false"', 1))  # noqa: S308


@login_required
def card_detail(request, identifier: str):
    _require_card_access(request.user)
    try:
        card = look_up_card(actor=request.user, identifier=identifier)
    except DomainError:
        raise Http404(_("No such card, or it is not yours to see.")) from None
    uses = (
        Use.objects.visible_to(request.user)
        .filter(card=card)
        .select_related("venue", "event")
        .order_by("-occurred_at")[:100]
    )
    context = {
        "card": card,
        "uses": uses,
        "wellbeing": card.wellbeing.all(),
        "replaces": Card.objects.visible_to(request.user).filter(replaced_by=card).first(),
        "replaced_by": card.replaced_by,
        "qr_svg": _inline_svg(printing.qr_code(card.identifier)),
        "code39_svg": _inline_svg(printing.code39(card.identifier)),
        "today": today(),
    }
    return render(request, "web/card_detail.html", context)


@login_required
def use_list(request):
    scope = scope_for(request.user)
    if not scope.has_any_role:
        raise PermissionDenied
    venues = Venue.objects.visible_to(request.user).order_by("name")
    filters = UseFilterForm(venues, request.GET or None)
    uses = Use.objects.visible_to(request.user).select_related("card", "venue", "event")
    if filters.is_valid():
        if filters.cleaned_data.get("venue"):
            uses = uses.filter(venue=filters.cleaned_data["venue"])
        if filters.cleaned_data.get("since"):
            uses = uses.filter(occurred_at__date__gte=filters.cleaned_data["since"])
        if filters.cleaned_data.get("until"):
            uses = uses.filter(occurred_at__date__lte=filters.cleaned_data["until"])
    page = Paginator(uses.order_by("-occurred_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/use_list.html", {"page": page, "filters": filters})
