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
from django.db.models import Q, Sum

from kaikukanta.accounts.scope import scope_for
from kaikukanta.network.models import Region, Venue

CATEGORIES = [choice for choice, _label in Venue.Category.choices]


@dataclass(frozen=True)
class Figure:
    """A count as it may be shown: rounded, or only that it is below the threshold. `value` is the
    exact count, for computing; only `shown` and `str()` may be published."""

    value: int
    threshold: int
    rounding: int = 1
    # Hidden although not small itself: its complement (suppression.py), so that a small one
    # cannot be worked out by subtraction.
    hidden: bool = False

    @property
    def suppressed(self) -> bool:
        return self.hidden or 0 < self.value < self.threshold

    @property
    def shown(self) -> int | None:
        if self.suppressed:
            return None
        step = max(self.rounding, 1)
        return (self.value + step // 2) // step * step

    @property
    def small(self) -> bool:
        return 0 < self.value < self.threshold

    def __str__(self) -> str:
        """What exports write: "<5" for a small count, ".." for one hidden beside it."""
        if self.small:
            return f"<{self.threshold}"
        return ".." if self.suppressed else str(self.shown)


def figure(value: int | None, hidden: bool = False) -> Figure:
    return Figure(
        int(value or 0),
        settings.KAIKUKANTA_STATS_SMALL_COUNT,
        settings.KAIKUKANTA_STATS_ROUNDING,
        hidden=hidden,
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


def yearly_table(
    user: Any, year: int, popup_label: str, total_label: str, region: Region | None = None
) -> list[Row]:
    """One row per region the user sees (uses counted where they happened, cards where issued), a
    row for the pop-up venues if the user sees them, and a total row when there is more than one.
    With `region`, that region's row alone. Read from the summary tables (stats/models.py)."""
    from .models import CardMonth, CardUseYear, UseMonth
    from .suppression import hidden_cells

    regions = list(Region.objects.visible_to(user).order_by("name"))
    if region is not None:
        regions = [r for r in regions if r.pk == region.pk]
    region_ids = [r.pk for r in regions]
    scope = scope_for(user)
    sees_popups = region is None and scope.national
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    registered: dict[int | None, int] = dict(
        CardMonth.objects.order_by()
        .filter(month__range=(first, last), replacement=False, region__in=region_ids)
        .values("region")
        .annotate(n=Sum("cards"))
        .values_list("region", "n")
    )
    used: dict[int | None, int] = dict(
        CardUseYear.objects.order_by()
        .filter(year=year, region__in=region_ids)
        .values("region")
        .annotate(n=Sum("used"))
        .values_list("region", "n")
    )
    places = Q(venue__region__in=region_ids)
    if sees_popups:
        places |= Q(venue__region__isnull=True)
    by_place: dict[tuple[int | None, str], tuple[int, int]] = {}
    for region_id, category, adults, children in (
        UseMonth.objects.order_by()
        .filter(places, month__range=(first, last))
        .values("venue__region", "category")
        .annotate(adults=Sum("adult_tickets"), children=Sum("child_tickets"))
        .values_list("venue__region", "category", "adults", "children")
    ):
        by_place[(region_id, category)] = (adults or 0, children or 0)

    groups: list[tuple[str, Region | None, list[int | None]]] = [
        (r.display_name, r, [r.pk]) for r in regions
    ]
    has_popups = any(r is None for r, _c in by_place)
    if has_popups:
        groups.append((popup_label, None, [None]))
    if len(groups) > 1:
        groups.append((total_label, None, [*region_ids, *([None] if has_popups else [])]))
    values: dict[tuple[int, str], int] = {}
    for index, (_label, _region, ids) in enumerate(groups):
        values[(index, "registered")] = sum(registered.get(r, 0) for r in ids)
        values[(index, "used")] = sum(used.get(r, 0) for r in ids)
        for c in CATEGORIES:
            values[(index, "a_" + c)] = sum(by_place.get((r, c), (0, 0))[0] for r in ids)
            values[(index, "c_" + c)] = sum(by_place.get((r, c), (0, 0))[1] for r in ids)
        values[(index, "uses")] = sum(
            values[(index, p + c)] for p in ("a_", "c_") for c in CATEGORIES
        )
    columns = ["registered", "used", "uses"] + [p + c for p in ("a_", "c_") for c in CATEGORIES]
    parts = [p + c for p in ("a_", "c_") for c in CATEGORIES]
    constraints = [([(i, p) for p in parts], (i, "uses")) for i in range(len(groups))]
    if len(groups) > 1:
        total = len(groups) - 1
        constraints += [([(i, c) for i in range(total)], (total, c)) for c in columns]
    hidden = hidden_cells(values, constraints)

    def cell(index: int, column: str) -> Figure:
        return figure(values[(index, column)], hidden=(index, column) in hidden)

    return [
        Row(
            label=label,
            region=group_region,
            cards_registered=cell(index, "registered"),
            cards_used=cell(index, "used"),
            adult_uses={c: cell(index, "a_" + c) for c in CATEGORIES},
            child_tickets={c: cell(index, "c_" + c) for c in CATEGORIES},
            total_uses=cell(index, "uses"),
        )
        for index, (label, group_region, _ids) in enumerate(groups)
    ]
