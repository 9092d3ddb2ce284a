"""A venue's events and offers (a concert, an exhibition, a course), optionally with a cap on the number
of cardholder tickets. The venue marks an event sold out; cardholders get nothing for a sold-out event."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.network.models import Venue


class EventQuerySet(models.QuerySet["Event"]):
    def visible_to(self, user: Any) -> EventQuerySet:
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(venue__region__in=scope.coordinator_regions) | Q(venue__in=scope.venues)
        )


class Event(models.Model):
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="events"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=Venue.Category.choices,
        blank=True,
        help_text=_("Empty: the venue's own category."),
    )
    cardholder_quota = models.PositiveIntegerField(
        _("cardholder tickets at most"),
        null=True,
        blank=True,
        help_text=_("Empty: no cap. Counts adult and child tickets together."),
    )
    sold_out = models.BooleanField(_("sold out"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["venue", "starts_at", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def display_name(self) -> str:
        return self.title

    @property
    def effective_category(self) -> str:
        return self.category or self.venue.category
