"""The hot paths' queries built once per process (core/queries.py) give what the ORM gives."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaikukanta.accounts.scope import _role_rows, forget_scope, scope_for
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.audit.services import record
from kaikukanta.cards.models import Card
from kaikukanta.core.queries import insert, select_one, values_rows
from kaikukanta.stats import summaries
from kaikukanta.stats.models import CardFirstUse, CardUseYear, UseMonth
from kaikukanta.uses.models import Use

from .conftest import new_key


def fields_of(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_select_one_reads_what_the_orm_reads_with_the_related_row_cached(world, alpha_card):
    expected = Card.objects.select_related("region").get(pk=alpha_card.pk)
    card = select_one(Card, identifier=alpha_card.identifier, related=("region",))
    assert fields_of(card) == fields_of(expected)
    # Dates, times and the rest come back converted as the ORM converts them, on either database.
    assert isinstance(card.issued_on, dt.date)
    with CaptureQueriesContext(connection) as captured:
        assert fields_of(card.region) == fields_of(expected.region)
    assert captured.captured_queries == []
    assert select_one(Card, identifier="NOSUCHCARD") is None
    # A foreign key by its instance or its id, and the primary key by "pk".
    assert select_one(Card, pk=alpha_card.pk, region=world.alpha).pk == alpha_card.pk
    assert select_one(Card, pk=alpha_card.pk, region=world.beta.pk) is None
    # An id beyond the column's range matches nothing, as in the ORM, on either database.
    assert select_one(Card, pk=2**70) is None


def test_select_one_reads_a_model_whose_key_is_a_foreign_key(world, alpha_card):
    first = CardFirstUse.objects.create(
        card=alpha_card,
        first_used_on=dt.date(2026, 6, 1),
        card_region_id=alpha_card.region_id,
        issuing_site_id=alpha_card.issuing_site_id,
    )
    found = select_one(CardFirstUse, card_id=alpha_card.pk, related=("card",))
    assert fields_of(found) == fields_of(first)
    assert found.card.identifier == alpha_card.identifier


def test_select_one_joins_a_missing_related_row_as_none(world):
    popup = select_one(type(world.popup), pk=world.popup.pk, related=("region",))
    assert popup.name == world.popup.name
    with CaptureQueriesContext(connection) as captured:
        assert popup.region is None
    assert captured.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_select_one_locks_only_inside_a_transaction(world, alpha_card):
    if connection.features.has_select_for_update:  # as select_for_update(): SQLite locks nothing
        with pytest.raises(TransactionManagementError):
            select_one(Card, identifier=alpha_card.identifier, lock=True)
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert select_one(Card, identifier=alpha_card.identifier, lock=True).pk == alpha_card.pk
    if connection.features.has_select_for_update:
        assert 'FOR UPDATE OF "cards_card"' in captured.captured_queries[0]["sql"]


def test_select_one_refuses_an_unsaved_instance(world):
    with pytest.raises(ValueError, match="not saved"):
        select_one(Card, region=type(world.alpha)(slug="new", name="Uusi"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_a_hot_statement_run_again_and_again_is_prepared_and_others_are_not(world, alpha_card):
    for _ in range(6):
        select_one(Card, identifier=alpha_card.identifier, related=("region",))
        list(Card.objects.filter(identifier=alpha_card.identifier))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    # The hot path's statement (parameters bound on the server) once per connection; the ORM's own
    # (bound on the client, a new text for each value) never.
    assert len([sql for sql in prepared if 'FROM "cards_card" LEFT OUTER JOIN' in sql]) == 1
    assert not [sql for sql in prepared if alpha_card.identifier in sql]


def test_values_rows_gives_the_rows_of_the_queryset(world):
    for user in (world.alpha_venue_staff, world.alpha_coordinator, world.nobody):
        assert values_rows(_role_rows, user.pk) == list(_role_rows(user.pk))
    forget_scope(world.alpha_venue_staff)
    scope = scope_for(world.alpha_venue_staff)
    assert scope.venues == {world.alpha_venue.pk}
    assert scope.venue_regions == {world.alpha.pk}


def test_insert_saves_as_create_does(world, alpha_card):
    use = insert(
        Use(
            card=alpha_card,
            card_region_id=alpha_card.region_id,
            venue=world.alpha_venue,
            occurred_at=timezone.now(),
            category="culture",
            kind="entry_ticket",
            recorded_by=world.alpha_venue_staff,
            idempotency_key=new_key(),
        )
    )
    assert use.pk is not None
    assert not use._state.adding
    assert fields_of(Use.objects.get(pk=use.pk)) == fields_of(use)
    # No receiver of post_save keeps the statistics: the services call them (stats/summaries.py).
    assert not UseMonth.objects.exists()
    event = record(actor=world.alpha_venue_staff, action=Action.USE_RECORDED, target=use)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.object_id, stored.data) == (
        world.alpha_venue_staff,
        str(use.pk),
        {},
    )


def test_counters_add_up_in_one_row_one_statement_each(world):
    place = {"region_id": world.alpha.pk, "issuing_site_id": world.alpha_site.pk}
    counts = summaries.Counts()
    summaries._count_use_year(
        counts, 2026, _UseLike(world.alpha.pk), world.alpha_site.pk, 7, used=1
    )
    summaries._count_use_year(
        counts, 2026, _UseLike(world.alpha.pk), world.alpha_site.pk, 7, taken=1
    )
    summaries._count_use_year(
        counts, 2026, _UseLike(world.alpha.pk), world.alpha_site.pk, 7, used=1
    )
    counts.write()
    row = CardUseYear.objects.get(year=2026, **place)
    assert (row.used, row.taken) == (2, 1)
    assert (row.used_key, row.taken_key) == (14, 7)  # the record's key, once for each it counts
    key = {"month": dt.date(2026, 11, 1), "venue_id": world.alpha_venue.pk, "category": "culture"}
    with CaptureQueriesContext(connection) as captured:
        summaries._add(UseMonth, key, {"uses": 1, "child_tickets": 2})
        summaries._add(UseMonth, key, {"uses": 2})
    assert len(captured.captured_queries) == 2  # one upsert each, no savepoint
    row = UseMonth.objects.get(venue=world.alpha_venue)
    assert (row.uses, row.adult_tickets, row.child_tickets) == (3, 0, 2)


class _UseLike:
    def __init__(self, region_id):
        self.card_region_id = region_id
