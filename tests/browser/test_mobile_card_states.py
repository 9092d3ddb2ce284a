"""The mobile card in the states a holder meets besides "valid": expiring soon and closed, each on a
320 px phone, saying only what is true of it, and passing axe-core."""

from .support import assert_accessible, assert_no_sideways_scroll


def _link(django_db_blocker, *, close: bool):
    from kaikukanta.accounts.models import User
    from kaikukanta.cards.models import EXPIRING_DAYS, Card, ClosingReason
    from kaikukanta.cards.services import close_card, hand_over_card
    from kaikukanta.core.dates import today

    national = User.objects.get(username="kaikukeskus")
    cards = Card.objects.valid_on(today()).filter(card_type="personal")
    if not close:
        cards = cards.expiring_within(EXPIRING_DAYS)
    card = cards.order_by("pk").first()
    with django_db_blocker.unblock():
        secret = hand_over_card(actor=national, card=card)
        if close:
            close_card(actor=national, card=card, reason=ClosingReason.ON_REQUEST)
    return f"/m/{secret}/", card


def test_a_card_expiring_soon_says_so_and_still_shows_its_codes(new_page, django_db_blocker):
    url, card = _link(django_db_blocker, close=False)
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(url)
    state = page.locator("#card-state").inner_text()
    assert state.startswith("Korttisi voimassaolo päättyy")
    assert page.get_by_role("img", name=f"Kortin {card.display_identifier} QR-koodi").is_visible()
    assert_no_sideways_scroll(page, "a card expiring soon at 320 px")
    assert_accessible(page, "a card expiring soon")


def test_a_closed_card_says_only_that_it_is_closed(new_page, django_db_blocker):
    from kaikukanta.core.dates import today

    url, _card = _link(django_db_blocker, close=True)
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(url)
    main = page.inner_text("main")
    day = today()
    assert f"Korttisi suljettiin {day.day}.{day.month}.{day.year}." in main
    assert "Voimassa" not in main  # no "valid until" beside "closed"
    assert "uusi" not in main.replace("uuden kortin", "").lower()  # nothing about renewing it
    assert page.get_by_role("img").count() == 0  # no codes to show at a door
    assert_no_sideways_scroll(page, "a closed card at 320 px")
    assert_accessible(page, "a closed card")
