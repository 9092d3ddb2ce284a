"""The audit trail: who did what to which object, and every card lookup by a venue.

Events are written by the service functions in the same transaction as the change they describe, and
never edited. They name objects by type and key, not by content: an event never copies a holder's data.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The verbs are registered by their apps (audit/actions.py); named here for the services and tests.
from .actions import Action as Action
from .actions import label_of


class ReaderScope(Protocol):
    """What the audit trail asks of a reader's scope (accounts.scope.Scope). The audit sits below
    the accounts, so it never imports them: it reads `user.scope`, a property of the accounts' User
    (dependency inversion; an anonymous visitor has none and sees nothing)."""

    @property
    def national(self) -> bool: ...

    @property
    def has_any_role(self) -> bool: ...

    @property
    def coordinator_regions(self) -> frozenset[int]: ...


def scope_of(user: Any) -> ReaderScope | None:
    """The reader's scope, or None for one that has none (anonymous, None)."""
    return getattr(user, "scope", None)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        scope = scope_of(user)
        if scope is None:
            return self.none()
        if scope.national:
            return self.all()
        if not scope.has_any_role:
            return self.none()
        return self.filter(Q(region__in=scope.coordinator_regions) | Q(actor=user))


class AuditEvent(models.Model):
    # Indexed by the composite indexes in Meta, as are actor and region, which lead some of them.
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The user name at the time, kept when the account is later removed.
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    # A registered verb (audit/actions.py), validated when the event is written: not database choices,
    # so that a new verb is no migration.
    action = models.CharField(_("action"), max_length=32)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object key"), max_length=64, blank=True)
    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    venue = models.ForeignKey(
        "network.Venue",
        verbose_name=_("venue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-pk"]
        # The trail is read newest first, the key breaking ties (web/views/audit.py), whole or by
        # region, action or actor (a coordinator sees their regions' events and their own): each
        # of these indexes gives a page, the last one too, in index order.
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["occurred_at", "id"], name="audit_time_id"),
            models.Index(fields=["region", "occurred_at", "id"], name="audit_region_time_id"),
            models.Index(fields=["actor", "occurred_at", "id"], name="audit_actor_time_id"),
            models.Index(fields=["action", "occurred_at", "id"], name="audit_action_time_id"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    @property
    def action_label(self) -> str:
        """The verb's text from the app that owns it, in the active language."""
        return label_of(self.action)


class FlagQuerySet(models.QuerySet["Flag"]):
    def visible_to(self, user: Any) -> FlagQuerySet:
        """National admins: every flag (pop-up venues belong to no region). Coordinators: their
        regions' flags. Nobody else: the flag is about them or their colleagues."""
        scope = scope_of(user)
        if scope is None:
            return self.none()
        if scope.national:
            return self.all()
        return self.filter(region__in=scope.coordinator_regions)


class Flag(models.Model):
    """Something the region's coordinators should look into, raised by the registry itself: for now,
    a look-up sweep (many card numbers that match no card, from one venue or one user), which is how
    valid numbers can be found by guessing. It names who and where, never what was typed."""

    class Kind(models.TextChoices):
        LOOKUP_SWEEP = "lookup_sweep", _("many card numbers that match no card")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    raised_at = models.DateTimeField(_("time"), default=timezone.now)
    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    venue = models.ForeignKey(
        "network.Venue",
        verbose_name=_("venue"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    count = models.PositiveIntegerField(_("failed look-ups"))
    minutes = models.PositiveIntegerField(_("within minutes"))

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["region", "raised_at"], name="flag_region_time")]

    def __str__(self) -> str:
        return f"{self.raised_at:%Y-%m-%d %H:%M} {self.get_kind_display()}"
