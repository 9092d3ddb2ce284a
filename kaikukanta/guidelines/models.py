"""The national guideline: versions the national service publishes, and each distributor site's and
venue's acknowledgement of a version (who, when, which version)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GuidelineVersionQuerySet(models.QuerySet["GuidelineVersion"]):
    def visible_to(self, user: Any) -> GuidelineVersionQuerySet:
        """Every staff member with a role reads the guideline."""
        from kaikukanta.accounts.scope import scope_for

        return self if scope_for(user).has_any_role else self.none()

    def current(self) -> GuidelineVersion | None:
        return self.order_by("-published_at", "-pk").first()


class GuidelineVersion(models.Model):
    version = models.CharField(_("version"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("address of the guideline"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = GuidelineVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("guideline version")
        verbose_name_plural = _("guideline versions")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class AcknowledgementQuerySet(models.QuerySet["Acknowledgement"]):
    def visible_to(self, user: Any) -> AcknowledgementQuerySet:
        """National admins all; coordinators their regions' sites and venues; staff their own."""
        from kaikukanta.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.national:
            return self
        return self.filter(
            Q(distributor_site__region__in=scope.coordinator_regions)
            | Q(venue__region__in=scope.coordinator_regions)
            | Q(distributor_site__in=scope.distributor_sites)
            | Q(venue__in=scope.venues)
        )


class Acknowledgement(models.Model):
    version = models.ForeignKey(
        GuidelineVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    distributor_site = models.ForeignKey(
        "network.DistributorSite",
        verbose_name=_("distributor site"),
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
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.CheckConstraint(
                name="acknowledgement_one_place",
                condition=Q(distributor_site__isnull=False, venue__isnull=True)
                | Q(distributor_site__isnull=True, venue__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["version", "distributor_site"],
                name="acknowledgement_once_per_site",
                condition=Q(distributor_site__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["version", "venue"],
                name="acknowledgement_once_per_venue",
                condition=Q(venue__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.distributor_site or self.venue}"
