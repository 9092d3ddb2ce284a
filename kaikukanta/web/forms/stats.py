from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.dates import today


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2016,
        error_messages={
            "invalid": _("Give the year as four digits, for example 2025."),
            "min_value": _("The registry has figures from 2016 on."),
        },
    )

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year and year > today().year:
            raise forms.ValidationError(_("There are no figures for future years yet."))
        return year


def parse_month(text: str):
    """3/2026, 03/2026, 3.2026 or 2026-03 → the first day of that month, or None."""
    import datetime as dt
    import re

    text = text.strip()
    found = re.fullmatch(r"(\d{1,2})\s*[/.]\s*(\d{4})", text)
    if found:
        month, year = int(found[1]), int(found[2])
    else:
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not found:
            return None
        year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or year < 1000:
        return None
    return dt.date(year, month, 1)


class MonthField(forms.CharField):
    default_error_messages = {
        "invalid": _("Give the month as month/year, for example 3/2026."),
    }

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class PeriodForm(YearForm):
    """A calendar year (`year`), or a range of whole months (`from`, `to`, written 3/2026): the
    period of a statistics page. `from` and `to` are not Python names: added in __init__."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = MonthField(label=_("From month"), required=False)
        self.fields["to"] = MonthField(label=_("To month"), required=False)

    def clean(self):
        from kaikukanta.stats.periods import FIRST_YEAR, MAX_MONTHS, Period

        cleaned = super().clean() or {}
        first, last = cleaned.get("from"), cleaned.get("to")
        if self.errors or (first is None and last is None):
            return cleaned
        this_month = today().replace(day=1)
        if first is None or last is None:
            raise forms.ValidationError(
                _("Give both the first and the last month, for example 3/2026 and 8/2026.")
            )
        if last < first:
            raise forms.ValidationError(_("The last month is before the first one."))
        if first.year < FIRST_YEAR:
            raise forms.ValidationError(
                _("The registry has figures from %(year)s on.") % {"year": FIRST_YEAR}
            )
        if last > this_month:
            raise forms.ValidationError(
                _("There are no figures for future months yet: the last month can be %(month)s.")
                % {"month": f"{this_month.month}/{this_month.year}"}
            )
        period = Period.of_months(first, last)
        if period.length > MAX_MONTHS:
            raise forms.ValidationError(
                _("A period can be at most %(months)s months long.") % {"months": MAX_MONTHS}
            )
        cleaned["period"] = period
        return cleaned
