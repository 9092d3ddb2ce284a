"""The summary tables stay exact when uses of the same cards at the same venue are recorded at the
same moment, each in its own thread and database connection (as from several box-office tablets).
Runs on SQLite (where writes queue) and on PostgreSQL (where they really race)."""

import pytest
from django.db import connection

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


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="writers really race on PostgreSQL only"
)
def test_group_visits_uses_cancellations_and_renewals_race_without_deadlock(world):
    """Forty rounds at one venue, each starting ten requests at the same moment: two group visits,
    two single uses and a cancelled use (all in one month: the venue's month row and the same
    shared counters), a use of one card in the month before its next one while that next one is
    cancelled (the card's neighbouring months), and two renewals that move their cards between
    the same holder-data rows in opposite directions. Before the summaries took their locks in
    one order (stats/summaries.py), a group visit and a single use deadlocked in a few rounds."""
    import datetime as dt

    from kaikukanta.cards.services import issue_community_card, renew_card
    from kaikukanta.uses.services import GroupMember, cancel_use, record_group_visit

    from ..conftest import HELSINKI, on_day

    venue, staff = world.alpha_venue, world.alpha_venue_staff
    may = dt.datetime(2026, 5, 20, 12, tzinfo=HELSINKI)

    def card(**overrides):
        return issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder(**overrides)
        )

    def use(number, **more):
        return record_use(
            actor=staff, venue=venue, card_identifier=number, idempotency_key=new_key(), **more
        )

    def group(community, members):
        return lambda: record_group_visit(
            actor=staff,
            venue=venue,
            community_card_identifier=community.identifier,
            members=[GroupMember(m.identifier) for m in members],
            idempotency_key=new_key(),
        )

    def one_round():
        communities = [
            issue_community_card(actor=world.alpha_other_distributor, site=world.alpha_other_site)
            for _ in range(2)
        ]
        members = [[card() for _ in range(3)] for _ in range(2)]
        singles = [card() for _ in range(2)]
        cancelled = use(card().identifier).use
        with on_day(dt.date(2026, 5, 18)):
            neighbour = card()
        neighbours_june = use(neighbour.identifier).use
        older, younger = card(birth_year=1950), card(birth_year=1980)
        works = [
            group(communities[0], members[0]),
            group(communities[1], members[1]),
            lambda: use(singles[0].identifier),
            lambda: use(singles[1].identifier, child_tickets=1),
            lambda: cancel_use(actor=staff, use=cancelled),
            lambda: use(neighbour.identifier, occurred_at=may),
            lambda: cancel_use(actor=staff, use=neighbours_june),
            lambda: renew_card(
                actor=world.alpha_distributor, card=older, holder=holder(birth_year=1980)
            ),
            lambda: renew_card(
                actor=world.alpha_distributor, card=younger, holder=holder(birth_year=1950)
            ),
        ]
        return run_together(len(works), lambda i: works[i]())

    rounds, failures = 40, []
    for _round in range(rounds):
        failures += [r for r in one_round() if isinstance(r, Exception)]
    deadlocks = [f for f in failures if "deadlock detected" in str(f)]
    assert failures == [], (
        f"{len(failures)} requests failed, {len(deadlocks)} deadlocked: {failures[:3]}"
    )
    assert summaries.differences() == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a snapshot beside live writers: PostgreSQL"
)
def test_the_check_neither_blocks_recording_nor_reports_uses_recorded_meanwhile(world):
    """`rebuild_stats --check` runs in its own thread and stops twice: when it has read the tables
    as they are, and when it has rebuilt them. Each time this thread records uses at the venue
    and of the cards it counts, which must not wait for the check, and which the check must not
    take for drift (before: the tables were read outside the rebuild's transaction, and a use
    recorded between the two was reported as drift)."""
    import io
    import threading
    import time

    from django.core.management import call_command

    def new_card():
        return issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())

    def use(card):
        started = time.monotonic()
        record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=card.identifier,
            idempotency_key=new_key(),
        )
        return time.monotonic() - started

    cards = [new_card() for _ in range(3)]
    for card in cards:
        use(card)
    # The last statements of reading the tables and of rebuilding them (stats/summaries.py).
    stops = ['SELECT "stats_renewalmonth"', 'INSERT INTO "stats_renewalmonth"']
    reached = [threading.Event() for _ in stops]
    go_on = [threading.Event() for _ in stops]
    outcome = {}

    def pause(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        for index, stop in enumerate(stops):
            if sql.startswith(stop) and not reached[index].is_set():
                reached[index].set()
                go_on[index].wait(20)
        return result

    def check():
        out = io.StringIO()
        try:
            with connection.execute_wrapper(pause):
                call_command("rebuild_stats", "--check", stdout=out)
            outcome["said"] = out.getvalue()
        except Exception as error:
            outcome["error"] = error
        finally:
            for event in reached:
                event.set()
            connection.close()

    thread = threading.Thread(target=check)
    thread.start()
    took = []
    try:
        for index in range(len(stops)):
            assert reached[index].wait(30)
            took += [use(cards[index]), use(new_card())]
            go_on[index].set()
    finally:
        for event in go_on:
            event.set()
        thread.join(60)
    assert max(took) < 5, took  # blocked, a use would have waited the check's 20 seconds
    assert outcome == {"said": "The summaries agree with the uses.\n"}
    assert UseMonth.objects.get(venue=world.alpha_venue).uses == 7
    assert summaries.differences() == []


def test_a_coordinators_removals_race_recording_without_deadlock(world):
    """Fifteen rounds, each starting at the same moment the removal of a group visit, a new group
    visit sharing its member cards (in the other order), a use of one of those cards, and the
    removal of a single use at the same venue: the removals take the cards' locks sorted by number
    as recording does (uses/services.py `_lock_cards`), and count all a visit's uses out at once
    (summaries.uses_removed), so nothing deadlocks and the summaries stay exact."""
    from kaikukanta.cards.services import issue_community_card
    from kaikukanta.uses.models import RemovalReason
    from kaikukanta.uses.services import (
        GroupMember,
        record_group_visit,
        remove_group_visit,
        remove_use,
    )

    venue, staff, coordinator = world.alpha_venue, world.alpha_venue_staff, world.alpha_coordinator

    def card():
        return issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())

    def visit(community, members):
        return record_group_visit(
            actor=staff,
            venue=venue,
            community_card_identifier=community.identifier,
            members=[GroupMember(m.identifier) for m in members],
            idempotency_key=new_key(),
        )

    def one_round():
        communities = [
            issue_community_card(actor=world.alpha_other_distributor, site=world.alpha_other_site)
            for _ in range(2)
        ]
        members = [card() for _ in range(3)]
        removed = visit(communities[0], members).group_visit
        single = record_use(
            actor=staff, venue=venue, card_identifier=card().identifier, idempotency_key=new_key()
        ).use
        works = [
            lambda: remove_group_visit(
                actor=coordinator, visit=removed, reason=RemovalReason.RECORDED_TWICE
            ),
            lambda: visit(communities[1], list(reversed(members))),
            lambda: record_use(
                actor=staff,
                venue=venue,
                card_identifier=members[1].identifier,
                idempotency_key=new_key(),
            ),
            lambda: remove_use(actor=coordinator, use=single, reason=RemovalReason.TEST_ENTRY),
        ]
        return run_together(len(works), lambda i: works[i]())

    failures = []
    for _round in range(15):
        failures += [r for r in one_round() if isinstance(r, Exception)]
    assert failures == [], failures[:3]
    assert summaries.differences() == []
