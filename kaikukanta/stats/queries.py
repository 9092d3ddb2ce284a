"""Yearly figures as the national service publishes them, per region, from the reader's own scope.

Small counts are suppressed (shown as "fewer than N") so that a figure never singles out a person: in a
small municipality, "1 card registered by a 17-year-old" could be someone the reader knows. Every other
count, totals included, is rounded to the nearest multiple of KAIKUKANTA_STATS_ROUNDING: otherwise a
suppressed cell could be worked out exactly by subtracting the shown cells from the total.

Cards are counted as the yearly table counts them: personal cards registered, not replacements of
lost cards (the same holder) and not community cards (no holder). Uses count every ticket, those of
community-card group visits included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kaikukanta.cards.models import Card, CardType
from kaikukanta.network.models import Region, Venue
from kaikukanta.uses.models import Use

CATEGORIES = [choice for choice, _label in Venue.Category.choices]


@dataclass(frozen=True)
class Figure:
    """A count as it may be shown: rounded, or only that it is below the threshold. `value` is the
    exact count, for computing; only `shown` and `str()` may be published."""

    value: int
    threshold: int
    rounding: int = 1

    @property
    def suppressed(self) -> bool:
        return 0 < self.value < self.threshold

    @property
    def shown(self) -> int | None:
        if self.suppressed:
            return None
        step = max(self.rounding, 1)
        return (self.value + step // 2) // step * step

    def __str__(self) -> str:
        return f"<{self.threshold}" if self.suppressed else str(self.shown)


def figure(value: int | None) -> Figure:
    return Figure(
        int(value or 0), settings.KAIKUKANTA_STATS_SMALL_COUNT, settings.KAIKUKANTA_STATS_ROUNDING
    )


@dataclass
class Row:
    label: str
    region: Region | None
    cards_registered: Figure
    cards_used: Figure
    adult_uses: dict[str, Figure] = field(default_factory=dict)
    child_tickets: dict[str, Figure] = field(default_factory=dict)
    total_uses: Figure = field(default_factory=lambda: figure(0))


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=zone),
        dt.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def yearly_table(user: Any, year: int, popup_label: str, total_label: str) -> list[Row]:
    """One row per region the user sees (uses counted where they happened, cards where issued), a
    row for the pop-up venues if the user sees them, and a total row when there is more than one."""
    starts, ends = _year_bounds(year)
    regions = list(Region.objects.visible_to(user).order_by("name"))
    cards = Card.objects.visible_to(user)
    uses = Use.objects.visible_to(user).filter(occurred_at__gte=starts, occurred_at__lt=ends)

    personal = cards.filter(card_type=CardType.PERSONAL)
    # Keyed by region; the pop-up and total rows also look up None (pop-up venues have no region).
    registered: dict[int | None, int] = dict(
        personal.filter(issued_on__year=year, replaces__isnull=True)
        .values_list("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
    )
    used: dict[int | None, int] = dict(
        uses.filter(card__card_type=CardType.PERSONAL)
        .values_list("card__region")
        .annotate(n=Count("card", distinct=True))
        .values_list("card__region", "n")
    )
    by_place: dict[tuple[int | None, str], tuple[int, int]] = {}
    for region_id, category, adults, children in (
        uses.values_list("venue__region", "category")
        .annotate(adults=Count("pk", filter=Q(adult_ticket=True)), children=Sum("child_tickets"))
        .values_list("venue__region", "category", "adults", "children")
    ):
        by_place[(region_id, category)] = (adults or 0, children or 0)

    def row(label: str, region: Region | None, region_ids: list[int | None]) -> Row:
        adult = {c: sum(by_place.get((r, c), (0, 0))[0] for r in region_ids) for c in CATEGORIES}
        child = {c: sum(by_place.get((r, c), (0, 0))[1] for r in region_ids) for c in CATEGORIES}
        return Row(
            label=label,
            region=region,
            cards_registered=figure(sum(registered.get(r, 0) for r in region_ids)),
            cards_used=figure(sum(used.get(r, 0) for r in region_ids)),
            adult_uses={c: figure(n) for c, n in adult.items()},
            child_tickets={c: figure(n) for c, n in child.items()},
            total_uses=figure(sum(adult.values()) + sum(child.values())),
        )

    rows = [row(region.display_name, region, [region.pk]) for region in regions]
    if any(r is None for r, _c in by_place):
        rows.append(row(popup_label, None, [None]))
    if len(rows) > 1:
        ids: list[int | None] = [region.pk for region in regions]
        if any(r is None for r, _c in by_place):
            ids.append(None)
        rows.append(row(total_label, None, ids))
    return rows
