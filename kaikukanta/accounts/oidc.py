"""Single sign-on for staff with OpenID Connect (docs/single-sign-on.md).

The protocol is Authlib's Django client (its public API): discovery from the provider's
.well-known/openid-configuration, the authorization code flow with PKCE (S256), and the ID token's
checks (signature against the provider's keys, issuer, audience, expiry, nonce). This module adds
Kaikukanta's rules on top:

- an identity is linked to an existing account by the provider's stable subject (SignInIdentity); the
  first time by an open invitation, or by a verified e-mail address that matches exactly one active
  account whose every role is at a site or venue of the provider's own organisations (so a provider
  can never claim a coordinator, a national administrator or another organisation's staff by an
  address it asserts); anyone else is refused, never given an account; roles stay granted in
  Kaikukanta;
- a deactivated account is refused whatever the provider says;
- the provider's `amr` containing "mfa" (or the provider's configured `acr`) counts as the second
  step for a role that needs one (accounts/middleware.py reads the session's mark);
- an organisation listed for a provider with password login off no longer logs in with a password.

Every sign-in and every refusal leaves an audit event naming the provider and a reason code only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from joserfc.errors import InvalidClaimError, JoseError

from kaikukanta.audit.actions import Action
from kaikukanta.audit.services import record

from .errors import (
    InvitationNotValid,
    SignInAccountClosed,
    SignInIdentityTaken,
    SignInNotChecked,
    SignInRefusedByProvider,
    SignInUnknownPerson,
)
from .models import RoleAssignment, SignInIdentity, User
from .services import invitation_for, use_invitation

logger = logging.getLogger(__name__)

# What the session keeps of a sign-in through a provider: the provider's short name, whether its
# token said multi-factor, and the ID token for the provider's log-out (id_token_hint).
SESSION_KEY = "kaikukanta_sso"
SCOPE = "openid email profile"
# Seconds of clock difference allowed between the provider and Kaikukanta in the token's times.
LEEWAY = 60


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    client_id: str
    client_secret: str
    discovery_url: str
    mfa_acr: str
    organisations: tuple[int, ...]
    password_login_off: bool


def providers() -> dict[str, Provider]:
    """The providers of settings.KAIKUKANTA_OIDC_PROVIDERS, by short name, in the order given."""
    return {
        key: Provider(
            key=key,
            label=str(config["LABEL"]),
            client_id=str(config["CLIENT_ID"]),
            client_secret=str(config["CLIENT_SECRET"]),
            discovery_url=str(config["DISCOVERY_URL"]),
            mfa_acr=str(config.get("MFA_ACR") or ""),
            organisations=tuple(cast(list[int], config.get("ORGANISATIONS") or [])),
            password_login_off=bool(config.get("PASSWORD_LOGIN_OFF")),
        )
        for key, config in settings.KAIKUKANTA_OIDC_PROVIDERS.items()
    }


def provider(key: str) -> Provider | None:
    return providers().get(key)


# One Authlib client per provider configuration (it keeps the discovery document and the keys).
_clients: dict[Provider, Any] = {}


def _client(found: Provider) -> Any:
    client = _clients.get(found)
    if client is None:
        registry = OAuth()
        client = registry.register(
            name=found.key,
            client_id=found.client_id,
            client_secret=found.client_secret,
            server_metadata_url=found.discovery_url,
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10},
        )
        _clients[found] = client
    return client


def start(
    request: HttpRequest, found: Provider, redirect_uri: str, *, fresh: bool = False
) -> HttpResponse:
    """The redirect to the provider's authorization endpoint (state, nonce and the PKCE verifier are
    kept in the session by Authlib). `fresh` asks the provider to sign the person in again
    (`prompt=login`), for a link: the identity linked is the one who typed it now."""
    extra = {"prompt": "login"} if fresh else {}
    try:
        return _client(found).authorize_redirect(request, redirect_uri, **extra)
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError) as error:
        # The kind of fault only: no address, nothing the provider sent.
        logger.warning("Sign-in through %s could not start: %s", found.key, type(error).__name__)
        _refused(found, "provider_unreachable")
        raise SignInNotChecked() from error


def provider_said_no(found: Provider) -> SignInRefusedByProvider:
    """The provider answered with an error instead of a code (the person cancelled, or is not
    allowed to use Kaikukanta there): audited with its own reason, nothing of what it sent."""
    _refused(found, "provider_error")
    return SignInRefusedByProvider(provider=found.label)


def finish(request: HttpRequest, found: Provider) -> tuple[dict[str, Any], str]:
    """The checked claims of the ID token and the token itself, or SignInNotChecked (audited)."""
    try:
        # Authlib checks the state first, then the signature, the issuer (as discovered), expiry,
        # and nonce; the audience only when told to, so that is checked here.
        token = _client(found).authorize_access_token(request, leeway=LEEWAY)
        claims = token.get("userinfo")
        if not claims or not claims.get("sub"):
            raise ValueError("no ID token")
        audience = claims.get("aud")
        if found.client_id not in (audience if isinstance(audience, list) else [audience]):
            raise InvalidClaimError("aud")
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError) as error:
        logger.warning("Sign-in through %s refused: %s", found.key, type(error).__name__)
        _refused(found, "token_not_valid")
        raise SignInNotChecked() from error
    return dict(claims), str(token["id_token"])


def multi_factor(found: Provider, claims: dict[str, Any]) -> bool:
    """Whether the provider says the person passed multi-factor authentication."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if "mfa" in amr:
        return True
    return bool(found.mfa_acr) and claims.get("acr") == found.mfa_acr


def _refused(found: Provider, reason: str, user: User | None = None) -> None:
    record(
        actor=None,
        action=Action.SSO_REFUSED,
        target=user,
        data={"provider": found.key, "reason": reason},
    )


def staff_of(found: Provider, user: Any) -> bool:
    """Whether `user` is staff of the provider's own organisations: an account whose every role is at
    a distributor site or venue of them (not a coordinator or national administrator, whose roles
    are a region's or the nation's, nor someone who also works for another organisation). The one
    rule for both what a provider may do to an account: claim it by a verified e-mail address
    (may_link_by_email), and take its password login away (password_login_provider)."""
    if not found.organisations or user.is_superuser:
        return False
    roles = list(
        RoleAssignment.objects.filter(user=user).values_list(
            "distributor_site__organisation_id", "venue__organisation_id"
        )
    )
    return bool(roles) and all(
        site_organisation in found.organisations or venue_organisation in found.organisations
        for site_organisation, venue_organisation in roles
    )


def may_link_by_email(found: Provider, user: User) -> bool:
    """Whether the provider may claim `user` by a verified e-mail address: only its own
    organisations' staff (staff_of); coordinators and national administrators are linked by an
    invitation or link themselves while logged in."""
    return staff_of(found, user)


def _linked_user(found: Provider, claims: dict[str, Any], invitation_secret: str) -> User | None:
    """The account the identity is linked to, linking it now if it is the first time."""
    subject = str(claims["sub"])
    identity = (
        SignInIdentity.objects.select_related("user")
        .filter(provider=found.key, subject=subject)
        .first()
    )
    if identity is not None:
        return identity.user
    user: User | None = None
    how = ""
    if invitation_secret:
        invitation = invitation_for(invitation_secret)
        if invitation is not None:
            user, how = invitation.user, "invitation"
    if user is None:
        email = claims.get("email")
        if claims.get("email_verified") is True and isinstance(email, str) and email:
            matches = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
            if len(matches) == 1 and may_link_by_email(found, matches[0]):
                user, how = matches[0], "email"
    if user is None:
        return None
    if SignInIdentity.objects.filter(provider=found.key, user=user).exists():
        # The account is linked to another identity at this provider already: the same answer as
        # a signed-in person's link gets (link_signed_in), and an invitation stays open.
        _refused(found, "linked_to_another", user)
        raise SignInIdentityTaken()
    try:
        with transaction.atomic():
            if how == "invitation":
                # Closed once, under its row lock: a password set-up or another identity racing
                # this one with the same link is refused.
                use_invitation(invitation_secret)
            SignInIdentity.objects.create(user=user, provider=found.key, subject=subject)
            record(
                actor=user,
                action=Action.SSO_LINKED,
                target=user,
                data={"provider": found.key, "by": how},
            )
    except InvitationNotValid:
        return None
    except IntegrityError:
        # The same identity linked by a request racing this one: that link counts.
        raced = SignInIdentity.objects.filter(provider=found.key, subject=subject).first()
        return raced.user if raced is not None and raced.user_id == user.pk else None
    return user


def link_signed_in(*, found: Provider, claims: dict[str, Any], user: User) -> None:
    """Link the identity to the account already signed in (with its password and, where the role
    needs one, Kaikukanta's second step): how a coordinator or a national administrator, whom no
    address links, starts signing in through the provider. Audited; refused when the identity or
    the account is linked to another at this provider."""
    subject = str(claims["sub"])
    linked = SignInIdentity.objects.filter(provider=found.key, subject=subject).first()
    if linked is not None and linked.user_id == user.pk:
        return
    if linked is not None or SignInIdentity.objects.filter(provider=found.key, user=user).exists():
        _refused(found, "linked_to_another", user)
        raise SignInIdentityTaken()
    try:
        with transaction.atomic():
            SignInIdentity.objects.create(
                user=user,
                provider=found.key,
                subject=subject,
                multi_factor_at=timezone.now() if multi_factor(found, claims) else None,
            )
            record(
                actor=user,
                action=Action.SSO_LINKED,
                target=user,
                data={"provider": found.key, "by": "signed_in"},
            )
    except IntegrityError:
        _refused(found, "linked_to_another", user)
        raise SignInIdentityTaken() from None


def _note_multi_factor(found: Provider, claims: dict[str, Any]) -> None:
    """Keep that this identity's provider said multi-factor (SignInIdentity.multi_factor_at)."""
    if multi_factor(found, claims):
        SignInIdentity.objects.filter(provider=found.key, subject=str(claims["sub"])).update(
            multi_factor_at=timezone.now()
        )


def sign_in_user(*, found: Provider, claims: dict[str, Any], invitation_secret: str = "") -> User:
    """The active account this identity signs in as (audited), or a refusal (audited)."""
    user = _linked_user(found, claims, invitation_secret)
    if user is None:
        _refused(found, "unknown_person")
        raise SignInUnknownPerson()
    if not user.is_active:
        _refused(found, "deactivated", user)
        raise SignInAccountClosed()
    _note_multi_factor(found, claims)
    record(
        actor=user,
        action=Action.SSO_SIGNED_IN,
        target=user,
        data={"provider": found.key, "mfa": multi_factor(found, claims)},
    )
    return user


def own_authenticator_refused(user: Any, session_mark: dict[str, Any] | None) -> Provider | None:
    """The provider, when this session may not set up an authenticator of Kaikukanta's own: it signed
    in through that provider without multi-factor this time, though the provider has said
    multi-factor for this person before. Whoever has only the person's password at the provider
    would otherwise add an authenticator of their own, and pass the second step with it from then
    on, unseen by the owner, whose sign-ins with multi-factor never ask for it."""
    if not session_mark or session_mark.get("mfa"):
        return None
    found = provider(str(session_mark.get("provider") or ""))
    if found is None:
        return None
    seen = SignInIdentity.objects.filter(
        user=user.pk, provider=found.key, multi_factor_at__isnull=False
    ).exists()
    return found if seen else None


def password_login_provider(user: Any) -> Provider | None:
    """The provider through which `user` must sign in, when it has password login off and the user is
    its organisations' staff (staff_of: the same rule as linking by address, so nobody loses the
    password without a way to link). Coordinators and national administrators keep their password."""
    for found in providers().values():
        if found.password_login_off and staff_of(found, user):
            return found
    return None


def refuse_password_login(*, user: User, found: Provider) -> None:
    record(
        actor=None,
        action=Action.PASSWORD_LOGIN_REFUSED,
        target=user,
        data={"provider": found.key},
    )


def logout_url(found: Provider, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's own log-out (RP-initiated logout), when its discovery document names an
    end_session_endpoint."""
    client = _client(found)
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return str(
            client.create_logout_url(
                post_logout_redirect_uri=post_logout_redirect_uri,
                id_token_hint=id_token,
                client_id=found.client_id,
            )["url"]
        )
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError, RuntimeError):
        return None
