"""Disclosure control by the cell key method (UK ONS, Census 2021; ABS TableBuilder); the method note
for readers is docs/statistics-method.md.

Every card has a random record key (Card.record_key, 0..255), and so has every use (its card's,
moved by the use's id: summaries.use_record_key). Each summary row keeps, beside each count, the
sum of its records' keys (stats/models.py), and any cell a page shows sums both. The cell's key is
that sum modulo TABLE_SIZE, and the perturbation table (the setting KAIKUKANTA_STATS_PTABLE) turns
the count and the cell key into a small signed adjustment. The same records make the same cell key,
so the same figure gets the same adjustment on every page, export and report and in every period;
a difference of two figures (a year minus its months, a region minus its municipalities) is then
the difference of two independently adjusted counts, noise, not a person. Totals are cells of their
own, adjusted alike (not sums of adjusted cells). Zero stays zero: no records, no adjustment.

The default table never shows 1 or 2, never a negative count, and moves no count by more than
bound() (2). Holder data (age, gender, life situation, wellbeing) of a region or a site also keeps
the threshold KAIKUKANTA_STATS_SMALL_COUNT: a cell of 1 to 4 such cards is not shown at all.
A reader's own rows (a venue's own uses, a distributor site's own cards) are shown exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kaikukanta.cards.models import RECORD_KEYS

TABLE_SIZE = RECORD_KEYS

# The perturbation table is the setting KAIKUKANTA_STATS_PTABLE (its default and what it means:
# settings.py and docs/statistics-method.md): count (the last row: that count and every larger one)
# -> (adjustment, how many of the TABLE_SIZE cell keys get it), in order.
PTable = Mapping[int, Sequence[tuple[int, int]]]


def ptable() -> PTable:
    return _checked(settings.KAIKUKANTA_STATS_PTABLE)


def _checked(table: PTable) -> PTable:
    return _validated(tuple((count, tuple(row)) for count, row in sorted(table.items())))


@functools.cache
def _validated(rows: tuple[tuple[int, tuple[tuple[int, int], ...]], ...]) -> PTable:
    """The table, once checked: every count from 1 up has a row whose keys add up to TABLE_SIZE,
    and no row makes a count negative or 1 or 2 (other than a 1 or 2 left as it is)."""
    table = dict(rows)
    if sorted(table) != list(range(1, len(table) + 1)):
        raise ImproperlyConfigured("KAIKUKANTA_STATS_PTABLE needs a row for every count from 1 up.")
    for count, row in table.items():
        if sum(weight for _adjustment, weight in row) != TABLE_SIZE or any(w < 0 for _a, w in row):
            raise ImproperlyConfigured(
                f"KAIKUKANTA_STATS_PTABLE[{count}]: the weights must add up to {TABLE_SIZE}."
            )
        for adjustment, weight in row:
            shown = count + adjustment
            if weight and (shown < 0 or shown in (1, 2)):
                raise ImproperlyConfigured(
                    f"KAIKUKANTA_STATS_PTABLE[{count}] would show {shown}: never 1, 2 or negative."
                )
    return table


def adjustment(count: int, key_sum: int) -> int:
    """The signed adjustment of a cell of `count` records whose keys sum to `key_sum`."""
    if count <= 0:
        return 0
    table = ptable()
    cell_key = key_sum % TABLE_SIZE
    for change, weight in table[min(count, len(table))]:
        if cell_key < weight:
            return change
        cell_key -= weight
    raise AssertionError("the table's weights add up to TABLE_SIZE")  # pragma: no cover


def perturbed(count: int, key_sum: int) -> int:
    return count + adjustment(count, key_sum)


def bound() -> int:
    """The most any count is moved: an exact count is within this of every shown one."""
    return max(abs(change) for row in ptable().values() for change, weight in row if weight)


def possible_counts(shown: int) -> range:
    """The exact counts that could be shown as `shown` (what a reader can know of a cell)."""
    table = ptable()
    largest = len(table)
    found = [
        count
        for count in range(max(shown - bound(), 0), shown + bound() + 1)
        if (count == 0 and shown == 0)
        or (count > 0 and any(count + c == shown for c, w in table[min(count, largest)] if w))
    ]
    return range(min(found), max(found) + 1) if found else range(0)


def is_small(value: int) -> bool:
    """Below the threshold of holder data in a small area (1 to KAIKUKANTA_STATS_SMALL_COUNT - 1)."""
    return 0 < value < settings.KAIKUKANTA_STATS_SMALL_COUNT


def small_edge(monthly: Sequence[int]) -> bool:
    """Whether a mean over a period of months (`monthly`: how many holders in each month) must be
    hidden: a shorter period inside it, with its own mean, would differ by a few holders, and the two
    means would give their answers away. Means are not counts, and the cell key method does not
    protect them: so it is hidden when any one of its months has 1 to 4 holders."""
    limit = settings.KAIKUKANTA_STATS_SMALL_COUNT
    return any(0 < value < limit for value in monthly)
