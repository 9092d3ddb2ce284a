"""The retention policy (manage.py purge): each rule applies when its period has passed and not
before, a dry run changes nothing, a second run does nothing, and the statistics pages show the same
figures before and after a purge."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessLog
from django.core.management import call_command
from django.urls import reverse

from kaikukanta.accounts.models import SecondStepFailures
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.audit.services import record
from kaikukanta.cards.models import Card, ClosingReason, HandOver, WellbeingMeasurement
from kaikukanta.cards.services import (
    close_card,
    hand_over_card,
    issue_card,
    renew_card,
    revoke_hand_over,
)
from kaikukanta.stats import figures
from kaikukanta.stats.models import CardProfileMonth, ErasedProfileMonth, ErasedWellbeingMonth
from kaikukanta.stats.periods import Period
from kaikukanta.stats.retention import purge
from kaikukanta.uses.models import CancelledRequest, Use
from kaikukanta.uses.services import record_use

from ..conftest import HELSINKI, holder, new_key

pytestmark = pytest.mark.django_db

FOUR_MONTHS_LATER = dt.datetime(2026, 10, 15, 12, 0, tzinfo=HELSINKI)
SIX_YEARS_LATER = dt.datetime(2032, 7, 1, 12, 0, tzinfo=HELSINKI)


@pytest.fixture
def history(world):
    """June 2026: two alpha cards with holder data, used, one closed, one with wellbeing answers and a
    revoked mobile-card link; a login record; a cancelled request's key; a role granted."""
    used = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    closed = issue_card(
        actor=world.alpha_distributor, site=world.alpha_site, holder=holder(birth_year=1950)
    )
    for card in (used, used, closed):
        record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=card.identifier,
            idempotency_key=new_key(),
        )
    close_card(actor=world.alpha_distributor, card=closed, reason=ClosingReason.values[0])
    WellbeingMeasurement.objects.create(
        card=used, occasion="issue", measured_on=used.issued_on, mood=4
    )
    hand_over_card(actor=world.alpha_distributor, card=used)
    revoke_hand_over(actor=world.alpha_distributor, card=used)
    hand_over_card(actor=world.alpha_distributor, card=used)
    AccessLog.objects.create(username="alpha_dist", ip_address="192.0.2.1", user_agent="Firefox")
    SecondStepFailures.objects.create(user=world.alpha_coordinator, source="a" * 64, failures=2)
    CancelledRequest.objects.create(venue=world.alpha_venue, idempotency_key="cancelled-key")
    record(actor=None, action=Action.ROLE_GRANTED, target=world.alpha_coordinator)
    return used, closed


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


def stats_pages(client_as, world) -> dict[str, str]:
    """The statistics pages of 2026 as a national administrator and alpha's people see them, without
    the per-request CSRF token."""
    pages = {
        "national": ("national", reverse("web:stats_national")),
        "region": ("alpha_coordinator", reverse("web:stats_region", args=["alpha"])),
        "venue": ("alpha_venue_staff", reverse("web:stats_venue", args=[world.alpha_venue.pk])),
        "site": ("alpha_distributor", reverse("web:stats_site", args=[world.alpha_site.pk])),
    }
    found = {}
    for name, (role, url) in pages.items():
        response = client_as(role).get(url, {"year": 2026})
        assert response.status_code == 200, name
        found[name] = CSRF_TOKEN.sub("", response.text)
    return found


def test_each_rule_waits_for_its_period(history):
    with time_machine.travel(FOUR_MONTHS_LATER, tick=False):
        counts = purge(dry_run=True)
    # Past 90 days (login, wrong second-step codes), 30 days after revocation (links), 60 days
    # (request keys); nothing else.
    assert counts == {
        "cards_erased": 0,
        "wellbeing_answers": 0,
        "old_cards_links": 0,
        "audit_events": 0,
        "flags": 0,
        "login_records": 2,
        "revoked_links": 1,
        "request_keys": 1,
    }
    # The dry run changed nothing and recorded nothing.
    assert AccessLog.objects.count() == 1
    assert SecondStepFailures.objects.count() == 1
    assert HandOver.objects.count() == 2
    assert not AuditEvent.objects.filter(action=Action.DATA_PURGED).exists()


def test_purge_erases_what_is_past_its_period_and_keeps_the_statistics(
    world, history, client_as, settings
):
    # Every count shown, however small: the ages and genders of two cards are on the pages.
    settings.KAIKUKANTA_STATS_SMALL_COUNT = 1
    used, closed = history
    uses = Use.objects.count()
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        # A card issued now keeps its holder's data.
        fresh = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        before = stats_pages(client_as, world)
        dry = purge(dry_run=True)
        counts = purge()
        after = stats_pages(client_as, world)

        assert counts == dry
        assert counts["cards_erased"] == 2
        assert counts["wellbeing_answers"] == 1
        assert counts["old_cards_links"] == 1
        assert counts["audit_events"] > 0
        for card in (used, closed):
            card.refresh_from_db()
            assert (card.birth_year, card.postcode, card.children) == (None, "", None)
        fresh.refresh_from_db()
        assert (fresh.birth_year, fresh.postcode) == (1980, "33100")
        assert not WellbeingMeasurement.objects.exists()
        assert not HandOver.objects.exists()
        assert not AccessLog.objects.filter(attempt_time__year=2026).exists()
        assert not CancelledRequest.objects.exists()
        # The cards and their uses stay; so do the statistics.
        assert Card.objects.filter(pk__in=[used.pk, closed.pk]).count() == 2
        assert Use.objects.count() == uses
        for name in before:
            assert after[name].splitlines() == before[name].splitlines(), name
        # Audit: 2026's events are gone except those the controller keeps; the purge is recorded
        # with its counts only.
        old = AuditEvent.objects.filter(occurred_at__year=2026)
        assert list(old.values_list("action", flat=True)) == [Action.ROLE_GRANTED]
        purged = AuditEvent.objects.get(action=Action.DATA_PURGED)
        assert purged.data == counts

        # The card's page says so, and when.
        page = client_as("alpha_distributor").get(reverse("web:card", args=[used.pk]))
        assert "Erased on 1.7.2032 by the retention policy" in page.text
        assert "33100" not in page.text

        # A second run finds nothing and records nothing.
        assert not any(purge().values())
        assert AuditEvent.objects.filter(action=Action.DATA_PURGED).count() == 1


def test_the_job_logs_one_line_with_the_counts(history, caplog):
    with time_machine.travel(FOUR_MONTHS_LATER, tick=False), caplog.at_level("INFO"):
        call_command("purge", "--dry-run")
    lines = [r.getMessage() for r in caplog.records if r.name == "kaikukanta.jobs"]
    assert len(lines) == 1
    assert lines[0].startswith("job purge (dry run: nothing changed): 0 cards erased,")
    assert "2 login records" in lines[0]
    assert AccessLog.objects.count() == 1


def holder_data_tables(world) -> dict[str, list[tuple[str, str]]]:
    """The ages, genders and life situations and the change in wellbeing of 2026 as alpha's
    coordinator reads them: a region, a small area, where a cell below the threshold is not shown."""
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    year = Period.of_year(2026)
    tables = {
        table.key: [
            (str(row.label), str(cell))
            for row in table.rows
            for cell in row.cells.values()
            if isinstance(cell, figures.Figure)
        ]
        for table in figures.demographics_tables(region, year)
    }
    wellbeing = figures.wellbeing_change(region, year)
    tables["wellbeing"] = [(str(wellbeing["count"]), str(wellbeing["mean"]))]
    return tables


def who5(*answers: int) -> dict[str, int]:
    return dict(zip(WellbeingMeasurement.WHO5_FIELDS, answers, strict=True))


@pytest.fixture
def many_holders(world, history):
    """Twelve more cards of 2026, closed, so that the holder data cells pass the threshold (5); six
    with the wellbeing answers of their issue and of a renewal in November."""
    for n in range(12):
        card = issue_card(
            actor=world.alpha_distributor,
            site=world.alpha_site,
            holder=holder(
                birth_year=1950 if n % 2 else 1990,
                gender="female" if n % 3 else "male",
                life_situation="pensioner" if n % 2 else "student",
            ),
        )
        if n < 6:
            WellbeingMeasurement.objects.create(
                card=card, occasion="issue", measured_on=card.issued_on, **who5(2, 2, 3, 1, n % 4)
            )
            WellbeingMeasurement.objects.create(
                card=card,
                occasion="renewal",
                measured_on=dt.date(2026, 11, 20),
                **who5(4, 3, 3, 2, n % 3),
            )
        close_card(actor=world.alpha_distributor, card=card, reason=ClosingReason.values[0])
    return history


def test_a_rebuild_after_a_purge_counts_the_erased_cards_as_they_were(
    world, many_holders, client_as
):
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        pages, tables = stats_pages(client_as, world), holder_data_tables(world)
        # Cells are shown, and not as "unknown": a move to "unknown" would change them.
        shown = dict(tables["ages"])
        assert shown["65+"] not in ("", "0")
        assert shown["30-44"] not in ("", "0")
        assert tables["wellbeing"][0][1] != "None"  # the mean change is shown
        assert "changed by" in pages["region"]
        profile = sorted(CardProfileMonth.objects.values_list(*FIELDS))

        counts = purge()
        assert counts["cards_erased"] == 14
        assert counts["wellbeing_answers"] == 13
        assert not Card.objects.filter(birth_year__isnull=False, closed_on__year=2026).exists()
        # The restore drill's check: no drift, with every erased card's holder data gone.
        call_command("rebuild_stats", "--check")
        assert stats_pages(client_as, world) == pages
        assert holder_data_tables(world) == tables

        # A rebuild from the cards (and what the purge kept of the erased ones) changes nothing.
        call_command("rebuild_stats")
        assert sorted(CardProfileMonth.objects.values_list(*FIELDS)) == profile
        assert stats_pages(client_as, world) == pages
        assert holder_data_tables(world) == tables

        # What the purge kept are counts by month, area and value: no card in it.
        kept = ErasedProfileMonth.objects.values_list("dimension", "value", "cards")
        assert ("age", "65+", 7) in kept
        assert ("age", "30-44", 6) in kept
        assert sum(n for dimension, _value, n in kept if dimension == "gender") == 14
        wellbeing = ErasedWellbeingMonth.objects.values_list("month", "holders", "change_sum")
        # Six holders, each (4+3+3+2+n%3) - (2+2+3+1+n%4) WHO-5 points, times four: no card in it.
        changes = 4 * sum(4 + n % 3 - n % 4 for n in range(6))
        assert list(wellbeing) == [(dt.date(2026, 11, 1), 6, changes)]

        # A second purge changes nothing, the kept counts included.
        carried = sorted(ErasedProfileMonth.objects.values_list()), list(wellbeing)
        assert not any(purge().values())
        assert (sorted(ErasedProfileMonth.objects.values_list()), list(wellbeing)) == carried
        call_command("rebuild_stats", "--check")
        assert holder_data_tables(world) == tables


FIELDS = ["month", "region", "issuing_site", "dimension", "value", "cards", "cards_key"]


def test_holder_data_typed_again_on_an_erased_card_leaves_the_tables_agreeing(world, history):
    used, _closed = history
    with time_machine.travel(SIX_YEARS_LATER, tick=False):
        purge()
        used.refresh_from_db()
        renew_card(actor=world.alpha_distributor, card=used, holder=holder(birth_year=1940))
        used.refresh_from_db()
        assert used.birth_year == 1940
        call_command("rebuild_stats", "--check")


def test_a_card_of_a_pilot_ended_early_is_erased_two_years_after_the_pilots_end(world):
    """The card's own date says 31.12.2026, but its region's pilot was ended on 30.6.2026: the card
    ended then, and its holder data goes two years later, as the privacy notice says."""
    card = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    assert card.valid_until == dt.date(2026, 12, 31)
    world.beta.pilot_ends = dt.date(2026, 6, 30)
    world.beta.save()
    with time_machine.travel(dt.datetime(2028, 9, 1, 12, 0, tzinfo=HELSINKI), tick=False):
        counts = purge()
    assert counts["cards_erased"] == 1
    card.refresh_from_db()
    assert card.birth_year is None
    assert card.postcode == ""


def test_the_counts_of_wrong_second_step_codes_go_with_the_login_records(world):
    """A row names a person and (keyed) an address: kept the login records' 90 days after its last
    wrong code, by the daily clean_login_records as by the purge."""
    old = SecondStepFailures.objects.create(user=world.alpha_coordinator, source="a" * 64)
    recent = SecondStepFailures.objects.create(user=world.alpha_coordinator, source="b" * 64)
    SecondStepFailures.objects.filter(pk=old.pk).update(
        last_failure_at=old.last_failure_at - dt.timedelta(days=91)
    )
    SecondStepFailures.objects.filter(pk=recent.pk).update(
        last_failure_at=recent.last_failure_at - dt.timedelta(days=89)
    )
    call_command("clean_login_records")
    assert list(SecondStepFailures.objects.values_list("pk", flat=True)) == [recent.pk]
