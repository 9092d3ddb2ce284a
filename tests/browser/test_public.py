"""The cardholder's pages in headless Chromium: the mobile card from a hand-over link (offline too,
in each language, with its barcodes readable), the catalogue's filters and the brochure, and axe-core
on every public page."""

import io
import re

import pytest

from .support import assert_accessible, assert_no_sideways_scroll


@pytest.fixture(scope="module")
def card_link(demo_server, django_db_blocker):
    """A hand-over link for a valid demo card, as the distributor gives it to the holder."""
    from kaikukanta.accounts.models import User
    from kaikukanta.cards.models import Card
    from kaikukanta.cards.services import hand_over_card
    from kaikukanta.core.dates import today

    with django_db_blocker.unblock():
        card = (
            Card.objects.valid_on(today())
            .filter(card_type="personal", uses__isnull=False)
            .order_by("pk")
            .first()
        )
        secret = hand_over_card(actor=User.objects.get(username="kaikukeskus"), card=card)
        return f"/m/{secret}/", card


def test_the_card_opens_from_its_link_readable_and_accessible(new_page, card_link):
    import zxingcpp
    from PIL import Image

    url, card = card_link
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(url)
    assert page.get_attribute("html", "lang") == "fi"
    assert page.get_by_role("heading", level=1).inner_text() == "Oma Kaikukortti"
    assert card.display_identifier in page.inner_text("main")
    assert page.get_by_role("img", name=f"Kortin {card.display_identifier} QR-koodi").is_visible()
    assert page.get_by_role("img", name=f"Kortin {card.display_identifier} viivakoodi").is_visible()
    assert_no_sideways_scroll(page, "the mobile card at 320 px")
    assert_accessible(page, "the mobile card")
    # What a scanner at the door reads from the screen: the card's number, both codes.
    for selector in (".qr", ".bar"):
        shot = Image.open(io.BytesIO(page.locator(selector).screenshot()))
        assert [found.text for found in zxingcpp.read_barcodes(shot)] == [card.identifier], selector


def test_my_visits_and_feedback_pages(new_page, card_link):
    url, _card = card_link
    page = new_page(viewport={"width": 360, "height": 640})
    page.goto(url)
    page.get_by_role("link", name="Omat käynnit").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Omat käynnit"
    assert page.locator(".visits li").count() > 0
    assert_accessible(page, "my visits")
    page.get_by_role("link", name="Takaisin korttiini").click()
    page.get_by_role("link", name="Lähetä palautetta").click()
    assert_accessible(page, "the feedback form")
    page.get_by_role("button", name="Lähetä").click()
    assert page.get_by_text("Valitse arvio 1:stä (huono) 5:een (erinomainen).").is_visible()
    assert_accessible(page, "the feedback form with an error")
    page.get_by_label("4 \u2013 hyvä").check()
    page.get_by_label("Palautteesi (vapaaehtoinen)").fill("Hyvä kortti, kiitos.")
    page.get_by_role("button", name="Lähetä").click()
    assert page.get_by_role("status").inner_text().startswith("Kiitos!")
    # The region's offering, one tap from the card.
    page.goto(url)
    page.get_by_role("link", name="Mitä kortilla saa omalla alueellani").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kaikukortti: ")
    assert_accessible(page, "the region's offering")


def test_the_card_works_offline_after_the_first_visit(new_page, card_link):
    url, card = card_link
    page = new_page()
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the worker controls the page
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    updated = page.locator(".updated time").inner_text()
    page.context.set_offline(True)
    page.reload()
    assert card.display_identifier in page.inner_text("main")
    assert page.locator(".updated time").inner_text() == updated
    assert page.get_by_role("status").inner_text().startswith("Laite on offline-tilassa")
    assert page.locator(".qr svg").is_visible()
    page.context.set_offline(False)


def test_later_loads_come_from_the_device_and_a_change_shows_at_once(new_page, django_db_blocker):
    """Once saved, the card opens from the phone without waiting for the network; when the link has
    been revoked meanwhile, the page loads again and says so."""
    from kaikukanta.accounts.models import User
    from kaikukanta.cards.models import Card
    from kaikukanta.cards.services import hand_over_card, revoke_hand_over
    from kaikukanta.core.dates import today

    national = User.objects.get(username="kaikukeskus")
    card = Card.objects.valid_on(today()).filter(card_type="personal").order_by("-pk").first()
    with django_db_blocker.unblock():
        url = f"/m/{hand_over_card(actor=national, card=card)}/"
    page = new_page()
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the worker controls the page and has saved it
    updated = page.locator(".updated time").get_attribute("datetime")  # to the second
    page.wait_for_timeout(1100)  # a copy made now would show a later second
    page.reload()
    assert page.locator(".updated time").get_attribute("datetime") == updated  # the saved copy
    with django_db_blocker.unblock():
        revoke_hand_over(actor=national, card=card)
    page.reload()  # the saved copy first, then the worker finds the link revoked
    page.get_by_role("heading", name="Tämä linkki ei avaa korttia").wait_for()
    assert card.display_identifier not in page.inner_text("body")


def test_language_and_text_size_are_remembered_on_the_device(new_page, card_link):
    url, _card = card_link
    page = new_page()
    page.goto(url)
    page.get_by_role("link", name="Svenska").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mitt Kaikukort"
    assert page.get_attribute("html", "lang") == "sv"
    page.get_by_role("button", name="Större text").click()
    page.get_by_role("button", name="Större text").click()
    assert "text-2" in page.get_attribute("html", "class")
    page.goto(url)  # the plain link again, as from the home screen
    assert page.get_by_role("heading", level=1).inner_text() == "Mitt Kaikukort"
    assert "text-2" in page.get_attribute("html", "class")
    assert_accessible(page, "the mobile card in Swedish, larger text")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "My Kaikukortti"


def test_a_link_that_opens_nothing_is_neutral_and_accessible(page):
    response = page.goto("/m/2345678923456789/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Tämä linkki ei avaa korttia"
    assert_accessible(page, "the neutral page")


def test_browse_and_filter_the_catalogue_with_shareable_addresses(new_page):
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto("/catalogue/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mitä Kaikukortilla saa"
    assert_no_sideways_scroll(page, "the catalogue at 360 px")
    assert_accessible(page, "the catalogue")
    page.get_by_label("Alue").select_option(label="Valkeakoski")
    page.get_by_label("Luokka").select_option(value="sports")
    page.get_by_role("button", name="Hae").click()
    assert re.search(r"region=valkeakoski", page.url)
    assert "category=sports" in page.url
    names = page.locator(".venue h3").all_inner_texts()
    assert names == ["Valkeakosken uimahalli"]
    assert_accessible(page, "the filtered catalogue")
    shared = new_page()
    shared.goto(page.url.split("/catalogue/")[1].join(["/catalogue/", ""]))
    assert shared.locator(".venue h3").all_inner_texts() == names
    page.goto("/catalogue/?region=popup")
    assert "Tiedekeskus Heureka" in page.locator(".venues").inner_text()
    page.goto("/catalogue/?q=muumi")
    assert page.locator(".venue h3").all_inner_texts() == ["Muumimuseo"]


def test_download_a_brochure_and_read_it_back(new_page):
    import pypdfium2

    page = new_page()
    page.goto("/catalogue/tampere/")
    assert_accessible(page, "a region's catalogue page")
    href = page.get_by_role("link", name="svenska (PDF)").get_attribute("href")
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.body())
    text = "".join(p.get_textpage().get_text_range() for p in pdf).replace("\r", "")
    pdf.close()
    assert "Kaikukortet i Tammerfors" in text
    assert "Vapriikki" in text
    assert "Museicentral i en gammal fabrik" in text  # the Swedish description


def test_staff_keep_the_catalogue_and_read_feedback(new_page):
    from .support import log_in

    page = new_page()
    log_in(page, "kohde.tampere")
    page.goto("/catalogue-entries/")
    assert_accessible(page, "a venue's catalogue entries")
    page.locator("table a").first.click()
    assert_accessible(page, "a catalogue entry form")
    page.get_by_label("Verkkosivu").fill("ei osoite")
    page.get_by_role("button", name="Tallenna").click()
    assert page.locator(".field-error").count() == 1
    assert_accessible(page, "a catalogue entry form with an error")

    coordinator = new_page()
    log_in(coordinator, "tampere.kulttuuri")
    coordinator.goto("/feedback/")
    assert coordinator.get_by_role("heading", level=1).inner_text() == "Kortinhaltijoiden palaute"
    assert_accessible(coordinator, "the feedback list")
