"""Two-factor authentication for national administrators and coordinators: the second step of
logging in, setting up an authenticator app at the first login, the recovery codes (shown once),
a person's own page for new recovery codes, and a coordinator's reset for someone's lost phone.

The rules and every change are in accounts/services.py; accounts/middleware.py keeps an unverified
session of such a person on these pages."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaikukanta.accounts import oidc
from kaikukanta.accounts.errors import SetupKeyReplaced
from kaikukanta.accounts.middleware import OPEN_TO_UNVERIFIED, session_verified
from kaikukanta.accounts.models import SignInIdentity, User
from kaikukanta.accounts.services import (
    check_reset_two_factor,
    confirm_two_factor,
    needs_two_factor,
    pass_second_step,
    pending_two_factor_device,
    recovery_codes_left,
    renew_recovery_codes,
    reset_two_factor,
    two_factor_device,
)
from kaikukanta.core.clients import client_ip
from kaikukanta.core.errors import DomainError

from ..access import OVERSEER, SIGNED_IN, requires
from ..confirm import confirmation, confirmed
from ..forms import add_domain_error
from ..forms.auth import SecondStepForm, SetupCodeForm
from ..navigation import landing_url

# The recovery codes just made, until the page that shows them once has been opened.
NEW_CODES_SESSION_KEY = "kaikukanta_new_recovery_codes"
# The setup key this session was shown (accounts.services.pending_two_factor_device).
PENDING_DEVICE_SESSION_KEY = "kaikukanta_pending_two_factor_device"
# With this many recovery codes left or fewer, the person is told to create new ones.
LOW_ON_CODES = 3


def _second_step(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the second step: for the signed-in, open before the step is passed."""
    guarded = requires(SIGNED_IN)(view)
    setattr(guarded, OPEN_TO_UNVERIFIED, True)
    return guarded


def _next_url(request: HttpRequest) -> str:
    """Where the person was going (kept through the steps), or their own landing page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return landing_url(request.user) or reverse("web:home")


def _with_next(url_name: str, request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next")
    url = reverse(url_name)
    if wanted:
        url += "?" + urlencode({"next": wanted})
    return url


def _verified(request: HttpRequest, device: Any) -> None:
    """The session passed the second step: a new session key (as at a login), naming the device."""
    request.session.cycle_key()
    django_otp.login(request, device)


@_second_step
def second_step(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app, or a recovery code."""
    user = request.user
    if not needs_two_factor(user) or session_verified(request):
        return redirect(_next_url(request))
    if two_factor_device(user) is None:
        return redirect(_with_next("web:two_factor_setup", request))
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, left = pass_second_step(
                user=user,  # type: ignore[arg-type]
                code=form.cleaned_data["code"],
                source=client_ip(request) or "",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _verified(request, device)
            if left is not None:
                used = ngettext(
                    "You used a recovery code; it does not work again. You have %(count)d "
                    "recovery code left.",
                    "You used a recovery code; it does not work again. You have %(count)d "
                    "recovery codes left.",
                    left,
                ) % {"count": left}
                if left <= LOW_ON_CODES:
                    used += " " + _("Create new ones on the two-factor authentication page.")
                messages.warning(request, used)
            return redirect(_next_url(request))
    return render(
        request,
        "web/two_factor/second_step.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def _grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@_second_step
def setup(request: HttpRequest) -> HttpResponse:
    """The first login of a national administrator or coordinator: add Kaikukanta to an
    authenticator app (QR code or the key typed in) and confirm it with a code."""
    user = request.user
    if not needs_two_factor(user):
        return redirect(_next_url(request))
    if two_factor_device(user) is not None:
        # Set up already: a new one only after a reset, never around the second step.
        if session_verified(request):
            return redirect("web:two_factor_account")
        return redirect(_with_next("web:two_factor", request))
    provider = oidc.own_authenticator_refused(user, request.session.get(oidc.SESSION_KEY))
    if provider is not None:
        return render(
            request,
            "web/two_factor/setup_refused.html",
            {"label": provider.label},
            status=403,
        )
    shown = request.session.get(PENDING_DEVICE_SESSION_KEY)
    device = pending_two_factor_device(user, shown)  # type: ignore[arg-type]
    request.session[PENDING_DEVICE_SESSION_KEY] = device.pk
    # Another session started the setup since this one was shown its key: that key is gone.
    replaced = shown is not None and shown != device.pk
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if replaced:
                raise SetupKeyReplaced()
            codes = confirm_two_factor(user=user, device=device, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session.pop(PENDING_DEVICE_SESSION_KEY, None)
            _verified(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            return redirect(_with_next("web:recovery_codes", request))
    elif replaced and request.method == "GET":
        messages.warning(request, SetupKeyReplaced().message)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, title=_("QR code for the authenticator app"), omitsize=False
    )
    return render(
        request,
        "web/two_factor/setup.html",
        {
            "form": form,
            # segno's own SVG of our key: nothing a person typed.
            "qr": mark_safe(qr),  # noqa: S308
            "secret": _grouped(secret),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@requires(OVERSEER)
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown this once (a reload no longer shows them)."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "web/two_factor/recovery_codes.html",
        {
            "codes": codes,
            "next": _next_url(request),
        },
    )


@requires(SIGNED_IN)
def account(request: HttpRequest) -> HttpResponse:
    """A person's own logging in: their two-factor authentication (how many recovery codes are left,
    new ones), for those who have it; and for everyone, linking their account to their
    organisation's identity provider (staff whose provider sends no verified address link here,
    before their password login is switched off)."""
    user = request.user
    if request.method == "POST":
        try:
            codes = renew_recovery_codes(user=user)  # type: ignore[arg-type]
        except DomainError as error:
            messages.error(request, error.message)
        else:
            request.session[NEW_CODES_SESSION_KEY] = codes
            query = urlencode({"next": reverse("web:two_factor_account")})
            return redirect(reverse("web:recovery_codes") + "?" + query)
    device = two_factor_device(user)
    linked = set(SignInIdentity.objects.filter(user=user.pk).values_list("provider", flat=True))
    return render(
        request,
        "web/two_factor/account.html",
        {
            "device": device,
            "two_factor": device is not None or needs_two_factor(user),
            "left": recovery_codes_left(user),
            # Signing in through an organisation's identity provider (accounts/oidc.py).
            "providers": [
                (provider, provider.key in linked) for provider in oidc.providers().values()
            ],
        },
    )


@requires(OVERSEER)  # whose: accounts.services.may_reset_two_factor
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A lost phone: the person sets two-factor authentication up again at their next login. A
    confirmation page first (web/confirm.py)."""
    person = get_object_or_404(User, pk=pk, is_active=True)
    back = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("web:home")
    if not confirmed(request):
        # Only the confirmation page, or why not: a GET never reaches the reset itself.
        try:
            check_reset_two_factor(actor=request.user, user=person)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(back)
        name = person.display_name
        return confirmation(
            request,
            title=_("Reset the two-factor authentication of %(name)s?") % {"name": name},
            happens=[
                _(
                    "Their authenticator app and recovery codes stop working, and so do their API "
                    "tokens; a session of theirs has to pass the second step again."
                ),
                _("At their next login they set up two-factor authentication again."),
            ],
            undo=_(
                "It cannot be undone: the old app and codes never work again. %(name)s sets up a "
                "new app at their next login."
            )
            % {"name": name},
            button=_("Reset the two-factor authentication of %(name)s") % {"name": name},
            cancel_url=back,
            next_url=back,
        )
    try:
        reset_two_factor(actor=request.user, user=person)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s sets up two-factor authentication again at their next login.")
            % {"name": person.display_name},
        )
    return redirect(back)


urlpatterns = [
    path("login/two-factor/", second_step, name="two_factor"),
    path("login/two-factor/setup/", setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", recovery_codes, name="recovery_codes"),
    path("two-factor/", account, name="two_factor_account"),
    path("two-factor/reset/<int:pk>/", reset, name="two_factor_reset"),
]
