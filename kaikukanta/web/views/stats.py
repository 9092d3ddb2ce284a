"""Figures shown on the national and region pages: the yearly table, for a year the reader picks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from kaikukanta.core.dates import today
from kaikukanta.network.models import Venue
from kaikukanta.stats.queries import CATEGORIES, Row

from ..forms.stats import PeriodForm, YearForm


def chosen_year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("year"):
        return form.cleaned_data["year"]
    if form.is_bound and not form.is_valid():
        for error in form.errors.get("year", []):
            # Iterating an ErrorList gives its messages as str; django-stubs say ValidationError too.
            messages.error(request, error)  # type: ignore[arg-type]
    return today().year


def chosen_period(request: HttpRequest) -> tuple[Period, PeriodForm]:
    """The period of a statistics page: `?year=2025`, `?from=3/2026&to=8/2026`, or this year.
    An invalid period is said beside the period's fields (translated, _period.html) and this
    year shown; the form keeps what was typed."""
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data.get("period"):
            return form.cleaned_data["period"], form
        if form.cleaned_data.get("year"):
            return Period.of_year(form.cleaned_data["year"]), form
    return Period.of_year(today().year), form


def figures_context(year: int, rows: list[Row]) -> dict:
    return {
        "year": year,
        "rows": rows,
        "categories": list(Venue.Category.choices),
        "category_keys": CATEGORIES,
    }


# --- The statistics pages: one per level, each table exportable as CSV and XLSX ---------------

import re  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from django.http import Http404, HttpResponse  # noqa: E402
from django.shortcuts import get_object_or_404, redirect, render  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from kaikukanta.accounts.scope import scope_for  # noqa: E402
from kaikukanta.core import exports  # noqa: E402
from kaikukanta.network.models import DistributorSite, Municipality, Region  # noqa: E402
from kaikukanta.stats import figures  # noqa: E402
from kaikukanta.stats.figures import Subject, Table  # noqa: E402
from kaikukanta.stats.periods import MAX_MONTHS, Period, quick_choices  # noqa: E402

from ..access import ANY_ROLE, NATIONAL, OVERSEER, requires  # noqa: E402


def _national(request: HttpRequest) -> Subject:
    return Subject(figures.NATIONAL, _("Whole country"))


def _region(request: HttpRequest, slug: str) -> Subject:
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    if not scope_for(request.user).coordinates(region.pk):
        raise Http404
    return Subject(figures.REGION, region.display_name, region=region)


def _municipality(request: HttpRequest, code: str) -> Subject:
    scope = scope_for(request.user)
    municipalities = Municipality.objects.all()
    if not scope.national:
        municipalities = municipalities.filter(regions__in=scope.coordinator_regions).distinct()
    municipality = get_object_or_404(municipalities, code=code)
    return Subject(figures.MUNICIPALITY, municipality.display_name, municipality=municipality)


def _site(request: HttpRequest, pk: int) -> Subject:
    site = get_object_or_404(DistributorSite.objects.visible_to(request.user), pk=pk)
    scope = scope_for(request.user)
    if not scope.works_at_site_or_coordinates(site.pk, site.region_id):
        raise Http404
    # The site's own staff see its own cards exactly (they list them all already).
    return Subject(figures.SITE, site.display_name, site=site, exact=scope.works_at_site(site.pk))


def _venue(request: HttpRequest, pk: int) -> Subject:
    venue = get_object_or_404(Venue.objects.visible_to(request.user), pk=pk)
    scope = scope_for(request.user)
    if not scope.works_at_venue_or_coordinates(venue.pk, venue.region_id):
        raise Http404
    # The venue's own staff see its own uses exactly, as its history lists them.
    return Subject(
        figures.VENUE, venue.display_name, venue=venue, exact=scope.works_at_venue(venue.pk)
    )


def _page(request: HttpRequest, subject: Subject, base: str, args: list) -> HttpResponse:
    period, form = chosen_period(request)
    report = figures.report(subject, period)
    ranged = period.year is None
    context = {
        "subject": subject,
        "report": report,
        "period": period,
        # The region's report PDF is yearly: the chosen year's, or that of the range's last month.
        "report_year": period.year or period.last.year,
        "period_form": form,
        "year_value": period.year or "",
        "from_value": form.data.get("from", "") if ranged or form.errors else "",
        "to_value": form.data.get("to", "") if ranged or form.errors else "",
        "range_invalid": bool(
            form.is_bound
            and (form.errors.get("from") or form.errors.get("to") or form.non_field_errors())
        ),
        "max_months": MAX_MONTHS,
        "quick": [
            (label, choice.query, choice == period) for label, choice in quick_choices(today())
        ],
        "export_base": base,
        "export_args": args,
        "links": _sub_links(request, subject),
    }
    return render(request, "web/stats/page.html", context)


def _sub_links(request: HttpRequest, subject: Subject) -> list[tuple[str, str]]:
    """The next level down: a region's municipalities, sites and venues; the country's regions."""
    if subject.level == figures.NATIONAL:
        return [
            (r.display_name, reverse("web:stats_region", args=[r.slug]))
            for r in Region.objects.visible_to(request.user).order_by("name")
        ]
    if subject.level == figures.REGION and subject.region is not None:
        links = [
            (m.display_name, reverse("web:stats_municipality", args=[m.code]))
            for m in subject.region.municipalities.order_by("name")
        ]
        links += [
            (s.display_name, reverse("web:stats_site", args=[s.pk]))
            for s in DistributorSite.objects.filter(region=subject.region).order_by("name")
        ]
        links += [
            (v.display_name, reverse("web:stats_venue", args=[v.pk]))
            for v in Venue.objects.filter(region=subject.region).order_by("name")
        ]
        return links
    return []


def _export(request: HttpRequest, subject: Subject, table_key: str, fmt: str) -> HttpResponse:
    period, _form = chosen_period(request)
    table = figures.one_table(subject, period, table_key)
    if table is None or fmt not in ("csv", "xlsx"):
        raise Http404
    if table.key == "years":  # the yearly table covers every year, whatever the period
        heading = f"{table.title}: {subject.label}"
        years = [row.label for row in table.rows]
        span = f"{years[0]}--{years[-1]}" if years else period.slug
        name = f"kaikukanta-{subject.level}-{table.key}-{span}.{fmt}"
    else:
        heading = f"{table.title}: {subject.label}, {period.label}"
        name = f"kaikukanta-{subject.level}-{table.key}-{period.slug}.{fmt}"
    lines = table_lines(table)
    sheet = exports.Sheet(
        heading,
        [str(h) for h in lines[0]],
        lines[1:],
        legend=exports.statistics_legend(),
        name=str(table.title),
    )
    if fmt == "csv":
        return exports.sheet_csv_response(sheet, name)
    return exports.sheet_xlsx_response(sheet, name)


_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")


def _typed(text: str) -> exports.Value:
    """A cell the figures give as text, as a number where it is one: a year, a number of
    municipalities, a ratio written with a decimal comma ("1,5")."""
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return Decimal(text.replace(",", "."))
    return text


def table_lines(table: Table) -> list[list[exports.Value]]:
    """The table as exported: a heading line, then one line a row; a suppressed count is written
    as it is shown ("<5" or ".."), never as its value; every other count as a number."""
    lines: list[list[exports.Value]] = [
        [table.label_heading, *[label for _key, label in table.columns]]
    ]
    for row in table.rows:
        cells: list[exports.Value] = [int(row.label) if table.key == "years" else row.label]
        for cell in table.cells(row):
            if isinstance(cell, figures.Figure):
                cells.append(str(cell) if cell.suppressed else int(cell.shown or 0))
            else:
                cells.append(None if cell is None else _typed(str(cell)))
        lines.append(cells)
    return lines


def own_statistics_url(user: Any) -> str | None:
    """The reader's own statistics: the country, their region, their site or their venue."""
    scope = scope_for(user)
    if scope.national:
        return reverse("web:stats_national")
    if scope.coordinator_regions:
        region = Region.objects.filter(pk__in=scope.coordinator_regions).order_by("name").first()
        if region is not None:
            return reverse("web:stats_region", args=[region.slug])
    if scope.distributor_sites:
        return reverse("web:stats_site", args=[min(scope.distributor_sites)])
    if scope.venues:
        return reverse("web:stats_venue", args=[min(scope.venues)])
    return None


@requires(ANY_ROLE)
def stats_home(request: HttpRequest) -> HttpResponse:
    url = own_statistics_url(request.user)
    if url is None:
        raise Http404
    return redirect(url)


@requires(ANY_ROLE)
def stats_method(request: HttpRequest) -> HttpResponse:
    """The short note on how the figures are protected (docs/statistics-method.md)."""
    return render(request, "web/stats/method.html")


@requires(NATIONAL)
def stats_national(request: HttpRequest) -> HttpResponse:
    return _page(request, _national(request), "web:stats_national_export", [])


@requires(NATIONAL)
def stats_national_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    return _export(request, _national(request), table, fmt)


@requires(OVERSEER)  # which regions: the reader's own (a 404 for the others)
def stats_region(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, _region(request, slug), "web:stats_region_export", [slug])


@requires(OVERSEER)
def stats_region_export(request: HttpRequest, slug: str, table: str, fmt: str) -> HttpResponse:
    return _export(request, _region(request, slug), table, fmt)


@requires(OVERSEER)
def stats_region_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    from kaikukanta.stats.reports import region_report_pdf

    subject = _region(request, slug)
    if year > today().year or year < 2016:
        raise Http404
    response = HttpResponse(region_report_pdf(subject, year), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kaikukanta-{slug}-{year}.pdf"'
    return response


@requires(OVERSEER)
def stats_municipality(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, _municipality(request, code), "web:stats_municipality_export", [code])


@requires(OVERSEER)
def stats_municipality_export(
    request: HttpRequest, code: str, table: str, fmt: str
) -> HttpResponse:
    return _export(request, _municipality(request, code), table, fmt)


@requires(ANY_ROLE)  # which sites: the reader's own, or their region's (a 404 for the others)
def stats_site(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _site(request, pk), "web:stats_site_export", [pk])


@requires(ANY_ROLE)
def stats_site_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    return _export(request, _site(request, pk), table, fmt)


@requires(ANY_ROLE)  # which venues: the reader's own, or their region's (a 404 for the others)
def stats_venue(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _venue(request, pk), "web:stats_venue_export", [pk])


@requires(ANY_ROLE)
def stats_venue_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    return _export(request, _venue(request, pk), table, fmt)


urlpatterns = [
    path("stats/", stats_home, name="stats"),
    path("stats/method/", stats_method, name="stats_method"),
    path("stats/national/", stats_national, name="stats_national"),
    path(
        "stats/national/<slug:table>.<str:fmt>",
        stats_national_export,
        name="stats_national_export",
    ),
    path("stats/regions/<slug:slug>/", stats_region, name="stats_region"),
    path(
        "stats/regions/<slug:slug>/report-<int:year>.pdf",
        stats_region_report,
        name="stats_region_report",
    ),
    path(
        "stats/regions/<slug:slug>/<slug:table>.<str:fmt>",
        stats_region_export,
        name="stats_region_export",
    ),
    path("stats/municipalities/<str:code>/", stats_municipality, name="stats_municipality"),
    path(
        "stats/municipalities/<str:code>/<slug:table>.<str:fmt>",
        stats_municipality_export,
        name="stats_municipality_export",
    ),
    path("stats/sites/<int:pk>/", stats_site, name="stats_site"),
    path(
        "stats/sites/<int:pk>/<slug:table>.<str:fmt>", stats_site_export, name="stats_site_export"
    ),
    path("stats/venues/<int:pk>/", stats_venue, name="stats_venue"),
    path(
        "stats/venues/<int:pk>/<slug:table>.<str:fmt>",
        stats_venue_export,
        name="stats_venue_export",
    ),
]
