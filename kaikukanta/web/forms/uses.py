from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaikukanta.network.models import Region, Venue
from kaikukanta.uses.models import RemovalReason, UseKind

from . import offer_choice

# The registry's records start in 2016; a date far outside is a typing error, not a question.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
DATE_BOUNDS = [
    MinValueValidator(EARLIEST, _("Give a date in 2000 or later.")),
    MaxValueValidator(LATEST, _("Give a date before the year 2100.")),
]


class DateRangeForm(forms.Form):
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, for example 1.3.2025.")},
        validators=DATE_BOUNDS,
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, for example 31.3.2025.")},
        validators=DATE_BOUNDS,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned


class UseFilterForm(DateRangeForm):
    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(
        label=_("Venue"), queryset=None, required=False
    )
    region: forms.ModelChoiceField[Region] = forms.ModelChoiceField(
        label=_("Region of the venue"), queryset=None, required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("all")), *Venue.Category.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("all")), *UseKind.choices], required=False
    )
    field_order = ["venue", "region", "since", "until", "category", "kind"]

    def __init__(
        self, venues: QuerySet[Venue], regions: QuerySet[Region], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_choice(self, "venue", venues, _("all venues"))
        offer_choice(self, "region", regions, _("all regions"))


class RemovalForm(forms.Form):
    """Why a coordinator removes a use or a group visit recorded by mistake: one of a fixed list
    (uses.models.RemovalReason), never free text, as the audit trail keeps it."""

    reason = forms.ChoiceField(
        label=_("Why is it removed?"),
        choices=RemovalReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why it is removed.")},
    )
