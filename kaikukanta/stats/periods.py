"""The period a statistics page describes: a calendar year, or a range of whole months.

Every summary table is kept by month (or by year for the per-card rows), so any range of whole
months is answered from them. A period is at most MAX_MONTHS long: the "cards used in the period"
count (summaries.CardUseGap) only remembers gaps between a card's uses up to that length, and a
page of months longer than three years reads badly anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext as _

FIRST_YEAR = 2016  # the registry has figures from this year on
MAX_MONTHS = 36


def month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def from_number(number: int) -> dt.date:
    return dt.date(number // 12, number % 12 + 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    return from_number(month_number(day) + months)


def month_label(day: dt.date) -> str:
    """3/2026: a month the Finnish way, in every language."""
    return f"{day.month}/{day.year}"


@dataclass(frozen=True)
class Period:
    """From the first day of `first`'s month to the last day of `last`'s month."""

    first: dt.date  # the first day of the first month
    last: dt.date  # the first day of the last month

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 1))

    @classmethod
    def of_months(cls, first: dt.date, last: dt.date) -> Period:
        return cls(first.replace(day=1), last.replace(day=1))

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return add_months(self.last, 1) - dt.timedelta(days=1)

    @property
    def year(self) -> int | None:
        """The calendar year, when the period is one."""
        if self.first.month == 1 and self.last.month == 12 and self.first.year == self.last.year:
            return self.first.year
        return None

    @property
    def length(self) -> int:
        return month_number(self.last) - month_number(self.first) + 1

    @property
    def months(self) -> list[dt.date]:
        start = month_number(self.first)
        return [from_number(start + i) for i in range(self.length)]

    @property
    def label(self) -> str:
        """2025, 3/2026 or 3/2026-8/2026 (with an en dash): in headings."""
        if self.year is not None:
            return str(self.year)
        if self.first == self.last:
            return month_label(self.first)
        return f"{month_label(self.first)}\u2013{month_label(self.last)}"

    @property
    def slug(self) -> str:
        """2025, 2026-03 or 2026-03_2026-08: in file names."""
        if self.year is not None:
            return str(self.year)
        if self.first == self.last:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"

    @property
    def query(self) -> str:
        """The query string that chooses this period again (links, exports)."""
        if self.year is not None:
            return urlencode({"year": self.year})
        return urlencode({"from": month_label(self.first), "to": month_label(self.last)})


def quick_choices(today: dt.date) -> list[tuple[str, Period]]:
    """The periods a coordinator reports on most: this year, last year, the last 12 months (this
    month included) and the last whole quarter."""
    this_month = today.replace(day=1)
    quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_quarter = Period(add_months(quarter_start, -3), add_months(quarter_start, -1))
    quarter = (last_quarter.first.month - 1) // 3 + 1
    return [
        (_("This year"), Period.of_year(today.year)),
        (_("Last year"), Period.of_year(today.year - 1)),
        (_("Last 12 months"), Period(add_months(this_month, -11), this_month)),
        (
            _("Quarter %(quarter)s/%(year)s")
            % {"quarter": quarter, "year": last_quarter.first.year},
            last_quarter,
        ),
    ]
