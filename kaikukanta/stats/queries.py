"""Yearly figures as the national service publishes them, per region, from the reader's own scope.

Every count is disclosure-controlled by the cell key method (suppression.py): shown with a small
adjustment that the same records always get, so that the same figure is the same number here, on
the statistics pages, in exports and in reports, and no difference of figures gives a person away.

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

Pair = tuple[int, int]  # a count and the sum of its records' keys


def plus(*pairs: Pair) -> Pair:
    return (sum(p[0] for p in pairs), sum(p[1] for p in pairs))


@dataclass(frozen=True)
class Figure:
    """A count as it may be shown. `value` is the exact count and `key` its records' key sum, for
    computing; only `shown` and `str()` may be published: the count perturbed by its cell key
    (suppression.py), or exact for a reader's own rows (`exact`), or nothing when `hidden` (holder
    data of a small area below the threshold)."""

    value: int
    key: int = 0
    exact: bool = False
    hidden: bool = False
    threshold: int = 5

    @property
    def suppressed(self) -> bool:
        return self.hidden

    @property
    def small(self) -> bool:
        return self.hidden

    @property
    def shown(self) -> int | None:
        if self.hidden:
            return None
        if self.exact:
            return self.value
        from .suppression import perturbed

        return perturbed(self.value, self.key)

    def __str__(self) -> str:
        """What exports write: "<5" for holder data below the threshold, else the shown count."""
        return f"<{self.threshold}" if self.hidden else str(self.shown)


def figure(
    value: int | None, key: int | None = 0, *, exact: bool = False, small_area: bool = False
) -> Figure:
    """A count and its key sum as a Figure; `small_area`: holder data of a region or a site, not
    shown below the threshold."""
    from .suppression import is_small

    count = int(value or 0)
    return Figure(
        count,
        int(key or 0),
        exact=exact,
        hidden=small_area and not exact and is_small(count),
        threshold=settings.KAIKUKANTA_STATS_SMALL_COUNT,
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

    regions = list(Region.objects.visible_to(user).order_by("name"))
    if region is not None:
        regions = [r for r in regions if r.pk == region.pk]
    region_ids = [r.pk for r in regions]
    scope = scope_for(user)
    sees_popups = region is None and scope.national
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    registered: dict[int | None, Pair] = {
        region_id: (n or 0, k or 0)
        for region_id, n, k in CardMonth.objects.order_by()
        .filter(month__range=(first, last), replacement=False, region__in=region_ids)
        .values("region")
        .annotate(n=Sum("cards"), k=Sum("cards_key"))
        .values_list("region", "n", "k")
    }
    used: dict[int | None, Pair] = {
        region_id: (n or 0, k or 0)
        for region_id, n, k in CardUseYear.objects.order_by()
        .filter(year=year, region__in=region_ids)
        .values("region")
        .annotate(n=Sum("used"), k=Sum("used_key"))
        .values_list("region", "n", "k")
    }
    places = Q(venue__region__in=region_ids)
    if sees_popups:
        places |= Q(venue__region__isnull=True)
    by_place: dict[tuple[int | None, str], tuple[Pair, Pair]] = {}
    for region_id, category, adults, adults_key, children, children_key in (
        UseMonth.objects.order_by()
        .filter(places, month__range=(first, last))
        .values("venue__region", "category")
        .annotate(
            a=Sum("adult_tickets"),
            ak=Sum("adult_tickets_key"),
            c=Sum("child_tickets"),
            ck=Sum("child_tickets_key"),
        )
        .values_list("venue__region", "category", "a", "ak", "c", "ck")
    ):
        by_place[(region_id, category)] = (
            (adults or 0, adults_key or 0),
            (children or 0, children_key or 0),
        )

    groups: list[tuple[str, Region | None, list[int | None]]] = [
        (r.display_name, r, [r.pk]) for r in regions
    ]
    has_popups = any(r is None for r, _c in by_place)
    if has_popups:
        groups.append((popup_label, None, [None]))
    if len(groups) > 1:
        groups.append((total_label, None, [*region_ids, *([None] if has_popups else [])]))
    none = ((0, 0), (0, 0))
    rows = []
    for label, group_region, ids in groups:
        # Each cell, totals included, is a cell of its own: its records' count and key sum.
        adults = {c: plus(*(by_place.get((r, c), none)[0] for r in ids)) for c in CATEGORIES}
        children = {c: plus(*(by_place.get((r, c), none)[1] for r in ids)) for c in CATEGORIES}
        rows.append(
            Row(
                label=label,
                region=group_region,
                cards_registered=figure(*plus(*(registered.get(r, (0, 0)) for r in ids))),
                cards_used=figure(*plus(*(used.get(r, (0, 0)) for r in ids))),
                adult_uses={c: figure(*pair) for c, pair in adults.items()},
                child_tickets={c: figure(*pair) for c, pair in children.items()},
                total_uses=figure(*plus(*adults.values(), *children.values())),
            )
        )
    return rows
