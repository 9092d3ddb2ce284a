"""The audit trail: who did what to which object, and every card lookup by a venue.

Events are written by the service functions in the same transaction as the change they describe, and
never edited. They name objects by type and key, not by content: an event never copies a holder's data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for


class Action(models.TextChoices):
    CARD_ISSUED = "card.issued", _("card issued")
    CARD_IMPORTED = "card.imported", _("card imported")
    CARD_RENEWED = "card.renewed", _("card renewed")
    CARD_CLOSED = "card.closed", _("card closed")
    CARD_REPLACED = "card.replaced", _("card replaced")
    CARD_VIEWED = "card.viewed", _("card looked up")
    CARD_CHECKED = "card.checked", _("card checked by a venue")
    CARD_STATES_SYNCED = "card_states.synced", _("box office's list of card states fetched")
    USE_RECORDED = "use.recorded", _("use recorded")
    USE_REJECTED = "use.rejected", _("use refused")
    GROUP_VISIT_RECORDED = "group_visit.recorded", _("group visit recorded")
    EVENT_CREATED = "event.created", _("event created")
    EVENT_CHANGED = "event.changed", _("event changed")
    OBJECT_CREATED = "object.created", _("created in administration")
    OBJECT_CHANGED = "object.changed", _("changed in administration")
    OBJECT_DELETED = "object.deleted", _("deleted in administration")
    ROLE_GRANTED = "role.granted", _("role granted")
    ROLE_REVOKED = "role.revoked", _("role revoked")
    USER_DEACTIVATED = "user.deactivated", _("user deactivated")
    DATA_LOADED = "data.loaded", _("data loaded")
    LOOKUPS_FLAGGED = "lookups.flagged", _("many unknown card numbers looked up")
    LOOKUP_REFUSED = "lookup.refused", _("card look-up refused: too many")
    LOOKUP_LOCK_LIFTED = "lookup.lock_lifted", _("card look-up lock lifted")
    # The workspaces: distributors, venues, the cardholder's own card, coordinators.
    CARD_UPDATED = "card.updated", _("card holder data updated")
    CARD_HANDED_OVER = "card.handed_over", _("mobile card link given")
    HAND_OVER_REVOKED = "card.hand_over_revoked", _("mobile card link revoked")
    MOBILE_CARD_OPENED = "card.mobile_opened", _("mobile card opened by its holder")
    CARD_STOCK_CREATED = "card_stock.created", _("card stock batch created")
    REMINDER_SENT = "reminder.sent", _("expiry reminder sent")
    USE_CANCELLED = "use.cancelled", _("use cancelled")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    FEEDBACK_RECEIVED = "feedback.received", _("holder feedback received")
    FEEDBACK_PUBLISHED = "feedback.published", _("holder feedback published")
    CATALOGUE_CHANGED = "catalogue.changed", _("catalogue entry changed")
    CARD_STOCK_PRINTED = "card_stock.printed", _("card stock batch printed")
    USES_EXPORTED = "uses.exported", _("uses exported")
    # Two-factor authentication: the event never holds a code, a key or what was typed.
    TWO_FACTOR_ENABLED = "2fa.enabled", _("two-factor authentication set up")
    TWO_FACTOR_FAILED = "2fa.failed", _("wrong two-factor code")
    RECOVERY_CODE_USED = "2fa.recovery_code_used", _("recovery code used")
    RECOVERY_CODES_RENEWED = "2fa.recovery_codes_renewed", _("new recovery codes created")
    TWO_FACTOR_RESET = "2fa.reset", _("two-factor authentication reset")
    TWO_FACTOR_LOCKED = "2fa.locked", _("second step locked after wrong codes")
    # Accounts: an invitation sent again, a password reset by e-mail (asked for; done).
    INVITATION_RESENT = "invitation.resent", _("invitation sent again")
    PASSWORD_RESET_REQUESTED = "password.reset_requested", _("password reset link sent")
    PASSWORD_RESET_DONE = "password.reset_done", _("password reset by e-mail")
    # The retention job (core/retention.py): how many of each were deleted, never what.
    DATA_PURGED = "data.purged", _("old data deleted by the retention policy")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        scope = scope_for(user)
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
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
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


class FlagQuerySet(models.QuerySet["Flag"]):
    def visible_to(self, user: Any) -> FlagQuerySet:
        """National admins: every flag (pop-up venues belong to no region). Coordinators: their
        regions' flags. Nobody else: the flag is about them or their colleagues."""
        scope = scope_for(user)
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
