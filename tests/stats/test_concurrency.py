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
        (taken, _taken_keys), (used, _used_keys) = figures.card_use_counts(region, period)
        assert used == 2
        assert taken == (2 if first == 5 else 0)


def test_a_use_cancelled_while_another_of_its_card_is_recorded_keeps_the_month(world):
    """A box office cancels a use of a card while another venue's box office records a new use of the
    same card in the same month. Whichever goes first, the card's month of use stays counted: the
    cancellation takes the card's lock first, as recording does, and then sees the other use."""
    import threading

    from django.db import connection, transaction

    from kaikukanta.uses.services import cancel_use

    card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    first = record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=card.identifier,
        idempotency_key=new_key(),
    ).use
    recorded = threading.Event()
    errors = []

    def record_and_linger():
        try:
            with transaction.atomic():
                record_use(  # at another venue: no summary row shared with the cancellation
                    actor=world.beta_venue_staff,
                    venue=world.beta_venue,
                    card_identifier=card.identifier,
                    idempotency_key=new_key(),
                )
                recorded.set()
                # Still uncommitted while the cancellation starts.
                threading.Event().wait(0.5)
        except Exception as error:
            errors.append(error)
            recorded.set()
        finally:
            connection.close()

    def cancel():
        try:
            recorded.wait(10)
            cancel_use(actor=world.alpha_venue_staff, use=first)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record_and_linger), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert summaries.differences() == []
