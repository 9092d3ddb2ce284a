"""Staff users of the registry and the roles that decide what each of them sees.

Users are the people who run the card programme (national service, regional coordinators, distributor and
venue staff), never cardholders: a holder has no account and no name in the registry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import RoleTargetInvalid


class User(AbstractUser):
    # The language the person last chose in the pages (fi, sv or en), for what the registry sends
    # them outside a page: the expiry reminders. Empty until they choose: Finnish.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def scope(self) -> Any:
        """What the user sees and does (accounts/scope.py `scope_for`, the one place that decides):
        how the layers below the accounts (the audit trail's `visible_to`) ask it without importing
        the accounts. An anonymous visitor has no `scope`: they see nothing."""
        from .scope import scope_for

        return scope_for(self)


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("national administrator")
    COORDINATOR_CULTURE = "coordinator_culture", _("regional coordinator, culture")
    COORDINATOR_SOTE = "coordinator_sote", _("regional coordinator, social and health services")
    DISTRIBUTOR_STAFF = "distributor_staff", _("distributor staff")
    VENUE_STAFF = "venue_staff", _("venue staff")


COORDINATOR_ROLES = (Role.COORDINATOR_CULTURE, Role.COORDINATOR_SOTE)
ALREADY_GRANTED = _("The user already has this role.")


class RoleAssignment(models.Model):
    """One role of one user: national, for a region, or at one distributor site or venue."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    distributor_site = models.ForeignKey(
        "network.DistributorSite",
        verbose_name=_("distributor site"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    venue = models.ForeignKey(
        "network.Venue",
        verbose_name=_("venue"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["user", "role"]
        constraints = [
            # Each role names exactly the object it is for, and nothing else.
            models.CheckConstraint(
                name="role_names_its_object",
                condition=Q(
                    role=Role.NATIONAL_ADMIN,
                    region__isnull=True,
                    distributor_site__isnull=True,
                    venue__isnull=True,
                )
                | Q(
                    role__in=COORDINATOR_ROLES,
                    region__isnull=False,
                    distributor_site__isnull=True,
                    venue__isnull=True,
                )
                | Q(
                    role=Role.DISTRIBUTOR_STAFF,
                    region__isnull=True,
                    distributor_site__isnull=False,
                    venue__isnull=True,
                )
                | Q(
                    role=Role.VENUE_STAFF,
                    region__isnull=True,
                    distributor_site__isnull=True,
                    venue__isnull=False,
                ),
                violation_error_message=RoleTargetInvalid.template,
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role=Role.NATIONAL_ADMIN),
                name="role_unique_national",
                violation_error_message=ALREADY_GRANTED,
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="role_unique_region",
                violation_error_message=ALREADY_GRANTED,
            ),
            models.UniqueConstraint(
                fields=["user", "distributor_site"],
                condition=Q(distributor_site__isnull=False),
                name="role_unique_distributor_site",
                violation_error_message=ALREADY_GRANTED,
            ),
            models.UniqueConstraint(
                fields=["user", "venue"],
                condition=Q(venue__isnull=False),
                name="role_unique_venue",
                violation_error_message=ALREADY_GRANTED,
            ),
        ]

    def __str__(self) -> str:
        target = self.region or self.distributor_site or self.venue
        label = self.get_role_display()
        return f"{label}: {target}" if target else str(label)


def invitation_days() -> int:
    """How many days an invitation link works (KAIKUKANTA_INVITATION_DAYS): the one source for the
    expiry the service sets and for every text that tells the number."""
    return int(settings.KAIKUKANTA_INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def visible_to(self, user: Any) -> InvitationQuerySet:
        """National administrators see every invitation; others those they sent."""
        from .scope import scope_for

        scope = scope_for(user)
        if scope.national:
            return self
        if not scope.has_any_role:
            return self.none()
        return self.filter(invited_by=user)


class Invitation(models.Model):
    """A single-use link that lets an invited staff member set their password, sent by e-mail.
    Only the SHA-256 of its secret is stored; it expires after KAIKUKANTA_INVITATION_DAYS."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="invitations"
    )
    secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at


def recovery_code_digest(salt: str, code: str) -> str:
    """The stored form of a recovery code: HMAC-SHA-256 of the code under its own random salt
    (ASVS 2.6.2). The code itself (80 random bits) is shown once and kept nowhere."""
    return hmac.new(salt.encode(), code.encode(), hashlib.sha256).hexdigest()


class RecoveryCode(models.Model):
    """One unused recovery code of a person's two-factor authentication, hashed. The session that
    passes the second step with one is named by the person's recovery-code device of django-otp
    (a StaticDevice without tokens of its own: django-otp would keep them in plain text)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    salt = models.CharField(_("salt"), max_length=32)
    digest = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} {self.pk}"

    @classmethod
    def hashed(cls, user: User, code: str) -> RecoveryCode:
        salt = secrets.token_hex(16)
        return cls(user=user, salt=salt, digest=recovery_code_digest(salt, code))

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.digest, recovery_code_digest(self.salt, code))


class SecondStepFailures(models.Model):
    """Wrong codes at the second step of logging in from one source (the client's address, kept
    as its HMAC-SHA-256 keyed with SECRET_KEY: core/digests.py) for one person. After KAIKUKANTA_OTP_FAILURE_LIMIT of them that source waits
    KAIKUKANTA_OTP_LOCKOUT_MINUTES, twice as long after each further wrong code, at most
    KAIKUKANTA_OTP_LOCKOUT_MAX_MINUTES; a day without a wrong code starts it afresh. The owner
    elsewhere is not locked out by someone who knows only the password."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("source (SHA-256)"), max_length=64)
    failures = models.PositiveIntegerField(_("wrong codes"), default=0)
    last_failure_at = models.DateTimeField(_("last wrong code"), default=timezone.now)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("wrong second-step codes")
        verbose_name_plural = _("wrong second-step codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "source"], name="second_step_failures_source")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.failures}"


# The API token model is defined in tokens.py (with the services that revoke tokens); imported here so
# that Django registers it with the accounts app.
from .tokens import ApiToken as ApiToken  # noqa: E402


class SignInIdentity(models.Model):
    """A person's identity at an OpenID Connect provider (accounts/oidc.py): the provider's short name
    in the settings and its stable subject (`sub`), linked to one Kaikukanta account. No e-mail address
    is kept here: the link is made once, then only the subject counts."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="sign_in_identities"
    )
    provider = models.CharField(_("identity provider"), max_length=64)
    subject = models.CharField(_("subject at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    # The last sign-in whose token said multi-factor: from then on this person's second step is the
    # provider's, and a sign-in without it may not set up an authenticator of Kaikukanta's instead
    # (accounts/oidc.py own_authenticator_refused).
    multi_factor_at = models.DateTimeField(_("last multi-factor sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_unique_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="identity_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.provider}"
