"""A region's network at a glance for its coordinators (and national admins): its distributor sites
and venues with their last activity, the people with their roles and last login; inviting staff by
e-mail, deactivating accounts, adding and editing sites and venues. And the invitation link itself,
where an invited person sets their password."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaikukanta.accounts import oidc
from kaikukanta.accounts.errors import OtherSidesWork, PasswordLoginOff
from kaikukanta.accounts.models import Invitation, RoleAssignment, User, invitation_days
from kaikukanta.accounts.permissions import can_run_distributor_sites_in, can_run_venues_in
from kaikukanta.accounts.scope import CULTURE, SOTE, scope_for
from kaikukanta.accounts.services import (
    accept_invitation,
    check_deactivate,
    deactivate_user,
    invitation_for,
    invite_staff,
    may_deactivate,
    may_resend_invitation,
    may_reset_two_factor,
    needs_two_factor,
    open_invitations,
    resend_invitation,
)
from kaikukanta.core.errors import DomainError
from kaikukanta.guidelines.models import Acknowledgement, GuidelineVersion
from kaikukanta.network.models import DistributorSite, Region, Venue
from kaikukanta.network.services import save_site, save_venue
from kaikukanta.uses.models import Use

from ..access import OVERSEER, other_side_page, public, requires
from ..confirm import confirmation, confirmed
from ..forms import add_domain_error
from ..forms.people import InviteForm, SetPasswordForm, SiteForm, VenueForm
from ..navigation import landing_url


def invitation_link_for(request: HttpRequest):
    return lambda secret: request.build_absolute_uri(reverse("web:invitation", args=[secret]))


def tell_how_the_invitation_went(request: HttpRequest, user: User, invitation: Invitation) -> None:
    """The message after an invitation was made: sent, with how long the link works; or, when the
    mail server refused it, that the account is there and the invitation can be sent again."""
    if getattr(invitation, "mail_sent", None) is False:
        messages.error(
            request,
            _(
                "The account of %(email)s was made, but the invitation e-mail could not be sent. "
                "Check the address and send the invitation again from the list of people."
            )
            % {"email": user.email},
        )
        return
    messages.success(
        request,
        ngettext(
            "An invitation was sent to %(email)s. The link works for %(days)d day, until %(date)s.",
            "An invitation was sent to %(email)s. The link works for %(days)d days, until "
            "%(date)s.",
            invitation_days(),
        )
        % {
            "email": user.email,
            "days": invitation_days(),
            "date": date_format(timezone.localtime(invitation.expires_at), "SHORT_DATE_FORMAT"),
        },
    )


def _coordinated(request: HttpRequest, slug: str) -> Region:
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    if not scope_for(request.user).coordinates(region.pk):
        raise Http404
    return region


@requires(OVERSEER)  # which regions: the reader's own (a 404 for the others)
def network(request: HttpRequest, slug: str) -> HttpResponse:
    region = _coordinated(request, slug)
    sites = list(
        DistributorSite.objects.filter(region=region)
        .select_related("organisation")
        .annotate(last_issue=Max("cards__issued_on"))
        .order_by("name")
    )
    venues = list(
        Venue.objects.filter(region=region).select_related("organisation").order_by("name")
    )
    # A venue's last use: the end of its (venue, occurred_at) index, one look per venue.
    for venue in venues:
        venue.last_use = (  # type: ignore[attr-defined]
            Use.objects.filter(venue=venue)
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
    assignments = (
        RoleAssignment.objects.filter(region=region)
        | RoleAssignment.objects.filter(distributor_site__region=region)
        | RoleAssignment.objects.filter(venue__region=region)
    ).select_related("user", "distributor_site", "venue", "region")
    roles: dict[int, list[RoleAssignment]] = defaultdict(list)
    for assignment in assignments:
        roles[assignment.user_id].append(assignment)
    people = sorted(
        User.objects.filter(pk__in=roles),
        key=lambda u: (not u.is_active, u.last_name, u.first_name),
    )
    invitations = open_invitations(people)
    for person in people:
        person.invitation = invitations.get(person.pk)  # type: ignore[attr-defined]
    with_two_factor = set(
        TOTPDevice.objects.filter(user__in=people).values_list("user_id", flat=True)
    )
    # Who has acknowledged the national guideline's current version.
    current = GuidelineVersion.objects.current()
    acknowledged = Acknowledgement.objects.filter(version=current) if current else None
    for site in sites:
        site.acknowledged = bool(  # type: ignore[attr-defined]
            acknowledged and acknowledged.filter(distributor_site=site).exists()
        )
    for venue in venues:
        venue.acknowledged = bool(  # type: ignore[attr-defined]
            acknowledged and acknowledged.filter(venue=venue).exists()
        )
    context = {
        "region": region,
        "guideline": current,
        "sites": sites,
        "venues": venues,
        "people": [(person, roles[person.pk]) for person in people],
        # Whose accounts the reader may deactivate: staff of their own side (no button beside the
        # other side's staff, nor beside their own name).
        "deactivatable": {
            person.pk
            for person in people
            if person.is_active and may_deactivate(request.user, person)
        },
        # Whom the reader may invite again (person.invitation: "invited, link valid until …").
        "resendable": {
            person.pk for person in people if may_resend_invitation(request.user, person)
        },
        # Whose two-factor authentication (a lost phone) the reader may reset.
        "two_factor_resettable": {
            person.pk
            for person in people
            if person.pk in with_two_factor and may_reset_two_factor(request.user, person)
        },
        "runs_sites": can_run_distributor_sites_in(request.user, region.pk),
        "runs_venues": can_run_venues_in(request.user, region.pk),
        "invite_form": InviteForm(user=request.user, region=region),
    }
    return render(request, "web/network/region_network.html", context)


@requires(OVERSEER)
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    region = _coordinated(request, slug)
    form = InviteForm(request.POST or None, user=request.user, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            user, _invitation = invite_staff(
                actor=request.user,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=(
                    "distributor_staff"
                    if form.cleaned_data["place"].startswith("site:")
                    else "venue_staff"
                ),
                link_for=invitation_link_for(request),
                **form.target(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            tell_how_the_invitation_went(request, user, _invitation)
            return redirect("web:network", region.slug)
    return render(
        request,
        "web/network/invite.html",
        {"region": region, "form": form, "invitation_days": invitation_days()},
    )


@requires(OVERSEER)
def deactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Deactivating an account: a confirmation page first (web/confirm.py), then the action."""
    region = _coordinated(request, slug)
    user = get_object_or_404(User, pk=pk, is_active=True)
    try:
        if not confirmed(request):
            check_deactivate(actor=request.user, user=user)
            name = user.display_name
            return confirmation(
                request,
                title=_("Deactivate %(name)s?") % {"name": name},
                happens=[
                    _("%(name)s can no longer log in, and their API tokens stop working.")
                    % {"name": name},
                    _("What they did stays in the registry and in the audit trail."),
                ],
                undo=_(
                    "Not on these pages: a deactivated account is not opened again here, nor by a "
                    "new invitation. If the person needs access again, ask the national support "
                    "service."
                ),
                button=_("Deactivate %(name)s") % {"name": name},
                cancel_url=reverse("web:network", args=[region.slug]),
            )
        deactivate_user(actor=request.user, user=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s can no longer log in.") % {"name": user.display_name})
    return redirect("web:network", region.slug)


@requires(OVERSEER)  # whose: accounts.services.may_resend_invitation
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a new invitation link to someone who has not set a password yet; back to the list."""
    person = get_object_or_404(User, pk=pk, is_active=True)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("web:home")
    try:
        invitation = resend_invitation(
            actor=request.user, user=person, link_for=invitation_link_for(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        tell_how_the_invitation_went(request, person, invitation)
    return redirect(back)


def _place_form(
    request: HttpRequest, form: SiteForm | VenueForm, region: Region, title: str
) -> HttpResponse:
    return render(
        request, "web/network/place_form.html", {"region": region, "form": form, "title": title}
    )


@requires(OVERSEER)
def site_form(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    region = _coordinated(request, slug)
    site = (
        get_object_or_404(DistributorSite, pk=pk, region=region)
        if pk
        else DistributorSite(region=region)
    )
    if not can_run_distributor_sites_in(request.user, region.pk):
        return other_side_page(request, OtherSidesWork(side=SOTE, region=region))
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        try:
            save_site(actor=request.user, site=form.save(commit=False), changed=form.changed_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The distributor site was saved."))
            return redirect("web:network", region.slug)
    title = _("Edit distributor site") if pk else _("New distributor site")
    return _place_form(request, form, region, title)


@requires(OVERSEER)
def venue_form(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    region = _coordinated(request, slug)
    venue = get_object_or_404(Venue, pk=pk, region=region) if pk else Venue(region=region)
    if not can_run_venues_in(request.user, region.pk):
        return other_side_page(request, OtherSidesWork(side=CULTURE, region=region))
    form = VenueForm(request.POST or None, instance=venue, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            save_venue(actor=request.user, venue=form.save(commit=False), changed=form.changed_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The venue was saved."))
            return redirect("web:network", region.slug)
    title = _("Edit venue") if pk else _("New venue")
    return _place_form(request, form, region, title)


@public  # the secret in the link is the key; a wrong, used or expired one is a 404
@never_cache  # the page with the link's secret in its address is kept by no browser or proxy
def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    found = invitation_for(secret)
    if found is None:
        return render(request, "web/network/invitation_invalid.html", status=404)
    # Staff of an organisation whose provider has password login off: its button only, no password.
    only = oidc.password_login_provider(found.user)
    form = SetPasswordForm(request.POST or None, user=found.user)
    if only is not None and request.method == "POST":
        form.add_error(None, PasswordLoginOff(provider=only.label).message)
    elif request.method == "POST" and form.is_valid():
        try:
            user = accept_invitation(secret=secret, password=form.cleaned_data["password1"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Signed in at once (a new session key, as at a login); the middleware sends someone
            # whose role needs two-factor authentication to set it up first.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if needs_two_factor(user):
                messages.success(
                    request,
                    _("Your password is set. Now set up two-factor authentication."),
                )
                return redirect("web:two_factor_setup")
            messages.success(request, _("Your password is set and you are logged in."))
            return redirect(landing_url(user) or reverse("web:home"))
    return render(
        request,
        "web/network/invitation.html",
        {
            "form": form,
            "invited": found.user,
            "secret": secret,
            "sso_providers": [only] if only is not None else list(oidc.providers().values()),
            "password_off": only is not None,
        },
        status=422 if only is not None and request.method == "POST" else 200,
    )


urlpatterns = [
    path("network/<slug:slug>/", network, name="network"),
    path("network/<slug:slug>/invite/", invite, name="network_invite"),
    path("network/<slug:slug>/people/<int:pk>/deactivate/", deactivate, name="network_deactivate"),
    path("network/<slug:slug>/sites/new/", site_form, name="network_site_new"),
    path("network/<slug:slug>/sites/<int:pk>/", site_form, name="network_site"),
    path("network/<slug:slug>/venues/new/", venue_form, name="network_venue_new"),
    path("network/<slug:slug>/venues/<int:pk>/", venue_form, name="network_venue"),
    path("invitation/<str:secret>/", invitation, name="invitation"),
    path("people/<int:pk>/resend-invitation/", resend, name="resend_invitation"),
]
