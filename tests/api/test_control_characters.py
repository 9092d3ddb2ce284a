"""A NUL or another control character in what a client sends is an answer, never a server error
(PostgreSQL refuses a NUL in a text value; SQLite does not, so these matter on PostgreSQL)."""

from .test_uses_api import error_of, post, session, use_body


def test_a_card_number_with_a_nul_is_checked_as_typed(world, alpha_card):
    client = session(world.alpha_venue_staff)
    number = alpha_card.identifier[:5] + "\x00" + alpha_card.identifier[5:]
    check = post(client, "/api/v1/checks", {"venue": world.alpha_venue.pk, "card": number})
    assert check.status_code == 200  # the control character is dropped like a space
    assert check.json()["accepted"] is True
    unknown = post(client, "/api/v1/checks", {"venue": world.alpha_venue.pk, "card": "\x00\x01"})
    assert error_of(unknown, 422) == "identifier_malformed"
    body = {**use_body(world, alpha_card), "card": number}
    use = post(client, "/api/v1/uses", body, key="nul-0001")
    assert use.status_code == 201


def test_the_catalogue_takes_control_characters_in_its_filters(world, client):
    for url in ["/api/v1/catalogue/venues", "/api/v1/catalogue/venues.csv", "/catalogue/"]:
        response = client.get(url, {"q": "museo\x00", "region": "\x00", "municipality": "9\x000"})
        assert response.status_code == 200, url


def test_feedback_with_a_nul_is_kept_without_it(world, alpha_card, client):
    from kaikukanta.cards.services import hand_over_card
    from kaikukanta.feedback.models import Feedback

    secret = hand_over_card(actor=world.alpha_distributor, card=alpha_card)
    response = client.post(f"/m/{secret}/feedback/", {"rating": "4", "text": "Hyvä\x00 paikka"})
    assert response.status_code == 302
    assert Feedback.objects.get().text == "Hyvä paikka"
