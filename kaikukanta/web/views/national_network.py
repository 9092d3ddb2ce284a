"""The national administrators' network, in pages of our own rather than the Django admin: the
regions (municipalities, wellbeing county, pilot or permanent) and their two responsible persons,
the pop-up venues and their periods, the ticket agencies and the venues they sell for. Every change
goes through a service of network/services.py, which checks the right and writes the audit event;
inviting a responsible person is the invitation of the coordinators' pages (people.py)."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaikukanta.accounts.middleware import session_verified
from kaikukanta.accounts.models import COORDINATOR_ROLES, RoleAssignment, invitation_days
from kaikukanta.accounts.services import may_resend_invitation, open_invitations
from kaikukanta.accounts.tokens import ApiToken
from kaikukanta.api.services import create_agency_token
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import Organisation, Region, TicketAgency, Venue
from kaikukanta.network.services import (
    assign_responsible_person,
    invite_responsible_person,
    remove_responsible_person,
    save_network_object,
    save_region,
    save_ticket_agency,
    save_venue,
)

from ..access import NATIONAL, requires
from ..forms import add_domain_error
from ..forms.national_network import (
    AgencyForm,
    AgencyTokenForm,
    AssignForm,
    InviteResponsibleForm,
    OrganisationForm,
    PopupFilterForm,
    PopupVenueForm,
    RegionForm,
)
from .people import tell_how_the_invitation_went


def _responsible(regions: Sequence[Region]) -> dict[int, list[RoleAssignment]]:
    found: dict[int, list[RoleAssignment]] = defaultdict(list)
    for assignment in (
        RoleAssignment.objects.filter(region__in=regions, role__in=COORDINATOR_ROLES)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    ):
        found[assignment.region_id].append(assignment)  # type: ignore[index]
    return found


@requires(NATIONAL)
def regions(request: HttpRequest) -> HttpResponse:
    listed = list(
        Region.objects.select_related("county")
        .annotate(
            municipality_count=Count("municipalities", distinct=True),
            site_count=Count("distributor_sites", distinct=True),
            venue_count=Count("venues", distinct=True),
        )
        .order_by("name")
    )
    responsible = _responsible(listed)
    rows = [(region, responsible[region.pk]) for region in listed]
    return render(request, "web/national_network/regions.html", {"rows": rows})


@requires(NATIONAL)
def region_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    region = get_object_or_404(Region, pk=pk) if pk else Region()
    form = RegionForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_region(
                actor=request.user,
                region=form.save(commit=False),
                municipalities=form.cleaned_data["municipalities"],
                changed=form.changed_data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The region was saved."))
            if pk:
                return redirect("web:national_regions")
            # A new region's next step: its responsible persons.
            return redirect("web:national_region_people", saved.pk)
    title = _("Edit region") if pk else _("New region")
    return render(
        request,
        "web/national_network/region_form.html",
        {"form": form, "title": title, "region": region},
    )


def _people_page(
    request: HttpRequest,
    region: Region,
    assign_form: AssignForm,
    invite_form: InviteResponsibleForm,
) -> HttpResponse:
    responsible = _responsible([region])[region.pk]
    people = [assignment.user for assignment in responsible]
    invitations = open_invitations(people)
    for person in people:
        person.invitation = invitations.get(person.pk)  # type: ignore[attr-defined]
    context = {
        "region": region,
        "responsible": responsible,
        # Whom the national administrator may invite again ("invited, link valid until …").
        "resendable": {
            person.pk for person in people if may_resend_invitation(request.user, person)
        },
        "assign_form": assign_form,
        "invite_form": invite_form,
        "invitation_days": invitation_days(),
    }
    return render(request, "web/national_network/region_people.html", context)


@requires(NATIONAL)
def region_people(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region, pk=pk)
    assign_form = AssignForm(request.POST if "assign" in request.POST else None)
    invite_form = InviteResponsibleForm(request.POST if "invite" in request.POST else None)
    if request.method != "POST":
        return _people_page(request, region, assign_form, invite_form)
    if "assign" in request.POST and assign_form.is_valid():
        try:
            assignment = assign_responsible_person(
                actor=request.user,
                region=region,
                side=assign_form.cleaned_data["role"],
                user=assign_form.cleaned_data["user"],
            )
        except DomainError as error:
            add_domain_error(assign_form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now a responsible person of %(region)s.")
                % {"name": assignment.user.display_name, "region": region.display_name},
            )
            return redirect("web:national_region_people", region.pk)
    elif "invite" in request.POST and invite_form.is_valid():
        data = invite_form.cleaned_data
        try:
            user, _invitation = invite_responsible_person(
                actor=request.user,
                region=region,
                side=data["role"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                link_for=lambda secret: request.build_absolute_uri(
                    reverse("web:invitation", args=[secret])
                ),
            )
        except DomainError as error:
            add_domain_error(invite_form, error)
        else:
            tell_how_the_invitation_went(request, user, _invitation)
            return redirect("web:national_region_people", region.pk)
    return _people_page(request, region, assign_form, invite_form)


@requires(NATIONAL)
@require_POST
def region_person_remove(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    region = get_object_or_404(Region, pk=pk)
    found = get_object_or_404(
        RoleAssignment.objects.select_related("user"),
        pk=assignment,
        region=region,
        role__in=COORDINATOR_ROLES,
    )
    try:
        remove_responsible_person(actor=request.user, assignment=found)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer a responsible person of %(region)s.")
            % {"name": found.user.display_name, "region": region.display_name},
        )
    return redirect("web:national_region_people", region.pk)


def popup_state(venue: Venue, day: Any) -> str:
    """Whether a pop-up venue's period is running on `day`, still to come, or over."""
    assert venue.active_from is not None
    assert venue.active_until is not None
    if day < venue.active_from:
        return "upcoming"
    if day > venue.active_until:
        return "ended"
    return "running"


@requires(NATIONAL)
def popups(request: HttpRequest) -> HttpResponse:
    form = PopupFilterForm(request.GET or None)
    day = today()
    venues = Venue.objects.filter(is_popup=True).select_related("organisation", "municipality")
    if form.is_valid():
        state, words = form.cleaned_data["state"], form.cleaned_data["q"].strip()
        if state == "running":
            venues = venues.filter(active_from__lte=day, active_until__gte=day)
        elif state == "upcoming":
            venues = venues.filter(active_from__gt=day)
        elif state == "ended":
            venues = venues.filter(active_until__lt=day)
        if words:
            venues = venues.filter(
                Q(name__icontains=words) | Q(name_sv__icontains=words) | Q(name_en__icontains=words)
            )
    rows = [(venue, popup_state(venue, day)) for venue in venues.order_by("-active_from", "name")]
    return render(request, "web/national_network/popups.html", {"form": form, "rows": rows})


@requires(NATIONAL)
def popup_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    venue = get_object_or_404(Venue, pk=pk, is_popup=True) if pk else Venue(is_popup=True)
    if "new_organisation" in request.POST:
        return _to_new_organisation(request)
    form = PopupVenueForm(request.POST or None, instance=venue)
    _restore(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            save_venue(actor=request.user, venue=form.save(commit=False), changed=form.changed_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The pop-up venue was saved."))
            return redirect("web:national_popups")
    title = _("Edit pop-up venue") if pk else _("New pop-up venue")
    return render(
        request,
        "web/national_network/form.html",
        {
            "form": form,
            "title": title,
            "back": reverse("web:national_popups"),
            "new_organisation": True,
        },
    )


@requires(NATIONAL)
def agencies(request: HttpRequest) -> HttpResponse:
    listed = list(
        TicketAgency.objects.select_related("organisation")
        .prefetch_related("venues__region")
        .annotate(
            token_count=Count(
                "api_tokens", filter=Q(api_tokens__revoked_at__isnull=True), distinct=True
            )
        )
        .order_by("name")
    )
    return render(request, "web/national_network/agencies.html", {"agencies": listed})


@requires(NATIONAL)
def agency_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    agency = get_object_or_404(TicketAgency, pk=pk) if pk else TicketAgency()
    if "new_organisation" in request.POST:
        return _to_new_organisation(request)
    making_token = agency.pk is not None and request.POST.get("kind") == "token"
    form = AgencyForm(None if making_token else (request.POST or None), instance=agency)
    _restore(request, form)
    token_form = (
        AgencyTokenForm(agency, request.POST if making_token else None) if agency.pk else None
    )
    secret, status = None, 200
    if making_token and token_form is not None:
        status = 422
        if token_form.is_valid():
            try:
                _token, secret = create_agency_token(
                    actor=request.user,
                    agency=agency,
                    venues=list(token_form.cleaned_data["venues"]),
                    name=token_form.cleaned_data["name"],
                    verified=session_verified(request),
                )
            except DomainError as error:
                add_domain_error(token_form, error)
                status = error.status
            else:
                status = 201
                token_form = AgencyTokenForm(agency)
    elif request.method == "POST" and form.is_valid():
        try:
            save_ticket_agency(
                actor=request.user,
                agency=form.save(commit=False),
                venues=form.cleaned_data["venues"],
                changed=form.changed_data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The ticket agency was saved."))
            return redirect("web:national_agencies")
    tokens = (
        ApiToken.objects.active().filter(agency=agency).prefetch_related("venues")
        if agency.pk
        else ApiToken.objects.none()
    )
    title = _("Edit ticket agency") if pk else _("New ticket agency")
    return render(
        request,
        "web/national_network/agency_form.html",
        {
            "form": form,
            "title": title,
            "tokens": tokens,
            "new_organisation": True,
            "token_form": token_form,
            "secret": secret,
        },
        status=status,
    )


# --- Organisations: made here, or in a step of the pop-up venue's or the agency's form ------------

PARKED = "kaikukanta_parked_forms"
PARKED_KEPT = 5


def _to_new_organisation(request: HttpRequest) -> HttpResponse:
    """The "New organisation" button of a form: what was typed is parked in the session (not in the
    address), and the organisation's form returns to this form with it once the organisation is made
    (or when cancelled)."""
    token = secrets.token_urlsafe(12)
    parked = dict(request.session.get(PARKED, {}))
    while len(parked) >= PARKED_KEPT:  # the oldest goes
        parked.pop(next(iter(parked)))
    parked[token] = {
        "url": request.path,
        "data": {
            key: request.POST.getlist(key)
            for key in request.POST
            if key not in ("csrfmiddlewaretoken", "new_organisation")
        },
    }
    request.session[PARKED] = parked
    return redirect(reverse("web:national_organisation_new") + f"?for={token}")


def _parked(request: HttpRequest, token: str) -> dict | None:
    return request.session.get(PARKED, {}).get(token) if token else None


def _restore(request: HttpRequest, form: forms.BaseForm) -> None:
    """Back from the organisation's step (`?restore=`): the form shows what had been typed, and the
    organisation just made chosen. Shown, not yet sent: nothing is refused before Save."""
    if request.method != "GET":
        return
    token = request.GET.get("restore", "")
    parked = _parked(request, token)
    if parked is None:
        return
    for name, field in form.fields.items():
        values = parked["data"].get(name)
        if values is None:
            continue
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        form.initial[name] = values if multiple else (values[0] if values else "")
    remaining = dict(request.session.get(PARKED, {}))
    remaining.pop(token, None)
    request.session[PARKED] = remaining


@requires(NATIONAL)
def organisations(request: HttpRequest) -> HttpResponse:
    listed = Organisation.objects.annotate(
        site_count=Count("distributor_sites", distinct=True),
        venue_count=Count("venues", distinct=True),
        agency_count=Count("ticket_agencies", distinct=True),
    ).order_by("name")
    return render(request, "web/national_network/organisations.html", {"organisations": listed})


@requires(NATIONAL)
def organisation_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk) if pk else Organisation()
    token = request.GET.get("for", "")
    parked = _parked(request, token)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            made = save_network_object(
                actor=request.user, obj=form.save(commit=False), changed=form.changed_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("The organisation %(name)s was saved.") % {"name": made.display_name},
            )
            if parked is not None:
                parked["data"]["organisation"] = [str(made.pk)]
                request.session[PARKED] = {**request.session.get(PARKED, {}), token: parked}
                return redirect(f"{parked['url']}?restore={token}")
            return redirect("web:national_organisations")
    back = (
        f"{parked['url']}?restore={token}"
        if parked is not None
        else reverse("web:national_organisations")
    )
    return render(
        request,
        "web/national_network/form.html",
        {
            "form": form,
            "title": _("Edit organisation") if pk else _("New organisation"),
            "back": back,
            "intro": _(
                "Once the organisation is saved, you return to the form you were filling in, "
                "with what you typed there and the new organisation chosen."
            )
            if parked is not None
            else "",
        },
    )


urlpatterns = [
    path("national/regions/", regions, name="national_regions"),
    path("national/regions/new/", region_form, name="national_region_new"),
    path("national/regions/<int:pk>/", region_form, name="national_region"),
    path("national/regions/<int:pk>/people/", region_people, name="national_region_people"),
    path(
        "national/regions/<int:pk>/people/<int:assignment>/remove/",
        region_person_remove,
        name="national_region_person_remove",
    ),
    path("national/pop-up-venues/", popups, name="national_popups"),
    path("national/pop-up-venues/new/", popup_form, name="national_popup_new"),
    path("national/pop-up-venues/<int:pk>/", popup_form, name="national_popup"),
    path("national/organisations/", organisations, name="national_organisations"),
    path("national/organisations/new/", organisation_form, name="national_organisation_new"),
    path("national/organisations/<int:pk>/", organisation_form, name="national_organisation"),
    path("national/ticket-agencies/", agencies, name="national_agencies"),
    path("national/ticket-agencies/new/", agency_form, name="national_agency_new"),
    path("national/ticket-agencies/<int:pk>/", agency_form, name="national_agency"),
]
