"""The statistics pages' figures, from the summary tables (models.py), for one subject and period
(periods.py: a calendar year or a range of whole months).

A subject is what the figures describe: the whole country, a region, a municipality (uses at its
venues), a distributor site (its issuing) or a venue (its uses). Uses are counted where they
happened, cards where they were issued. Every count goes out as a `Figure` through a `Table`, which
applies the small-count and complementary suppression (suppression.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaikukanta.cards.models import Gender, LifeSituation, WellbeingMeasurement
from kaikukanta.network.models import DistributorSite, Municipality, Region, Venue

from .models import CardMonth, CardProfileMonth, CardUseGap, CardUseYear, RenewalMonth, UseMonth
from .periods import Period, month_label
from .queries import CATEGORIES, Figure, figure
from .summaries import AGE_GROUPS, NEVER
from .suppression import hidden_cells, is_small, small_edge

NATIONAL, REGION, MUNICIPALITY, SITE, VENUE = "national", "region", "municipality", "site", "venue"


@dataclass(frozen=True)
class Subject:
    level: str
    label: str
    region: Region | None = None
    municipality: Municipality | None = None
    site: DistributorSite | None = None
    venue: Venue | None = None

    @property
    def has_cards(self) -> bool:
        return self.level in (NATIONAL, REGION, SITE)

    @property
    def has_uses(self) -> bool:
        return self.level in (NATIONAL, REGION, MUNICIPALITY, VENUE)

    def uses(self) -> QuerySet[UseMonth]:
        rows = UseMonth.objects.order_by()
        if self.level == REGION:
            return rows.filter(venue__region=self.region)
        if self.level == MUNICIPALITY:
            return rows.filter(venue__municipality=self.municipality)
        if self.level == VENUE:
            return rows.filter(venue=self.venue)
        if self.level == SITE:
            return rows.none()
        return rows

    def _cards(self, model: Any, region_field: str) -> QuerySet:
        rows = model.objects.order_by()
        if self.level == REGION:
            return rows.filter(**{region_field: self.region})
        if self.level == SITE:
            return rows.filter(issuing_site=self.site)
        if self.level in (MUNICIPALITY, VENUE):
            return rows.none()
        return rows

    def registered(self) -> QuerySet[CardMonth]:
        return self._cards(CardMonth, "region").filter(replacement=False)

    def renewals(self) -> QuerySet[RenewalMonth]:
        return self._cards(RenewalMonth, "region")

    def card_uses(self) -> QuerySet[CardUseYear]:
        return self._cards(CardUseYear, "region")

    def profiles(self) -> QuerySet[CardProfileMonth]:
        return self._cards(CardProfileMonth, "region")

    def card_gaps(self) -> QuerySet[CardUseGap]:
        return self._cards(CardUseGap, "region")


def in_period(queryset: QuerySet, period: Period) -> QuerySet:
    """The rows of a monthly summary table in the period."""
    return queryset.filter(month__range=(period.first, period.last))


Cell = Figure | str | None


@dataclass
class TableRow:
    label: str
    cells: dict[str, Cell]
    total: bool = False
    url: str = ""


@dataclass
class Table:
    """A table as shown and exported: every count a Figure, suppressed where needed."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[TableRow]
    label_heading: str = ""
    note: str = ""
    chart: list[tuple[str, Figure]] = field(default_factory=list)

    def cells(self, row: TableRow) -> list[Cell]:
        return [row.cells.get(key) for key, _label in self.columns]


Count = int | list[int]  # a count, or a count over a period as its count in each month


def build_table(
    key: str,
    title: str,
    label_heading: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[tuple[str, dict[str, Count]]],
    *,
    total_label: str | None = None,
    row_sums: Sequence[tuple[Sequence[str], str]] = (),
    urls: dict[str, str] | None = None,
) -> Table:
    """Rows of exact counts → a Table of Figures. A count given month by month is a count over a
    period, hidden when a shorter period could give a small count away (suppression.small_edge).
    With `total_label`, a total row sums each column (columns are then lines for suppression);
    `row_sums` says which columns of a row add up to which other column (lines too)."""
    data = [(label, dict(cells)) for label, cells in rows]
    keys = [column for column, _label in columns]
    values: dict[tuple[int, str], int] = {}
    monthly: dict[tuple[int, str], list[int]] = {}
    for index, (_label, cells) in enumerate(data):
        for column in keys:
            cell = cells.get(column, 0) or 0
            if isinstance(cell, list):
                monthly[(index, column)] = cell
                values[(index, column)] = sum(cell)
            else:
                values[(index, column)] = int(cell)
    constraints: list[tuple[list[tuple[int, str]], tuple[int, str]]] = []
    count = len(data)
    if total_label is not None:
        for column in keys:
            values[(count, column)] = sum(values[(i, column)] for i in range(count))
            constraints.append(([(i, column) for i in range(count)], (count, column)))
            series = [monthly[(i, column)] for i in range(count) if (i, column) in monthly]
            if series and len(series) == count:
                monthly[(count, column)] = [sum(month) for month in zip(*series, strict=True)]
    for parts, total in row_sums:
        for index in range(count + (1 if total_label is not None else 0)):
            constraints.append(([(index, part) for part in parts], (index, total)))
    edges = [cell for cell, months in monthly.items() if small_edge(months)]
    hidden = hidden_cells(values, constraints, also=edges)

    def made(index: int) -> dict[str, Cell]:
        return {
            column: figure(values[(index, column)], hidden=(index, column) in hidden)
            for column in keys
        }

    table_rows = [
        TableRow(label, made(index), url=(urls or {}).get(label, ""))
        for index, (label, _cells) in enumerate(data)
    ]
    if total_label is not None:
        table_rows.append(TableRow(total_label, made(count), total=True))
    return Table(key, title, list(columns), table_rows, label_heading=label_heading)


def category_labels() -> list[tuple[str, str]]:
    return [(key, str(label).capitalize()) for key, label in Venue.Category.choices]


def _monthly(
    queryset: QuerySet, period: Period, by: str | tuple[str, ...] | None, **sums: Any
) -> dict[Any, dict[str, list[int]]]:
    """Sums of a monthly summary table in the period, per `by` (a field, or a tuple of fields and
    then tuples as keys; None: all, under None), each as its value in every month of the period
    (for suppression.small_edge)."""
    position = {month: i for i, month in enumerate(period.months)}
    names = list(sums)
    keys = [by] if isinstance(by, str) else list(by or ())
    found: dict[Any, dict[str, list[int]]] = {}
    group = ["month", *keys]
    rows = in_period(queryset, period).values(*group).annotate(**sums).values_list(*group, *names)
    length = period.length
    width = len(group)
    for row in rows:  # tuples, not dicts: thousands of rows nationally
        i = position[row[0]]
        key = row[1] if isinstance(by, str) else (tuple(row[1:width]) if by else None)
        cells = found.get(key)
        if cells is None:
            cells = found[key] = {name: [0] * length for name in names}
        for j, name in enumerate(names, start=width):
            cells[name][i] += row[j] or 0
    return found


def _plus(*series: list[int]) -> list[int]:
    return [sum(months) for months in zip(*series, strict=True)]


def card_use_counts(subject: Subject, period: Period) -> tuple[list[int], int, bool]:
    """Cards taken into use in the period (month by month), cards used in it, and whether that
    distinct count must be hidden: one of its months has a small count of cards used, or a period
    with the same first month and fewer last months, or the same last month and fewer first months,
    would give a small number of cards away (the rule of small_edge, for a count that does not add
    up month by month)."""
    rows = list(
        in_period(subject.card_gaps(), period)
        .values("month", "previous")
        .annotate(n=Sum("cards"))
        .values_list("month", "previous", "n")
    )
    position = {month: i for i, month in enumerate(period.months)}
    taken = [0] * period.length
    for month, previous, n in rows:
        if previous == NEVER:
            taken[position[month]] += n or 0

    def used(first: dt.date, last: dt.date) -> int:
        return sum(n or 0 for m, p, n in rows if first <= m <= last and p < first)

    total = used(period.first, period.last)
    months = period.months
    # As small_edge for sums: hidden when a month's own count of cards is small, or when a shorter
    # period with the same first or the same last month differs from it by a small count.
    hidden = (
        any(is_small(used(month, month)) for month in months)
        or any(is_small(total - used(later, period.last)) for later in months[1:])
        or any(is_small(total - used(period.first, earlier)) for earlier in months[:-1])
    )
    return taken, total, hidden


@dataclass
class Report:
    subject: Subject
    period: Period
    key_figures: Table | None = None
    tables: list[Table] = field(default_factory=list)
    wellbeing: dict[str, Any] | None = None

    def table(self, key: str) -> Table | None:
        for table in [self.key_figures, *self.tables]:
            if table is not None and table.key == key:
                return table
        return None


def key_figures(subject: Subject, period: Period) -> Table:
    values: dict[str, list[int]] = {}
    columns: list[tuple[str, str]] = []
    zeros = [0] * period.length
    used = 0
    used_hidden = False
    if subject.has_cards:
        values["registered"] = _monthly(subject.registered(), period, None, n=Sum("cards")).get(
            None, {"n": zeros}
        )["n"]
        values["taken"], used, used_hidden = card_use_counts(subject, period)
        values["renewals"] = _monthly(subject.renewals(), period, None, n=Sum("cards")).get(
            None, {"n": zeros}
        )["n"]
        columns += [
            ("registered", _("Cards registered")),
            ("taken", _("Cards taken into use")),
            (
                "used",
                _("Cards used in the year")
                if period.year is not None
                else _("Cards used in the period"),
            ),
            ("renewals", _("Renewals")),
        ]
    if subject.has_uses:
        uses = _monthly(
            subject.uses(), period, None, a=Sum("adult_tickets"), c=Sum("child_tickets")
        ).get(None, {"a": zeros, "c": zeros})
        values["adults"] = uses["a"]
        values["children"] = uses["c"]
        values["uses"] = _plus(uses["a"], uses["c"])
        columns += [
            ("adults", _("Adult uses")),
            ("children", _("Child tickets")),
            ("uses", _("Uses in all")),
        ]
    # One column, one row a figure: adults + children = uses is a line, read down the column.
    totals = {key: sum(months) for key, months in values.items()}
    totals["used"] = used
    edges = [key for key, months in values.items() if small_edge(months)]
    if used_hidden:
        edges.append("used")
    lines = [(["adults", "children"], "uses")] if subject.has_uses else []
    hidden = hidden_cells(totals, lines, also=edges)
    table = Table(
        "key",
        _("Key figures"),
        [("value", period.label)],
        [
            TableRow(label, {"value": figure(totals[key], hidden=key in hidden)})
            for key, label in columns
        ],
        label_heading=_("Figure"),
    )
    if subject.has_cards and subject.has_uses and used:
        ratio = totals["uses"] / used
        if "uses" not in hidden and "used" not in hidden:
            table.rows.append(
                TableRow(_("Uses per card used"), {"value": f"{ratio:.1f}".replace(".", ",")})
            )
    return table


def categories_table(subject: Subject, period: Period) -> Table:
    found = _monthly(
        subject.uses(), period, "category", a=Sum("adult_tickets"), c=Sum("child_tickets")
    )
    zeros = [0] * period.length
    rows: list[tuple[str, dict[str, Count]]] = []
    for key, label in category_labels():
        cells = found.get(key, {"a": zeros, "c": zeros})
        rows.append(
            (
                label,
                {
                    "adults": cells["a"],
                    "children": cells["c"],
                    "uses": _plus(cells["a"], cells["c"]),
                },
            )
        )
    return build_table(
        "categories",
        _("Uses by category"),
        _("Category"),
        [("adults", _("Adult uses")), ("children", _("Child tickets")), ("uses", _("Uses in all"))],
        rows,
        total_label=_("All categories"),
        row_sums=[(["adults", "children"], "uses")],
    )


MONTHS = [
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
]


def months_table(subject: Subject, period: Period) -> Table:
    columns: list[tuple[str, str]] = []
    by_month: dict[dt.date, dict[str, int]] = defaultdict(dict)
    if subject.has_cards:
        columns.append(("registered", _("Cards registered")))
        for month, n in (
            in_period(subject.registered(), period)
            .values("month")
            .annotate(n=Sum("cards"))
            .values_list("month", "n")
        ):
            by_month[month]["registered"] = n
    if subject.has_uses:
        columns.append(("uses", _("Uses in all")))
        for month, a, c in (
            in_period(subject.uses(), period)
            .values("month")
            .annotate(a=Sum("adult_tickets"), c=Sum("child_tickets"))
            .values_list("month", "a", "c")
        ):
            by_month[month]["uses"] = (a or 0) + (c or 0)
    whole_year = period.year is not None

    def label(month: dt.date) -> str:
        # A calendar year's months by name; a range's as 3/2026, as it may span years.
        return str(MONTHS[month.month - 1]) if whole_year else month_label(month)

    def alone(index: int, cells: dict[str, int]) -> dict[str, Count]:
        # A month's count, placed in its month of the period: the total row then sums to the
        # period's months, which small_edge checks as the key figures do.
        found: dict[str, Count] = {}
        for key, _label in columns:
            months = [0] * period.length
            months[index] = cells.get(key, 0) or 0
            found[key] = months
        return found

    table = build_table(
        "months",
        _("Month by month"),
        _("Month"),
        columns,
        [(label(m), alone(i, by_month.get(m, {}))) for i, m in enumerate(period.months)],
        total_label=_("Whole year") if whole_year else _("Whole period"),
    )
    key = "uses" if subject.has_uses else "registered"
    chart_labels = [
        str(MONTHS[m.month - 1])[:3] if whole_year else f"{m.month}/{m.year % 100:02d}"
        for m in period.months
    ]
    table.chart = [
        (chart_label, row.cells[key])  # type: ignore[misc]
        for chart_label, row in zip(
            chart_labels, [r for r in table.rows if not r.total], strict=True
        )
    ]
    table.note = dict(columns)[key]
    return table


def years_table(subject: Subject) -> Table:
    """The national yearly table in the published format: year, cards registered, cards taken into
    use, adult and child uses by category, uses in all, number of municipalities."""
    registered = (
        dict(
            subject.registered()
            .annotate(y=ExtractYear("month"))
            .values("y")
            .annotate(n=Sum("cards"))
            .values_list("y", "n")
        )
        if subject.has_cards
        else {}
    )
    taken = (
        dict(subject.card_uses().values("year").annotate(n=Sum("taken")).values_list("year", "n"))
        if subject.has_cards
        else {}
    )
    uses: dict[int, dict[str, int]] = defaultdict(dict)
    places: dict[int, set[int]] = defaultdict(set)
    if subject.has_uses:
        # One pass: per year, category and venue (a few thousand rows), summed here; the venues
        # give the municipalities.
        municipality_of = dict(Venue.objects.values_list("pk", "municipality"))
        for y, category, venue, a, c in (
            subject.uses()
            .annotate(y=ExtractYear("month"))
            .values("y", "category", "venue")
            .annotate(a=Sum("adult_tickets"), c=Sum("child_tickets"))
            .values_list("y", "category", "venue", "a", "c")
        ):
            uses[y][f"a_{category}"] = uses[y].get(f"a_{category}", 0) + (a or 0)
            uses[y][f"c_{category}"] = uses[y].get(f"c_{category}", 0) + (c or 0)
            if municipality_of.get(venue) and (a or c):
                places[y].add(municipality_of[venue])
    years = sorted(set(registered) | set(taken) | set(uses))
    labels = dict(category_labels())
    columns: list[tuple[str, str]] = []
    if subject.has_cards:
        columns += [("registered", _("Cards registered")), ("taken", _("Cards taken into use"))]
    if subject.has_uses:
        columns += [
            (f"a_{c}", _("Adults: %(category)s") % {"category": labels[c]}) for c in CATEGORIES
        ]
        columns += [
            (f"c_{c}", _("Children: %(category)s") % {"category": labels[c]}) for c in CATEGORIES
        ]
        columns += [("uses", _("Uses in all")), ("municipalities", _("Municipalities"))]
    rows = []
    for y in years:
        cells = {"registered": registered.get(y, 0), "taken": taken.get(y, 0), **uses.get(y, {})}
        cells["uses"] = sum(uses.get(y, {}).values())
        rows.append((str(y), cells))
    parts = [f"a_{c}" for c in CATEGORIES] + [f"c_{c}" for c in CATEGORIES]
    table = build_table(
        "years",
        _("Year by year"),
        _("Year"),
        columns,
        rows,
        row_sums=[(parts, "uses")] if subject.has_uses else [],
    )
    # The number of municipalities is not a count of people: shown as it is.
    for row in table.rows:
        if subject.has_uses:
            row.cells["municipalities"] = str(len(places.get(int(row.label), ())))
    key = "uses" if subject.has_uses else "registered"
    table.chart = [(row.label, row.cells[key]) for row in table.rows]  # type: ignore[misc]
    table.note = dict(columns)[key]
    return table


def top_venues_table(subject: Subject, period: Period, limit: int = 10) -> Table:
    uses = in_period(subject.uses(), period)
    top = list(
        uses.values("venue")
        .annotate(n=Sum("uses"))
        .order_by("-n", "venue")
        .values_list("venue", flat=True)[:limit]
    )
    found = _monthly(
        uses.filter(venue__in=top), period, "venue", a=Sum("adult_tickets"), c=Sum("child_tickets")
    )
    names = {v.pk: v.display_name for v in Venue.objects.filter(pk__in=top)}
    return build_table(
        "venues",
        _("Most visited venues"),
        _("Venue"),
        [("adults", _("Adult uses")), ("children", _("Child tickets")), ("uses", _("Uses in all"))],
        [
            (
                names.get(venue, ""),
                {
                    "adults": found[venue]["a"],
                    "children": found[venue]["c"],
                    "uses": _plus(found[venue]["a"], found[venue]["c"]),
                },
            )
            for venue in top
        ],
        row_sums=[(["adults", "children"], "uses")],
    )


def sites_table(subject: Subject, period: Period) -> Table:
    registered = _monthly(subject.registered(), period, "issuing_site", n=Sum("cards"))
    renewals = _monthly(subject.renewals(), period, "issuing_site", n=Sum("cards"))
    taken = _monthly(
        subject.card_gaps().filter(previous=NEVER), period, "issuing_site", n=Sum("cards")
    )
    ids = set(registered) | set(renewals) | set(taken)
    sites = sorted(
        DistributorSite.objects.filter(pk__in=ids).select_related("organisation"),
        key=lambda site: site.display_name,
    )
    zeros = {"n": [0] * period.length}
    return build_table(
        "sites",
        _("Issuing by distributor site"),
        _("Distributor site"),
        [
            ("registered", _("Cards registered")),
            ("taken", _("Cards taken into use")),
            ("renewals", _("Renewals")),
        ],
        [
            (
                site.display_name,
                {
                    "registered": registered.get(site.pk, zeros)["n"],
                    "taken": taken.get(site.pk, zeros)["n"],
                    "renewals": renewals.get(site.pk, zeros)["n"],
                },
            )
            for site in sites
        ],
        total_label=_("All sites"),
    )


def demographics_tables(subject: Subject, period: Period) -> list[Table]:
    profiles = subject.profiles()
    zeros = [0] * period.length
    unknown = _("not told")
    tables = []
    specs: list[tuple[str, str, str, list[tuple[str, str]]]] = [
        ("ages", _("Age at issue"), "age", [(name, name) for name, _a, _b in AGE_GROUPS]),
        ("genders", _("Gender"), "gender", [(k, str(v).capitalize()) for k, v in Gender.choices]),
        (
            "life",
            _("Life situation"),
            "life",
            [(k, str(v).capitalize()) for k, v in LifeSituation.choices],
        ),
    ]
    # One pass over the period's rows for the three dimensions.
    found = _monthly(profiles, period, ("dimension", "value"), n=Sum("cards"))
    for key, title, dimension, choices in specs:
        counts = {value: cells["n"] for (d, value), cells in found.items() if d == dimension}
        tables.append(
            build_table(
                key,
                _("Cards registered: %(what)s") % {"what": title.lower()},
                title,
                [("cards", _("Cards registered"))],
                [
                    (label, {"cards": counts.get(value, zeros)})
                    for value, label in [*choices, ("", unknown)]
                ],
                total_label=_("In all"),
            )
        )
    return tables


def wellbeing_change(subject: Subject, period: Period) -> dict[str, Any]:
    """Mean change of the WHO-5 score (0-100) from issue to renewal, over the holders measured at
    both, whose renewal measurement falls in the period; hidden when fewer than the threshold, or
    when a shorter period would differ by fewer (suppression.small_edge)."""
    if not subject.has_cards:
        return {}
    cards = Q()
    if subject.level == REGION:
        cards = Q(card__region=subject.region)
    elif subject.level == SITE:
        cards = Q(card__issuing_site=subject.site)
    complete = Q(**{f"{name}__isnull": False for name in WellbeingMeasurement.WHO5_FIELDS})
    measured = WellbeingMeasurement.objects.order_by().filter(cards, complete)
    later = measured.filter(
        occasion=WellbeingMeasurement.Occasion.RENEWAL,
        measured_on__range=(period.first, period.end),
    )

    def score(row: dict[str, int]) -> int:
        return 4 * sum(row[name] for name in WellbeingMeasurement.WHO5_FIELDS)

    fields = WellbeingMeasurement.WHO5_FIELDS
    renewal: dict[int, int] = {}
    renewed_in: dict[int, dt.date] = {}
    for r in later.values("card", "measured_on", *fields):
        renewal[r["card"]] = score(r)
        renewed_in[r["card"]] = r["measured_on"].replace(day=1)
    issue = {
        r["card"]: score(r)
        for r in measured.filter(
            occasion=WellbeingMeasurement.Occasion.ISSUE, card__in=list(renewal)
        ).values("card", *WellbeingMeasurement.WHO5_FIELDS)
    }
    changes = [renewal[card] - issue[card] for card in renewal if card in issue]
    # Holders measured month by month: a period a month shorter must not differ by a few holders,
    # or the difference of the two means would give their own changes away (small_edge).
    position = {month: i for i, month in enumerate(period.months)}
    monthly = [0] * period.length
    for card in renewal:
        if card in issue:
            monthly[position[renewed_in[card]]] += 1
    count = figure(len(changes), hidden=small_edge(monthly))
    mean = None
    if changes and not count.suppressed:
        mean = f"{sum(changes) / len(changes):+.1f}".replace(".", ",")
    return {"count": count, "mean": mean}


def report(subject: Subject, period: Period) -> Report:
    result = Report(subject, period, key_figures=key_figures(subject, period))
    result.tables.append(months_table(subject, period))
    if subject.has_uses:
        result.tables.append(categories_table(subject, period))
        if subject.level != VENUE:
            result.tables.append(top_venues_table(subject, period))
    if subject.level in (NATIONAL, REGION):
        result.tables.append(sites_table(subject, period))
    if subject.has_cards:
        result.tables.extend(demographics_tables(subject, period))
        result.wellbeing = wellbeing_change(subject, period)
    result.tables.append(years_table(subject))
    return result


def one_table(subject: Subject, period: Period, key: str) -> Table | None:
    """One table of the report, computed alone (an export needs no other)."""
    builders: dict[str, Callable[[], Table | None]] = {
        "key": lambda: key_figures(subject, period),
        "months": lambda: months_table(subject, period),
        "categories": lambda: categories_table(subject, period) if subject.has_uses else None,
        "venues": lambda: (
            top_venues_table(subject, period)
            if subject.has_uses and subject.level != VENUE
            else None
        ),
        "sites": lambda: (
            sites_table(subject, period) if subject.level in (NATIONAL, REGION) else None
        ),
        "years": lambda: years_table(subject),
    }
    if key in ("ages", "genders", "life"):
        if not subject.has_cards:
            return None
        return next(t for t in demographics_tables(subject, period) if t.key == key)
    builder = builders.get(key)
    return builder() if builder else None
