"""What the cardholder's pages change: the opening of a mobile card (audited, like any card look-up)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.cards.models import HandOver
from kaikukanta.cards.services import hand_over_for


def open_mobile_card(secret: str, *, page: str = "card") -> HandOver | None:
    """The working hand-over a link opens, with its card (and the card's region and issuing site),
    or None. An opening is a card look-up: it is audited against the card (no actor: the holder has
    no account) and remembered as the link's last opening."""
    hand_over = hand_over_for(secret)
    if hand_over is None:
        return None
    with transaction.atomic():
        now = timezone.now()
        HandOver.objects.filter(pk=hand_over.pk).update(last_opened_at=now)
        hand_over.last_opened_at = now
        card = hand_over.card
        record(
            actor=None,
            action=Action.MOBILE_CARD_OPENED,
            target=card,
            region=card.region,
            data={"page": page},
        )
    return hand_over
