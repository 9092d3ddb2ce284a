"""Every CSV and XLSX the service writes opens right in a Finnish spreadsheet (core/exports.py):
semicolons, a byte order mark, d.m.yyyy, the page's headings and human values; numbers as numbers,
a frozen heading row and a legend in XLSX; and no cell a spreadsheet would run as a formula, with a
formula typed into a venue's, a site's and an organisation's name (OWASP CSV injection)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from kaikukanta.core import exports

from .conftest import on_day
from .stats.test_stats import fixture_world, use  # noqa: F401  (fixtures and helper)

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://x","y")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
TABLES = ["key", "months", "categories", "venues", "sites", "ages", "genders", "life", "years"]


@pytest.fixture
def evil_names(world, fixture_world):  # noqa: F811
    venue, site = world.alpha_venue, world.alpha_site
    venue.name = venue.name_sv = venue.name_en = EVIL
    venue.save()
    site.name = EVIL
    site.save()
    site.organisation.name = EVIL
    site.organisation.save()
    venue.organisation.name = EVIL
    venue.organisation.save()
    return world


def csv_lines(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith("\ufeff".encode()), "UTF-8 with a byte order mark"
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def assert_no_formula_text(lines: list[list[str]]) -> None:
    for line in lines:
        for cell in line:
            assert not cell.startswith(DANGEROUS), cell


def stats_exports(world):
    """(user, url name, args) of every statistics level: the country, a region, a municipality, a
    site and a venue."""
    return [
        ("national", "web:stats_national_export", []),
        ("alpha_coordinator", "web:stats_region_export", ["alpha"]),
        ("alpha_coordinator", "web:stats_municipality_export", ["901"]),
        ("alpha_distributor", "web:stats_site_export", [world.alpha_site.pk]),
        ("alpha_coordinator", "web:stats_site_export", [world.alpha_site.pk]),
        ("alpha_venue_staff", "web:stats_venue_export", [world.alpha_venue.pk]),
    ]


def page_table(client, url_name: str, args: list, key: str):
    page_name = url_name.removesuffix("_export")
    report = client.get(reverse(page_name, args=args), {"year": 2026}).context["report"]
    return report.key_figures if key == "key" else report.table(key)


def test_every_statistics_csv_opens_with_semicolons_headings_and_no_formula(evil_names, client_as):
    world = evil_names
    opened, evil_seen = 0, 0
    for user, url_name, args in stats_exports(world):
        client = client_as(user)
        for key in TABLES:
            response = client.get(reverse(url_name, args=[*args, key, "csv"]), {"year": 2026})
            if response.status_code == 404:  # a table the level has not
                continue
            assert response.status_code == 200
            opened += 1
            lines = csv_lines(response)
            table = page_table(client, url_name, args, key)
            # The title line, the page's headings, its rows, an empty line and the legend.
            assert lines[1] == [table.label_heading, *[label for _k, label in table.columns]]
            assert len(lines) == 2 + len(table.rows) + 2
            assert lines[-2] == []
            assert "<5" in lines[-1][0]
            assert "“..”" in lines[-1][0]
            assert_no_formula_text(lines)
            evil_seen += sum(f"'{EVIL}" in cell for line in lines for cell in line)
            for line in lines[2:-2]:
                for cell in line[1:]:
                    # A count, "<5", a decimal with a comma, or empty: never a dot decimal.
                    assert re.fullmatch(r"|<\d+|\.\.|-?\d+|[+-]?\d+,\d+", cell), cell
    assert opened == 39  # every table of every level
    # The venue's name (top venues, the venue's own heading) and the site's (sites table, its own
    # heading) were exported, neutralised with an apostrophe.
    assert evil_seen >= 4


def test_every_statistics_xlsx_has_numbers_widths_frozen_headings_legend_and_no_formula(
    evil_names, client_as
):
    from openpyxl import load_workbook

    world = evil_names
    opened = 0
    for user, url_name, args in stats_exports(world):
        client = client_as(user)
        for key in TABLES:
            response = client.get(reverse(url_name, args=[*args, key, "xlsx"]), {"year": 2026})
            if response.status_code == 404:
                continue
            opened += 1
            assert response["Content-Disposition"].endswith('.xlsx"')
            assert re.search(r"-(2026|\d{4}--\d{4})\.xlsx", response["Content-Disposition"])
            sheet = load_workbook(io.BytesIO(response.content)).active
            table = page_table(client, url_name, args, key)
            rows = list(sheet.iter_rows())
            headings = [cell.value for cell in rows[1]]
            assert headings == [table.label_heading, *[label for _k, label in table.columns]]
            assert sheet.freeze_panes == "A3"
            assert sheet.column_dimensions["A"].width >= 8
            legend = rows[-1][0].value
            assert "<5" in legend
            assert "“..”" in legend
            assert rows[-2][0].value is None
            for row in rows:
                for cell in row:
                    assert cell.data_type != "f", (key, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value.startswith(DANGEROUS):
                        assert cell.value == EVIL or cell.value.startswith(("+", "-"))
                        assert cell.data_type == "s"
                        assert cell.quotePrefix
            for row in rows[2:-2]:
                for cell in row[1:]:
                    value = cell.value
                    assert (
                        value is None
                        or isinstance(value, int | float)
                        or value
                        in (
                            "<5",
                            "..",
                        )
                    ), (key, cell.coordinate, value)
            if key == "years":
                assert all(isinstance(row[0].value, int) for row in rows[2:-2])
            if key == "venues" and url_name in (
                "web:stats_national_export",
                "web:stats_region_export",
            ):
                assert EVIL in [row[0].value for row in rows[2:-2]]
    assert opened == 39  # every table of every level


def test_the_venue_history_csv_has_the_pages_headings_human_values_and_its_period(
    evil_names, client_as
):
    clerk = client_as("alpha_venue_staff")
    response = clerk.get(
        reverse("web:venue_history"),
        {"format": "csv", "since": "1.1.2026", "until": "31.12.2026"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="kaikukanta-venue-history-2026-01-01--2026-12-31.csv"'
    )
    lines = csv_lines(response)
    assert lines[0] == [
        "Time",
        "Card number",
        "Venue",
        "Event",
        "Kind",
        "Category",
        "Holder's ticket",
        "Child tickets",
        "Clients without a card",
        "Group visit",
    ]
    assert len(lines) == 1 + 4
    assert_no_formula_text(lines)
    for line in lines[1:]:
        assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}\.\d\d", line[0])
        assert line[2] == f"'{EVIL}"
        assert line[4] == "entry ticket"  # as the page says it, not entry_ticket
        assert line[5] == "culture"
        assert line[6] in ("yes", "no")
        assert line[9] == "no"
    assert sorted(line[7] for line in lines[1:]) == ["0", "0", "0", "2"]
    # Without dates: the days of the first and the last use.
    response = clerk.get(reverse("web:venue_history"), {"format": "csv"})
    assert re.search(
        r'filename="kaikukanta-venue-history-\d{4}-\d\d-\d\d--\d{4}-\d\d-\d\d.csv"',
        response["Content-Disposition"],
    )


def test_the_history_csv_is_in_the_readers_language(evil_names, client_as):
    clerk = client_as("alpha_venue_staff")
    clerk.cookies["kaikukanta_language"] = "fi"
    response = clerk.get(reverse("web:venue_history"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="fi")
    lines = csv_lines(response)
    assert lines[0][0] == "Aika"
    assert {line[6] for line in lines[1:]} <= {"kyllä", "ei"}
    assert "entry_ticket" not in {line[4] for line in lines[1:]}


def test_the_public_catalogue_spreadsheet_and_open_data_neutralise_formulas(evil_names, client):
    with on_day(dt.date(2026, 6, 1)):
        response = client.get(reverse("public:catalogue_spreadsheet"), {"lang": "en"})
        finnish = csv_lines(client.get(reverse("public:catalogue_spreadsheet"), {"lang": "fi"}))
    assert finnish[1][:4] == ["Kohde", "Alue", "Kunta", "Luokka"]
    assert response["Content-Disposition"] == (
        'attachment; filename="kaikukortti-venues-2026-06-01.csv"'
    )
    lines = csv_lines(response)
    assert lines[1][:4] == ["Venue", "Region", "Municipality", "Category"]
    assert_no_formula_text(lines)
    by_name = {line[0]: line for line in lines[2:]}
    evil = by_name[f"'{EVIL}"]
    assert evil[3] == "Culture"
    assert evil[5] in ("yes", "no")
    popup = by_name["Pop-up-museo"]
    assert popup[1] == "National pop-up venue"
    assert (popup[6], popup[7]) == ("1.1.2026", "31.12.2026")
    # The open data stays a machine format (commas, ISO dates), its texts neutralised all the same.
    response = client.get("/api/v1/catalogue/venues.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    names = {row["name_fi"] for row in rows}
    assert f"'{EVIL}" in names
    assert EVIL not in names
    assert {row["accepts_from"] for row in rows if row["popup"] == "yes"} == {"2026-01-01"}


def test_a_cell_is_neutralised_only_when_it_is_text():
    assert exports.csv_cell("=1+2") == "'=1+2"
    assert exports.csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports.csv_cell("\tx") == "'\tx"
    assert exports.csv_cell("-5") == "'-5"  # a text that looks like a number is still text
    assert exports.csv_cell(-5) == "-5"  # a negative number stays a number
    assert exports.csv_cell(-1.5) == "-1,5"
    assert exports.csv_cell(dt.date(2027, 3, 1)) == "1.3.2027"
    assert exports.csv_cell(None) == ""


def test_a_negative_number_stays_a_number_in_xlsx():
    from openpyxl import load_workbook

    sheet = exports.Sheet("t", ["a", "b", "c"], [["-x", -3, 2.5]], legend="L")
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(sheet))).active
    assert [cell.value for cell in book[3]] == ["-x", -3, 2.5]
    assert book["A3"].data_type == "s"
    assert book["A3"].quotePrefix
    assert book["B3"].data_type == "n"
