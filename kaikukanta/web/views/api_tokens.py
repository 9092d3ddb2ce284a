"""API tokens on the venue's pages: make one for one's own system (shown once), authorise a ticket
agency's system (culture coordinators) or a distributor organisation's client-information system
(social and health coordinators: it registers cards through the API), see who has which, revoke them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.middleware import session_verified
from kaikukanta.accounts.scope import CULTURE, SOTE, scope_for
from kaikukanta.accounts.tokens import ApiToken
from kaikukanta.api.services import (
    create_agency_token,
    create_api_token,
    create_site_token,
    revoke_api_token,
)
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import DistributorSite, Region, TicketAgency, Venue

from ..access import ACTS_FOR_VENUE, other_side_page, requires
from ..confirm import confirmation, confirmed
from ..forms import add_domain_error
from ..forms.api_tokens import AgencyTokenForm, SiteTokenForm, TokenForm


def _coordinated_venues(user: Any):
    """The venues whose ticket agencies the user may authorise: their region's culture coordinator
    (accounts.permissions.can_run_venues_in), national administrators all."""
    scope = scope_for(user)
    if scope.national:
        return Venue.objects.order_by("name")
    return Venue.objects.filter(region__in=scope.regions_covered(CULTURE)).order_by("name")


def _agency_refusal(user: Any) -> OtherSidesWork | None:
    """For a coordinator of the social and health side only: ticket agencies' access is the culture
    side's work, and whose in their region."""
    scope = scope_for(user)
    if scope.national or scope.regions_covered(CULTURE):
        return None
    region = Region.objects.filter(pk__in=scope.coordinator_regions).order_by("name").first()
    return OtherSidesWork(side=CULTURE, region=region) if region is not None else None


def _coordinated_sites(user: Any):
    """The distributor sites whose client systems the user may authorise: their region's social and
    health coordinator (accounts.permissions.can_run_distributor_sites_in), national administrators
    all; sites still taking part."""
    scope = scope_for(user)
    sites = DistributorSite.objects.filter(is_active=True).select_related("organisation")
    if not scope.national:
        sites = sites.filter(region__in=scope.regions_covered(SOTE))
    return sites.order_by("organisation__name", "name")


def _site_refusal(user: Any) -> OtherSidesWork | None:
    """For a coordinator of the culture side only: distributor sites' client systems are the social
    and health side's work, and whose in their region."""
    scope = scope_for(user)
    if scope.national or scope.regions_covered(SOTE):
        return None
    region = Region.objects.filter(pk__in=scope.coordinator_regions).order_by("name").first()
    return OtherSidesWork(side=SOTE, region=region) if region is not None else None


def _chosen_agency(request: HttpRequest, agencies: Any) -> TicketAgency | None:
    """The agency asked for (`agency` sent with the form, or `?agency=` of its link), if listed."""
    value = str(request.POST.get("agency") or request.GET.get("agency") or "")
    return agencies.filter(pk=int(value)).first() if value.isdigit() else None


@requires(ACTS_FOR_VENUE)
def tokens(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    runs = Venue.objects.acted_for_by(request.user).order_by("name")
    form = TokenForm(runs, request.POST if request.POST.get("kind") == "own" else None)
    coordinated = _coordinated_venues(request.user)
    agency_form = None
    agency_refusal = _agency_refusal(request.user)
    if agency_refusal is not None and request.POST.get("kind") == "agency":
        return other_side_page(request, agency_refusal)
    if scope.national or scope.regions_covered(CULTURE):
        agencies = TicketAgency.objects.filter(venues__in=coordinated).distinct().order_by("name")
        # Offered only the venues the agency sells for: the chosen agency's (`?agency=`, from its
        # link on this page or the agency's own page), else those some listed agency sells for.
        chosen = _chosen_agency(request, agencies)
        sold = (
            coordinated.filter(ticket_agencies=chosen)
            if chosen
            else coordinated.filter(ticket_agencies__in=agencies).distinct()
        )
        agency_form = AgencyTokenForm(
            agencies,
            sold,
            request.POST if request.POST.get("kind") == "agency" else None,
            initial={"agency": chosen.pk} if chosen else None,
        )
    site_form = None
    site_refusal = _site_refusal(request.user)
    if site_refusal is not None and request.POST.get("kind") == "site":
        return other_side_page(request, site_refusal)
    if scope.national or scope.regions_covered(SOTE):
        site_form = SiteTokenForm(
            _coordinated_sites(request.user),
            request.POST if request.POST.get("kind") == "site" else None,
        )
    secret = None
    status = 200
    if request.method == "POST":
        status = 422
        try:
            if request.POST.get("kind") == "own" and form.is_valid():
                _token, secret = create_api_token(
                    actor=request.user,
                    user=request.user,
                    name=form.cleaned_data["name"],
                    venues=list(form.cleaned_data["venues"]),
                    verified=session_verified(request),
                )
            elif (
                request.POST.get("kind") == "agency"
                and agency_form is not None
                and agency_form.is_valid()
            ):
                data = agency_form.cleaned_data
                _token, secret = create_agency_token(
                    actor=request.user,
                    agency=data["agency"],
                    venues=list(data["venues"]),
                    name=data["name"],
                    verified=session_verified(request),
                )
            elif (
                request.POST.get("kind") == "site"
                and site_form is not None
                and site_form.is_valid()
            ):
                _token, secret = create_site_token(
                    actor=request.user,
                    sites=list(site_form.cleaned_data["sites"]),
                    name=site_form.cleaned_data["name"],
                    verified=session_verified(request),
                )
        except DomainError as error:
            forms_by_kind = {"own": form, "agency": agency_form, "site": site_form}
            target = forms_by_kind.get(request.POST.get("kind") or "")
            if target is not None:
                add_domain_error(target, error)
            status = error.status
        if secret is not None:
            status = 201
            form = TokenForm(runs)
    listed = (
        ApiToken.objects.visible_to(request.user)
        .select_related("user", "agency", "created_by")
        .prefetch_related("venues", "sites")
    )
    return render(
        request,
        "web/box_office/api_tokens.html",
        {
            "tokens": listed,
            "form": form,
            "agency_form": agency_form,
            "agency_refusal": agency_refusal,
            "site_form": site_form,
            "site_refusal": site_refusal,
            "secret": secret,
            "token_days": settings.KAIKUKANTA_API_TOKEN_DAYS,
            "now": timezone.now(),
        },
        status=status,
    )


@requires(ACTS_FOR_VENUE)
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoking a token: a confirmation page first (web/confirm.py), then the action."""
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    if token.revoked_at is not None:
        return redirect("web:venue_api_tokens")
    if not confirmed(request):
        return confirmation(
            request,
            title=_("Revoke the API token %(name)s?") % {"name": token.name},
            happens=[
                _("The system that uses this token can no longer register or change cards.")
                if token.sites.exists()
                else _("The system that uses this token can no longer record uses or check cards."),
                _("It stays in the list as revoked."),
            ],
            undo=_(
                "A revoked token never works again. Make a new token on this page and put it in "
                "the system's settings instead."
            ),
            button=_("Revoke the token"),
            cancel_url=reverse("web:venue_api_tokens"),
        )
    revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("web:venue_api_tokens")


urlpatterns = [
    path("venue/api-tokens/", tokens, name="venue_api_tokens"),
    path("venue/api-tokens/<int:pk>/revoke/", revoke, name="venue_api_token_revoke"),
]
