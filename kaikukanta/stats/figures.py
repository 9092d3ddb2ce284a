"""The statistics pages' figures, from the summary tables (models.py), for one subject and period
(periods.py: a calendar year or a range of whole months).

A subject is what the figures describe: the whole country, a region, a municipality (uses at its
venues), a distributor site (its issuing) or a venue (its uses). Uses are counted where they
happened, cards where they were issued. Every count goes out as a `Figure`: its exact count and its
records' key sum, perturbed by the cell key method (suppression.py) when shown, except a reader's own
rows (`Subject.exact`: a venue's staff on its page, a site's on its own), which are shown exactly.
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

from .models import (
    CardMonth,
    CardProfileMonth,
    CardUseGap,
    CardUseYear,
    ErasedWellbeingMonth,
    RenewalMonth,
    UseMonth,
)
from .periods import Period, month_label
from .queries import CATEGORIES, Figure, Pair, figure, plus
from .summaries import AGE_GROUPS, NEVER, issue_scores
from .suppression import small_edge

NATIONAL, REGION, MUNICIPALITY, SITE, VENUE = "national", "region", "municipality", "site", "venue"


@dataclass(frozen=True)
class Subject:
    level: str
    label: str
    region: Region | None = None
    municipality: Municipality | None = None
    site: DistributorSite | None = None
    venue: Venue | None = None
    # The reader's own rows (their venue's uses, their site's cards): shown exactly.
    exact: bool = False

    @property
    def small_area(self) -> bool:
        """Holder data of a region or a site keeps the threshold (suppression.is_small)."""
        return self.level != NATIONAL

    def figure(self, pair: Pair, *, holder_data: bool = False) -> Figure:
        return figure(*pair, exact=self.exact, small_area=holder_data and self.small_area)

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
    """A table as shown and exported: every count a Figure."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[TableRow]
    label_heading: str = ""
    note: str = ""
    chart: list[tuple[str, Figure]] = field(default_factory=list)

    def cells(self, row: TableRow) -> list[Cell]:
        return [row.cells.get(key) for key, _label in self.columns]


def build_table(
    subject: Subject,
    key: str,
    title: str,
    label_heading: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[tuple[str, dict[str, Pair]]],
    *,
    total_label: str | None = None,
    holder_data: bool = False,
) -> Table:
    """Rows of exact counts with their key sums → a Table of Figures. With `total_label`, a total
    row: each column's count and key sum summed, a cell of its own (perturbed as itself, not the
    sum of the perturbed cells). `holder_data`: the threshold of a small area applies."""
    data = [(label, dict(cells)) for label, cells in rows]
    keys = [column for column, _label in columns]

    def made(cells: dict[str, Pair]) -> dict[str, Cell]:
        return {
            column: subject.figure(cells.get(column, (0, 0)), holder_data=holder_data)
            for column in keys
        }

    table_rows = [TableRow(label, made(cells)) for label, cells in data]
    if total_label is not None:
        totals = {
            column: plus(*(cells.get(column, (0, 0)) for _l, cells in data)) for column in keys
        }
        table_rows.append(TableRow(total_label, made(totals), total=True))
    return Table(key, title, list(columns), table_rows, label_heading=label_heading)


def category_labels() -> list[tuple[str, str]]:
    return [(key, str(label).capitalize()) for key, label in Venue.Category.choices]


def _sums(
    queryset: QuerySet, period: Period, by: str | tuple[str, ...] | None, **sums: str
) -> dict[Any, dict[str, Pair]]:
    """Sums of a monthly summary table's counters over the period, per `by` (a field, or a tuple of
    fields and then tuples as keys; None: all, under None): each `name=counter` as the counter's
    sum and its key sum's (models.py: `<counter>_key`)."""
    keys = [by] if isinstance(by, str) else list(by or ())
    aggregates: dict[str, Any] = {}
    for name, counter in sums.items():
        aggregates[name] = Sum(counter)
        aggregates[f"{name}__key"] = Sum(f"{counter}_key")
    found: dict[Any, dict[str, Pair]] = {}
    width = len(keys)
    names = list(aggregates)
    if not keys:
        values = in_period(queryset, period).aggregate(**aggregates)
        if any(values.values()):
            found[None] = {name: (values[name] or 0, values[f"{name}__key"] or 0) for name in sums}
        return found
    rows = in_period(queryset, period).values(*keys).annotate(**aggregates)
    for row in rows.values_list(*keys, *names):
        key = row[0] if isinstance(by, str) else (tuple(row[:width]) if by else None)
        values = dict(zip(names, row[width:], strict=True))
        found[key] = {name: (values[name] or 0, values[f"{name}__key"] or 0) for name in sums}
    return found


ZERO: Pair = (0, 0)


def card_use_counts(subject: Subject, period: Period) -> tuple[Pair, Pair]:
    """Cards taken into use in the period and cards used in it, each with its key sum: a card used
    in the period counts once, in its first month of use in it (models.CardUseGap)."""
    rows = list(
        in_period(subject.card_gaps(), period)
        .values("month", "previous")
        .annotate(n=Sum("cards"), k=Sum("cards_key"))
        .values_list("month", "previous", "n", "k")
    )
    taken = plus(*((n or 0, k or 0) for _m, previous, n, k in rows if previous == NEVER))
    used = plus(*((n or 0, k or 0) for _m, previous, n, k in rows if previous < period.first))
    return taken, used


@dataclass
class Report:
    subject: Subject
    period: Period
    key_figures: Table | None = None
    tables: list[Table] = field(default_factory=list)
    wellbeing: dict[str, Any] | None = None

    def numbers(self) -> list[Figure]:
        """Every number cell of the report (its tables and the wellbeing count)."""
        found = [
            cell
            for table in [self.key_figures, *self.tables]
            if table is not None
            for row in table.rows
            for cell in row.cells.values()
            if isinstance(cell, Figure)
        ]
        if self.wellbeing and isinstance(self.wellbeing.get("count"), Figure):
            found.append(self.wellbeing["count"])
        return found

    def shown_share(self) -> tuple[int, int]:
        """How many of the number cells are shown (not held back below the threshold), of all."""
        numbers = self.numbers()
        return sum(1 for cell in numbers if not cell.suppressed), len(numbers)

    def table(self, key: str) -> Table | None:
        for table in [self.key_figures, *self.tables]:
            if table is not None and table.key == key:
                return table
        return None


def key_figures(subject: Subject, period: Period) -> Table:
    values: dict[str, Pair] = {}
    columns: list[tuple[str, str]] = []
    if subject.has_cards:
        values["registered"] = _sums(subject.registered(), period, None, n="cards").get(
            None, {"n": ZERO}
        )["n"]
        values["taken"], values["used"] = card_use_counts(subject, period)
        values["renewals"] = _sums(subject.renewals(), period, None, n="cards").get(
            None, {"n": ZERO}
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
        uses = _sums(subject.uses(), period, None, a="adult_tickets", c="child_tickets").get(
            None, {"a": ZERO, "c": ZERO}
        )
        values["adults"] = uses["a"]
        values["children"] = uses["c"]
        values["uses"] = plus(uses["a"], uses["c"])
        columns += [
            ("adults", _("Adult uses")),
            ("children", _("Child tickets")),
            ("uses", _("Uses in all")),
        ]
    shown = {key: subject.figure(pair) for key, pair in values.items()}
    table = Table(
        "key",
        _("Key figures"),
        [("value", period.label)],
        [TableRow(label, {"value": shown[key]}) for key, label in columns],
        label_heading=_("Figure"),
    )
    if subject.has_cards and subject.has_uses and shown["used"].shown:
        # From the figures as shown: the ratio gives no more away than they do.
        ratio = (shown["uses"].shown or 0) / (shown["used"].shown or 1)
        table.rows.append(
            TableRow(_("Uses per card used"), {"value": f"{ratio:.1f}".replace(".", ",")})
        )
    return table


def categories_table(subject: Subject, period: Period) -> Table:
    found = _sums(subject.uses(), period, "category", a="adult_tickets", c="child_tickets")
    rows: list[tuple[str, dict[str, Pair]]] = []
    for key, label in category_labels():
        cells = found.get(key, {"a": ZERO, "c": ZERO})
        rows.append(
            (label, {"adults": cells["a"], "children": cells["c"], "uses": plus(*cells.values())})
        )
    return build_table(
        subject,
        "categories",
        _("Uses by category"),
        _("Category"),
        [("adults", _("Adult uses")), ("children", _("Child tickets")), ("uses", _("Uses in all"))],
        rows,
        total_label=_("All categories"),
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
    by_month: dict[dt.date, dict[str, Pair]] = defaultdict(dict)
    if subject.has_cards:
        columns.append(("registered", _("Cards registered")))
        for month, cells in _sums(subject.registered(), period, "month", n="cards").items():
            by_month[month]["registered"] = cells["n"]
    if subject.has_uses:
        columns.append(("uses", _("Uses in all")))
        found = _sums(subject.uses(), period, "month", a="adult_tickets", c="child_tickets")
        for month, cells in found.items():
            by_month[month]["uses"] = plus(cells["a"], cells["c"])
    whole_year = period.year is not None

    def label(month: dt.date) -> str:
        # A calendar year's months by name; a range's as 3/2026, as it may span years.
        return str(MONTHS[month.month - 1]) if whole_year else month_label(month)

    table = build_table(
        subject,
        "months",
        _("Month by month"),
        _("Month"),
        columns,
        [(label(m), by_month.get(m, {})) for m in period.months],
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
    registered: dict[int, Pair] = {}
    taken: dict[int, Pair] = {}
    if subject.has_cards:
        for y, n, k in (
            subject.registered()
            .annotate(y=ExtractYear("month"))
            .values("y")
            .annotate(n=Sum("cards"), k=Sum("cards_key"))
            .values_list("y", "n", "k")
        ):
            registered[y] = (n or 0, k or 0)
        for y, n, k in (
            subject.card_uses()
            .values("year")
            .annotate(n=Sum("taken"), k=Sum("taken_key"))
            .values_list("year", "n", "k")
        ):
            taken[y] = (n or 0, k or 0)
    uses: dict[int, dict[str, Pair]] = defaultdict(dict)
    places: dict[int, set[int]] = defaultdict(set)
    if subject.has_uses:
        # One pass: per year, category and venue (a few thousand rows), summed here; the venues
        # give the municipalities.
        municipality_of = dict(Venue.objects.values_list("pk", "municipality"))
        for y, category, venue, a, ak, c, ck in (
            subject.uses()
            .annotate(y=ExtractYear("month"))
            .values("y", "category", "venue")
            .annotate(
                a=Sum("adult_tickets"),
                ak=Sum("adult_tickets_key"),
                c=Sum("child_tickets"),
                ck=Sum("child_tickets_key"),
            )
            .values_list("y", "category", "venue", "a", "ak", "c", "ck")
        ):
            cells = uses[y]
            cells[f"a_{category}"] = plus(cells.get(f"a_{category}", ZERO), (a or 0, ak or 0))
            cells[f"c_{category}"] = plus(cells.get(f"c_{category}", ZERO), (c or 0, ck or 0))
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
        cells = {"registered": registered.get(y, ZERO), "taken": taken.get(y, ZERO), **uses[y]}
        cells["uses"] = plus(*uses[y].values())
        rows.append((str(y), cells))
    table = build_table(
        subject,
        "years",
        _("Year by year"),
        _("Year"),
        [c for c in columns if c[0] != "municipalities"],
        rows,
    )
    table.columns = columns
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
    found = _sums(uses.filter(venue__in=top), period, "venue", a="adult_tickets", c="child_tickets")
    names = {v.pk: v.display_name for v in Venue.objects.filter(pk__in=top)}
    return build_table(
        subject,
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
                    "uses": plus(found[venue]["a"], found[venue]["c"]),
                },
            )
            for venue in top
        ],
    )


def sites_table(subject: Subject, period: Period) -> Table:
    registered = _sums(subject.registered(), period, "issuing_site", n="cards")
    renewals = _sums(subject.renewals(), period, "issuing_site", n="cards")
    taken = _sums(subject.card_gaps().filter(previous=NEVER), period, "issuing_site", n="cards")
    ids = set(registered) | set(renewals) | set(taken)
    sites = sorted(
        DistributorSite.objects.filter(pk__in=ids).select_related("organisation"),
        key=lambda site: site.display_name,
    )
    zeros = {"n": ZERO}
    return build_table(
        subject,
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
    found = _sums(profiles, period, ("dimension", "value"), n="cards")
    for key, title, dimension, choices in specs:
        counts = {value: cells["n"] for (d, value), cells in found.items() if d == dimension}
        tables.append(
            build_table(
                subject,
                key,
                _("Cards registered: %(what)s") % {"what": title.lower()},
                title,
                [("cards", _("Cards registered"))],
                [
                    (label, {"cards": counts.get(value, ZERO)})
                    for value, label in [*choices, ("", unknown)]
                ],
                total_label=_("In all"),
                holder_data=True,
            )
        )
    return tables


def wellbeing_change(subject: Subject, period: Period) -> dict[str, Any]:
    """Mean change of the WHO-5 score (0-100) from issue to renewal, over the holders measured at
    both, whose renewal measurement falls in the period (a holder's latest there); hidden when fewer
    than the threshold, or when a shorter period would differ by fewer (suppression.small_edge: a
    mean is not a count). The answers the retention policy deleted count from ErasedWellbeingMonth
    (each renewal measurement of theirs, as they counted before: summaries.holder_data_erased)."""
    if not subject.has_cards:
        return {}
    cards, area = Q(), Q()
    if subject.level == REGION:
        cards, area = Q(card__region=subject.region), Q(region=subject.region)
    elif subject.level == SITE:
        cards, area = Q(card__issuing_site=subject.site), Q(issuing_site=subject.site)
    measured = WellbeingMeasurement.objects.filter(cards)
    later = measured.order_by("measured_on", "pk").filter(
        WellbeingMeasurement.complete(),
        occasion=WellbeingMeasurement.Occasion.RENEWAL,
        measured_on__range=(period.first, period.end),
    )
    renewal: dict[int, int] = {}
    renewed_in: dict[int, dt.date] = {}
    record_keys: dict[int, int] = {}
    for r in later.values(
        "card", "card__record_key", "measured_on", *WellbeingMeasurement.WHO5_FIELDS
    ):
        renewal[r["card"]] = WellbeingMeasurement.score(r)
        renewed_in[r["card"]] = r["measured_on"].replace(day=1)
        record_keys[r["card"]] = r["card__record_key"]
    # The cards as a subquery, not a list of their ids: no statement nears PostgreSQL's limit of
    # 65,535 parameters, however many holders renewed in the period.
    issue = issue_scores(measured.filter(card__in=later.order_by().values("card")))
    measured_both = [card for card in renewal if card in issue]
    changes = sum(renewal[card] - issue[card] for card in measured_both)
    holders, key = len(measured_both), sum(record_keys[card] for card in measured_both)
    # Holders measured month by month: a period a month shorter must not differ by a few holders,
    # or the difference of the two means would give their own changes away (small_edge).
    position = {month: i for i, month in enumerate(period.months)}
    monthly = [0] * period.length
    for card in measured_both:
        monthly[position[renewed_in[card]]] += 1
    erased = ErasedWellbeingMonth.objects.filter(area, month__range=(period.first, period.end))
    for month, n, k, change in erased.values_list("month", "holders", "holders_key", "change_sum"):
        monthly[position[month]] += n
        holders, key, changes = holders + n, key + k, changes + change
    # The count is a count: perturbed, and held back below the threshold in a small area. The mean
    # is not protected by the perturbation, so it is also held back when any month has 1 to 4.
    count = subject.figure((holders, key), holder_data=True)
    mean = None
    if holders and not count.suppressed and (subject.exact or not small_edge(monthly)):
        mean = f"{changes / holders:+.1f}".replace(".", ",")
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
