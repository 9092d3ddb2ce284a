import pytest

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import errors as card_errors
from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import close_card, issue_card, issue_community_card
from kaikukanta.core.errors import IdempotencyConflict
from kaikukanta.events.services import create_event
from kaikukanta.uses import errors
from kaikukanta.uses.models import GroupVisit, Use, UseKind
from kaikukanta.uses.services import GroupMember, record_group_visit

from ..conftest import holder, new_key


def visit(world, community_card, members=(), **options):
    options.setdefault("idempotency_key", new_key())
    return record_group_visit(
        actor=options.pop("actor", world.alpha_venue_staff),
        venue=options.pop("venue", world.alpha_venue),
        community_card_identifier=community_card.identifier,
        members=members,
        **options,
    )


@pytest.fixture
def members(world):
    return [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder(children=1))
        for _ in range(3)
    ]


def test_group_visit_records_the_worker_and_every_members_own_card(world, community_card, members):
    result = visit(
        world,
        community_card,
        [GroupMember(members[0].identifier, child_tickets=1), members[1].identifier],
        covered_client_ages=[12, 15],
    )
    assert result.created
    uses = Use.objects.filter(group_visit=result.group_visit).order_by("pk")
    assert [u.card for u in uses] == [community_card, members[0], members[1]]
    # The clients without a card are counted as what they are, not as the community card's
    # child tickets.
    assert [u.child_tickets for u in uses] == [0, 1, 0]
    assert [u.clients_without_card for u in uses] == [2, 0, 0]
    assert sum(u.tickets for u in uses) == 6
    assert all(u.adult_ticket and u.kind == UseKind.ENTRY_TICKET for u in uses)
    event = AuditEvent.objects.get(action=Action.GROUP_VISIT_RECORDED)
    assert event.data["covered_clients"] == 2


def test_every_use_of_a_group_visit_carries_its_own_cards_region(world, community_card):
    beta_member = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    result = visit(world, community_card, [beta_member.identifier])
    assert [(u.card, u.card_region) for u in result.uses] == [
        (community_card, world.alpha),
        (beta_member, world.beta),
    ]
    assert all(u.card_region_id == u.card.region_id for u in Use.objects.all())


def test_retried_group_visit_records_nothing_new(world, community_card, members):
    key = new_key()
    first = visit(world, community_card, [members[0].identifier], idempotency_key=key)
    again = visit(world, community_card, [members[0].identifier], idempotency_key=key)
    assert not again.created
    assert again.group_visit.pk == first.group_visit.pk
    assert GroupVisit.objects.count() == 1
    assert Use.objects.count() == 2


def test_same_key_with_another_group_is_a_conflict(world, community_card, members):
    key = new_key()
    visit(world, community_card, [members[0].identifier], idempotency_key=key)
    for other in [
        {"members": [members[1].identifier]},
        {"members": [members[0].identifier, members[1].identifier]},
        {"members": [GroupMember(members[0].identifier, child_tickets=1)]},
        {"members": [members[0].identifier], "covered_client_ages": [12]},
    ]:
        with pytest.raises(IdempotencyConflict):
            visit(world, community_card, idempotency_key=key, **other)
    assert GroupVisit.objects.count() == 1
    assert Use.objects.count() == 2


def test_every_member_needs_their_own_valid_card(world, community_card, members):
    close_card(actor=world.alpha_distributor, card=members[2], reason=ClosingReason.LOST)
    with pytest.raises(card_errors.CardClosed):
        visit(world, community_card, [members[0].identifier, members[2].identifier])
    with pytest.raises(card_errors.CardNotFound):
        visit(world, community_card, [members[0].identifier, "NOCARD123"])
    with pytest.raises(errors.MemberListedTwice):
        visit(world, community_card, [members[0].identifier, members[0].identifier])
    other_community = issue_community_card(actor=world.alpha_distributor, site=world.alpha_site)
    with pytest.raises(errors.MemberCardNotPersonal):
        visit(world, community_card, [other_community.identifier])
    assert Use.objects.count() == 0
    assert GroupVisit.objects.count() == 0


def test_group_needs_at_least_one_client(world, community_card):
    with pytest.raises(errors.GroupEmpty):
        visit(world, community_card, [])


def test_clients_without_a_card_must_be_under_the_age_limit(
    world, community_card, members, settings
):
    with pytest.raises(errors.CoveredClientTooOld) as raised:
        visit(world, community_card, [members[0].identifier], covered_client_ages=[15, 16])
    assert "16" in raised.value.message
    settings.KAIKUKANTA_COMMUNITY_CARD_CLIENT_AGE_LIMIT = 18
    assert visit(world, community_card, [], covered_client_ages=[17]).created
    with pytest.raises(errors.AgeInvalid):
        visit(world, community_card, [], covered_client_ages=[-1])


def test_community_card_never_for_course_places(world, community_card, members):
    with pytest.raises(errors.CommunityCardNotForCourses):
        visit(
            world,
            community_card,
            [members[0].identifier],
            kind=UseKind.COURSE_PLACE,
            venue=world.alpha_course_venue,
            actor=world.alpha_coordinator,
        )


def test_group_visit_needs_a_community_card(world, members):
    with pytest.raises(errors.NotACommunityCard):
        visit(world, members[0], [members[1].identifier])


def test_members_children_are_limited_by_their_cards(world, community_card, members):
    with pytest.raises(errors.TooManyChildTickets):
        visit(world, community_card, [GroupMember(members[0].identifier, child_tickets=2)])


def test_the_whole_group_fits_the_quota_or_none_of_it_is_recorded(world, community_card, members):
    event = create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Konsertti",
        cardholder_quota=3,
    )
    with pytest.raises(errors.QuotaExhausted):
        visit(world, community_card, [m.identifier for m in members], event=event)
    assert Use.objects.count() == 0
    visit(world, community_card, [members[0].identifier, members[1].identifier], event=event)
    assert Use.objects.filter(event=event).count() == 3


def test_a_refused_member_is_audited_by_their_own_number(world, community_card, members):
    from kaikukanta.cards import identifiers
    from kaikukanta.cards.services import typed_number_for_audit

    unregistered = identifiers.generate()
    with pytest.raises(card_errors.CardNotFound):
        visit(world, community_card, [members[0].identifier, unregistered])
    rejected = AuditEvent.objects.get(action=Action.USE_REJECTED)
    assert rejected.data == {"code": "card_not_found", **typed_number_for_audit(unregistered)}
    assert unregistered not in str(rejected.data)


def test_clients_without_a_card_count_as_child_tickets_in_the_statistics(
    world, community_card, alpha_card
):
    """Stored apart on the community card's use, they are children (under the age limit) in the
    monthly figures, written live as a rebuild would."""
    from kaikukanta.stats import summaries
    from kaikukanta.stats.models import UseMonth

    record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[alpha_card.identifier],
        covered_client_ages=[9, 13],
        idempotency_key=new_key(),
    )
    row = UseMonth.objects.get(venue=world.alpha_venue)
    assert (row.uses, row.adult_tickets, row.child_tickets) == (2, 2, 2)
    assert summaries.differences() == []
