"""Summary tables that keep the statistics fast on millions of uses, and live.

They are written in the same transaction as the use or card they count: the services that record
and cancel uses and issue, import, renew and replace cards call stats/summaries.py (`uses_added`,
`use_removed`, `card_added`, `card_changed`), which takes its locks in one order (written down
there), so a figure includes a use the moment the use is committed, and two uses recorded at once
both count (the counter rows are upserted with `+ n` under the row's lock). `rebuild()` in
summaries.py recomputes them from the uses and cards, for bulk loads that bypass the services
(generate_synthetic) and as a check: `manage.py rebuild_stats --check` says whether they agree.

Every counter `x` has a companion `x_key`, the sum of the record keys of what it counts (a card's
Card.record_key; a use's, summaries.use_record_key): additive like the count, so that any cell the
pages sum up has its cell key for the perturbation (suppression.py).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kaikukanta.network.models import Venue


class SummaryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> SummaryQuerySet:
        """The rows themselves, to national administrators only: everyone else reads them through
        stats.figures, scoped by the Subject a page builds from the reader's own scope."""
        from kaikukanta.accounts.scope import scope_for

        return self if scope_for(user).national else self.none()


class UseMonth(models.Model):
    """Uses in a calendar month (Finnish time) at a venue, per category: a few thousand rows a year
    nationally, so that any page sums them in milliseconds."""

    month = models.DateField(_("month"))
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.CharField(_("category"), max_length=16, choices=Venue.Category.choices)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    adult_tickets = models.PositiveIntegerField(_("adult tickets"), default=0)
    child_tickets = models.PositiveIntegerField(_("child tickets"), default=0)
    # Each counter's sum of its records' keys (stats/suppression.py: the cell key method).
    uses_key = models.BigIntegerField(_("key sum: uses"), default=0)
    adult_tickets_key = models.BigIntegerField(_("key sum: adult tickets"), default=0)
    child_tickets_key = models.BigIntegerField(_("key sum: child tickets"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("uses in a month")
        verbose_name_plural = _("uses in a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "venue", "category"], name="stats_use_month_key"
            )
        ]
        indexes = [
            models.Index(fields=["venue", "month"], name="stats_use_month_venue"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} venue {self.venue_id}: {self.uses}"


class CardYear(models.Model):
    """A personal card used at least once in a calendar year: the count of these is "cards used"."""

    year = models.PositiveSmallIntegerField(_("year"))
    card = models.ForeignKey(
        "cards.Card", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    card_region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("card used in a year")
        verbose_name_plural = _("cards used in a year")
        constraints = [models.UniqueConstraint(fields=["card", "year"], name="stats_card_year_key")]

    def __str__(self) -> str:
        return f"card {self.card_id} used in {self.year}"


class CardFirstUse(models.Model):
    """The day a personal card was first used: the count of these in a period is "cards taken
    into use"."""

    card = models.OneToOneField(
        "cards.Card", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    first_used_on = models.DateField(_("first used"))
    card_region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("first use of a card")
        verbose_name_plural = _("first uses of cards")

    def __str__(self) -> str:
        return f"card {self.card_id} first used {self.first_used_on}"


class CardMonth(models.Model):
    """Personal cards registered in a month, by region and issuing site. Replacements of lost cards
    are kept apart (`replacement`): the yearly table does not count them."""

    month = models.DateField(_("month"))
    region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    replacement = models.BooleanField(_("replacement"), default=False)
    cards = models.IntegerField(_("cards"), default=0)
    cards_key = models.BigIntegerField(_("key sum: cards"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("cards registered in a month")
        verbose_name_plural = _("cards registered in a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "issuing_site", "replacement"],
                name="stats_card_month_key",
            )
        ]
        indexes = [
            models.Index(fields=["region", "month"], name="stats_card_month_region"),
            models.Index(fields=["issuing_site", "month"], name="stats_card_month_site"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} site {self.issuing_site_id}: {self.cards}"


class CardProfileMonth(models.Model):
    """Personal cards registered in a month (not replacements), by region, issuing site and one
    piece of the holder data the statistics describe: `dimension` is "age" (the age group at
    issue, from the birth year), "gender" or "life" (life situation); `value` its value, "" when
    not told."""

    month = models.DateField(_("month"))
    region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dimension = models.CharField(_("dimension"), max_length=8)
    value = models.CharField(_("value"), max_length=16, blank=True)
    cards = models.IntegerField(_("cards"), default=0)
    cards_key = models.BigIntegerField(_("key sum: cards"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("holder data of cards registered in a month")
        verbose_name_plural = _("holder data of cards registered in a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "issuing_site", "dimension", "value"],
                name="stats_card_profile_month_key",
            )
        ]
        indexes = [
            models.Index(fields=["region", "month"], name="stats_profile_month_region"),
            models.Index(fields=["issuing_site", "month"], name="stats_profile_month_site"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.month:%Y-%m} site {self.issuing_site_id} {self.dimension}={self.value}: "
            f"{self.cards}"
        )


class ErasedProfileMonth(models.Model):
    """What the cards whose holder data the retention policy erased (stats/retention.py) counted in
    CardProfileMonth, with its keys and counters: aggregates only, never a card. The purge adds to it
    in the transaction that erases, and `rebuild()` counts the erased cards from here instead of from
    their emptied rows, so a rebuild after a purge equals the tables before it. Not a summary table
    (SUMMARIES): nothing can recompute it, and a rebuild reads it but never empties it."""

    month = models.DateField(_("month"))
    region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dimension = models.CharField(_("dimension"), max_length=8)
    value = models.CharField(_("value"), max_length=16, blank=True)
    cards = models.IntegerField(_("cards"), default=0)
    cards_key = models.BigIntegerField(_("key sum: cards"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("holder data of erased cards registered in a month")
        verbose_name_plural = _("holder data of erased cards registered in a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "issuing_site", "dimension", "value"],
                name="stats_erased_profile_month_key",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.month:%Y-%m} site {self.issuing_site_id} {self.dimension}={self.value}: "
            f"{self.cards} erased"
        )


class ErasedWellbeingMonth(models.Model):
    """What the wellbeing answers the retention policy deleted counted in the change in wellbeing
    (figures.wellbeing_change), by the month of the renewal measurement and the card's region and
    issuing site: the holders measured at both issue and renewal, their key sum and the sum of their
    changes of the WHO-5 score. Aggregates only; the purge adds to it before deleting the answers."""

    month = models.DateField(_("month"))
    region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    holders = models.IntegerField(_("holders measured"), default=0)
    holders_key = models.BigIntegerField(_("key sum: holders measured"), default=0)
    change_sum = models.IntegerField(_("sum of the changes of the WHO-5 score"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("wellbeing change of erased cards in a month")
        verbose_name_plural = _("wellbeing change of erased cards in a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "issuing_site"],
                name="stats_erased_wellbeing_month_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} site {self.issuing_site_id}: {self.holders} erased"


class CardUseMonth(models.Model):
    """A personal card used at least once in a calendar month (Finnish time): one row a card and
    month. Read only when a use opens or closes a month of a card (to find its neighbours);
    the pages count from CardUseGap."""

    month = models.DateField(_("month"))
    card = models.ForeignKey(
        "cards.Card", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    card_region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("card used in a month")
        verbose_name_plural = _("cards used in a month")
        constraints = [
            models.UniqueConstraint(fields=["card", "month"], name="stats_card_use_month_key")
        ]

    def __str__(self) -> str:
        return f"card {self.card_id} used in {self.month:%Y-%m}"


class CardUseGap(models.Model):
    """Per month, region and issuing site: the personal cards used in the month, by the month of
    their previous use (`previous`; NEVER for a first use, LONG_AGO for one at least
    periods.MAX_MONTHS earlier). The cards used in a period [a, b] are then
    SUM(cards) WHERE month BETWEEN a AND b AND previous < a: each card counts once, in its first
    month of use in the period, whatever the period (a few thousand rows to sum, never a
    COUNT(DISTINCT) over the uses). Cards taken into use in a period: previous = NEVER."""

    month = models.DateField(_("month"))
    previous = models.DateField(_("previous month of use"))
    region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    cards = models.IntegerField(_("cards"), default=0)
    cards_key = models.BigIntegerField(_("key sum: cards"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("cards used in a month by their previous use")
        verbose_name_plural = _("cards used in a month by their previous use")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "previous", "region", "issuing_site"],
                name="stats_card_use_gap_key",
            )
        ]
        indexes = [
            models.Index(fields=["region", "month"], name="stats_card_use_gap_region"),
            models.Index(fields=["issuing_site", "month"], name="stats_card_use_gap_site"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} after {self.previous:%Y-%m} site {self.issuing_site_id}: {self.cards}"


class CardUseYear(models.Model):
    """Per year, region and issuing site: personal cards used at least once in the year (`used`)
    and cards first used in the year (`taken`, "taken into use"); counted from CardYear and
    CardFirstUse as their rows come and go."""

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    used = models.IntegerField(_("cards used"), default=0)
    taken = models.IntegerField(_("cards taken into use"), default=0)
    used_key = models.BigIntegerField(_("key sum: cards used"), default=0)
    taken_key = models.BigIntegerField(_("key sum: cards taken into use"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("card use counts in a year")
        verbose_name_plural = _("card use counts in a year")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region", "issuing_site"], name="stats_card_use_year_key"
            )
        ]
        indexes = [models.Index(fields=["issuing_site", "year"], name="stats_card_use_year_site")]

    def __str__(self) -> str:
        return f"{self.year} site {self.issuing_site_id}: {self.used} used, {self.taken} new"


class RenewalMonth(models.Model):
    """Personal cards whose latest renewal falls in a month, by region and issuing site."""

    month = models.DateField(_("month"))
    region = models.ForeignKey(
        "network.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    issuing_site = models.ForeignKey(
        "network.DistributorSite", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    cards = models.IntegerField(_("cards"), default=0)
    cards_key = models.BigIntegerField(_("key sum: cards"), default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("renewals in a month")
        verbose_name_plural = _("renewals in a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "issuing_site"], name="stats_renewal_month_key"
            )
        ]
        indexes = [
            models.Index(fields=["region", "month"], name="stats_renewal_month_region"),
            models.Index(fields=["issuing_site", "month"], name="stats_renewal_month_site"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} site {self.issuing_site_id}: {self.cards} renewals"
