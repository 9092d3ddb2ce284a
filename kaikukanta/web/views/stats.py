"""Figures shown on the national and region pages: the yearly table, for a year the reader picks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from kaikukanta.core.dates import today
from kaikukanta.network.models import Venue
from kaikukanta.stats.queries import CATEGORIES, Row

from ..forms.stats import YearForm


def chosen_year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    if form.is_bound and not form.is_valid():
        for error in form.errors.get("year", []):
            # Iterating an ErrorList gives its messages as str; django-stubs say ValidationError too.
            messages.error(request, error)  # type: ignore[arg-type]
    return today().year


def figures_context(year: int, rows: list[Row]) -> dict:
    return {
        "year": year,
        "rows": rows,
        "categories": list(Venue.Category.choices),
        "category_keys": CATEGORIES,
    }
