"""The mobile-card hand-over: a link with a random secret that opens the card on the holder's phone."""

import pytest

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards import errors
from kaikukanta.cards.models import ClosingReason, HandOver
from kaikukanta.cards.services import (
    close_card,
    hand_over_card,
    hand_over_for,
    revoke_hand_over,
)
from kaikukanta.core.errors import NotAllowed


def test_the_secret_opens_the_card_and_is_not_the_number_nor_stored(world, alpha_card):
    secret = hand_over_card(actor=world.alpha_distributor, card=alpha_card)
    assert len(secret) == 16
    assert alpha_card.identifier not in secret
    assert hand_over_for(secret).card == alpha_card
    assert hand_over_for(secret.lower()).card == alpha_card  # typed from the short address
    stored = HandOver.objects.get(card=alpha_card)
    assert secret not in stored.secret_hash
    assert AuditEvent.objects.filter(
        action=Action.CARD_HANDED_OVER, object_id=str(alpha_card.pk), actor=world.alpha_distributor
    ).exists()


def test_a_new_link_stops_the_old_one(world, alpha_card):
    first = hand_over_card(actor=world.alpha_distributor, card=alpha_card)
    second = hand_over_card(actor=world.alpha_distributor, card=alpha_card)
    assert first != second
    assert hand_over_for(first) is None
    assert hand_over_for(second).card == alpha_card
    assert HandOver.objects.filter(card=alpha_card).active().count() == 1


def test_a_revoked_link_opens_nothing(world, alpha_card):
    secret = hand_over_card(actor=world.alpha_distributor, card=alpha_card)
    assert revoke_hand_over(actor=world.alpha_distributor, card=alpha_card) is True
    assert hand_over_for(secret) is None
    assert revoke_hand_over(actor=world.alpha_distributor, card=alpha_card) is False
    assert (
        AuditEvent.objects.filter(
            action=Action.HAND_OVER_REVOKED, object_id=str(alpha_card.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize("secret", ["", "x", "K7M4RXWP9A", "0" * 16, "A" * 40, "../../admin"])
def test_anything_else_opens_nothing(world, alpha_card, secret):
    hand_over_card(actor=world.alpha_distributor, card=alpha_card)
    assert hand_over_for(secret) is None
    assert hand_over_for(alpha_card.identifier) is None


def test_only_the_cards_own_staff_hand_it_over(world, alpha_card):
    for outsider in [
        world.alpha_other_distributor,
        world.beta_distributor,
        world.alpha_venue_staff,
    ]:
        with pytest.raises(NotAllowed):
            hand_over_card(actor=outsider, card=alpha_card)
        with pytest.raises(NotAllowed):
            revoke_hand_over(actor=outsider, card=alpha_card)
    assert not HandOver.objects.exists()


def test_a_closed_card_is_not_handed_over(world, alpha_card):
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.ON_REQUEST)
    with pytest.raises(errors.CardClosed):
        hand_over_card(actor=world.alpha_distributor, card=alpha_card)


def test_the_link_page_shows_the_card_and_a_dead_link_reveals_nothing(world, alpha_card, client):
    secret = hand_over_card(actor=world.alpha_distributor, card=alpha_card)
    response = client.get(f"/m/{secret}/")
    assert response.status_code == 200
    assert alpha_card.display_identifier in response.content.decode()
    revoke_hand_over(actor=world.alpha_distributor, card=alpha_card)
    dead = client.get(f"/m/{secret}/")
    never = client.get("/m/2345678923456789/")
    assert dead.status_code == never.status_code == 404
    assert dead.content == never.content
    assert alpha_card.display_identifier not in dead.content.decode()
