"""Receiving a cardholder's feedback, and a coordinator's decision to publish it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from kaikukanta.accounts.scope import scope_for
from kaikukanta.audit.models import Action
from kaikukanta.audit.services import record
from kaikukanta.core.dates import today
from kaikukanta.core.digests import keyed_digest
from kaikukanta.core.ratelimit import Window
from kaikukanta.network.models import Region

from .errors import FeedbackTooLong, FeedbackTooOften, NotFeedbackCoordinator, RatingMissing
from .models import MAX_TEXT, Feedback

DAY = 86400


def receive_feedback(*, region: Region, rating: Any, text: str, sender: str) -> Feedback:
    """Store a holder's feedback for the region of their card. The caller (the mobile card) has
    checked the link; nothing of the card is passed here, so none can be stored. `sender` (the
    client's address) only counts toward KAIKUKANTA_FEEDBACK_PER_DAY messages a day from one device
    and is not stored. Its audit event names neither the item nor the region: the trail keeps the
    time of each mobile-card opening, and an event naming the item at a time would link the two."""
    window = Window("public:feedback", settings.KAIKUKANTA_FEEDBACK_PER_DAY, DAY)
    if window.hit(keyed_digest(sender or "unknown", "feedback-sender")) > window.limit:
        raise FeedbackTooOften()
    try:
        value = int(rating)
    except (TypeError, ValueError):
        raise RatingMissing() from None
    if not 1 <= value <= 5:
        raise RatingMissing()
    text = (
        (text or "").replace("\x00", "").strip()
    )  # a NUL is no one's text (PostgreSQL refuses it)
    if len(text) > MAX_TEXT:
        raise FeedbackTooLong(limit=MAX_TEXT, length=len(text))
    language = (get_language() or "fi")[:2]
    with transaction.atomic():
        feedback = Feedback.objects.create(
            region=region, rating=value, text=text, language=language, received_on=today()
        )
        # The day only, like the item itself: an exact time could be matched with the time the card
        # was opened, which the trail keeps against the card.
        midnight = dt.datetime.combine(today(), dt.time(), tzinfo=timezone.get_current_timezone())
        record(actor=None, action=Action.FEEDBACK_RECEIVED, occurred_at=midnight)
    return feedback


def set_publishable(*, actor: Any, feedback: Feedback, publishable: bool) -> Feedback:
    """Mark an item publishable (the catalogue quotes it) or take it back."""
    if not scope_for(actor).coordinates(feedback.region_id):
        raise NotFeedbackCoordinator()
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        if feedback.publishable == publishable:
            return feedback
        feedback.publishable = publishable
        feedback.save(update_fields=["publishable"])
        record(
            actor=actor,
            action=Action.FEEDBACK_PUBLISHED,
            target=feedback,
            region=feedback.region,
            data={"publishable": publishable},
        )
    return feedback
