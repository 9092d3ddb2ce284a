"""A venue's events and offers (a concert, an exhibition, a course), optionally with a cap on the number
of cardholder tickets. The venue marks an event sold out; cardholders get nothing for a sold-out event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.network.models import Venue


class EventQuerySet(models.QuerySet["Event"]):
    def upcoming(self, day: dt.date) -> EventQuerySet:
        """Events still to come on `day`: those not begun before it (by the local date of their
        start), and those without a time. The one rule the box office, the venue's event list and
        the API's event list read."""
        return self.filter(Q(starts_at__isnull=True) | Q(starts_at__date__gte=day))

    def visible_to(self, user: Any) -> EventQuerySet:
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(venue__region__in=scope.coordinator_regions) | Q(venue__in=scope.venues)
        )

    def with_tickets_taken(self) -> EventQuerySet:
        """Each event's cardholder tickets given so far (`taken_count`), in the same query: the
        count `Event.tickets_taken` makes for one event, for a list."""
        Use = apps.get_model("uses", "Use")
        taken = (
            Use.objects.filter(event=OuterRef("pk"))
            .order_by()
            .values("event")
            .annotate(n=_TAKEN)
            .values("n")
        )
        return self.annotate(
            taken_count=Coalesce(Subquery(taken, output_field=IntegerField()), Value(0))
        )


# Cardholder tickets of a set of uses: each holder's own ticket, each child ticket, and each client
# without a card who came on a community card.
_TAKEN = (
    Count("pk", filter=Q(adult_ticket=True))
    + Coalesce(Sum("child_tickets"), 0)
    + Coalesce(Sum("clients_without_card"), 0)
)


# The largest cardholder quota: what the database's integer column holds (PostgreSQL's integer).
MAX_QUOTA = 2_147_483_647


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

    def tickets_taken(self) -> int:
        """The cardholder tickets given for this event so far (adults and children together)."""
        Use = apps.get_model("uses", "Use")
        return int(Use.objects.filter(event=self).aggregate(n=_TAKEN)["n"] or 0)

    def tickets_left(self, taken: int | None = None) -> int | None:
        """What is left of the cardholder quota (None: no cap; 0 when sold out)."""
        if self.sold_out:
            return 0
        if self.cardholder_quota is None:
            return None
        if taken is None:
            taken = getattr(self, "taken_count", None)
        if taken is None:
            taken = self.tickets_taken()
        return max(self.cardholder_quota - taken, 0)
