"""Small-count suppression with complementary suppression.

A count of people (or of their uses) from 1 to KAIKUKANTA_STATS_SMALL_COUNT - 1 is never shown: it
reads "< 5". Hiding it is not enough when the table also shows a total: total - the other shown
cells would give it back. So every line of a table that sums to a shown total (a row to its row
total, a column to the total row) is checked, and while a line has exactly one hidden entry, its
smallest other non-zero cell is hidden too (or, with none left, the total: hiding a zero
would not help, as counts are never negative). A line then has no
hidden entry or at least two, which subtraction within the line cannot separate.

Across periods (a year, or any range of whole months): see small_edge.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings

Constraint = tuple[Sequence[Hashable], Hashable]  # (parts, the total they add up to)


def is_small(value: int) -> bool:
    return 0 < value < settings.KAIKUKANTA_STATS_SMALL_COUNT


def small_edge(monthly: Sequence[int]) -> bool:
    """Whether a count over a period of months (`monthly`: its count in each month) must be hidden
    because other periods could give a small count away by subtraction. Periods are chosen freely:
    the same figure over any shorter period inside this one may be shown too, and any month of the
    period can be cut out of it by two or three such figures (Jan-Mar minus Jan minus Mar is Feb).
    So it is hidden when any one of its months is small. Every figure that is shown is then a sum
    of months each 0 or at least the limit, and so is every difference of shown figures: no
    subtraction gives a small count back, and a small month enters no figure that is shown."""
    limit = settings.KAIKUKANTA_STATS_SMALL_COUNT  # read once: this runs for every cell
    return any(0 < value < limit for value in monthly)


def hidden_cells(
    values: Mapping[Any, int],
    constraints: Iterable[tuple[Sequence[Any], Any]],
    also: Iterable[Any] = (),
) -> set[Any]:
    """The keys of `values` that must not be shown: the small ones, those in `also` (small_edge)
    and their complements."""
    lines = [(list(parts), total) for parts, total in constraints]
    limit = settings.KAIKUKANTA_STATS_SMALL_COUNT
    hidden = {key for key, value in values.items() if 0 < value < limit} | set(also)
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            entries = [*parts, total]
            if sum(1 for key in entries if key in hidden) != 1:
                continue
            candidates = [key for key in parts if key not in hidden and values.get(key, 0) > 0]
            if not candidates:
                # Only zeros are left beside the hidden part: hiding a zero would not help (the
                # parts are never negative, so a zero column gives it away); the total goes.
                candidates = [total] if total not in hidden else []
            if not candidates:
                continue
            hidden.add(min(candidates, key=lambda key: values.get(key, 0)))
            changed = True
    return hidden
