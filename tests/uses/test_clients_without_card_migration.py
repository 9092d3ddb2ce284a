"""uses.0004: the clients without a card stored before it as the community card's child tickets are
moved to `clients_without_card`; the monthly summaries, which count them among children's
tickets, stay as they were and equal a rebuild."""

import importlib

from django.apps import apps

from kaikukanta.stats import summaries
from kaikukanta.stats.models import UseMonth
from kaikukanta.uses.models import Use
from kaikukanta.uses.services import record_group_visit

from ..conftest import new_key

migration = importlib.import_module("kaikukanta.uses.migrations.0004_clients_without_card")


def test_earlier_group_visits_are_moved_and_the_summaries_follow(world, community_card, alpha_card):
    visit = record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[alpha_card.identifier],
        covered_client_ages=[10, 12],
        idempotency_key=new_key(),
    ).group_visit
    # As the code before it stored them: the community card's child tickets, counted as such in
    # the summaries (as they are counted now, among children's tickets).
    worker = Use.objects.filter(group_visit=visit, card=community_card)
    worker.update(child_tickets=2, clients_without_card=0)

    migration.move_clients_without_card(apps, None)

    assert worker.values_list("child_tickets", "clients_without_card").get() == (0, 2)
    member = Use.objects.get(group_visit=visit, card=alpha_card)
    assert (member.child_tickets, member.clients_without_card) == (0, 0)
    assert list(UseMonth.objects.values_list("child_tickets", flat=True)) == [2]
    assert summaries.differences() == []
