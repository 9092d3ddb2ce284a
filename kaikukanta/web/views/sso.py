"""Single sign-on through an organisation's OpenID Connect provider: the button on the login page
sends the person to the provider, the provider sends them back here. The rules (linking, refusals, the
provider's multi-factor) are in accounts/oidc.py."""

from __future__ import annotations

import secrets
from hmac import compare_digest
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kaikukanta.accounts import oidc
from kaikukanta.accounts.errors import SignInNotChecked, SignInUnknownPerson
from kaikukanta.accounts.services import invitation_for, needs_two_factor
from kaikukanta.core.errors import DomainError

from ..access import SIGNED_IN, public, requires
from ..navigation import landing_url

# Kept in the session between the button and the provider's answer.
NEXT_SESSION_KEY = "kaikukanta_sso_next"
INVITATION_SESSION_KEY = "kaikukanta_sso_invitation"
# After logging out: the provider's log-out to offer (its label and address).
LOGOUT_SESSION_KEY = "kaikukanta_sso_logout"
# A signed-in person linking their identity: the provider and the account, until the answer.
LINK_SESSION_KEY = "kaikukanta_sso_link"
# The provider whose sign-in this session started: an answer that comes without one is refused
# without an audit event (anyone can send such requests, and nobody's sign-in was under way).
STARTED_SESSION_KEY = "kaikukanta_sso_started"


def _provider_or_404(key: str) -> oidc.Provider:
    found = oidc.provider(key)
    if found is None:
        raise Http404
    return found


@public
@require_GET
@never_cache
def sso_start(request: HttpRequest, provider: str) -> HttpResponse:
    """To the provider's sign-in page. `next` is where to go afterwards. A link (sso_link) or an
    invitation (sso_invitation) is taken from the session, where its own button's POST put it, and
    only when `intent` is the one-time value that POST made: a link from elsewhere can neither name
    an invitation nor reuse one, or a link, that an earlier person of this browser left behind."""
    found = _provider_or_404(provider)
    wanted = request.GET.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_SESSION_KEY] = wanted
    else:
        request.session.pop(NEXT_SESSION_KEY, None)
    # A link or an invitation waits in the session only for the start its own button's page sent
    # (`intent`, a one-time value): any other start, a plain sign-in, forgets it.
    intent = request.GET.get("intent", "")
    kept = False
    for key in (LINK_SESSION_KEY, INVITATION_SESSION_KEY):
        waiting = request.session.get(key)
        if (
            isinstance(waiting, dict)
            and intent
            and compare_digest(str(waiting.get("intent", "")).encode(), intent.encode())
        ):
            kept = True
        else:
            request.session.pop(key, None)
    request.session[STARTED_SESSION_KEY] = found.key
    redirect_uri = request.build_absolute_uri(reverse("web:sso_callback", args=[found.key]))
    try:
        # Linking asks the provider to sign the person in afresh: on a shared computer, not the
        # colleague whose session the provider still holds.
        return oidc.start(request, found, redirect_uri, fresh=kept)
    except DomainError as error:
        return _refusal(request, found, error)


def _wait_for_provider(request: HttpRequest, key: str, **intent: Any) -> str:
    """Keep what the provider's answer is for (a link, an invitation) under `key`, with a one-time
    value that the start's address carries; the value."""
    value = secrets.token_urlsafe(16)
    request.session[key] = {**intent, "intent": value}
    return value


@requires(SIGNED_IN)
@require_POST
@never_cache
def sso_link(request: HttpRequest, provider: str) -> HttpResponse:
    """A signed-in person links their identity at the provider to this account: a POST with the
    CSRF token (a link from elsewhere cannot start it) keeps the intent in the session, then a link
    to sso_start goes on to the provider (a form may not be redirected to another site: the
    Content-Security-Policy's form-action). The answer comes to sso_callback."""
    found = _provider_or_404(provider)
    intent = _wait_for_provider(request, LINK_SESSION_KEY, provider=found.key, user=request.user.pk)
    return render(
        request,
        "web/auth/sso_link.html",
        {
            "title": _("Link to %(label)s") % {"label": found.label},
            "explanation": _(
                "Link your account to your organisation's identity provider once, while logged in "
                "here: after that you can log in with its button on the login page."
            ),
            "url": reverse("web:sso_start", args=[found.key])
            + "?"
            + urlencode({"next": reverse("web:two_factor_account"), "intent": intent}),
            "cancel": reverse("web:two_factor_account"),
        },
    )


@public  # the secret in the address is the key, as on the invitation's own page
@require_POST
@never_cache
def sso_invitation(request: HttpRequest, provider: str, secret: str) -> HttpResponse:
    """The invitation page's button for a provider: a POST with the CSRF token of that page, so a link
    or form from another site cannot send a person through their provider to be linked to an
    invitation that is not theirs (a login CSRF). The invitation waits in the session for the
    provider's answer (sso_callback); a link goes on to the provider (a form may not be redirected to
    another site: the Content-Security-Policy's form-action)."""
    found = _provider_or_404(provider)
    invited = invitation_for(secret)
    if invited is None:
        return render(request, "web/network/invitation_invalid.html", status=404)
    intent = _wait_for_provider(request, INVITATION_SESSION_KEY, secret=secret)
    return render(
        request,
        "web/auth/sso_link.html",
        {
            "title": _("Log in with %(label)s") % {"label": found.label},
            "explanation": _(
                "Your account %(username)s is linked to your organisation's account at %(label)s, "
                "and you log in with it from then on."
            )
            % {"username": invited.user.username, "label": found.label},
            "url": reverse("web:sso_start", args=[found.key]) + "?" + urlencode({"intent": intent}),
            "cancel": reverse("web:invitation", args=[secret]),
        },
    )


def _refusal(request: HttpRequest, found: oidc.Provider, error: DomainError) -> HttpResponse:
    return render(
        request,
        "web/auth/sso_refused.html",
        {
            "error": error,
            "unknown": isinstance(error, SignInUnknownPerson),
            "provider": found,
        },
        status=error.status,
    )


@public
@require_GET
@never_cache
def sso_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider's answer: the code is exchanged and the ID token checked, then the person is
    signed in to their linked account (or refused with the reason)."""
    found = _provider_or_404(provider)
    started = request.session.pop(STARTED_SESSION_KEY, None) == found.key
    if not started:
        return _refusal(request, found, SignInNotChecked())
    if request.GET.get("error"):
        # The provider's own no: the person cancelled, or may not use this service there.
        return _refusal(request, found, oidc.provider_said_no(found))
    invitation = request.session.pop(INVITATION_SESSION_KEY, None) or {}
    invitation_secret = str(invitation.get("secret", ""))
    wanted = request.session.pop(NEXT_SESSION_KEY, "")
    link = request.session.pop(LINK_SESSION_KEY, None)
    if link is not None and request.user.is_authenticated:
        return _link_answer(request, found, link, wanted)
    try:
        claims, id_token = oidc.finish(request, found)
        user = oidc.sign_in_user(found=found, claims=claims, invitation_secret=invitation_secret)
    except DomainError as error:
        return _refusal(request, found, error)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    mfa = oidc.multi_factor(found, claims)
    request.session[oidc.SESSION_KEY] = {"provider": found.key, "mfa": mfa, "id_token": id_token}
    target = wanted or landing_url(user) or reverse("web:home")
    if needs_two_factor(user) and not mfa:
        # Kaikukanta's own second step, as after a password (the middleware holds the session there).
        return redirect(reverse("web:two_factor") + "?" + _next_query(target))
    return redirect(target)


def _link_answer(
    request: HttpRequest, found: oidc.Provider, link: dict, wanted: str
) -> HttpResponse:
    """The provider's answer to a signed-in person's linking (sso_link): the same checks, then the
    identity linked to this very account; the session stays as it is."""
    try:
        claims, _id_token = oidc.finish(request, found)
        if (link.get("provider"), link.get("user")) != (found.key, request.user.pk):
            raise SignInNotChecked()
        oidc.link_signed_in(found=found, claims=claims, user=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        return _refusal(request, found, error)
    messages.success(
        request,
        _("Your account is linked to %(label)s: next time you can log in with its button.")
        % {"label": found.label},
    )
    return redirect(wanted or reverse("web:two_factor_account"))


def _next_query(target: str) -> str:
    return urlencode({"next": target})


@public
@require_GET
@never_cache
def signed_out(request: HttpRequest) -> HttpResponse:
    """After logging out of Kaikukanta following a sign-in through a provider: the provider's own
    log-out offered (the person may still be signed in there, for other services too)."""
    offer = request.session.pop(LOGOUT_SESSION_KEY, None)
    if not offer:
        return redirect("web:login")
    return render(
        request,
        "web/auth/signed_out.html",
        {"label": offer["label"], "url": offer["url"], "title": _("You are logged out")},
    )


urlpatterns = [
    path("login/sso/<slug:provider>/", sso_start, name="sso_start"),
    path("login/sso/<slug:provider>/callback/", sso_callback, name="sso_callback"),
    path("login/sso/<slug:provider>/link/", sso_link, name="sso_link"),
    path(
        "login/sso/<slug:provider>/invitation/<str:secret>/", sso_invitation, name="sso_invitation"
    ),
    path("logout/done/", signed_out, name="signed_out"),
]
