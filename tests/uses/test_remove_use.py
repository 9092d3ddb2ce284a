"""A regional coordinator's correction: removing a use or a group visit recorded by mistake, at any
time (uses.services.remove_use / remove_group_visit), and the box office's refusals that point to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kaikukanta.accounts.errors import OtherSidesWork
from kaikukanta.accounts.models import Role
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.services import issue_card
from kaikukanta.core.errors import ChoiceInvalid, NotAllowed
from kaikukanta.stats import figures, summaries
from kaikukanta.stats.periods import Period
from kaikukanta.uses import errors
from kaikukanta.uses.models import CancelledRequest, GroupVisit, RemovalReason, Use
from kaikukanta.uses.services import (
    GroupMember,
    cancel_use,
    may_remove_uses,
    record_group_visit,
    record_use,
    remove_group_visit,
    remove_use,
)

from ..conftest import holder, make_user, new_key, on_day

pytestmark = pytest.mark.django_db
D = dt.date


def admit(world, card, *, key=None, day=None, venue=None, staff=None, **extra):
    def go():
        return record_use(
            actor=staff or world.alpha_venue_staff,
            venue=venue or world.alpha_venue,
            card_identifier=card.identifier,
            idempotency_key=key or new_key(),
            **extra,
        ).use

    if day is None:
        return go()
    with on_day(day):
        return go()


def past_the_window(use):
    Use.objects.filter(pk=use.pk).update(recorded_at=timezone.now() - dt.timedelta(minutes=16))
    use.refresh_from_db()


def region_figures(world, first: D, last: D) -> dict[str, int]:
    subject = figures.Subject(figures.REGION, "Alfala", region=world.alpha)
    table = figures.key_figures(subject, Period.of_months(first, last))
    return {
        row.label: row.cells["value"].value
        for row in table.rows
        if hasattr(row.cells.get("value"), "value")
    }


@pytest.fixture
def old_card(world):
    """An alpha card issued in January, used in the months before today (15 June 2026)."""
    with on_day(D(2026, 1, 10)):
        return issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())


def test_the_culture_coordinator_removes_a_use_after_the_window_and_the_figures_follow(
    world, old_card
):
    alpha_card = old_card
    # An earlier use in March (the card's first), then one in May recorded by mistake.
    admit(world, alpha_card, day=D(2026, 3, 10))
    before = region_figures(world, D(2026, 1, 1), D(2026, 6, 1))
    mistake = admit(world, alpha_card, day=D(2026, 5, 20), child_tickets=2)
    past_the_window(mistake)
    with_it = region_figures(world, D(2026, 1, 1), D(2026, 6, 1))
    assert with_it["Adult uses"] == before["Adult uses"] + 1
    assert with_it["Child tickets"] == before["Child tickets"] + 2

    remove_use(actor=world.alpha_coordinator, use=mistake, reason=RemovalReason.RECORDED_TWICE)

    assert not Use.objects.filter(pk=mistake.pk).exists()
    assert region_figures(world, D(2026, 1, 1), D(2026, 6, 1)) == before
    assert region_figures(world, D(2026, 5, 1), D(2026, 5, 1))["Cards used in the period"] == 0
    assert summaries.differences() == []


def test_removing_the_cards_first_use_moves_its_taking_into_use(world, old_card):
    alpha_card = old_card
    first = admit(world, alpha_card, day=D(2026, 3, 10))
    admit(world, alpha_card, day=D(2026, 5, 20))
    assert region_figures(world, D(2026, 3, 1), D(2026, 3, 1))["Cards taken into use"] == 1
    remove_use(actor=world.national, use=first, reason=RemovalReason.WRONG_CARD)
    assert region_figures(world, D(2026, 3, 1), D(2026, 3, 1))["Cards taken into use"] == 0
    assert region_figures(world, D(2026, 5, 1), D(2026, 5, 1))["Cards taken into use"] == 1
    assert summaries.differences() == []


def test_the_audit_event_keeps_the_reason_code_and_what_the_use_was(world, alpha_card):
    use = admit(world, alpha_card)
    past_the_window(use)
    remove_use(actor=world.alpha_coordinator, use=use, reason=RemovalReason.WRONG_VENUE)
    event = AuditEvent.objects.get(action=Action.USE_REMOVED)
    assert event.actor == world.alpha_coordinator
    assert event.object_id == str(use.pk)
    assert event.venue == world.alpha_venue
    assert event.data["reason"] == "wrong_venue"
    assert event.data["card"] == alpha_card.pk
    assert event.data["child_tickets"] == 0
    # Nothing anyone typed: keys, codes, numbers and times only; never the card's number.
    assert alpha_card.identifier not in str(event.data)
    assert all(
        value is None or isinstance(value, (int, bool)) or key in {"kind", "reason"} or "_at" in key
        for key, value in event.data.items()
    )


def test_a_reason_outside_the_list_is_refused(world, alpha_card):
    use = admit(world, alpha_card)
    for reason in ("", "the clerk said so", "cancelled"):
        with pytest.raises(ChoiceInvalid) as refused:
            remove_use(actor=world.alpha_coordinator, use=use, reason=reason)
        assert refused.value.field == "reason"
    assert Use.objects.filter(pk=use.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.USE_REMOVED).exists()


def test_a_retry_of_the_removed_request_is_not_recorded_again(world, alpha_card):
    key = new_key()
    use = admit(world, alpha_card, key=key)
    past_the_window(use)
    remove_use(actor=world.alpha_coordinator, use=use, reason=RemovalReason.RECORDED_TWICE)
    assert CancelledRequest.objects.filter(venue=world.alpha_venue, idempotency_key=key).exists()
    with pytest.raises(errors.UseRequestCancelled):
        admit(world, alpha_card, key=key)
    assert not Use.objects.exists()
    # A new admission, with a new key, is recorded.
    admit(world, alpha_card)
    assert Use.objects.count() == 1


def test_another_regions_coordinator_and_others_are_not_allowed(world, alpha_card):
    use = admit(world, alpha_card)
    past_the_window(use)
    beta_culture = make_user("beta_culture", Role.COORDINATOR_CULTURE, region=world.beta)
    for outsider in (beta_culture, world.beta_coordinator, world.alpha_distributor, world.nobody):
        with pytest.raises(NotAllowed) as refused:
            remove_use(actor=outsider, use=use, reason=RemovalReason.TEST_ENTRY)
        assert type(refused.value) is NotAllowed
        assert not may_remove_uses(outsider, world.alpha_venue)
    assert Use.objects.filter(pk=use.pk).exists()


def test_the_social_and_health_coordinator_is_told_whose_work_it_is(world, alpha_card):
    use = admit(world, alpha_card)
    past_the_window(use)
    with pytest.raises(OtherSidesWork) as refused:
        remove_use(actor=world.alpha_sote_coordinator, use=use, reason=RemovalReason.TEST_ENTRY)
    assert refused.value.status == 403
    assert "culture coordinator" in refused.value.message
    assert world.alpha_coordinator.display_name in refused.value.message
    assert Use.objects.filter(pk=use.pk).exists()


def test_venue_staff_after_the_window_are_told_who_corrects_it(world, alpha_card):
    use = admit(world, alpha_card)
    past_the_window(use)
    with pytest.raises(errors.CancelTooLate) as too_late:
        cancel_use(actor=world.alpha_venue_staff, use=use)
    assert "culture coordinator" in too_late.value.message
    assert "Correct" in too_late.value.message
    assert "Uses page" in too_late.value.message
    with pytest.raises(errors.RemovalForCoordinator) as refused:
        remove_use(actor=world.alpha_venue_staff, use=use, reason=RemovalReason.RECORDED_TWICE)
    assert "15 minutes" in refused.value.message
    assert Use.objects.filter(pk=use.pk).exists()


def test_a_pop_up_venues_uses_are_the_national_administrators_to_remove(world, alpha_card):
    use = admit(world, alpha_card, venue=world.popup, staff=world.popup_staff)
    with pytest.raises(NotAllowed):
        remove_use(actor=world.alpha_coordinator, use=use, reason=RemovalReason.TEST_ENTRY)
    remove_use(actor=world.national, use=use, reason=RemovalReason.TEST_ENTRY)
    assert not Use.objects.exists()


def test_a_use_already_gone_is_said_to_be(world, alpha_card):
    use = admit(world, alpha_card)
    cancel_use(actor=world.alpha_venue_staff, use=use)
    with pytest.raises(errors.AlreadyRemoved):
        remove_use(actor=world.alpha_coordinator, use=use, reason=RemovalReason.RECORDED_TWICE)
    assert AuditEvent.objects.filter(action=Action.USE_CANCELLED).count() == 1
    assert not AuditEvent.objects.filter(action=Action.USE_REMOVED).exists()


# --- group visits ----------------------------------------------------------------------------------


@pytest.fixture
def group(world, community_card):
    members = [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder(children=1))
        for _ in range(2)
    ]
    key = new_key()
    result = record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[GroupMember(members[0].identifier, child_tickets=1), members[1].identifier],
        covered_client_ages=[12],
        idempotency_key=key,
    )
    return result, key, members


def test_a_group_member_is_not_cancelled_alone_and_the_message_says_who_can(world, group):
    result, _key, _members = group
    with pytest.raises(errors.CancelGroupMember) as refused:
        cancel_use(actor=world.alpha_venue_staff, use=result.uses[1])
    assert "culture coordinator" in refused.value.message
    with pytest.raises(errors.RemoveWholeGroupVisit):
        remove_use(
            actor=world.alpha_coordinator, use=result.uses[1], reason=RemovalReason.WRONG_CARD
        )
    assert Use.objects.count() == 3


def test_the_whole_group_visit_is_removed_at_once_with_its_figures(world, alpha_card, group):
    result, key, members = group
    admit(world, alpha_card)  # another use at the venue this month, which stays
    this_month = D(2026, 6, 1)
    with_it = region_figures(world, this_month, this_month)
    remove_group_visit(
        actor=world.alpha_coordinator, visit=result.group_visit, reason=RemovalReason.TEST_ENTRY
    )
    assert not GroupVisit.objects.exists()
    assert list(Use.objects.values_list("card", flat=True)) == [alpha_card.pk]
    after = region_figures(world, this_month, this_month)
    # The worker, two members and one client without a card; one child ticket and the client.
    assert after["Adult uses"] == with_it["Adult uses"] - 3
    assert after["Child tickets"] == with_it["Child tickets"] - 2
    assert after["Cards used in the period"] == with_it["Cards used in the period"] - 2
    assert summaries.differences() == []
    event = AuditEvent.objects.get(action=Action.GROUP_VISIT_REMOVED)
    assert event.data["reason"] == "test_entry"
    assert [use["card"] for use in event.data["uses"]] == [
        result.group_visit.community_card_id,
        *(member.pk for member in members),
    ]
    # A retry of the visit's request is refused, not recorded again.
    with pytest.raises(errors.UseRequestCancelled):
        record_group_visit(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            community_card_identifier=result.group_visit.community_card.identifier,
            members=[GroupMember(members[0].identifier, child_tickets=1), members[1].identifier],
            covered_client_ages=[12],
            idempotency_key=key,
        )
    assert not GroupVisit.objects.exists()


def test_a_group_visit_is_removed_all_or_nothing(world, group, monkeypatch):
    result, _key, _members = group
    calls = []

    def fail_on_the_statistics(uses):
        calls.append(len(uses))
        raise RuntimeError("the statistics could not be written")

    monkeypatch.setattr(summaries, "uses_removed", fail_on_the_statistics)
    with pytest.raises(RuntimeError):
        remove_group_visit(
            actor=world.alpha_coordinator, visit=result.group_visit, reason=RemovalReason.TEST_ENTRY
        )
    assert calls == [3]  # every use of the visit at once
    assert GroupVisit.objects.count() == 1
    assert Use.objects.count() == 3
    assert not AuditEvent.objects.filter(action=Action.GROUP_VISIT_REMOVED).exists()
    assert not CancelledRequest.objects.exists()


def test_a_group_visit_is_refused_to_the_other_side_and_to_venue_staff(world, group):
    result, _key, _members = group
    with pytest.raises(OtherSidesWork):
        remove_group_visit(
            actor=world.alpha_sote_coordinator,
            visit=result.group_visit,
            reason=RemovalReason.TEST_ENTRY,
        )
    with pytest.raises(errors.RemovalForCoordinator):
        remove_group_visit(
            actor=world.alpha_venue_staff, visit=result.group_visit, reason=RemovalReason.TEST_ENTRY
        )
    assert Use.objects.count() == 3
