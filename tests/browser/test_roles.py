"""Each demo role logs in, lands on its own page, switches language, and passes axe-core."""

import pytest

from .support import assert_accessible, log_in

ROLES = {
    # user name: (landing path, heading in fi, sv, en)
    "kaikukeskus": (
        "/national/",
        "Valtakunnallinen katsaus",
        "Nationell översikt",
        "National overview",
    ),
    "tampere.kulttuuri": (
        "/regions/tampere/",
        "Alue Tampere",
        "Region Tammerfors",
        "Region Tampere",
    ),
    "nokia.sote": ("/regions/nokia/", "Alue Nokia", "Region Nokia", "Region Nokia"),
    "jakaja.tampere": ("/distributor/", "Kortinjakaja", "Kortutdelare", "Distributor"),
    "kohde.tampere": ("/venue/", "Kohde", "Besöksmål", "Venue"),
}


def test_the_live_server_serves_the_stylesheet(page):
    """The axe checks (colour contrast above all) mean something only with the real stylesheet."""
    page.goto("/login/")
    hrefs = page.eval_on_selector_all('link[rel="stylesheet"]', "links => links.map(l => l.href)")
    assert hrefs
    for href in hrefs:
        response = page.request.get(href)
        assert response.ok, href
        assert response.headers["content-type"].startswith("text/css"), href


@pytest.mark.parametrize("username", list(ROLES))
def test_role_logs_in_lands_switches_language_and_is_accessible(page, username):
    path, finnish, swedish, english = ROLES[username]
    page.goto("/login/")
    assert_accessible(page, "login page")
    log_in(page, username)
    page.wait_for_url(f"**{path}")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.get_by_role("heading", level=1).inner_text() == finnish
    assert_accessible(page, f"{path} in Finnish")

    page.get_by_role("button", name="Svenska").click()
    page.wait_for_function("document.documentElement.lang === 'sv'")
    assert page.url.endswith(path)
    assert page.get_by_role("heading", level=1).inner_text() == swedish
    assert_accessible(page, f"{path} in Swedish")

    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_role("heading", level=1).inner_text() == english

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")


def test_small_phone_keyboard_and_card_check(new_page):
    """A venue clerk on a 360 px phone: no sideways scrolling, the skip link comes first, and a card
    check with the keyboard alone shows the result in place (htmx)."""
    from kaikukanta.cards.models import Card

    card = (
        Card.objects.filter(status="active", card_type="personal").order_by("-valid_until").first()
    )
    page = new_page(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    log_in(page, "kohde.tampere")
    page.wait_for_url("**/venue/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The card number field has focus when the box office opens (a scanner needs no touch); the
    # skip link is still the first stop of the tab order.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'identifier'")
    first = page.evaluate(
        "() => document.querySelector('a[href], button, input:not([type=hidden]), select, textarea')"
        ".textContent.trim()"
    )
    assert first == "Siirry sisältöön"

    page.get_by_label("Kortin numero").focus()
    page.keyboard.type(card.display_identifier.lower())
    page.keyboard.press("Enter")
    page.get_by_text(f"Kortti {card.display_identifier} on voimassa.").wait_for()
    assert page.url.endswith("/venue/")  # swapped in place, no page load
    # The next card in the queue: an unknown number gets its answer in place too (a 404 is an
    # answer, not an error to swallow).
    from kaikukanta.cards import identifiers

    page.get_by_label("Kortin numero").fill(identifiers.display(identifiers.generate()))
    page.keyboard.press("Enter")
    page.get_by_text("tarkista numero kortista", exact=False).first.wait_for()
    page.get_by_label("Kortin numero").fill(card.identifier)
    page.keyboard.press("Enter")
    page.get_by_text(f"Kortti {card.display_identifier} on voimassa.").wait_for()
    assert_accessible(page, "venue page after a check")


def test_card_page_barcodes_read_back_in_the_browser(new_page):
    """The QR code and Code 39 as the browser draws them decode to the card number."""
    import io

    import zxingcpp
    from PIL import Image

    from kaikukanta.cards.models import Card

    card = Card.objects.filter(issuing_site__name="Nauha ry", card_type="personal").first()
    page = new_page(device_scale_factor=2)
    log_in(page, "jakaja.tampere")
    page.wait_for_url("**/distributor/")
    page.goto(f"/cards/{card.pk}/")
    assert_accessible(page, "card page")
    for selector in [".qr svg", ".code39 svg"]:
        image = Image.open(io.BytesIO(page.locator(selector).screenshot()))
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [card.identifier], selector
