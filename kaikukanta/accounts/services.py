"""Every change to who may do what, one function each: grant and revoke a role, save a user's
details, deactivate a user. Each checks the actor's right, writes the change and its audit event in one
transaction, and raises a DomainError that says what to do. The administration and the coordinators'
pages call these; nothing else writes roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record, save_audited
from kaikukanta.core.clients import source_network
from kaikukanta.core.digests import keyed_digest
from kaikukanta.core.errors import NotAllowed

from . import token_cache
from .errors import (
    CannotDeactivateSelf,
    EmailBelongsToActiveUser,
    EmailBelongsToClosedAccount,
    InvitationNotValid,
    OtherSidesWork,
    RoleAlreadyGranted,
    RoleTargetInvalid,
    SetupCodeNotValid,
    SetupKeyReplaced,
    TwoFactorCodeNotValid,
    TwoFactorLocked,
    TwoFactorLockedForAccount,
    TwoFactorNotSetUp,
)
from .models import (
    Invitation,
    RecoveryCode,
    Role,
    RoleAssignment,
    SecondStepFailures,
    SignInIdentity,
    User,
    invitation_days,
)
from .permissions import can_grant, grant_refusal
from .scope import CULTURE, SOTE, forget_scope, scope_for

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from kaikukanta.network.models import DistributorSite, Region, Venue


def _region_of(assignment: RoleAssignment) -> Region | None:
    if assignment.region_id is not None:
        return assignment.region
    if assignment.distributor_site is not None:
        return assignment.distributor_site.region
    if assignment.venue is not None:
        return assignment.venue.region
    return None


def check_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    region: Region | None = None,
    distributor_site: DistributorSite | None = None,
    venue: Venue | None = None,
) -> None:
    """Raise the error granting this role would give, without granting it (for forms)."""
    targets = {"region": region, "distributor_site": distributor_site, "venue": venue}
    named = {name for name, value in targets.items() if value is not None}
    targets_of_role: dict[str, set[str]] = {
        Role.NATIONAL_ADMIN: set(),
        Role.COORDINATOR_CULTURE: {"region"},
        Role.COORDINATOR_SOTE: {"region"},
        Role.DISTRIBUTOR_STAFF: {"distributor_site"},
        Role.VENUE_STAFF: {"venue"},
    }
    expected = targets_of_role.get(role)
    if expected is None or named != expected:
        raise RoleTargetInvalid()
    if not can_grant(actor, role, region=region, distributor_site=distributor_site, venue=venue):
        raise grant_refusal(actor, role, distributor_site=distributor_site, venue=venue)
    if RoleAssignment.objects.filter(user=user, role=role, **targets).exists():
        raise RoleAlreadyGranted(user=user.get_username())


def grant_role(
    *,
    actor: Any,
    user: User,
    role: str,
    region: Region | None = None,
    distributor_site: DistributorSite | None = None,
    venue: Venue | None = None,
) -> RoleAssignment:
    check_grant(
        actor=actor,
        user=user,
        role=role,
        region=region,
        distributor_site=distributor_site,
        venue=venue,
    )
    with transaction.atomic():
        token_cache.invalidate()
        assignment = RoleAssignment.objects.create(
            user=user, role=role, region=region, distributor_site=distributor_site, venue=venue
        )
        record(
            actor=actor,
            action=Action.ROLE_GRANTED,
            target=assignment,
            region=_region_of(assignment),
            data={"user": user.pk, "role": role},
        )
    forget_scope(user)
    return assignment


def revoke_role(*, actor: Any, assignment: RoleAssignment) -> None:
    if not can_grant(
        actor,
        assignment.role,
        region=assignment.region,
        distributor_site=assignment.distributor_site,
        venue=assignment.venue,
    ):
        raise NotAllowed()
    with transaction.atomic():
        token_cache.invalidate()
        record(
            actor=actor,
            action=Action.ROLE_REVOKED,
            target=assignment,
            region=_region_of(assignment),
            data={"user": assignment.user_id, "role": assignment.role},
        )
        assignment.delete()
    forget_scope(assignment.user)


def save_user(*, actor: Any, user: User, changed: Iterable[str] = ()) -> User:
    """Create or edit a staff user's account details (national administrators)."""
    if not scope_for(actor).national:
        raise NotAllowed()
    with transaction.atomic():
        token_cache.invalidate()
        return save_audited(actor=actor, obj=user, changed=changed)


def _manages(actor: Any, user: User) -> bool:
    """Whether `actor` runs `user`'s account: a national administrator anyone's; a coordinator that
    of staff whose every role they could have granted."""
    assignments = list(user.role_assignments.select_related("distributor_site", "venue"))
    return scope_for(actor).national or bool(
        assignments
        and all(
            can_grant(
                actor,
                a.role,
                region=a.region,
                distributor_site=a.distributor_site,
                venue=a.venue,
            )
            for a in assignments
        )
    )


def _refusal(actor: Any, user: User) -> NotAllowed:
    """Why `actor` may not run `user`'s account: staff of the other side of the actor's own region
    are that side's coordinator's (named); anything else is not theirs to run."""
    from .permissions import side_refused

    for a in user.role_assignments.select_related("distributor_site__region", "venue__region"):
        place = a.distributor_site or a.venue
        side = SOTE if a.distributor_site is not None else CULTURE
        if place is not None and side_refused(actor, side, place.region_id):
            return OtherSidesWork(side=side, region=place.region)
    return NotAllowed()


def may_deactivate(actor: Any, user: User) -> bool:
    """Whether `actor` may deactivate `user` (the rule of deactivate_user, for the people list's
    buttons): not themselves; a coordinator only staff of their own side."""
    return user.pk != getattr(actor, "pk", None) and _manages(actor, user)


def check_deactivate(*, actor: Any, user: User) -> None:
    """Raise the error deactivating `user` would give, without deactivating (for the confirmation
    page). A national administrator may deactivate anyone; a coordinator, staff whose every role
    they could have granted (the other side's staff: refused naming that side's coordinator);
    nobody themselves."""
    if user.pk == getattr(actor, "pk", None):
        raise CannotDeactivateSelf()
    if not _manages(actor, user):
        raise _refusal(actor, user)


def deactivate_user(*, actor: Any, user: User) -> User:
    """Close a staff account for good: the user can no longer log in; their history stays; their
    API tokens are revoked (check_deactivate says who may)."""
    check_deactivate(actor=actor, user=user)
    from .tokens import revoke_tokens_of

    with transaction.atomic():
        token_cache.invalidate()
        user.is_active = False
        user.save(update_fields=["is_active"])
        record(actor=actor, action=Action.USER_DEACTIVATED, target=user)
        revoke_tokens_of(actor=actor, user=user)  # they would outlive the account otherwise
    forget_scope(user)
    return user


def unlink_sign_in_identities(*, actor: Any, user: User) -> int:
    """Remove the links of `user`'s identities at identity providers (a link to the wrong person, or
    a new identity at the provider): a national administrator. The person links again by an
    invitation, by address, or while logged in. Audited per provider; how many were removed."""
    if not scope_for(actor).national:
        raise NotAllowed()
    with transaction.atomic():
        removed = list(
            SignInIdentity.objects.select_for_update()
            .filter(user=user)
            .order_by("provider")
            .values_list("pk", "provider")
        )
        SignInIdentity.objects.filter(pk__in=[pk for pk, _provider in removed]).delete()
        for _pk, provider in removed:
            record(
                actor=actor, action=Action.SSO_UNLINKED, target=user, data={"provider": provider}
            )
    return len(removed)


def record_password_set(*, actor: Any, user: User) -> None:
    """An administrator set a user's password (the password itself is never recorded)."""
    record(actor=actor, action=Action.OBJECT_CHANGED, target=user, data={"fields": ["password"]})
    _lift_person_daily_lock(user)


def record_password_reset_asked(*, user: User) -> None:
    """A password reset link was e-mailed to `user` (web/views/password_reset.py; never the
    address typed, and nothing for an address that is no account's)."""
    record(actor=None, action=Action.PASSWORD_RESET_REQUESTED, target=user)


def record_password_reset(*, user: User, password: str) -> None:
    """`user` set a new password with a reset link from their e-mail: the password and its audit
    event together."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor=None, action=Action.PASSWORD_RESET_DONE, target=user)
    _lift_person_daily_lock(user)


# --- invitations: a single-use link to set a password, sent by e-mail ----------------------------


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invite_staff(
    *,
    actor: Any,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    distributor_site: DistributorSite | None = None,
    venue: Venue | None = None,
    region: Region | None = None,
    link_for: Callable[[str], str],
) -> tuple[User, Invitation]:
    """Create the account of a new staff member (no password yet), give them the role and e-mail
    them a link to set their password; the link works once, for KAIKUKANTA_INVITATION_DAYS days.
    Inviting again an account that has not set its password yet sends a fresh link (the old one
    stops working)."""
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()
    if existing is not None and existing.has_usable_password():
        raise EmailBelongsToActiveUser(email=email)
    # An account still waiting for its password may be invited again, by whoever runs it; a closed
    # one is not opened again by an invitation (its old roles would come back with it).
    if existing is not None and (
        not existing.is_active
        or (existing.role_assignments.exists() and not _manages(actor, existing))
    ):
        raise EmailBelongsToClosedAccount(email=email)
    with transaction.atomic():
        user = existing or User(username=email, email=email)
        user.first_name, user.last_name, user.is_active = first_name, last_name, True
        if existing is None:
            user.set_unusable_password()
        user.save()
        record(
            actor=actor,
            action=Action.OBJECT_CREATED if existing is None else Action.OBJECT_CHANGED,
            target=user,
            data={"invited": True},
        )
        if not RoleAssignment.objects.filter(
            user=user,
            role=role,
            region=region,
            distributor_site=distributor_site,
            venue=venue,
        ).exists():
            grant_role(
                actor=actor,
                user=user,
                role=role,
                region=region,
                distributor_site=distributor_site,
                venue=venue,
            )
        else:
            if not can_grant(
                actor, role, region=region, distributor_site=distributor_site, venue=venue
            ):
                raise grant_refusal(actor, role, distributor_site=distributor_site, venue=venue)
        if not user.language:
            # Until they choose: the language the inviter was using.
            user.language = _page_language()
            user.save(update_fields=["language"])
        invitation = _new_invitation(actor=actor, user=user, link_for=link_for)
    return user, invitation


def _page_language() -> str:
    language = (translation.get_language() or "")[:2]
    return language if language in dict(settings.LANGUAGES) else ""


def _new_invitation(*, actor: Any, user: User, link_for: Callable[[str], str]) -> Invitation:
    """A fresh link for `user` (the earlier open ones stop working), e-mailed when the transaction
    commits: no e-mail for an invitation that was rolled back, and a mail server's refusal does not
    undo the account. `invitation.mail_sent` tells how the sending went: True, False (the person
    is told and can send it again), or None while the outer transaction has not committed yet."""
    now = timezone.now()
    user.invitations.filter(used_at__isnull=True).update(expires_at=now)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        secret_hash=_secret_hash(secret),
        invited_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=invitation_days()),
    )
    invitation.mail_sent = None  # type: ignore[attr-defined]
    link = link_for(secret)

    def deliver() -> None:
        try:
            _send_invitation(user, actor, link, invitation)
        except (OSError, smtplib.SMTPException):
            logger.exception("invitation e-mail to user %s could not be sent", user.pk)
            invitation.mail_sent = False  # type: ignore[attr-defined]
        else:
            invitation.mail_sent = True  # type: ignore[attr-defined]

    transaction.on_commit(deliver)
    return invitation


def may_resend_invitation(actor: Any, user: User) -> bool:
    """Whether `actor` may send `user` a new invitation: an active account still without a
    password, that `actor` runs (the same rule as deactivating)."""
    return (
        user.is_active
        and not user.has_usable_password()
        and user.pk != getattr(actor, "pk", None)
        and _manages(actor, user)
    )


def resend_invitation(*, actor: Any, user: User, link_for: Callable[[str], str]) -> Invitation:
    """A new invitation link for someone who has not set their password yet (the mail was lost,
    failed or the link expired); the old links stop working. Audited."""
    if not may_resend_invitation(actor, user):
        raise NotAllowed()
    with transaction.atomic():
        invitation = _new_invitation(actor=actor, user=user, link_for=link_for)
        record(actor=actor, action=Action.INVITATION_RESENT, target=user)
    return invitation


def open_invitations(users: Iterable[User]) -> dict[int, Invitation]:
    """The newest unused invitation of each of `users` that has one, by user key (for the people
    lists: "invited, link valid until …")."""
    found: dict[int, Invitation] = {}
    for invitation in Invitation.objects.filter(
        user__in=list(users), used_at__isnull=True
    ).order_by("user_id", "-created_at"):
        found.setdefault(invitation.user_id, invitation)
    return found


def _inviter_roles(actor: Any) -> list[str]:
    """What the inviter does, for the e-mail's "whom to contact": their roles and where."""
    if actor is None or not getattr(actor, "pk", None):
        return []
    return [
        str(assignment)
        for assignment in RoleAssignment.objects.filter(user=actor).select_related(
            "region", "distributor_site", "venue"
        )
    ]


def _send_invitation(user: User, actor: Any, link: str, invitation: Invitation) -> None:
    """The invitation e-mail in the invitee's language, plain text and HTML."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "inviter": getattr(actor, "display_name", ""),
            "inviter_email": getattr(actor, "email", ""),
            "inviter_roles": _inviter_roles(actor),
            "link": link,
            "days": invitation_days(),
            "valid_until": timezone.localtime(invitation.expires_at).date(),
        }
        subject = _("Your Kaikukortti registry account")
        body = render_to_string("accounts/invitation_email.txt", context)
        html = render_to_string("accounts/invitation_email.html", context)
    message = EmailMultiAlternatives(subject, body, None, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def invitation_for(secret: str) -> Invitation | None:
    """The open invitation this secret opens, or None (unknown, used or expired)."""
    invitation = (
        Invitation.objects.select_related("user").filter(secret_hash=_secret_hash(secret)).first()
    )
    if invitation is None or not invitation.is_open() or not invitation.user.is_active:
        return None
    return invitation


def use_invitation(secret: str) -> Invitation:
    """Close the open invitation this secret opens, once, under its row lock: a second use (or one
    racing it: a password set-up, a sign-in through a provider) is refused. Inside the caller's
    transaction, with what the invitation is used for."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user")
        .filter(secret_hash=_secret_hash(secret))
        .first()
    )
    if invitation is None or not invitation.is_open() or not invitation.user.is_active:
        raise InvitationNotValid()
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return invitation


def accept_invitation(*, secret: str, password: str) -> User:
    """Set the invited user's password and close the link, once: a second use (or one racing it)
    is refused."""
    with transaction.atomic():
        user = use_invitation(secret).user
        user.set_password(password)
        user.save(update_fields=["password"])
        record(actor=user, action=Action.OBJECT_CHANGED, target=user, data={"fields": ["password"]})
    return user


def remember_language(*, user: Any, language: str) -> None:
    """Keep the language a signed-in person chose in the pages, for mail sent to them later."""
    if language not in dict(settings.LANGUAGES) or not getattr(user, "is_authenticated", False):
        return
    with transaction.atomic():
        updated = (
            User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
        )
        if updated:
            record(
                actor=user, action=Action.OBJECT_CHANGED, target=user, data={"fields": ["language"]}
            )


# --- two-factor authentication: required of national administrators and coordinators -----------
# django-otp keeps the devices: one TOTP device (the authenticator app) and one static device whose
# tokens are the recovery codes. A session is verified once django_otp.login() has named the device
# that passed (web/views/two_factor.py); the middleware (accounts/middleware.py) and the API's
# session authentication refuse everything else to an unverified session of such a user.


def needs_two_factor(user: Any) -> bool:
    """Whether `user` must pass the second step: anyone holding a national administrator's or a
    coordinator's role (a superuser counts as a national administrator)."""
    scope = scope_for(user)
    return scope.national or bool(scope.coordinator_regions)


def two_factor_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None (never set up, or reset)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user).count()


def pending_two_factor_device(user: User, pending_pk: int | None) -> TOTPDevice:
    """The key the setup page shows to one session until it is confirmed with a code.

    `pending_pk` is the key this session was shown before (kept in the session by the view): while
    it is still the user's unconfirmed key, the same one, so that a reload does not leave a person
    who already scanned it with a key that no longer works. Otherwise a new key, and any other
    unconfirmed key of the user is removed: someone else who has the password and opened the setup
    page first does not hold a key that starts working once the owner confirms theirs."""
    if pending_pk is not None:
        device = TOTPDevice.objects.filter(pk=pending_pk, user=user, confirmed=False).first()
        if device is not None:
            return device
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Kaikukanta", confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    """A new set of recovery codes on the user's one recovery-code device. The device itself is
    kept: a session that passed the second step with a recovery code is named by it
    (django_otp.login), and would otherwise no longer count as verified."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    elif not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()  # plain-text codes of django-otp's own, from before
    RecoveryCode.objects.filter(user=user).delete()
    codes: list[str] = []
    while len(codes) < settings.KAIKUKANTA_OTP_RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    # Only their salted hashes are kept (ASVS 2.6.2): the codes are shown once.
    RecoveryCode.objects.bulk_create(RecoveryCode.hashed(user, code) for code in codes)
    return codes


def _use_recovery_code(user: User, code: str) -> StaticDevice | None:
    """The person's recovery-code device when `code` is one of their unused codes, which this uses
    up; None otherwise. Called inside a transaction."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return None
    for stored in RecoveryCode.objects.select_for_update().filter(user=user):
        if stored.matches(code):
            stored.delete()
            return device
    return None


def confirm_two_factor(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the pending authenticator with a code it shows, replacing any earlier one, and
    create the recovery codes. Returns the codes, to be shown once: only django-otp keeps them.
    A key no longer pending (another session started the setup again) is refused."""
    if device.user_id != user.pk or device.confirmed:
        raise NotAllowed()
    code = _normalised(code)
    if not (code.isdigit() and len(code) == device.digits):
        raise SetupCodeNotValid()
    with transaction.atomic():
        pending = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if pending is None:
            raise SetupKeyReplaced()
        verified = pending.verify_token(code)  # counts a failure on the device itself
        if verified:
            TOTPDevice.objects.filter(user=user).exclude(pk=pending.pk).delete()
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
            record(actor=user, action=Action.TWO_FACTOR_ENABLED, target=user)
    if not verified:
        raise SetupCodeNotValid()
    device.refresh_from_db()
    return codes


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _source_key(source: str) -> str:
    """The client's address as kept: keyed with the secret key (core/digests.py); an IPv6 address
    by its /64, which one connection has whole (core/clients.py source_network)."""
    return keyed_digest(source_network(source), "second-step-source")


HOURLY_FAILURES = "second-step-failures"


def _hourly() -> Any:
    from kaikukanta.core.ratelimit import Window

    return Window(HOURLY_FAILURES, settings.KAIKUKANTA_OTP_HOURLY_LIMIT, 3600)


PERSON_DAILY_FAILURES = "second-step-person-failures"


def _person_daily() -> Any:
    """Wrong codes for one person a day over every address: the per-address limits leave each new
    address a few guesses, and someone with the password and thousands of addresses (an IPv6 /48
    holds 65,536 /64s) would otherwise get them all (docs/accounts.md)."""
    from kaikukanta.core.ratelimit import Window

    return Window(PERSON_DAILY_FAILURES, settings.KAIKUKANTA_OTP_PERSON_DAILY_LIMIT, 86400)


# The flag (ratelimit.Window.first_time) that a limit was reached, audited once a window.
LOCKED = "locked"


def _lift_person_daily_lock(user: User) -> None:
    """A new password (the old one was known elsewhere) or a reset second step: the person-wide
    daily limit starts afresh, its flag too, so that a further lock is audited again."""
    _person_daily().reset(str(user.pk), events=[LOCKED])


def _second_step_locked_until(user: User, source: str) -> dt.datetime | None:
    """When this source may try again, if it is waiting now: its own back-off, or its hourly limit
    for the person. Over the person's daily limit every address waits: TwoFactorLockedForAccount."""
    daily = _person_daily()
    if daily.count(str(user.pk)) >= daily.limit:
        raise TwoFactorLockedForAccount(until=daily.reopens_at())
    now = timezone.now()
    failures = SecondStepFailures.objects.filter(user=user, source=_source_key(source)).first()
    if failures is not None and failures.locked_until is not None and failures.locked_until > now:
        return failures.locked_until
    hourly = _hourly()
    if hourly.count(_hourly_key(user, source)) >= hourly.limit:
        return hourly.reopens_at()
    return None


def _hourly_key(user: User, source: str) -> str:
    """The hourly limit counts per person and source: someone with the password and a few
    addresses cannot use up the owner's tries (docs/accounts.md)."""
    return f"{user.pk}:{_source_key(source)}"


def _count_failure(user: User, source: str) -> dt.datetime | None:
    """Count a wrong code from `source`; the time it is locked until, when this locks it (audited,
    with how long, never the address)."""
    now = timezone.now()
    failures, _created = SecondStepFailures.objects.select_for_update().get_or_create(
        user=user, source=_source_key(source), defaults={"failures": 0, "last_failure_at": now}
    )
    if now - failures.last_failure_at > dt.timedelta(days=1):
        failures.failures = 0  # a day without wrong codes: the back-off starts afresh
    failures.failures += 1
    failures.last_failure_at = now
    over = failures.failures - settings.KAIKUKANTA_OTP_FAILURE_LIMIT
    locked: dt.datetime | None = None
    if over >= 0:
        minutes = min(
            settings.KAIKUKANTA_OTP_LOCKOUT_MINUTES * 2 ** min(over, 16),
            settings.KAIKUKANTA_OTP_LOCKOUT_MAX_MINUTES,
        )
        locked = now + dt.timedelta(minutes=minutes)
        failures.locked_until = locked
    failures.save()
    hourly = _hourly()
    key = _hourly_key(user, source)
    if hourly.hit(key) >= hourly.limit and hourly.first_time(LOCKED, key):
        record(
            actor=user,
            action=Action.TWO_FACTOR_LOCKED,
            target=user,
            data={"hourly_limit": hourly.limit},
        )
    daily = _person_daily()
    if daily.hit(str(user.pk)) >= daily.limit and daily.first_time(LOCKED, str(user.pk)):
        record(
            actor=user,
            action=Action.TWO_FACTOR_LOCKED,
            target=user,
            data={"daily_limit": daily.limit},
        )
    if locked is not None:
        record(
            actor=user,
            action=Action.TWO_FACTOR_LOCKED,
            target=user,
            data={"failures": failures.failures, "minutes": minutes},
        )
    return locked


def pass_second_step(*, user: User, code: str, source: str = "") -> tuple[Any, int | None]:
    """Check the second step's code: the authenticator's 6 digits, or a recovery code (used up by
    this). Returns the device that accepted it, for django_otp.login(), and the number of recovery
    codes left when one was used (None for an authenticator code).

    Wrong codes are counted per `source` (the client's address), both kinds together: after
    KAIKUKANTA_OTP_FAILURE_LIMIT in a row that source waits, longer after each further one
    (SecondStepFailures), and at most KAIKUKANTA_OTP_HOURLY_LIMIT an hour, checked before the code
    is even looked at; a person's right code from another source still passes, until the person's
    wrong codes from all sources reach KAIKUKANTA_OTP_PERSON_DAILY_LIMIT in a day. Each wrong code and each lock is audited, without what was typed."""
    code = _normalised(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise TwoFactorNotSetUp()
        until = _second_step_locked_until(user, source)
        if until is not None:
            raise TwoFactorLocked(until=until)
        accepted: Any = None
        left: int | None = None
        if code.isdigit() and len(code) == device.digits:
            if device.verify_token(code):
                accepted = device
        elif code:
            recovery = _use_recovery_code(user, code)
            if recovery is not None:
                accepted = recovery
                left = recovery_codes_left(user)
                record(
                    actor=user,
                    action=Action.RECOVERY_CODE_USED,
                    target=user,
                    data={"left": left},
                )
        if accepted is None:
            until = _count_failure(user, source)
            record(
                actor=user,
                action=Action.TWO_FACTOR_FAILED,
                target=user,
                data={
                    "failures": SecondStepFailures.objects.get(
                        user=user, source=_source_key(source)
                    ).failures
                },
            )
        else:
            SecondStepFailures.objects.filter(user=user, source=_source_key(source)).delete()
    if accepted is None:
        if until is not None:
            raise TwoFactorLocked(until=until)
        raise TwoFactorCodeNotValid()
    return accepted, left


def renew_recovery_codes(*, user: User) -> list[str]:
    """A verified person's own new set of recovery codes; the old ones stop working."""
    if two_factor_device(user) is None:
        raise TwoFactorNotSetUp()
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(actor=user, action=Action.RECOVERY_CODES_RENEWED, target=user)
    return codes


def may_reset_two_factor(actor: Any, user: User) -> bool:
    """A national administrator may reset anyone's two-factor authentication, a coordinator that of
    people whose accounts they run (the same rule as deactivating); nobody their own."""
    return user.pk != getattr(actor, "pk", None) and _manages(actor, user)


def check_reset_two_factor(*, actor: Any, user: User) -> None:
    """Raise the error resetting `user`'s two-factor authentication would give, without resetting
    (for the confirmation page)."""
    if not may_reset_two_factor(actor, user):
        raise _refusal(actor, user)


def reset_two_factor(*, actor: Any, user: User) -> None:
    """A lost phone: remove the person's authenticator and recovery codes. They set it up again
    at their next login; a session of theirs that passed the step before no longer counts."""
    check_reset_two_factor(actor=actor, user=user)
    from .tokens import revoke_tokens_of

    with transaction.atomic():
        token_cache.invalidate()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        SecondStepFailures.objects.filter(user=user).delete()
        _lift_person_daily_lock(user)
        record(actor=actor, action=Action.TWO_FACTOR_RESET, target=user)
        # A token made behind the old second step would skip the new one.
        revoke_tokens_of(actor=actor, user=user)
