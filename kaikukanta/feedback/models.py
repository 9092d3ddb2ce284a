"""Anonymous feedback a cardholder sends from the mobile card.

It keeps the region and the day only: never the card, the hand-over link or the time of day, so that
nothing a coordinator sees links an item to a card (the mobile card's openings are audited with their
time). The form asks the holder not to write names; a coordinator reads each item before marking it
publishable, and only publishable items appear in the public catalogue as quotes."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for

MAX_TEXT = 1000


class FeedbackQuerySet(models.QuerySet["Feedback"]):
    def visible_to(self, user: Any) -> FeedbackQuerySet:
        """The feedback of the regions the user coordinates (all of it, nationally)."""
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(region__in=scope.coordinator_regions)

    def published(self) -> FeedbackQuerySet:
        """What the public catalogue quotes: items a coordinator marked publishable, with text."""
        return self.filter(publishable=True).exclude(text="")


class Feedback(models.Model):
    # A random key: a sequence would give the order in which items came, which the times of the
    # cards' own events could then be matched with.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("feedback"), blank=True, max_length=MAX_TEXT)
    language = models.CharField(_("language"), max_length=2, blank=True)
    received_on = models.DateField(_("received"))
    publishable = models.BooleanField(_("publishable"), default=False)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_on", "pk"]  # within a day, in no telling order
        indexes = [models.Index(fields=["region", "received_on"], name="feedback_region_day")]
        constraints = [
            models.CheckConstraint(
                name="feedback_rating_range", condition=Q(rating__gte=1, rating__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.received_on} {self.rating}/5"
