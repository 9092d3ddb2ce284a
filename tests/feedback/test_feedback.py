"""Cardholders' anonymous feedback: sent from the mobile card, read and published by coordinators."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.services import hand_over_card
from kaikukanta.feedback.errors import (
    FeedbackTooLong,
    FeedbackTooOften,
    NotFeedbackCoordinator,
    RatingMissing,
)
from kaikukanta.feedback.models import MAX_TEXT, Feedback
from kaikukanta.feedback.services import receive_feedback, set_publishable

from ..public.test_mobile_card import text_of

SENDER = "192.0.2.1"


@pytest.fixture
def anonymous():
    client = Client()
    client.cookies["kaikukanta_language"] = "en"
    return client


@pytest.fixture
def secret(world, alpha_card):
    return hand_over_card(actor=world.alpha_distributor, card=alpha_card)


def test_the_form_asks_not_to_write_names(secret, anonymous):
    text = text_of(anonymous.get(reverse("public:feedback", args=[secret])))
    assert "Please do not write your name" in text


def test_feedback_is_stored_with_the_region_only(world, alpha_card, secret, anonymous):
    url = reverse("public:feedback", args=[secret])
    response = anonymous.post(url, {"rating": "5", "text": "Pääsin teatteriin!"})
    assert response.status_code == 302
    assert "Thank you" in text_of(anonymous.get(response["Location"]))
    item = Feedback.objects.get()
    assert (item.region, item.rating, item.text) == (world.alpha, 5, "Pääsin teatteriin!")
    # Nothing on the item or its audit event points at the card or the link.
    fields = {field.name for field in Feedback._meta.get_fields()}
    assert not fields & {"card", "hand_over", "created_at"}
    event = AuditEvent.objects.get(action=Action.FEEDBACK_RECEIVED)
    assert (event.object_id, event.region, event.data) == ("", None, {})
    assert not AuditEvent.objects.filter(
        action=Action.MOBILE_CARD_OPENED, object_id=str(alpha_card.pk)
    ).exists()


def test_a_missing_rating_is_explained_and_the_text_kept(secret, anonymous):
    url = reverse("public:feedback", args=[secret])
    response = anonymous.post(url, {"rating": "", "text": "Hyvä"})
    assert response.status_code == 400
    assert "Choose a rating from 1 (poor) to 5 (excellent)." in text_of(response)
    assert ">Hyvä</textarea>" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_revoked_link_sends_nothing(world, alpha_card, secret, anonymous):
    from kaikukanta.cards.services import revoke_hand_over

    revoke_hand_over(actor=world.alpha_distributor, card=alpha_card)
    response = anonymous.post(reverse("public:feedback", args=[secret]), {"rating": "3"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()


@override_settings(KAIKUKANTA_FEEDBACK_PER_DAY=2)
def test_feedback_is_limited_per_device(secret, anonymous):
    url = reverse("public:feedback", args=[secret])
    for _ in range(2):
        assert anonymous.post(url, {"rating": "4"}).status_code == 302
    refused = anonymous.post(url, {"rating": "4"})
    assert refused.status_code == 429
    assert "Try again tomorrow" in text_of(refused)
    assert Feedback.objects.count() == 2


@pytest.mark.parametrize("rating", ["0", "6", "x", None])
def test_the_rating_is_one_to_five(world, rating):
    with pytest.raises(RatingMissing):
        receive_feedback(region=world.alpha, rating=rating, text="", sender=SENDER)


def test_coordinators_see_their_regions_feedback_only(world, client_as):
    receive_feedback(region=world.alpha, rating=4, text="Alfalan palaute", sender=SENDER)
    receive_feedback(region=world.beta, rating=2, text="Beetalan palaute", sender=SENDER)
    alpha = text_of(client_as("alpha_coordinator").get(reverse("web:feedback")))
    assert "Alfalan palaute" in alpha
    assert "Beetalan palaute" not in alpha
    national = text_of(client_as("national").get(reverse("web:feedback")))
    assert "Alfalan palaute" in national
    assert "Beetalan palaute" in national
    assert set(Feedback.objects.visible_to(world.alpha_venue_staff)) == set()


def test_published_feedback_is_quoted_in_the_catalogue(world, client_as, anonymous):
    item = receive_feedback(region=world.alpha, rating=5, text="Kiitos kortista!", sender=SENDER)
    region_page = reverse("public:catalogue_region", args=["alpha"])
    assert "Kiitos kortista!" not in text_of(anonymous.get(region_page))
    coordinator = client_as("alpha_coordinator")
    coordinator.post(reverse("web:feedback_publish", args=[item.pk]), {"publishable": "yes"})
    assert "Kiitos kortista!" in text_of(anonymous.get(region_page))
    assert AuditEvent.objects.filter(
        action=Action.FEEDBACK_PUBLISHED, object_id=str(item.pk), actor=world.alpha_coordinator
    ).exists()
    coordinator.post(reverse("web:feedback_publish", args=[item.pk]), {"publishable": "no"})
    assert "Kiitos kortista!" not in text_of(anonymous.get(region_page))


def test_only_the_regions_coordinators_publish(world):
    item = receive_feedback(region=world.alpha, rating=5, text="Hyvä", sender=SENDER)
    with pytest.raises(NotFeedbackCoordinator):
        set_publishable(actor=world.beta_coordinator, feedback=item, publishable=True)
    with pytest.raises(NotFeedbackCoordinator):
        set_publishable(actor=world.alpha_venue_staff, feedback=item, publishable=True)
    item.refresh_from_db()
    assert not item.publishable


@override_settings(KAIKUKANTA_FEEDBACK_PER_DAY=2)
def test_the_service_keeps_the_length_and_the_daily_limit(world, secret, anonymous):
    """The feedback service decides both (the page only passes the sender and shows the limit)."""
    with pytest.raises(FeedbackTooLong):
        receive_feedback(region=world.alpha, rating=3, text="x" * (MAX_TEXT + 1), sender=SENDER)
    receive_feedback(region=world.alpha, rating=3, text="x" * MAX_TEXT, sender=SENDER)
    with pytest.raises(FeedbackTooOften):
        receive_feedback(region=world.alpha, rating=3, text="", sender=SENDER)
    receive_feedback(region=world.alpha, rating=3, text="", sender="192.0.2.2")  # another device
    assert Feedback.objects.count() == 2
    page = anonymous.get(reverse("public:feedback", args=[secret])).content.decode()
    assert f'maxlength="{MAX_TEXT}"' in page
    assert f"At most {MAX_TEXT} characters" in page
