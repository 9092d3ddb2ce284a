import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today in Finland (TIME_ZONE), the day every validity rule counts in."""
    return timezone.localdate()


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
