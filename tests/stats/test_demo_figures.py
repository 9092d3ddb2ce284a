"""The statistics on the demo data, as the issue measured them: every key figure of Tampere's year and
the country's shown, nearly every number cell shown, the same figure the same number on the
statistics page, the national dashboard, the exports and the report, and the yearly table giving no
small month away (Nokia's cards registered in the demo's last year: 19, of which 3 in December)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from kaikukanta.accounts.models import User
from kaikukanta.network.models import Region
from kaikukanta.stats import figures
from kaikukanta.stats.periods import Period

from ..conftest import on_day, sign_in
from .test_periods import attack, check_attack

DAY = dt.date(2026, 12, 6)  # the day the issue measured the demo on
LAST_YEAR, THIS_YEAR = 2025, 2026


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module as on DAY (its dates follow the day it is loaded)."""
    with django_db_blocker.unblock():
        with on_day(DAY):
            call_command("load_demo", force=True, verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(loaded, db):
    return None


def client_for(username: str):
    from django.test import Client

    client = Client()
    client.cookies["kaikukanta_language"] = "en"
    sign_in(client, User.objects.get(username=username))
    return client


def region(slug: str) -> figures.Subject:
    found = Region.objects.get(slug=slug)
    return figures.Subject(figures.REGION, found.display_name, region=found)


NATIONAL = figures.Subject(figures.NATIONAL, "Whole country")


def key_figures(subject: figures.Subject, year: int) -> dict[str, figures.Figure]:
    table = figures.key_figures(subject, Period.of_year(year))
    return {row.label: row.cells["value"] for row in table.rows}  # type: ignore[misc]


def test_nokias_december_is_not_given_away_by_its_year(demo):
    """Before: the yearly table showed 19 cards registered in Nokia in 2025 and the months 5, 5 and
    6, with December "<5": 19 - 16 gave December = 3. Now every month and the year are shown,
    perturbed, and the year minus the other months leaves December only to within an interval."""
    nokia = region("nokia")
    months = figures.months_table(nokia, Period.of_year(LAST_YEAR))
    cells = [row.cells["registered"] for row in months.rows if not row.total]
    assert [cell.value for cell in cells][-4:] == [5, 5, 6, 3]
    years = figures.years_table(nokia)
    year = next(row.cells["registered"] for row in years.rows if row.label == str(LAST_YEAR))
    assert year.value == 19
    assert not year.suppressed
    assert not any(cell.suppressed for cell in cells)
    # The year in the yearly table is the same number as the whole year of the months table.
    assert year.shown == next(row for row in months.rows if row.total).cells["registered"].shown
    others = [cell.shown for cell in cells[:-1]]
    low, high = attack(year.shown, others)
    assert low <= 3 <= high
    assert high > low
    check_attack(3, year.shown, others, "December")


@pytest.mark.parametrize("subject", ["tampere", "national"])
def test_every_key_figure_of_the_year_is_shown(demo, subject):
    reader = NATIONAL if subject == "national" else region(subject)
    for year in (LAST_YEAR, THIS_YEAR):
        report = figures.report(reader, Period.of_year(year))
        for row in report.key_figures.rows:
            cell = row.cells["value"]
            assert not isinstance(cell, figures.Figure) or not cell.suppressed, (year, row.label)
        shown, total = report.shown_share()
        assert shown >= 0.95 * total, (year, shown, total)


def test_the_dashboard_exports_and_report_show_the_page_s_numbers(demo):
    national = client_for("kaikukeskus")
    query = {"year": LAST_YEAR}
    page = national.get(reverse("web:stats_national"), query).context["report"]
    key = {row.label: row.cells["value"] for row in page.key_figures.rows}
    dashboard = national.get(reverse("web:national"), query).context["rows"]
    everyone = dashboard[-1]
    assert everyone.label == "All regions"
    # The example: 153 registered and 422 uses, ".." on one page and shown on the other.
    assert key["Cards registered"].value == everyone.cards_registered.value == 153
    assert key["Uses in all"].value == everyone.total_uses.value == 422
    assert key["Cards registered"].shown == everyone.cards_registered.shown
    assert key["Cards used in the year"].shown == everyone.cards_used.shown
    assert key["Uses in all"].shown == everyone.total_uses.shown
    # The national page's figures for a region are the region page's, for its coordinator too.
    tampere = client_for("tampere.kulttuuri")
    region_page = tampere.get(reverse("web:stats_region", args=["tampere"]), query)
    region_key = {
        row.label: row.cells["value"] for row in region_page.context["report"].key_figures.rows
    }
    row = next(r for r in dashboard if r.region is not None and r.region.slug == "tampere")
    assert region_key["Cards registered"].shown == row.cards_registered.shown
    assert region_key["Uses in all"].shown == row.total_uses.shown
    region_dashboard = tampere.get(reverse("web:region", args=["tampere"]), query).context["rows"]
    assert region_dashboard[0].total_uses.shown == row.total_uses.shown
    # The export is the page's numbers.
    response = national.get(reverse("web:stats_national_export", args=["key", "csv"]), query)
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    exported = {line[0]: line[1] for line in lines[2:-2]}  # the legend follows an empty line
    assert exported["Cards registered"] == str(key["Cards registered"].shown)
    # The yearly table on the page, in its export and in the report: the same numbers.
    years = next(t for t in page.tables if t.key == "years")
    year_row = next(r for r in years.rows if r.label == str(LAST_YEAR))
    assert year_row.cells["registered"].shown == key["Cards registered"].shown
    assert year_row.cells["uses"].shown == key["Uses in all"].shown
    import pypdfium2

    pdf = tampere.get(reverse("web:stats_region_report", args=["tampere", LAST_YEAR]))
    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(pdf.content))
    assert f"Cards registered {region_key['Cards registered'].shown}" in text.replace("\r\n", " ")


def test_a_venue_and_a_site_see_their_own_figures_exactly(demo):
    from kaikukanta.cards.models import Card, CardType
    from kaikukanta.network.models import DistributorSite, Venue

    venue = Venue.objects.get(name="Nokian Työväen Teatteri")
    staff = client_for("kohde.nokia")
    page = staff.get(reverse("web:stats_venue", args=[venue.pk]), {"year": THIS_YEAR})
    key = {row.label: row.cells["value"] for row in page.context["report"].key_figures.rows}
    history = staff.get(
        reverse("web:venue_history"), {"since": f"{THIS_YEAR}-01-01", "until": f"{THIS_YEAR}-12-31"}
    ).context["totals"]
    assert key["Adult uses"].shown == history["holders"]
    # Clients under the age limit on a community card's group visit are children's tickets in the
    # statistics; the history lists them apart.
    children = history["children"] + history["without_card"]
    assert key["Child tickets"].shown == children
    assert key["Uses in all"].shown == history["holders"] + children
    assert "exact" in page.content.decode()
    # The coordinator sees the same venue perturbed, as published figures.
    coordinator = client_for("nokia.kulttuuri")
    other = coordinator.get(reverse("web:stats_venue", args=[venue.pk]), {"year": THIS_YEAR})
    assert not other.context["subject"].exact
    site = DistributorSite.objects.get(name="Etsivä nuorisotyö, Nokia")
    own = client_for("jakaja.nokia").get(
        reverse("web:stats_site", args=[site.pk]), {"year": THIS_YEAR}
    )
    registered = next(
        row.cells["value"]
        for row in own.context["report"].key_figures.rows
        if row.label == "Cards registered"
    )
    listed = (
        Card.objects.filter(
            issuing_site=site, card_type=CardType.PERSONAL, issued_on__year=THIS_YEAR
        )
        .exclude(replaces__isnull=False)
        .count()
    )
    assert registered.shown == registered.value == listed
