"""Use.objects.in_scope_period(user): the uses list bounds a scope's uses by the period they fall in,
so that PostgreSQL need not walk years of other regions' uses. The bounds must never leave a visible
use out."""

from __future__ import annotations

import datetime as dt

from kaikukanta.cards.services import issue_card
from kaikukanta.uses.models import Use
from kaikukanta.uses.services import record_group_visit, record_use

from ..conftest import HELSINKI, holder, new_key, on_day


def used(world, card, venue, actor, day, hour=12):
    with on_day(day, hour):
        return record_use(
            actor=actor, venue=venue, card_identifier=card.identifier, idempotency_key=new_key()
        ).use


def test_the_bounds_leave_no_visible_use_out(world):
    with on_day(dt.date(2025, 9, 1)):
        alpha_card = issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder()
        )
        beta_card = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    used(world, alpha_card, world.alpha_venue, world.alpha_venue_staff, dt.date(2025, 9, 1), 8)
    used(world, beta_card, world.beta_venue, world.beta_venue_staff, dt.date(2025, 10, 2))
    used(world, alpha_card, world.beta_venue, world.beta_venue_staff, dt.date(2026, 1, 5))
    used(world, beta_card, world.alpha_venue, world.alpha_venue_staff, dt.date(2026, 6, 15), 11)

    for name, user in world.users().items():
        visible = set(Use.objects.visible_to(user))
        assert set(Use.objects.visible_to(user).in_scope_period(user)) == visible, name


def test_a_coordinators_bounds_are_their_first_and_last_use(world):
    with on_day(dt.date(2025, 9, 1)):
        beta_card = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    first = used(world, beta_card, world.beta_venue, world.beta_venue_staff, dt.date(2025, 9, 3))
    last = used(world, beta_card, world.alpha_venue, world.alpha_venue_staff, dt.date(2026, 3, 1))
    scope_first, scope_last = Use.objects.scope_period(world.beta_coordinator)
    # The second use is at alpha's venue, by a beta card: beta's coordinator sees it (card_region).
    assert (scope_first, scope_last) == (first.occurred_at, last.occurred_at)


def test_a_distributor_is_bounded_from_their_first_cards_issue_day_only(world):
    with on_day(dt.date(2025, 9, 10)):
        card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    use = used(world, card, world.alpha_venue, world.alpha_venue_staff, dt.date(2025, 9, 10), 10)
    first, last = Use.objects.scope_period(world.alpha_distributor)
    assert first == dt.datetime(2025, 9, 10, tzinfo=HELSINKI)
    assert last is None
    assert list(
        Use.objects.visible_to(world.alpha_distributor).in_scope_period(world.alpha_distributor)
    ) == [use]


def test_a_community_cards_group_visit_is_in_its_organisations_period(world, community_card):
    member = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    visit = record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[member.identifier],
        idempotency_key=new_key(),
    )
    user = world.alpha_other_distributor  # sees the community card's use only
    bounded = Use.objects.visible_to(user).in_scope_period(user)
    assert set(bounded) == {visit.uses[0]}


def test_no_uses_in_scope_no_rows_and_national_is_not_bounded(world, alpha_card):
    assert not Use.objects.visible_to(world.popup_staff).in_scope_period(world.popup_staff)
    assert Use.objects.in_scope_period(world.national).query.where == Use.objects.all().query.where
