"""Cards and what the registry knows about their holders: nothing that identifies them.

A personal card records, besides its own dates, only the holder's birth year, postcode and number of
children and grandchildren under 18 (mandatory), and optionally life situation and gender, all from fixed
choices. There is no name, identity code, date of birth, address, phone, e-mail or free text, anywhere.
A community card belongs to a distributor organisation and has no holder data at all.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Ord, Substr
from django.db.models.lookups import Exact, Range
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.errors import DomainError

from . import identifiers
from .errors import (
    CardClosed,
    CardExpired,
    CardNotYetValid,
    CardPilotEnded,
    CommunityCardNeedsGroup,
)
from .querysets import EXPIRING_DAYS, CardQuerySet, WellbeingMeasurementQuerySet

if TYPE_CHECKING:
    from kaikukanta.network.models import Venue

MAX_CHILDREN = 20

postcode_validator = RegexValidator(
    r"^\d{5}$", _("A Finnish postcode has exactly five digits, for example 33100.")
)


class CardType(models.TextChoices):
    PERSONAL = "personal", _("personal card")
    COMMUNITY = "community", _("community card")


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("in use")
    CLOSED = "closed", _("closed")


class ClosingReason(models.TextChoices):
    LOST = "lost", _("lost")
    MOVED_AWAY = "moved_away", _("moved away from the network's area")
    NOT_ELIGIBLE = "not_eligible", _("no longer eligible")
    ON_REQUEST = "on_request", _("at the holder's request")


class LifeSituation(models.TextChoices):
    EMPLOYED = "employed", _("working")
    UNEMPLOYED = "unemployed", _("unemployed")
    STUDENT = "student", _("studying")
    PENSIONER = "pensioner", _("retired")
    ILL = "ill", _("on sick leave or unable to work")
    FAMILY = "family", _("at home looking after family")
    OTHER = "other", _("other")


class Gender(models.TextChoices):
    FEMALE = "female", _("woman")
    MALE = "male", _("man")
    OTHER = "other", _("other")


RECORD_KEYS = 256  # record keys are 0..255; stats/suppression.py's table size


def new_record_key() -> int:
    """A card's record key, drawn at issue (the model's default, so every way a card is created
    draws one): uniform over 0..RECORD_KEYS - 1."""
    return secrets.randbelow(RECORD_KEYS)


class Card(models.Model):
    # Unique through Meta.constraints, which (unlike unique=True) adds no LIKE index on PostgreSQL.
    identifier = models.CharField(_("card number"), max_length=32)
    imported = models.BooleanField(
        _("imported number"),
        default=False,
        help_text=_("Numbers from the earlier registry are kept as they are, without a check."),
    )
    card_type = models.CharField(
        _("card type"), max_length=16, choices=CardType.choices, default=CardType.PERSONAL
    )
    # Both foreign keys are indexed by the composite indexes in Meta, which lead with them.
    issuing_site = models.ForeignKey(
        "network.DistributorSite",
        verbose_name=_("issuing site"),
        on_delete=models.PROTECT,
        related_name="cards",
        db_index=False,
    )
    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="cards",
        db_index=False,
    )
    issued_on = models.DateField(_("issued"))
    renewed_on = models.DateField(_("last renewed"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=16, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # When the closing was recorded: a use made earlier on the closing day (an admission queued
    # offline, sent later) was made while the card was valid (refusal_on's `at`).
    closed_at = models.DateTimeField(_("closing recorded"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=16, choices=ClosingReason.choices, blank=True
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
    )

    # The holder, for personal cards only.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[postcode_validator]
    )
    children = models.PositiveSmallIntegerField(
        _("children and grandchildren under 18"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_CHILDREN)],
    )
    life_situation = models.CharField(
        _("life situation"), max_length=16, choices=LifeSituation.choices, blank=True
    )
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    # Set by the retention policy (stats/retention.py), which empties the holder fields above of a
    # card closed or expired long ago; the card itself, its uses and the statistics stay.
    holder_data_erased_on = models.DateField(_("holder data erased"), null=True, blank=True)

    # The card's random record key for the statistics' cell key method (stats/suppression.py): the
    # same cards always get the same small adjustment, in every table and period. Never shown.
    record_key = models.PositiveSmallIntegerField(
        _("record key"), default=new_record_key, editable=False
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["-issued_on", "-pk"]
        # In the card lists' orders (web/views/cards.py), the key breaking ties: newest issued first,
        # also within a region or a site, and soonest valid-until first for cards that expire soon.
        # Any page of a list, the last one too, is then read in index order.
        # Community cards (one in a hundred) have their own small index: their list, and a
        # distributor's cards (their sites' cards or their organisation's community cards), would
        # otherwise be found by reading every card.
        indexes = [
            models.Index(fields=["issued_on", "id"], name="card_issued_id"),
            models.Index(fields=["region", "issued_on", "id"], name="card_region_issued_id"),
            models.Index(fields=["issuing_site", "issued_on", "id"], name="card_site_issued_id"),
            models.Index(fields=["valid_until", "id"], name="card_valid_until_id"),
            models.Index(
                fields=["issued_on", "id"],
                name="card_community_issued_id",
                condition=Q(card_type=CardType.COMMUNITY),
            ),
            # The lengths of the earlier registry's numbers (cards/lookups.py kind_of): a number
            # without a valid check character is looked up as one only if an imported card has its
            # length. Only imported cards are in it, so a typo costs one probe, not a scan.
            models.Index(
                Length("identifier"),
                name="card_imported_length",
                condition=Q(imported=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["identifier"], name="card_unique_identifier"),
            models.CheckConstraint(
                name="card_holder_data_by_type",
                condition=Q(
                    card_type=CardType.PERSONAL,
                    birth_year__isnull=False,
                    children__isnull=False,
                    children__lte=MAX_CHILDREN,
                )
                & ~Q(postcode="")
                | Q(
                    card_type=CardType.PERSONAL,
                    holder_data_erased_on__isnull=False,
                    birth_year__isnull=True,
                    children__isnull=True,
                    postcode="",
                    life_situation="",
                    gender="",
                )
                | Q(
                    card_type=CardType.COMMUNITY,
                    birth_year__isnull=True,
                    children__isnull=True,
                    postcode="",
                    life_situation="",
                    gender="",
                ),
            ),
            models.CheckConstraint(
                name="card_closed_has_date_and_reason",
                condition=Q(status=CardStatus.ACTIVE, closed_on__isnull=True, closing_reason="")
                | (Q(status=CardStatus.CLOSED, closed_on__isnull=False) & ~Q(closing_reason="")),
            ),
            models.CheckConstraint(
                name="card_validity_after_issue",
                condition=Q(valid_until__gte=models.F("issued_on")),
            ),
            models.CheckConstraint(
                name="card_renewed_and_closed_after_issue",
                condition=(Q(renewed_on__isnull=True) | Q(renewed_on__gte=models.F("issued_on")))
                & (Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("issued_on"))),
            ),
            # Five ASCII digits, checked by code point so that no collation can let others through.
            models.CheckConstraint(
                name="card_postcode_five_digits",
                condition=Q(postcode="")
                | Q(
                    Exact(Length("postcode"), 5),
                    *[Range(Ord(Substr("postcode", i, 1)), (48, 57)) for i in range(1, 6)],
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_identifier

    @property
    def display_identifier(self) -> str:
        return identifiers.display(self.identifier)

    @property
    def is_community(self) -> bool:
        return self.card_type == CardType.COMMUNITY

    @property
    def is_closed(self) -> bool:
        return self.status == CardStatus.CLOSED

    # --- validity: the one definition, for a single card. `CardQuerySet.valid_on(day)` is the same
    # rule for lists and counts; tests/cards/test_validity.py holds the two to each other.

    @property
    def effective_valid_until(self) -> dt.date:
        """The last valid day: `valid_until`, or the end of the region's pilot if that was moved
        earlier after the card was issued."""
        cap = self.region.validity_cap()
        return min(self.valid_until, cap) if cap else self.valid_until

    def is_expired_on(self, day: dt.date) -> bool:
        return day > self.effective_valid_until

    def is_closed_at(self, day: dt.date, at: dt.datetime | None = None) -> bool:
        """Whether the card was closed on `day` (at the moment `at` of that day, when known): a card
        closed on a day is no longer valid that day, except before the moment its closing was
        recorded, when that was on the closing day itself (a closing typed in for an earlier day
        counts from that day's start)."""
        if self.closed_on is None or day < self.closed_on:
            return False
        if day > self.closed_on or at is None or self.closed_at is None:
            return True
        return timezone.localdate(self.closed_at) != self.closed_on or at >= self.closed_at

    def refusal_on(self, day: dt.date, *, at: dt.datetime | None = None) -> DomainError | None:
        """Why the card cannot be used on `day` (closed, expired, not yet issued), or None. A use
        typed in later is judged by its own day, and by its moment `at` when given (is_closed_at):
        an admission made while the card was valid stays valid when the card is closed later."""
        if self.is_closed_at(day, at):
            return CardClosed(identifier=self.display_identifier, closed_on=self.closed_on)
        if self.is_expired_on(day):
            ended = self.effective_valid_until
            if self.region.is_pilot and ended == self.region.pilot_ends:
                # Renewal would not help: no card of the region is valid after its pilot.
                return CardPilotEnded(
                    identifier=self.display_identifier, region=self.region, ends=ended
                )
            return CardExpired(identifier=self.display_identifier, valid_until=ended)
        if day < self.issued_on:
            return CardNotYetValid(
                identifier=self.display_identifier, issued_on=self.issued_on, day=day
            )
        return None

    def was_valid_on(self, day: dt.date) -> bool:
        return self.refusal_on(day) is None

    def holder_state_on(self, day: dt.date) -> str:
        """What the holder's mobile card says on `day`, each state showing only what is true of it
        (public/templates/public/mobile_card.html): "valid"; "expiring" (valid, its last day within
        EXPIRING_DAYS); "expired" (its validity can be extended); "pilot_ended" (it cannot: the
        region's pilot is over); "closed"; "replaced" (closed as lost, a new card carries on);
        "not_yet_valid"."""
        if self.closed_on is not None and day >= self.closed_on:
            return "replaced" if self.replaced_by_id is not None else "closed"
        if day < self.issued_on:
            return "not_yet_valid"
        refusal = self.refusal_on(day)
        if isinstance(refusal, CardPilotEnded):
            return "pilot_ended"
        if refusal is not None:
            return "expired"
        if (self.effective_valid_until - day).days <= EXPIRING_DAYS:
            return "expiring"
        return "valid"

    def status_on(self, day: dt.date) -> str:
        """ "valid", "expired" or "closed" on `day`, as lists and filters name them; "not yet valid"
        before the card was issued (no list shows cards on such a day)."""
        if self.closed_on is not None and day >= self.closed_on:
            return "closed"
        if day < self.issued_on:
            return "not yet valid"
        return "valid" if self.refusal_on(day) is None else "expired"

    def refusal_at(
        self,
        venue: Venue,
        day: dt.date,
        *,
        in_group: bool = False,
        at: dt.datetime | None = None,
    ) -> DomainError | None:
        """Why `venue` would not record a use of this card on `day` (at the moment `at` of it, for a
        use recorded later: refusal_on), or None: the card's own validity, then whether the venue
        accepts it, then that a community card is used only in a group visit (`in_group`). The
        venue's check shows exactly this refusal, and recording the use raises it, so the check
        predicts the recording."""
        refusal = self.refusal_on(day, at=at) or venue.refusal_for(self.region_id, day)
        if refusal is None and self.is_community and not in_group:
            refusal = CommunityCardNeedsGroup(identifier=self.display_identifier)
        return refusal

    def child_tickets_at(self, venue: Venue) -> int:
        """How many free child tickets a use of this card may include at `venue`: the holder's
        children and grandchildren under 18, where the venue gives child tickets at all. The check's
        answer and the recording both read it."""
        return (self.children or 0) if venue.child_tickets else 0


class WellbeingMeasurement(models.Model):
    """Voluntary wellbeing answers given at issue or renewal: the WHO-5 items and a 1-5 mood meter."""

    class Occasion(models.TextChoices):
        ISSUE = "issue", _("at issue")
        RENEWAL = "renewal", _("at renewal")

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.CASCADE, related_name="wellbeing"
    )
    occasion = models.CharField(_("occasion"), max_length=8, choices=Occasion.choices)
    measured_on = models.DateField(_("date"))
    who5_1 = models.PositiveSmallIntegerField(
        _("WHO-5: cheerful and in good spirits"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(5)],
    )
    who5_2 = models.PositiveSmallIntegerField(
        _("WHO-5: calm and relaxed"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    who5_3 = models.PositiveSmallIntegerField(
        _("WHO-5: active and vigorous"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    who5_4 = models.PositiveSmallIntegerField(
        _("WHO-5: woke up fresh and rested"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(5)],
    )
    who5_5 = models.PositiveSmallIntegerField(
        _("WHO-5: daily life filled with interesting things"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(5)],
    )
    mood = models.PositiveSmallIntegerField(
        _("mood (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    objects = WellbeingMeasurementQuerySet.as_manager()

    WHO5_FIELDS = ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")

    class Meta:
        verbose_name = _("wellbeing measurement")
        verbose_name_plural = _("wellbeing measurements")
        ordering = ["card", "measured_on"]
        constraints = [
            # WHO-5 is scored from all five answers: either all are given or none.
            models.CheckConstraint(
                name="wellbeing_who5_all_or_none",
                condition=Q(
                    who5_1__isnull=True,
                    who5_2__isnull=True,
                    who5_3__isnull=True,
                    who5_4__isnull=True,
                    who5_5__isnull=True,
                )
                | Q(
                    who5_1__isnull=False,
                    who5_2__isnull=False,
                    who5_3__isnull=False,
                    who5_4__isnull=False,
                    who5_5__isnull=False,
                    who5_1__lte=5,
                    who5_2__lte=5,
                    who5_3__lte=5,
                    who5_4__lte=5,
                    who5_5__lte=5,
                ),
            ),
            models.CheckConstraint(
                name="wellbeing_mood_range",
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5),
            ),
            models.CheckConstraint(
                name="wellbeing_not_empty",
                condition=Q(who5_1__isnull=False) | Q(mood__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card} {self.get_occasion_display()} {self.measured_on}"

    @property
    def who5_score(self) -> int | None:
        """The WHO-5 percentage score (0-100): the raw sum times four."""
        answers = [getattr(self, name) for name in self.WHO5_FIELDS]
        if any(answer is None for answer in answers):
            return None
        return 4 * sum(answers)

    @classmethod
    def complete(cls) -> Q:
        """The measurements with every WHO-5 item answered (those that have a score)."""
        return Q(**{f"{name}__isnull": False for name in cls.WHO5_FIELDS})

    @classmethod
    def score(cls, row: dict[str, Any]) -> int:
        """`who5_score` of a complete measurement read as values() (its WHO5_FIELDS)."""
        return 4 * sum(row[name] for name in cls.WHO5_FIELDS)


class HandOverQuerySet(models.QuerySet["HandOver"]):
    def active(self) -> HandOverQuerySet:
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user: Any) -> HandOverQuerySet:
        """The links of the cards the user sees (when each was given, revoked, last opened)."""
        return self.filter(card__in=Card.objects.visible_to(user))


class HandOver(models.Model):
    """The link that puts a card on its holder's phone (the mobile card, public/).

    The link carries a random secret, never the card number; only the secret's SHA-256 is stored, so the
    link is shown once, at the hand-over, and a lost one is replaced by a new one (which revokes it). A
    card has at most one link that works."""

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.CASCADE, related_name="hand_overs"
    )
    secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64)
    created_at = models.DateTimeField(_("given"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)

    objects = HandOverQuerySet.as_manager()

    class Meta:
        verbose_name = _("mobile card link")
        verbose_name_plural = _("mobile card links")
        constraints = [
            models.UniqueConstraint(fields=["secret_hash"], name="hand_over_unique_secret"),
            models.UniqueConstraint(
                fields=["card"],
                condition=Q(revoked_at__isnull=True),
                name="hand_over_one_active_per_card",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card} ({self.created_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CardStockQuerySet(models.QuerySet["CardStock"]):
    def visible_to(self, user: Any) -> CardStockQuerySet:
        """National admins: every batch. Coordinators: their regions' batches. Distributor staff: the
        batches of their sites' regions (how many of them are registered, never which)."""
        from kaikukanta.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.national:
            return self.all()
        return self.filter(region__in=scope.coordinator_regions | scope.distributor_regions)


class CardStock(models.Model):
    """A batch of new card numbers generated for a region, printed on blank cards by a card printer.

    A number of a region's stock is registered only in that region."""

    region = models.ForeignKey(
        "network.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="card_stocks",
    )
    size = models.PositiveIntegerField(_("number of cards"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CardStockQuerySet.as_manager()

    class Meta:
        verbose_name = _("card stock batch")
        verbose_name_plural = _("card stock batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region} {self.created_at:%Y-%m-%d} ({self.size})"

    def registered_count(self) -> int:
        """How many of the batch's numbers are registered cards."""
        return Card.objects.filter(identifier__in=self.numbers.values("identifier")).count()


class StockNumberQuerySet(models.QuerySet["StockNumber"]):
    def visible_to(self, user: Any) -> StockNumberQuerySet:
        return self.filter(batch__in=CardStock.objects.visible_to(user))


class StockNumber(models.Model):
    """One number of a batch of card stock."""

    batch = models.ForeignKey(
        CardStock, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="numbers"
    )
    identifier = models.CharField(_("card number"), max_length=32)

    objects = StockNumberQuerySet.as_manager()

    class Meta:
        verbose_name = _("card stock number")
        verbose_name_plural = _("card stock numbers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["identifier"], name="stock_number_unique_identifier")
        ]

    def __str__(self) -> str:
        return identifiers.display(self.identifier)


class RegistrationKeyQuerySet(models.QuerySet["RegistrationKey"]):
    def visible_to(self, user: Any) -> RegistrationKeyQuerySet:
        return self.filter(card__in=Card.objects.visible_to(user))


class RegistrationKey(models.Model):
    """The random key a registration form carried (core/idempotency.py): a second submit of the same
    form (a double click, a reload) finds the card the first one registered instead of a second one."""

    key = models.CharField(_("request key"), max_length=64)
    card = models.OneToOneField(
        Card, verbose_name=_("card"), on_delete=models.CASCADE, related_name="registration_key"
    )
    # The SHA-256 of what an API request asked for (api/v1/cards.py): the same key with another
    # request is a conflict. Blank for a form's key (the form's key is its own, the site suffices).
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    objects = RegistrationKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration key")
        verbose_name_plural = _("registration keys")
        constraints = [models.UniqueConstraint(fields=["key"], name="registration_key_unique_key")]

    def __str__(self) -> str:
        return self.key
