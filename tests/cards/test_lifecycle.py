"""Renew, close, replace, and the two look-ups."""

import datetime as dt

import pytest

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import errors
from kaikukanta.cards.models import Card, CardStatus, ClosingReason
from kaikukanta.cards.services import (
    Wellbeing,
    check_card,
    close_card,
    issue_card,
    look_up_card,
    renew_card,
    replace_card,
)
from kaikukanta.core.errors import NotAllowed

from ..conftest import TODAY, holder, on_day


def old_card(world, issued_on=dt.date(2025, 5, 1), site=None, actor=None):
    with on_day(issued_on):
        return issue_card(
            actor=actor or world.alpha_distributor,
            site=site or world.alpha_site,
            holder=holder(),
        )


def test_renewal_gives_a_year_from_the_renewal_day(world):
    card = old_card(world)
    assert card.valid_until == dt.date(2026, 5, 1)  # expired six weeks ago
    card = renew_card(
        actor=world.alpha_distributor,
        card=card,
        holder=holder(children=3),
        wellbeing=Wellbeing(mood=5),
    )
    assert card.renewed_on == TODAY
    assert card.valid_until == dt.date(2027, 6, 15)
    assert card.children == 3
    assert card.wellbeing.get().occasion == "renewal"
    event = AuditEvent.objects.get(action=Action.CARD_RENEWED)
    assert event.data["changed"] == ["valid_until", "renewed_on", "children"]
    # The trail names what changed, never the holder's values.
    assert set(event.data) == {"previous_valid_until", "valid_until", "changed"}


def test_renewal_only_at_the_issuing_site_or_by_the_regions_coordinator(world):
    card = old_card(world)
    for actor in [
        world.alpha_other_distributor,
        world.beta_distributor,
        world.beta_coordinator,
        world.alpha_venue_staff,
        world.nobody,
    ]:
        with pytest.raises(NotAllowed):
            renew_card(actor=actor, card=card)
    renew_card(actor=world.alpha_sote_coordinator, card=card)
    renew_card(actor=world.alpha_coordinator, card=card, holder=holder(children=1))


def test_renewal_in_a_pilot_stops_at_the_pilots_end(world):
    with on_day(dt.date(2025, 9, 10)):
        card = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    assert card.valid_until == dt.date(2026, 9, 10)
    card = renew_card(actor=world.beta_distributor, card=card)
    assert card.valid_until == dt.date(2026, 12, 31)
    with pytest.raises(errors.RenewalCappedByPilot) as raised:
        renew_card(actor=world.beta_distributor, card=card)
    assert "the end of the pilot of Beetala" in raised.value.message


def test_renewal_that_extends_nothing_in_a_permanent_region_mentions_no_pilot(world, alpha_card):
    with pytest.raises(errors.RenewalChangesNothing) as raised:
        renew_card(actor=world.alpha_distributor, card=alpha_card)
    assert "pilot" not in raised.value.message
    assert "valid until 15.6.2027" in raised.value.message


def test_closed_card_cannot_be_renewed_or_closed_again(world, alpha_card):
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.MOVED_AWAY)
    alpha_card.refresh_from_db()
    assert alpha_card.status == CardStatus.CLOSED
    assert alpha_card.closed_on == TODAY
    with pytest.raises(errors.CardClosed):
        renew_card(actor=world.alpha_distributor, card=alpha_card)
    with pytest.raises(errors.CardClosed):
        close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.ON_REQUEST)


def test_closing_needs_a_known_reason_and_the_right(world, alpha_card):
    with pytest.raises(errors.ChoiceInvalid):
        close_card(actor=world.alpha_distributor, card=alpha_card, reason="bored")
    with pytest.raises(NotAllowed) as raised:
        close_card(actor=world.beta_coordinator, card=alpha_card, reason=ClosingReason.LOST)
    # Who can: said without naming the site (the holder's service is their own business).
    assert raised.value.message == (
        f"Card {alpha_card.display_identifier} is managed at the site that registered it, or by "
        "the region's coordinators. Ask them to extend its validity, change it or close it."
    )
    alpha_card.refresh_from_db()
    assert alpha_card.status == CardStatus.ACTIVE


def test_lost_card_is_replaced_and_the_history_stays_linked(world, alpha_card):
    new = replace_card(actor=world.alpha_distributor, card=alpha_card)
    alpha_card.refresh_from_db()
    assert alpha_card.status == CardStatus.CLOSED
    assert alpha_card.closing_reason == ClosingReason.LOST
    assert alpha_card.replaced_by == new
    assert new.replaces == alpha_card
    assert new.identifier != alpha_card.identifier
    assert (new.birth_year, new.postcode, new.children) == (1980, "33100", 2)
    assert new.valid_until == alpha_card.valid_until
    assert new.issuing_site == alpha_card.issuing_site
    with pytest.raises(errors.CardClosed):
        replace_card(actor=world.alpha_distributor, card=alpha_card)


def test_expired_card_is_renewed_rather_than_replaced(world):
    card = old_card(world)
    with pytest.raises(errors.CardExpired):
        replace_card(actor=world.alpha_distributor, card=card)
    assert Card.objects.count() == 1


def test_staff_look_up_only_cards_they_may_see_and_every_look_up_is_audited(
    world, alpha_card, beta_card
):
    found = look_up_card(
        actor=world.alpha_distributor, identifier=alpha_card.display_identifier.lower()
    )
    assert found == alpha_card
    # Another site's card exists, and the searcher is told so, never which site it is.
    with pytest.raises(errors.CardRegisteredElsewhere) as raised:
        look_up_card(actor=world.alpha_distributor, identifier=beta_card.identifier)
    assert "registered at another distributor site" in raised.value.message
    assert world.beta_site.name not in raised.value.message
    with pytest.raises(errors.CardNotFound):
        look_up_card(actor=world.alpha_distributor, identifier="NOSUCHCARD1")
    # Venues check cards one at a time through check_card, never look them up.
    with pytest.raises(NotAllowed):
        look_up_card(actor=world.alpha_venue_staff, identifier=alpha_card.identifier)
    views = AuditEvent.objects.filter(action=Action.CARD_VIEWED)
    assert views.count() == 3
    assert views.filter(data__found=False).count() == 1
    assert views.filter(data__visible=False).count() == 1


def test_venue_check_shows_validity_children_and_type_only(world, alpha_card):
    result = check_card(
        actor=world.beta_venue_staff, venue=world.beta_venue, identifier=alpha_card.identifier
    )
    assert result.valid
    assert result.accepted
    assert result.refusal is None
    assert result.valid_until == alpha_card.valid_until
    assert result.children == 2
    assert result.card_type == "personal"
    shown = set(vars(result))
    assert shown == {
        "identifier",
        "card_type",
        "status",
        "valid_until",
        "closed_on",
        "children",
        "refusal",
    }
    assert not any("site" in name or "region" in name for name in shown)
    event = AuditEvent.objects.get(action=Action.CARD_CHECKED)
    assert event.venue == world.beta_venue
    assert event.object_id == str(alpha_card.pk)


def test_venue_check_of_closed_expired_or_unknown_cards(world, alpha_card):
    expired = old_card(world)
    result = check_card(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=expired.identifier
    )
    assert (result.valid, result.accepted, result.status) == (False, False, "expired")
    assert result.refusal.code == "card_expired"
    assert result.refusal.message == (
        f"Card {expired.display_identifier} expired on 1.5.2026. Its validity can be extended at "
        "the service that issued it."
    )
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.NOT_ELIGIBLE)
    result = check_card(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=alpha_card.identifier
    )
    assert (result.valid, result.status, result.closed_on) == (False, "closed", TODAY)
    assert result.refusal.code == "card_closed"
    assert "was closed on 15.6.2026" in result.refusal.message
    with pytest.raises(errors.CardNotFound):
        check_card(actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier="NOSUCHCARD1")
    number = alpha_card.identifier
    typo = number[:-1] + ("2" if number[-1] != "2" else "3")
    with pytest.raises(errors.IdentifierCheckFailed):
        check_card(actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=typo)
    assert AuditEvent.objects.filter(action=Action.CARD_CHECKED).count() == 4


def test_venue_checks_only_for_its_own_venue(world, alpha_card):
    with pytest.raises(NotAllowed):
        check_card(
            actor=world.beta_venue_staff, venue=world.alpha_venue, identifier=alpha_card.identifier
        )
    with pytest.raises(NotAllowed):
        check_card(
            actor=world.alpha_coordinator, venue=world.popup, identifier=alpha_card.identifier
        )
    assert check_card(
        actor=world.popup_staff, venue=world.popup, identifier=alpha_card.identifier
    ).valid


def test_venue_that_accepts_only_its_own_region_says_so(world, beta_card, alpha_card):
    world.alpha_venue.accepts_other_regions = False
    world.alpha_venue.save()
    result = check_card(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=beta_card.identifier
    )
    assert result.valid
    assert not result.accepted
    assert result.refusal.code == "venue_own_region_only"
    assert check_card(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=alpha_card.identifier
    ).accepted


def test_cards_of_a_site_that_left_the_network_are_renewed_by_the_coordinator(world):
    card = old_card(world)
    world.alpha_site.is_active = False
    world.alpha_site.save()
    card.refresh_from_db()
    with pytest.raises(errors.SiteNotTakingPart):
        renew_card(actor=world.alpha_distributor, card=card)
    assert renew_card(actor=world.alpha_sote_coordinator, card=card).renewed_on == TODAY


def _use_on(world, card, day=None):
    """A use at noon of `day`, or now."""
    from kaikukanta.uses.services import record_use

    from ..conftest import HELSINKI, new_key

    return record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=card.identifier,
        idempotency_key=new_key(),
        occurred_at=day and dt.datetime.combine(day, dt.time(12), tzinfo=HELSINKI),
    )


def test_a_card_cannot_be_closed_or_replaced_before_its_last_use(world):
    alpha_card = old_card(world, issued_on=dt.date(2026, 1, 10))
    _use_on(world, alpha_card, TODAY)
    for action in [
        lambda: close_card(
            actor=world.alpha_distributor,
            card=alpha_card,
            reason=ClosingReason.LOST,
            closed_on=TODAY - dt.timedelta(days=1),
        ),
        lambda: replace_card(
            actor=world.alpha_distributor,
            card=alpha_card,
            replaced_on=TODAY - dt.timedelta(days=1),
        ),
    ]:
        with pytest.raises(errors.ClosingBeforeLastUse):
            action()
    # Used this morning, lost this afternoon: closing today is right, and no more uses today.
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.LOST)
    with pytest.raises(errors.CardClosed):
        _use_on(world, alpha_card)


def test_closing_and_renewal_dates_keep_their_order(world):
    card = old_card(world)
    card = renew_card(actor=world.alpha_distributor, card=card, renewed_on=dt.date(2026, 6, 1))
    with pytest.raises(errors.DateBeforeRenewal):
        renew_card(actor=world.alpha_distributor, card=card, renewed_on=dt.date(2026, 5, 20))
    with pytest.raises(errors.DateBeforeRenewal):
        close_card(
            actor=world.alpha_distributor,
            card=card,
            reason=ClosingReason.ON_REQUEST,
            closed_on=dt.date(2026, 5, 31),
        )
    recent = old_card(world, issued_on=dt.date(2026, 6, 10))
    with pytest.raises(errors.IssueDateTooEarly):
        replace_card(actor=world.alpha_distributor, card=recent, replaced_on=dt.date(2026, 6, 1))


def test_a_site_that_left_the_network_gets_replacements_from_the_coordinator(world, alpha_card):
    world.alpha_site.is_active = False
    world.alpha_site.save()
    alpha_card.refresh_from_db()
    with pytest.raises(errors.SiteNotTakingPart):
        replace_card(actor=world.alpha_distributor, card=alpha_card)
    assert replace_card(actor=world.alpha_coordinator, card=alpha_card).issued_on == TODAY


def test_a_pilot_shortened_after_issue_ends_its_cards_too(world, beta_card):
    assert beta_card.valid_until == dt.date(2026, 12, 31)
    world.beta.pilot_ends = dt.date(2026, 6, 14)
    world.beta.save()
    result = check_card(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=beta_card.identifier
    )
    assert not result.valid
    assert result.valid_until is None  # nothing valid-looking for a card that is not valid
    assert "was valid until 14.6.2026" in result.refusal.message
    # Renewing would not help: the message says so instead of sending the holder to renew.
    assert result.refusal.code == "card_pilot_ended"
    assert "its validity cannot be extended" in result.refusal.message
    from kaikukanta.uses.services import record_use

    from ..conftest import new_key

    with pytest.raises(errors.CardPilotEnded):
        record_use(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            card_identifier=beta_card.identifier,
            idempotency_key=new_key(),
        )


def test_a_distributor_is_not_told_to_ask_a_distributor_about_a_closed_card(world, alpha_card):
    """Extending, changing, replacing or handing over a closed card: the distributor is the one
    who registers a new card, so the refusal says to do that; a venue is told the holder gets a
    new card from a distributor."""
    from django.utils import translation

    from kaikukanta.cards.services import hand_over_card

    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.ON_REQUEST)
    alpha_card.refresh_from_db()
    for attempt in (
        lambda: renew_card(actor=world.alpha_distributor, card=alpha_card),
        lambda: replace_card(actor=world.alpha_distributor, card=alpha_card),
        lambda: hand_over_card(actor=world.alpha_distributor, card=alpha_card),
    ):
        with pytest.raises(errors.CardClosed) as raised:
            attempt()
        assert raised.value.code == "card_closed"
        with translation.override("en"):
            message = raised.value.message
        assert "register a new one" in message
        assert "distributor" not in message
        assert "renew" not in message
    with translation.override("en"):
        at_venue = alpha_card.refusal_on(alpha_card.closed_on).message
    assert "The holder can get a new card from a Kaikukortti distributor." in at_venue
