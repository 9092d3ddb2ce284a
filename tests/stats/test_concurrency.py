"""The summary tables stay exact when uses of the same cards at the same venue are recorded at the
same moment, each in its own thread and database connection (as from several box-office tablets).
Runs on SQLite (where writes queue) and on PostgreSQL (where they really race)."""

import pytest

from kaikukanta.cards.services import issue_card
from kaikukanta.stats import summaries
from kaikukanta.stats.models import CardUseYear, UseMonth
from kaikukanta.uses.services import record_use

from ..conftest import holder, new_key
from ..uses.test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_uses_recorded_at_once_are_all_counted(world):
    cards = [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        for _ in range(3)
    ]

    def work(index):
        # Several uses of each card, all at the same venue and month: the same counter rows, the
        # same "first use" and "used this year" rows, contended.
        return record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=cards[index % 3].identifier,
            idempotency_key=new_key(),
        )

    results = run_together(8, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    month = UseMonth.objects.get(venue=world.alpha_venue)
    assert month.uses == 8
    assert month.adult_tickets == 8
    counts = CardUseYear.objects.get(region=world.alpha, issuing_site=world.alpha_site)
    assert (counts.used, counts.taken) == (3, 3)
    assert summaries.differences() == []


def test_uses_of_one_card_in_different_months_recorded_at_once_keep_the_gaps(world):
    """Uses typed in at once for the same cards, dated in three months (a box office catching up):
    each month of a card is filed after the right previous month (the card row is locked)."""
    import datetime as dt

    from kaikukanta.stats import figures
    from kaikukanta.stats.periods import Period

    from ..conftest import on_day

    with on_day(dt.date(2026, 5, 1)):
        cards = [
            issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
            for _ in range(2)
        ]
    days = [dt.date(2026, 5, 10), dt.date(2026, 6, 10), dt.date(2026, 7, 10)]

    def work(index):
        with on_day(days[index % 3]):
            return record_use(
                actor=world.alpha_venue_staff,
                venue=world.alpha_venue,
                card_identifier=cards[index % 2].identifier,
                idempotency_key=new_key(),
            )

    results = run_together(12, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert summaries.differences() == []
    region = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    for first, last in [(5, 7), (6, 7), (7, 7), (5, 5)]:
        period = Period.of_months(dt.date(2026, first, 1), dt.date(2026, last, 1))
        taken, used, _hidden = figures.card_use_counts(region, period)
        assert used == 2
        assert sum(taken) == (2 if first == 5 else 0)
