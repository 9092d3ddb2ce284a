"""Requests that arrive at the same moment, each in its own thread and database connection, as they
would from several box-office tablets. Runs on SQLite and on PostgreSQL."""

import threading

import pytest
from django.db import connection

from kaikukanta.cards.services import issue_card
from kaikukanta.events.services import create_event
from kaikukanta.uses import errors
from kaikukanta.uses.models import Use
from kaikukanta.uses.services import record_use

from ..conftest import holder, new_key

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count, work):
    barrier = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_last_quota_tickets_are_never_oversold(world):
    event = create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Loppuunmyyty?",
        cardholder_quota=5,
    )
    cards = [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        for _ in range(12)
    ]
    results = run_together(
        12,
        lambda i: record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=cards[i].identifier,
            idempotency_key=new_key(),
            event=event,
        ),
    )
    refused = [r for r in results if isinstance(r, errors.QuotaExhausted)]
    others = [
        r for r in results if isinstance(r, Exception) and not isinstance(r, errors.QuotaExhausted)
    ]
    assert others == []
    assert len(refused) == 7
    assert Use.objects.filter(event=event).count() == 5


def test_the_same_request_sent_at_once_records_one_use(world):
    card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    key = new_key()
    results = run_together(
        8,
        lambda _i: record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=card.identifier,
            idempotency_key=key,
        ),
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert Use.objects.count() == 1
    assert {r.use.pk for r in results} == {Use.objects.get().pk}
    assert sum(r.created for r in results) == 1


def test_a_retry_racing_for_the_last_quota_ticket_gets_its_own_use_back(world):
    event = create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Viimeinen lippu",
        cardholder_quota=1,
    )
    card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    key = new_key()
    results = run_together(
        4,
        lambda _i: record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=card.identifier,
            idempotency_key=key,
            event=event,
        ),
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert {r.use.pk for r in results} == {Use.objects.get().pk}
    assert sum(r.created for r in results) == 1


def test_group_visits_sent_twice_at_once_are_recorded_once(world):
    from kaikukanta.cards.services import issue_community_card
    from kaikukanta.uses.models import GroupVisit
    from kaikukanta.uses.services import record_group_visit

    community = issue_community_card(actor=world.alpha_distributor, site=world.alpha_site)
    members = [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder()).identifier
        for _ in range(2)
    ]
    key = new_key()
    results = run_together(
        6,
        lambda _i: record_group_visit(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            community_card_identifier=community.identifier,
            members=members,
            idempotency_key=key,
        ),
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert GroupVisit.objects.count() == 1
    assert Use.objects.count() == 3
    assert sum(r.created for r in results) == 1
