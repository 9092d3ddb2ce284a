"""Uses just after midnight, Finnish time, count in the Finnish day's month and year (UTC is still
the day before): in the summaries as in a rebuild."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kaikukanta.stats import summaries
from kaikukanta.stats.models import CardFirstUse, UseMonth
from kaikukanta.uses.services import record_use

from ..conftest import new_key, on_day

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def test_a_use_just_after_midnight_counts_in_the_finnish_month(world, alpha_card):
    moment = dt.datetime(2026, 7, 1, 0, 30, tzinfo=HELSINKI)  # 30.6. 21:30 UTC
    with on_day(dt.date(2026, 7, 1)):
        record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=alpha_card.identifier,
            idempotency_key=new_key(),
            occurred_at=moment,
        )
    assert list(UseMonth.objects.values_list("month", flat=True)) == [dt.date(2026, 7, 1)]
    assert CardFirstUse.objects.get().first_used_on == dt.date(2026, 7, 1)
    assert summaries.differences() == []


def test_a_group_visits_uses_are_counted(world, community_card, alpha_card):
    from kaikukanta.uses.services import GroupMember, record_group_visit

    record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[GroupMember(identifier=alpha_card.identifier)],
        covered_client_ages=[10, 12],
        idempotency_key=new_key(),
    )
    month = UseMonth.objects.get()
    assert month.uses == 2  # the community card's and the member's
    assert CardFirstUse.objects.get().card_id == alpha_card.pk
    assert summaries.differences() == []
