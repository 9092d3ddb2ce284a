"""Statistics for a period of whole months: every figure against a hand-computed fixture, the
choice of a period (errors included), exports named and headed by the period, and suppression
across overlapping periods (a small count never the difference of two shown figures)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import random
import re

import pytest
from django.urls import reverse

from kaikukanta.cards.services import issue_card
from kaikukanta.stats import figures, summaries
from kaikukanta.stats.models import CardUseGap, CardUseYear
from kaikukanta.stats.periods import MAX_MONTHS, Period, quick_choices
from kaikukanta.stats.suppression import bound, possible_counts, small_edge
from kaikukanta.uses.services import record_use

from ..conftest import holder, new_key, on_day

pytestmark = pytest.mark.django_db
D = dt.date


def months(first: str, last: str) -> Period:
    (m1, y1), (m2, y2) = (map(int, first.split("/")), map(int, last.split("/")))
    return Period.of_months(D(y1, m1, 1), D(y2, m2, 1))


def issued(world, day, site=None, actor=None):
    with on_day(day):
        return issue_card(
            actor=actor or world.alpha_distributor, site=site or world.alpha_site, holder=holder()
        )


def used(world, card, day, venue=None, staff=None, **extra):
    with on_day(day):
        return record_use(
            actor=staff or world.alpha_venue_staff,
            venue=venue or world.alpha_venue,
            card_identifier=card.identifier,
            idempotency_key=new_key(),
            **extra,
        )


@pytest.fixture
def history(world):
    """Alpha (cards of the alpha site, uses at the alpha venue):
      a: issued 15.10.2025; used 20.10.2025, 10.12.2025, 5.1.2026, 20.3.2026 (with 2 children)
      b: issued 1.12.2025; used 3.12.2025, 4.12.2025
      c: issued 10.2.2026; used 10.3.2026, 15.3.2026, 2.6.2026
      d: issued 5.4.2026; never used
    Beta: e issued 1.11.2025, used 2.1.2026 at the beta venue."""
    a = issued(world, D(2025, 10, 15))
    b = issued(world, D(2025, 12, 1))
    c = issued(world, D(2026, 2, 10))
    d = issued(world, D(2026, 4, 5))
    e = issued(world, D(2025, 11, 1), world.beta_site, world.beta_distributor)
    for day in (D(2025, 10, 20), D(2025, 12, 10), D(2026, 1, 5)):
        used(world, a, day)
    used(world, a, D(2026, 3, 20), child_tickets=2)
    used(world, b, D(2025, 12, 3))
    used(world, b, D(2025, 12, 4))
    for day in (D(2026, 3, 10), D(2026, 3, 15), D(2026, 6, 2)):
        used(world, c, day)
    used(world, e, D(2026, 1, 2), world.beta_venue, world.beta_venue_staff)
    return a, b, c, d, e


def value(table, label, column="value"):
    return next(row for row in table.rows if row.label == label).cells[column]


def exact(table, column="value"):
    return {
        row.label: row.cells[column].value
        for row in table.rows
        if column in row.cells and hasattr(row.cells[column], "value")
    }


def test_key_figures_of_month_ranges_match_the_hand_computed_fixture(world, history):
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    # 12/2025-3/2026: b and c registered; a, b and c used; b and c first used in it; uses
    # a 10.12, 5.1, 20.3 (+2 children), b 3.12, 4.12, c 10.3, 15.3.
    p1 = exact(figures.key_figures(region, months("12/2025", "3/2026")))
    assert p1 == {
        "Cards registered": 2,
        "Cards taken into use": 2,
        "Cards used in the period": 3,
        "Renewals": 0,
        "Adult uses": 7,
        "Child tickets": 2,
        "Uses in all": 9,
    }
    # One month less at the start: c registered; a (5.1, 20.3) and c used, c new.
    p2 = exact(figures.key_figures(region, months("1/2026", "3/2026")))
    assert p2["Cards registered"] == 1
    assert p2["Cards used in the period"] == 2
    assert p2["Cards taken into use"] == 1
    assert (p2["Adult uses"], p2["Child tickets"], p2["Uses in all"]) == (4, 2, 6)
    # A single month, and a range over a year's end (a used in 12 and 1 counts once).
    p3 = exact(figures.key_figures(region, months("10/2025", "10/2025")))
    assert (p3["Cards registered"], p3["Cards used in the period"], p3["Cards taken into use"]) == (
        1,
        1,
        1,
    )
    p4 = exact(figures.key_figures(region, months("12/2025", "1/2026")))
    assert p4["Cards used in the period"] == 2
    assert p4["Uses in all"] == 4
    # The whole country adds e (used 2.1.2026, first use then).
    national = exact(
        figures.key_figures(figures.Subject(figures.NATIONAL, "All"), months("12/2025", "3/2026"))
    )
    assert national["Cards used in the period"] == 4
    assert national["Cards taken into use"] == 3
    assert national["Uses in all"] == 10
    # The issuing site: the same cards, no uses; the venue: the same uses, no cards.
    site = figures.Subject(figures.SITE, "site", site=world.alpha_site)
    by_site = exact(figures.key_figures(site, months("12/2025", "3/2026")))
    assert (by_site["Cards registered"], by_site["Cards used in the period"]) == (2, 3)
    assert "Uses in all" not in by_site
    venue = figures.Subject(figures.VENUE, "venue", venue=world.alpha_venue)
    assert exact(figures.key_figures(venue, months("12/2025", "3/2026")))["Uses in all"] == 9


def test_the_other_tables_of_a_month_range_match_the_fixture(world, history):
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    period = months("12/2025", "3/2026")
    by_month = figures.months_table(region, period)
    assert [row.label for row in by_month.rows] == [
        "12/2025",
        "1/2026",
        "2/2026",
        "3/2026",
        "Whole period",
    ]
    assert [row.cells["uses"].value for row in by_month.rows] == [3, 1, 0, 5, 9]
    assert [row.cells["registered"].value for row in by_month.rows] == [1, 0, 1, 0, 2]
    categories = figures.categories_table(region, period)
    culture = world.alpha_venue.get_category_display().capitalize()
    assert value(categories, culture, "uses").value == 9
    assert value(categories, "All categories", "children").value == 2
    venues = figures.top_venues_table(region, period)
    assert value(venues, world.alpha_venue.display_name, "adults").value == 7
    sites = figures.sites_table(region, period)
    assert value(sites, world.alpha_site.display_name, "registered").value == 2
    assert value(sites, world.alpha_site.display_name, "taken").value == 2
    ages, _genders, _life = figures.demographics_tables(region, period)
    assert value(ages, "45-64", "cards").value == 2  # born 1980: 45 at issue in 12/2025 and 2/2026
    assert value(ages, "In all", "cards").value == 2


def test_a_whole_year_counts_the_same_cards_as_the_yearly_table(world, history):
    for year in (2025, 2026):
        for region in (world.alpha, world.beta):
            subject = figures.Subject(figures.REGION, "r", region=region)
            key = exact(figures.key_figures(subject, Period.of_year(year)))
            yearly = CardUseYear.objects.filter(year=year, region=region)
            assert key["Cards used in the year"] == sum(r.used for r in yearly)
            assert key["Cards taken into use"] == sum(r.taken for r in yearly)


def test_cards_used_over_any_range_agree_with_the_uses(world, history):
    """Every range of the fixture's months: the gap table's count is the distinct cards used."""
    from kaikukanta.uses.models import Use

    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    all_months = Period.of_months(D(2025, 9, 1), D(2026, 11, 1)).months
    for first, last in itertools.combinations_with_replacement(all_months, 2):
        period = Period.of_months(first, last)
        expected = {
            use.card_id
            for use in Use.objects.filter(card_region=world.alpha)
            if first <= summaries.local_day(use.occurred_at).replace(day=1) <= last
        }
        assert figures.card_use_counts(region, period)[1][0] == len(expected), period


def test_a_long_gap_between_uses_still_counts_the_card_once(world, history):
    """A card last used MAX_MONTHS or more before is filed as LONG_AGO: still before any period."""
    assert summaries.since(D(2026, 1, 1), D(2022, 12, 1)) == summaries.LONG_AGO
    assert summaries.since(D(2026, 1, 1), D(2023, 2, 1)) == D(2023, 2, 1)
    assert summaries.since(D(2026, 1, 1), None) == summaries.NEVER
    a = history[0]
    from kaikukanta.uses.models import Use

    template = Use.objects.filter(card=a).first()
    template.pk = None
    template.idempotency_key = new_key()
    template.occurred_at = dt.datetime(2022, 5, 5, 12, tzinfo=dt.UTC)
    template.save()  # a use from long before, written past the services: counted explicitly
    summaries.use_added(template)
    assert CardUseGap.objects.filter(previous=summaries.LONG_AGO).exists()
    assert summaries.differences() == []
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    key = exact(figures.key_figures(region, months("10/2025", "12/2025")))
    assert key["Cards used in the period"] == 2  # a and b
    assert key["Cards taken into use"] == 1  # b: a was first used in 2022


def test_summaries_agree_with_a_rebuild_after_uses_come_and_go(world, history):
    from kaikukanta.uses.models import Use

    assert summaries.differences() == []
    a, _b, c, _d, _e = history
    # A use in a month between two others of the card, then the middle and the first removed.
    used(world, c, D(2026, 4, 30))
    assert summaries.differences() == []
    remove(Use.objects.filter(card=c, occurred_at__month=3))
    assert summaries.differences() == []
    remove(Use.objects.filter(card=a, occurred_at__year=2025, occurred_at__month=10))
    assert summaries.differences() == []
    summaries.rebuild()
    assert summaries.differences() == []


def remove(uses):
    """Deletes uses past the services (which cancel one, recent, use), taking each out of the
    summaries first, as `cancel_use` does."""
    for use in uses:
        summaries.use_removed(use)
        use.delete()


# --- suppression across periods ----------------------------------------------------------------


def test_small_edge_hides_a_count_that_a_shorter_period_would_give_away():
    assert not small_edge([10])
    assert not small_edge([0, 0, 7, 0])
    assert small_edge([3, 10])  # minus the period from the second month: 3
    assert small_edge([10, 0, 2])  # minus the period up to the second month: 2
    assert not small_edge([5, 10, 6])
    assert small_edge([0, 1, 0, 20])
    # A small month inside: January to March minus January minus March would give February.
    assert small_edge([5, 2, 5])


def feasible(shown: int) -> tuple[int, int]:
    """What a reader can know of the exact count behind a shown figure: an interval."""
    counts = possible_counts(shown)
    return counts[0], counts[-1]


def attack(whole: int, parts: list[int]) -> tuple[int, int]:
    """The exact counts a reader could still believe for whole - sum(parts), knowing only the shown
    figures and the perturbation table: an interval, never below zero."""
    low = feasible(whole)[0] - sum(feasible(part)[1] for part in parts)
    high = feasible(whole)[1] - sum(feasible(part)[0] for part in parts)
    return max(low, 0), high


def check_attack(true_small: int, whole: int, parts: list[int], where) -> bool:
    """The bound, checked: a small count (1-4) worked out by subtraction is only known to lie in an
    interval of at least two counts that holds the truth, and the naive estimate (the
    difference of the shown figures) is off from the truth by at most 2 x bound x (figures - 1).
    True when the naive estimate happened to be exact."""
    low, high = attack(whole, parts)
    assert low <= true_small <= high, where
    assert high - low >= 1, where  # never pinned down to one count
    estimate = whole - sum(parts)
    assert abs(estimate - true_small) <= bound() * (len(parts) + 1), where
    return estimate == true_small


def keyed(seed: int) -> None:
    """Record keys drawn from a seed (the summaries rebuilt): the test is the same every run."""
    from kaikukanta.cards.models import Card

    rng = random.Random(seed)
    for card in Card.objects.order_by("pk"):
        Card.objects.filter(pk=card.pk).update(record_key=rng.randrange(256))
    summaries.rebuild()


def published(subject, period):
    """(table, row, column) -> (exact count, shown) of every figure of a report."""
    report = figures.report(subject, period)
    found = {}
    for table in [report.key_figures, *report.tables]:
        for row in table.rows:
            label = "total" if row.total else row.label
            for column, cell in row.cells.items():
                if isinstance(cell, figures.Figure) and not cell.suppressed:
                    found[(table.key, label, column)] = (cell.value, cell.shown)
    return found


def test_no_small_count_is_recovered_by_subtraction(world, history):
    """The property, for every table of the page (the yearly table and the wellbeing count
    included), over overlapping periods and across the municipality, region and national pages,
    and a venue's and a site's pages, as a coordinator and a national administrator see them (the
    public sees no statistics; a venue's or site's own staff see their own rows exactly):
    every figure is shown within bound() of its count, never as 1 or 2; and wherever two or three
    shown figures differ by a small count (1-4) of people or uses, a reader knows that count only
    to an interval of at least two counts, and their estimate is off by at most the
    perturbation range. The noise is real: the naive estimate is often wrong."""
    a, _b, c, _d, _e = history
    rng = random.Random(9)
    for day in [D(2026, 3, 1) + dt.timedelta(days=i) for i in range(0, 240, 3)]:
        for card in rng.sample([a, c], rng.randint(0, 2)):
            if day <= D(2026, 10, 10):
                used(world, card, day)
    keyed(17)
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    municipality = figures.Subject(
        figures.MUNICIPALITY, "m", municipality=world.alpha_venue.municipality
    )
    national = figures.Subject(figures.NATIONAL, "All")
    # A venue's and a site's pages as their coordinator sees them (not their own staff: exact).
    venue = figures.Subject(figures.VENUE, "v", venue=world.alpha_venue)
    site = figures.Subject(figures.SITE, "s", site=world.alpha_site)
    all_months = Period.of_months(D(2025, 10, 1), D(2026, 10, 1)).months
    shown: dict[tuple, tuple[int, int]] = {}
    for subject in (region, municipality, national, venue, site):
        for first, last in itertools.combinations_with_replacement(all_months, 2):
            if subject is not region and (first, last) not in (
                (all_months[0], all_months[-1]),
                (D(2026, 1, 1), D(2026, 6, 1)),
            ):
                continue
            for cell, pair in published(subject, Period.of_months(first, last)).items():
                shown[(subject.level, *cell, first, last)] = pair
    for value, figure_shown in shown.values():
        assert abs(figure_shown - value) <= bound()
        assert figure_shown not in (1, 2)
        assert figure_shown >= 0
        assert value != 0 or figure_shown == 0
    attacks = exact_estimates = 0

    def attempt(whole, parts, where):
        nonlocal attacks, exact_estimates
        small = whole[0] - sum(part[0] for part in parts)
        if 0 < small < 5:
            attacks += 1
            exact_estimates += check_attack(small, whole[1], [part[1] for part in parts], where)

    for (level, key, label, column, first, last), whole in shown.items():
        # Overlapping periods: the same figure with the same first or the same last month.
        for other in [(first, m) for m in all_months if m < last] + [
            (m, last) for m in all_months if first < m <= last
        ]:
            part = shown.get((level, key, label, column, *other))
            if part is not None:
                attempt(whole, [part], (level, key, label, column, first, last, other))
        # Three periods: a period minus one at each end leaves the months between.
        inner = [m for m in all_months if first < m < last]
        for start, end in itertools.combinations_with_replacement(inner, 2):
            head = shown.get(
                (level, key, label, column, first, [m for m in all_months if m < start][-1])
            )
            tail = shown.get(
                (level, key, label, column, next(m for m in all_months if m > end), last)
            )
            if head is not None and tail is not None:
                attempt(whole, [head, tail], (level, key, label, column, first, last, start, end))
        # Levels: the national page minus the region's, the region's minus its municipality's.
        if level == "region":
            for upper in ("national",):
                other = shown.get((upper, key, label, column, first, last))
                if other is not None:
                    attempt(other, [whole], (upper, key, label, column, first, last))
        if level in ("venue", "site"):
            for upper in ("municipality", "region"):
                other = shown.get((upper, key, label, column, first, last))
                if other is not None:
                    attempt(other, [whole], (level, upper, key, label, column, first, last))
        if level == "municipality":
            other = shown.get(("region", key, label, column, first, last))
            if other is not None:
                attempt(other, [whole], ("municipality", key, label, column, first, last))
        # A table's total minus its rows (a total is a cell of its own).
        if label == "total":
            rows = [
                pair
                for (lv, k, lb, col, f, la), pair in shown.items()
                if (lv, k, col, f, la) == (level, key, column, first, last) and lb != "total"
            ]
            if key != "months":
                attempt(whole, rows, (level, key, column, first, last))
    # The yearly table: a year minus its months (the months table of the same year).
    for year in (2025, 2026):
        for subject in (region, national):
            years = figures.years_table(subject)
            months_of_year = figures.months_table(subject, Period.of_year(year))
            row = next((r for r in years.rows if r.label == str(year)), None)
            if row is None:
                continue
            for column in ("registered", "uses"):
                cells = [r.cells[column] for r in months_of_year.rows if not r.total]
                for leave_out in range(12):
                    parts = [cell for i, cell in enumerate(cells) if i != leave_out]
                    attempt(
                        (row.cells[column].value, row.cells[column].shown),
                        [(cell.value, cell.shown) for cell in parts],
                        ("years", year, column, leave_out),
                    )
    assert attacks > 50
    assert exact_estimates < attacks * 0.25, (exact_estimates, attacks)  # 974 of 11,513 here


def test_a_small_month_is_not_given_away_by_the_months_around_it(world):
    """5, 2 and 5 cards registered in January, February and March: February is never shown as 2, and
    January to March minus January minus March leaves it only to within an interval."""
    for day, count in [(D(2026, 1, 10), 5), (D(2026, 2, 10), 2), (D(2026, 3, 10), 5)]:
        for _ in range(count):
            issued(world, day)
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)

    def registered(first, last):
        return value(figures.key_figures(region, months(first, last)), "Cards registered")

    february = registered("2/2026", "2/2026")
    assert february.value == 2
    assert february.shown in (0, 3, 4)
    whole = registered("1/2026", "3/2026")
    assert whole.value == 12
    check_attack(
        2,
        whole.shown,
        [registered("1/2026", "1/2026").shown, registered("3/2026", "3/2026").shown],
        "feb",
    )


# --- choosing the period on the page -----------------------------------------------------------


def test_the_page_shows_the_chosen_months(world, history, client_as):
    client = client_as("alpha_coordinator")
    url = reverse("web:stats_region", args=["alpha"])
    page = client.get(url, {"from": "12/2025", "to": "3/2026"})
    assert page.status_code == 200
    assert page.context["period"] == months("12/2025", "3/2026")
    assert "12/2025\u20133/2026" in page.content.decode()
    assert exact(page.context["report"].key_figures)["Cards used in the period"] == 3
    # The yearly report PDF stays yearly: the year of the range's last month.
    assert reverse("web:stats_region_report", args=["alpha", 2026]) in page.content.decode()
    # 2026-03 is accepted as well as 3.2026.
    assert client.get(url, {"from": "2025-12", "to": "3.2026"}).context["period"] == months(
        "12/2025", "3/2026"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"from": "5/2026", "to": "3/2026"}, "The last month is before the first one."),
        ({"from": "1/2026", "to": "1/2099"}, "There are no figures for future months yet"),
        ({"from": "1/2015", "to": "3/2015"}, "The registry has figures from 2016 on."),
        ({"from": "1/2020", "to": "1/2026"}, f"at most {MAX_MONTHS} months long"),
        ({"from": "march", "to": "3/2026"}, "Give the month as month/year"),
        ({"from": "13/2025", "to": "3/2026"}, "Give the month as month/year"),
        ({"from": "1/2026"}, "Give both the first and the last month"),
        ({"year": "2099"}, "There are no figures for future years yet."),
        ({"year": "2015"}, "The registry has figures from 2016 on."),
    ],
)
def test_an_invalid_period_is_said_and_this_year_shown(world, client_as, given, message):
    from kaikukanta.core.dates import today

    client = client_as("alpha_coordinator")
    page = client.get(reverse("web:stats_region", args=["alpha"]), given)
    assert page.status_code == 200
    assert page.context["period"] == Period.of_year(today().year)
    assert message in page.content.decode()
    assert 'aria-invalid="true"' in page.content.decode()


def test_quick_choices():
    choices = dict(quick_choices(D(2026, 11, 28)))
    assert choices["This year"] == Period.of_year(2026)
    assert choices["Last year"] == Period.of_year(2025)
    assert choices["Last 12 months"] == months("12/2025", "11/2026")
    assert choices["Quarter 3/2026"] == months("7/2026", "9/2026")
    assert dict(quick_choices(D(2026, 2, 1)))["Quarter 4/2025"] == months("10/2025", "12/2025")


def test_exports_follow_the_period_in_name_heading_and_figures(world, history, client_as):
    from openpyxl import load_workbook

    client = client_as("alpha_coordinator")
    query = {"from": "12/2025", "to": "3/2026"}
    response = client.get(
        reverse("web:stats_region_export", args=["alpha", "months", "csv"]), query
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="kaikukanta-region-months-2025-12_2026-03.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Month by month: Alfala, 12/2025\u20133/2026"]
    assert [line[0] for line in lines[2:-2]] == [
        "12/2025",
        "1/2026",
        "2/2026",
        "3/2026",
        "Whole period",
    ]
    response = client.get(reverse("web:stats_region_export", args=["alpha", "key", "xlsx"]), query)
    assert "kaikukanta-region-key-2025-12_2026-03.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    page = client.get(reverse("web:stats_region", args=["alpha"]), query).context["report"]
    shown = {row.label: row.cells["value"] for row in page.key_figures.rows}
    assert rows["Cards used in the period"] == shown["Cards used in the period"].shown
    assert rows["Uses in all"] == shown["Uses in all"].shown
    # The yearly table is by year whatever the period: its first and last year in its name.
    response = client.get(reverse("web:stats_region_export", args=["alpha", "years", "csv"]), query)
    assert re.search(
        r'filename="kaikukanta-region-years-\d{4}--2026.csv"', response["Content-Disposition"]
    )
    # A year as before.
    response = client.get(
        reverse("web:stats_region_export", args=["alpha", "key", "csv"]), {"year": 2025}
    )
    assert 'filename="kaikukanta-region-key-2025.csv"' in response["Content-Disposition"]


def test_the_wellbeing_change_of_a_period_hides_a_difference_of_a_few_holders(world):
    """Six holders measured at issue (10.2025) and at renewal: five in 1/2026, one in 2/2026. Both
    months together would show 6 holders and their mean, January alone 5 and theirs: the one
    February holder's change would be 6 x mean6 - 5 x mean5. So the two months are hidden."""
    from kaikukanta.cards.services import Wellbeing, renew_card

    cards = []
    with on_day(D(2025, 10, 1)):
        for _ in range(6):
            cards.append(
                issue_card(
                    actor=world.alpha_distributor,
                    site=world.alpha_site,
                    holder=holder(),
                    wellbeing=Wellbeing(who5=(2, 2, 2, 2, 2)),
                )
            )
    for index, card in enumerate(cards):
        with on_day(D(2026, 1, 15) if index < 5 else D(2026, 2, 15)):
            renew_card(
                actor=world.alpha_distributor, card=card, wellbeing=Wellbeing(who5=(3, 3, 3, 3, 3))
            )
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    january = figures.wellbeing_change(region, months("1/2026", "1/2026"))
    assert (january["count"].value, january["mean"]) == (5, "+20,0")
    assert abs(january["count"].shown - 5) <= 2
    both = figures.wellbeing_change(region, months("1/2026", "2/2026"))
    assert both["count"].value == 6
    assert not both["count"].suppressed  # a count: shown perturbed
    assert both["mean"] is None  # a mean: held back
    # From December: the month before has no one measured, so nothing is given away.
    december_on = figures.wellbeing_change(region, months("12/2025", "1/2026"))
    assert december_on["mean"] == "+20,0"
