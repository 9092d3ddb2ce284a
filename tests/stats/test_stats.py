"""Statistics: figures against a hand-computed fixture, suppression (subtraction included), the
summary tables against the uses, exports, the region report, and scope."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from kaikukanta.cards.models import Gender, LifeSituation
from kaikukanta.cards.services import issue_card, renew_card
from kaikukanta.stats import figures, summaries
from kaikukanta.stats.periods import Period
from kaikukanta.stats.suppression import (
    TABLE_SIZE,
    adjustment,
    bound,
    perturbed,
    possible_counts,
    ptable,
)
from kaikukanta.uses.services import record_use

from ..conftest import holder, new_key, on_day

pytestmark = pytest.mark.django_db
Y2026 = Period.of_year(2026)


def use(world, card, venue=None, staff=None, **extra):
    return record_use(
        actor=staff or world.alpha_venue_staff,
        venue=venue or world.alpha_venue,
        card_identifier=card.identifier,
        idempotency_key=new_key(),
        **extra,
    )


@pytest.fixture
def fixture_world(world):
    """Alpha: 7 cards in 2026 (ages 30, 30, 30, 30, 30, 70, 70 at issue; 5 women), one of them used
    three times at the culture venue (one use with 2 children), another once; beta: 1 card, used
    once at the beta venue."""
    cards = []
    for birth_year, gender in [(1996, Gender.FEMALE)] * 5 + [(1956, Gender.MALE)] * 2:
        cards.append(
            issue_card(
                actor=world.alpha_distributor,
                site=world.alpha_site,
                holder=holder(
                    birth_year=birth_year, gender=gender, life_situation=LifeSituation.STUDENT
                ),
            )
        )
    beta = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    use(world, cards[0])
    use(world, cards[0])
    use(world, cards[0], child_tickets=2)
    use(world, cards[1])
    use(world, beta, world.beta_venue, world.beta_venue_staff)
    return cards, beta


def value(table, label, column="value"):
    row = next(row for row in table.rows if row.label == label)
    return row.cells[column]


def test_key_figures_match_the_hand_computed_fixture(world, fixture_world):
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    table = figures.key_figures(region, Y2026)
    assert value(table, "Cards registered").value == 7
    assert value(table, "Cards taken into use").value == 2
    assert value(table, "Cards used in the year").value == 2
    assert value(table, "Adult uses").value == 4
    assert value(table, "Child tickets").value == 2
    assert value(table, "Uses in all").value == 6
    # Every figure shown, perturbed: within the bound, never 1 or 2, never negative.
    for row in table.rows:
        cell = row.cells["value"]
        if isinstance(cell, figures.Figure):
            assert not cell.suppressed
            assert abs(cell.shown - cell.value) <= bound()
            assert cell.shown not in (1, 2)
            assert cell.shown >= 0
            assert str(cell) == str(cell.shown)
    national = figures.key_figures(figures.Subject(figures.NATIONAL, "All"), Y2026)
    assert value(national, "Cards registered").value == 8
    assert value(national, "Uses in all").value == 7


def test_demographics_and_sites_match_the_fixture(world, fixture_world):
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    ages, genders, life = figures.demographics_tables(region, Y2026)
    assert value(ages, "30-44", "cards").value == 5
    assert value(ages, "65+", "cards").value == 2
    # Holder data of a region below the threshold is not shown; the others are perturbed, the
    # total as a cell of its own: 7' - 5' gives the 2 back only with the noise of both.
    assert str(value(ages, "65+", "cards")) == "<5"
    assert not value(ages, "30-44", "cards").suppressed
    assert abs(value(ages, "In all", "cards").shown - 7) <= bound()
    national = figures.demographics_tables(figures.Subject(figures.NATIONAL, "All"), Y2026)[0]
    assert not value(national, "65+", "cards").suppressed  # not a small area
    assert value(genders, "Woman", "cards").value == 5
    assert value(life, "Studying", "cards").value == 7
    sites = figures.sites_table(region, Y2026)
    assert value(sites, world.alpha_site.display_name, "registered").value == 7
    assert value(sites, world.alpha_site.display_name, "taken").value == 2


def test_the_perturbation_table_never_shows_1_or_2_and_keeps_its_bound():
    table = ptable()
    assert bound() == 2
    for count in range(0, 40):
        outcomes = {perturbed(count, key) for key in range(TABLE_SIZE)}
        assert not outcomes & {1, 2} or count == 0, count
        assert min(outcomes) >= 0
        assert all(abs(shown - count) <= bound() for shown in outcomes)
        if count == 0:
            assert outcomes == {0}  # zero stays zero
        else:
            assert len(outcomes) >= 2  # always some noise to hide behind
            # The possible counts behind any shown value include this one.
            assert all(count in possible_counts(shown) for shown in outcomes)
    # Large counts are unbiased: the adjustments average to zero over the cell keys.
    assert sum(adjustment(100, key) for key in range(TABLE_SIZE)) == 0
    assert sum(weight for _change, weight in table[1]) == TABLE_SIZE


def test_the_same_records_get_the_same_noise():
    assert perturbed(7, 1234) == perturbed(7, 1234 + TABLE_SIZE)
    shown = {perturbed(7, key) for key in range(TABLE_SIZE)}
    assert shown == {5, 6, 7, 8, 9}


def test_a_bad_perturbation_table_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.KAIKUKANTA_STATS_PTABLE = {1: ((0, 256),)}  # would show 1
    with pytest.raises(ImproperlyConfigured, match="never 1, 2"):
        ptable()
    settings.KAIKUKANTA_STATS_PTABLE = {1: ((-1, 200),)}
    with pytest.raises(ImproperlyConfigured, match="add up to 256"):
        ptable()


def test_summaries_agree_with_the_uses_and_cards_after_changes(world, fixture_world):
    cards, _beta = fixture_world
    assert summaries.differences() == []
    with on_day(dt.date(2026, 6, 20)):
        use(world, cards[0])
        # Typed in later, earlier than the one above: the first use moves back.
        use(world, cards[2], occurred_at=dt.datetime(2026, 6, 16, 12, tzinfo=dt.UTC))
        use(world, cards[2])
    # A holder's data updated at renewal: the card moves between the demographic rows.
    renew_card(actor=world.alpha_distributor, card=cards[3], holder=holder(birth_year=1950))
    from kaikukanta.uses.models import Use

    for removed in Use.objects.filter(card=cards[1]):  # past the services, counted out explicitly
        summaries.use_removed(removed)
        removed.delete()
    assert summaries.differences() == []
    summaries.rebuild()
    assert summaries.differences() == []


def test_no_signal_receiver_keeps_the_statistics(world, alpha_card):
    """The services write the summaries (stats/summaries.py); a row saved past them is not
    counted behind anyone's back, and a change of the summaries cannot hide in a receiver."""
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    from kaikukanta.audit.models import AuditEvent
    from kaikukanta.cards.models import Card
    from kaikukanta.stats.models import UseMonth
    from kaikukanta.uses.models import Use

    for signal in (pre_save, post_save, pre_delete, post_delete):
        for model in (Use, Card, AuditEvent):
            assert not signal.has_listeners(model), (signal, model)
    record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
    )
    assert UseMonth.objects.get(venue=world.alpha_venue).uses == 1  # by record_use itself
    assert summaries.differences() == []


def test_the_check_finds_a_summary_that_drifted(world, fixture_world):
    from django.core.management import CommandError, call_command

    from kaikukanta.stats.models import CardUseMonth, UseMonth

    call_command("rebuild_stats", "--check")  # agrees
    UseMonth.objects.filter(pk=UseMonth.objects.order_by("pk").first().pk).update(uses=99)
    CardUseMonth.objects.order_by("pk").first().delete()
    assert summaries.differences() == ["usemonth", "cardusemonth"]
    with pytest.raises(CommandError, match="usemonth, cardusemonth"):
        call_command("rebuild_stats", "--check")
    call_command("rebuild_stats")
    call_command("rebuild_stats", "--check")


def test_a_use_shows_at_once(world, fixture_world, client_as):
    cards, _beta = fixture_world
    client = client_as("alpha_coordinator")
    url = reverse("web:stats_venue", args=[world.alpha_venue.pk])
    before = client.get(url).context["report"].key_figures
    use(world, cards[4])
    after = client.get(url).context["report"].key_figures
    assert value(after, "Uses in all").value == value(before, "Uses in all").value + 1


def test_exports_show_what_the_page_shows(world, fixture_world, client_as):
    from openpyxl import load_workbook

    client = client_as("alpha_coordinator")
    response = client.get(reverse("web:stats_region_export", args=["alpha", "ages", "csv"]))
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_label = {line[0]: line[1:] for line in lines[2:-2]}  # the legend follows an empty line
    page = client.get(reverse("web:stats_region", args=["alpha"])).context["report"]
    ages = page.table("ages")
    assert by_label["65+"] == ["<5"]
    assert by_label["30-44"] == [str(value(ages, "30-44", "cards").shown)]
    assert by_label["In all"] == [str(value(ages, "In all", "cards").shown)]
    response = client.get(reverse("web:stats_region_export", args=["alpha", "key", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    key = page.key_figures
    assert rows["Cards registered"] == value(key, "Cards registered").shown
    assert rows["Cards used in the year"] == value(key, "Cards used in the year").shown
    assert (
        client.get(reverse("web:stats_region_export", args=["alpha", "nope", "csv"])).status_code
        == 404
    )


def test_the_region_report_pdf_reads_back(world, fixture_world, client_as):
    import pypdfium2

    client = client_as("alpha_coordinator")
    response = client.get(reverse("web:stats_region_report", args=["alpha", 2026]))
    assert response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "Alfala" in text
    assert "2026" in text
    assert "Cards registered" in text
    assert "<5" in text


def test_each_role_sees_its_own_scope(world, fixture_world, client_as):
    page = client_as("alpha_distributor").get(reverse("web:stats_site", args=[world.alpha_site.pk]))
    key = page.context["report"].key_figures
    assert value(key, "Cards registered").value == 7
    assert "Uses in all" not in [row.label for row in key.rows]
    venue = client_as("alpha_venue_staff").get(
        reverse("web:stats_venue", args=[world.alpha_venue.pk])
    )
    assert value(venue.context["report"].key_figures, "Uses in all").value == 6
    assert "Cards registered" not in [row.label for row in venue.context["report"].key_figures.rows]
    assert (
        client_as("beta_coordinator").get(reverse("web:stats_region", args=["alpha"])).status_code
        == 404
    )
    national = client_as("national").get(reverse("web:stats_national"))
    assert national.status_code == 200
    assert b"<svg" in national.content
    assert "Year by year" in national.content.decode()
