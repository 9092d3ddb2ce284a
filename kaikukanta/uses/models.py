"""Uses: every free ticket or course place obtained with a card, as recorded by the venue.

One use is one entry ticket, one course place or one season pass, with the holder's own ticket and the
number of child tickets counted separately. A community-card group visit is recorded as one use for the
community card (the accompanying worker, and the clients under the age limit who come without a card,
counted in `clients_without_card`, never as child tickets) and one for each member's own card, tied
together by a `GroupVisit`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.scope import scope_for
from kaikukanta.network.models import Venue


class UseKind(models.TextChoices):
    ENTRY_TICKET = "entry_ticket", _("entry ticket")
    COURSE_PLACE = "course_place", _("course place")
    SEASON_PASS = "season_pass", _("season pass")


class RemovalReason(models.TextChoices):
    """Why a regional coordinator removed a use or a group visit recorded by mistake
    (uses.services.remove_use / remove_group_visit): a fixed list, kept in the audit trail by its
    code, so that the trail holds no free text a person typed."""

    RECORDED_TWICE = "recorded_twice", _("recorded twice")
    WRONG_CARD = "wrong_card", _("recorded on the wrong card")
    WRONG_VENUE = "wrong_venue", _("recorded at the wrong venue")
    TEST_ENTRY = "test_entry", _("a test entry, not a real visit")


class UseQuerySet(models.QuerySet["Use"]):
    def visible_to(self, user: Any) -> UseQuerySet:
        """National admins: all. Coordinators: uses at their regions' venues and uses of their
        regions' cards. Distributor staff: uses of the cards they see. Venue staff: their venues'.

        A coordinator's uses are found in this table alone, by venue key and by the card's region
        copied onto the use (`card_region`), each with an index in time order: joining ten million
        uses to their cards and venues to test either region would cost seconds."""
        scope = scope_for(user)
        if scope.national:
            return self.all()
        regions = scope.coordinator_regions
        condition = Q(venue__in=scope.venues)
        if regions:
            # The venues' keys as a list, not a subquery: PostgreSQL can then count and find
            # rare rows with both indexes at once (a BitmapOr), which a subquery in an OR prevents.
            venues = Venue.objects.filter(region__in=regions).values_list("pk", flat=True)
            condition |= Q(venue__in=list(venues)) | Q(card_region__in=regions)
        if scope.distributor_sites:
            condition |= Q(card__issuing_site__in=scope.distributor_sites)
        if scope.distributor_organisations:
            condition |= Q(
                card__card_type="community",
                card__issuing_site__organisation__in=scope.distributor_organisations,
            )
        return self.filter(condition)

    def in_scope_period(self, user: Any) -> UseQuerySet:
        """The same uses, within the period the user's scope has uses in: from the first to the last
        use at their venues and of their regions' cards, read from the two ends of each of those
        indexes (a few index probes); for distributor staff, from the day the first of their cards
        was issued (no card is used before its issue day, Card.refusal_on).

        For a list read in time order. PostgreSQL reads a scope made of several parts (an OR) by
        walking the time index and testing every use, as if the scope's uses were spread evenly over
        time; where they begin late (a pilot begun this year, a new site) or end early (a pilot that
        ended), it would first walk past years of other regions' uses. A use recorded after the
        bounds were read falls outside them, as it would if the page had been read a moment earlier.
        National administrators see every use: no bounds."""
        if scope_for(user).national:
            return self
        first, last = self.scope_period(user)
        if first is None:
            return self.none()
        bounded = self.filter(occurred_at__gte=first)
        return bounded if last is None else bounded.filter(occurred_at__lte=last)

    def scope_period(self, user) -> tuple[dt.datetime | None, dt.datetime | None]:
        """(first, last): no use the user sees falls outside them (last None: no end); (None, None):
        the user sees no use. Not for national administrators (their period is everything)."""
        from kaikukanta.cards.models import Card
        from kaikukanta.network.models import DistributorSite, Region

        scope = scope_for(user)
        uses = self.model._default_manager
        firsts: list[dt.datetime] = []
        lasts: list[dt.datetime | None] = []

        def probe(owners: models.QuerySet, field: str) -> None:
            """The first and last use of each owner (venue, card region), one query."""
            mine = uses.filter(**{field: OuterRef("pk")})
            for first, last in owners.annotate(
                first=Subquery(mine.order_by("occurred_at").values("occurred_at")[:1]),
                last=Subquery(mine.order_by("-occurred_at").values("occurred_at")[:1]),
            ).values_list("first", "last"):
                if first is not None:
                    firsts.append(first)
                    lasts.append(last)

        venues = set(scope.venues)
        if scope.coordinator_regions:
            regions = scope.coordinator_regions
            venues |= set(Venue.objects.filter(region__in=regions).values_list("pk", flat=True))
            probe(Region.objects.filter(pk__in=regions), "card_region")
        if venues:
            probe(Venue.objects.filter(pk__in=venues), "venue")
        if scope.distributor_sites or scope.distributor_organisations:
            first_issue = Subquery(
                Card.objects.filter(issuing_site=OuterRef("pk"))
                .order_by("issued_on")
                .values("issued_on")[:1]
            )
            days = list(
                DistributorSite.objects.filter(pk__in=scope.distributor_sites)
                .annotate(first=first_issue)
                .values_list("first", flat=True)
            )
            days.append(
                Card.objects.filter(
                    card_type="community",
                    issuing_site__organisation__in=scope.distributor_organisations,
                ).aggregate(first=Min("issued_on"))["first"]
            )
            days = [day for day in days if day is not None]
            if days:
                midnight = dt.datetime.combine(min(days), dt.time())
                firsts.append(timezone.make_aware(midnight, timezone.get_default_timezone()))
                lasts.append(None)  # cards keep being used: no end
        if not firsts:
            return None, None
        known = [last for last in lasts if last is not None]
        return min(firsts), None if len(known) < len(lasts) else max(known)


class GroupVisitQuerySet(models.QuerySet["GroupVisit"]):
    def visible_to(self, user: Any) -> GroupVisitQuerySet:
        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(venue__region__in=scope.coordinator_regions)
            | Q(community_card__region__in=scope.coordinator_regions)
            | Q(venue__in=scope.venues)
            | Q(community_card__issuing_site__organisation__in=scope.distributor_organisations)
        )


class GroupVisit(models.Model):
    community_card = models.ForeignKey(
        "cards.Card",
        verbose_name=_("community card"),
        on_delete=models.PROTECT,
        related_name="group_visits",
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="group_visits"
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_visits",
    )
    occurred_at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    idempotency_key = models.CharField(_("request key"), max_length=64)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = GroupVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("group visit")
        verbose_name_plural = _("group visits")
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "idempotency_key"], name="group_visit_unique_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_card} @ {self.venue} {self.occurred_at:%Y-%m-%d}"


class Use(models.Model):
    # Indexes: card, venue and the card's region lead the composite indexes in Meta; event, group
    # visit and recorder are empty on most uses, so their indexes in Meta are partial.
    card = models.ForeignKey(
        "cards.Card",
        verbose_name=_("card"),
        on_delete=models.PROTECT,
        related_name="uses",
        db_index=False,
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        related_name="uses",
        db_index=False,
    )
    # The card's region, copied from the card when the use is recorded (uses/services.py), so that
    # a coordinator's uses are read from this table by an index (UseQuerySet.visible_to). A card's
    # region never changes (a holder who moves gets a new card from the new region's distributor,
    # and nothing updates Card.region), so the copy cannot drift from the card.
    card_region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region of the card"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uses",
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("time"))
    category = models.CharField(_("category"), max_length=16, choices=Venue.Category.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=UseKind.choices)
    adult_ticket = models.BooleanField(_("holder's own ticket"), default=True)
    child_tickets = models.PositiveSmallIntegerField(_("child tickets"), default=0)
    # A community card's use in a group visit: the clients under the community-card age limit who
    # came without a card of their own (the accompanying worker is `adult_ticket`). They are neither
    # the holder's children nor child tickets, and are counted, exported and shown as what they are.
    clients_without_card = models.PositiveSmallIntegerField(
        _("clients without a card"), default=0, db_default=0
    )
    group_visit = models.ForeignKey(
        GroupVisit,
        verbose_name=_("group visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uses",
        db_index=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # Chosen by the client (a UUID per attempt); a retried request with the same key records nothing
    # new. Members of a group visit get the group's key with their position appended.
    idempotency_key = models.CharField(_("request key"), max_length=80)

    objects = UseQuerySet.as_manager()

    class Meta:
        verbose_name = _("use")
        verbose_name_plural = _("uses")
        ordering = ["-occurred_at", "-pk"]
        # The lists show uses newest first, the key breaking ties (web/pagination.py): the indexes
        # go on with (occurred_at, id), so that any page, the last one too, is read in index order.
        # A venue's and a card's (so a distributor's) indexes carry the category and kind as well:
        # the list's filters on them, and its count, are then answered from the index alone, without
        # reading each of a busy venue's million uses.
        indexes = [
            models.Index(
                fields=["card", "occurred_at", "id", "category", "kind"], name="use_card_time_kind"
            ),
            models.Index(
                fields=["venue", "occurred_at", "id", "category", "kind"],
                name="use_venue_time_kind",
            ),
            models.Index(
                fields=["card_region", "occurred_at", "id"], name="use_card_region_time_id"
            ),
            models.Index(fields=["occurred_at", "id"], name="use_time_id"),
            # The API's "since my last sync" (GET /api/v1/uses?since=<moment>) asks by when the
            # registry recorded each use, newest first.
            models.Index(fields=["venue", "recorded_at", "id"], name="use_venue_recorded"),
            models.Index(fields=["event"], name="use_event", condition=Q(event__isnull=False)),
            models.Index(
                fields=["group_visit"],
                name="use_group_visit",
                condition=Q(group_visit__isnull=False),
            ),
            models.Index(
                fields=["recorded_by"],
                name="use_recorded_by",
                condition=Q(recorded_by__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["venue", "idempotency_key"], name="use_unique_request"),
            models.CheckConstraint(
                name="use_has_a_ticket",
                condition=Q(adult_ticket=True) | Q(child_tickets__gt=0),
            ),
            models.CheckConstraint(
                name="use_children_only_with_entry_tickets",
                condition=Q(child_tickets=0) | Q(kind=UseKind.ENTRY_TICKET),
            ),
            models.CheckConstraint(
                name="use_clients_without_card_only_in_group_visits",
                condition=Q(clients_without_card=0) | Q(group_visit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card} @ {self.venue} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def tickets(self) -> int:
        return int(self.adult_ticket) + self.child_tickets + self.clients_without_card


class CancelledRequestQuerySet(models.QuerySet["CancelledRequest"]):
    def visible_to(self, user: Any) -> CancelledRequestQuerySet:
        return self.filter(venue__in=Venue.objects.acted_for_by(user))


class CancelledRequest(models.Model):
    """The request key of a use that was cancelled (the use itself is removed, the audit trail keeps
    what it was): a retry of that request, from an offline queue say, is refused instead of recording
    the use a second time."""

    venue = models.ForeignKey(
        "network.Venue", verbose_name=_("venue"), on_delete=models.CASCADE, db_index=False
    )
    idempotency_key = models.CharField(_("request key"), max_length=80)
    cancelled_at = models.DateTimeField(_("cancelled"), default=timezone.now)

    objects = CancelledRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("cancelled request")
        verbose_name_plural = _("cancelled requests")
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "idempotency_key"], name="cancelled_request_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.venue_id}:{self.idempotency_key}"


class RefusedRequestQuerySet(models.QuerySet["RefusedRequest"]):
    def visible_to(self, user: Any) -> RefusedRequestQuerySet:
        return self.filter(venue__in=Venue.objects.acted_for_by(user))


class RefusedRequest(models.Model):
    """The request key of a use or group visit the rules refused, with the refusal's code: a retry of
    that request (its answer lost on the way, an offline queue sending it again) is refused again,
    but audited, and counted towards the look-up limits, once (uses.services._refused)."""

    venue = models.ForeignKey(
        "network.Venue", verbose_name=_("venue"), on_delete=models.CASCADE, db_index=False
    )
    idempotency_key = models.CharField(_("request key"), max_length=80)
    code = models.CharField(_("refusal"), max_length=64)
    refused_at = models.DateTimeField(_("refused"), default=timezone.now)

    objects = RefusedRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("refused request")
        verbose_name_plural = _("refused requests")
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "idempotency_key", "code"], name="refused_request_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.venue_id}:{self.idempotency_key}:{self.code}"
