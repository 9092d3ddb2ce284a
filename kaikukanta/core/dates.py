"""The registry's clock, and the one rule for dates typed in by staff.

Every rule counts days in Finland (TIME_ZONE). `as_of` lets the demo loader replay two years of history
through the same service functions, each step judged on its own day; nothing else sets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone

_as_of: ContextVar[dt.datetime | None] = ContextVar("kaikukanta_as_of", default=None)


def now() -> dt.datetime:
    return _as_of.get() or timezone.now()


def today() -> dt.date:
    """Today in Finland (TIME_ZONE), the day every validity rule counts in."""
    return timezone.localdate(now())


@contextmanager
def as_of(moment: dt.datetime) -> Iterator[None]:
    """Run the services as if it were `moment` (an aware datetime): for replaying history only."""
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def earliest_typed_day() -> dt.date:
    """The earliest day staff may give for an issue, renewal, closing or use: paper forms are typed
    in later, but a date further back is more likely a typing error than a late record."""
    return today() - dt.timedelta(days=settings.KAIKUKANTA_BACKDATING_DAYS)


def typed_day(day: dt.date | None) -> dt.date:
    """A day given by staff for something that happened: today when not given, never in the future,
    at most KAIKUKANTA_BACKDATING_DAYS back."""
    from .errors import DateInFuture, DateTooFarBack

    current = today()
    if day is None:
        return current
    if day > current:
        raise DateInFuture(date=day)
    if day < earliest_typed_day():
        raise DateTooFarBack(date=day, days=settings.KAIKUKANTA_BACKDATING_DAYS)
    return day


# A clock a little ahead on a box-office tablet should not turn a use into an error.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def typed_moment(moment: dt.datetime | None) -> dt.datetime:
    """A moment given by staff for something that happened (a use typed in from a paper form): now
    when not given; never in the future beyond CLOCK_TOLERANCE; its day at most
    KAIKUKANTA_BACKDATING_DAYS back, as `typed_day`."""
    from .errors import DateInFuture, DateTooFarBack

    current = now()
    if moment is None:
        return current
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > current + CLOCK_TOLERANCE:
        raise DateInFuture(date=moment)
    if timezone.localdate(moment) < earliest_typed_day():
        raise DateTooFarBack(date=moment, days=settings.KAIKUKANTA_BACKDATING_DAYS)
    return moment


@dataclass(frozen=True)
class Period:
    """ "from 1.9.2025 to 31.12.2026", "from 1.9.2025 on", "until 31.12.2026": written in the reader's
    language when shown (str), not when made, like the rest of a DomainError's message."""

    starts: dt.date | None
    ends: dt.date | None

    def __str__(self) -> str:
        from django.utils.translation import gettext as _

        def fmt(day: dt.date) -> str:
            return formats.date_format(day, "SHORT_DATE_FORMAT")

        if self.starts and self.ends:
            return _("from %(starts)s to %(ends)s") % {
                "starts": fmt(self.starts),
                "ends": fmt(self.ends),
            }
        if self.starts:
            return _("from %(starts)s on") % {"starts": fmt(self.starts)}
        if self.ends:
            return _("until %(ends)s") % {"ends": fmt(self.ends)}
        return ""
