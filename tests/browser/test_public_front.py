"""The public side as a visitor meets it: the front page, the accessibility statement and privacy
notice in three languages (linked from every footer, kept by the national administrator), the
catalogue's search that forgives a typo (PostgreSQL), a region's filters on a phone, and the mobile
card on a 320 px phone with text at 200 %."""

import io

import pytest
from django.db import connection

from .support import assert_accessible, assert_no_sideways_scroll, log_in

PHONE = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def card_link(demo_server, django_db_blocker):
    from kaikukanta.accounts.models import User
    from kaikukanta.cards.models import Card
    from kaikukanta.cards.services import hand_over_card
    from kaikukanta.core.dates import today

    with django_db_blocker.unblock():
        card = (
            Card.objects.valid_on(today())
            .filter(card_type="personal", children__gte=1)
            .order_by("pk")
            .first()
        )
        secret = hand_over_card(actor=User.objects.get(username="kaikukeskus"), card=card)
        return f"/m/{secret}/", card


def double_text_size(page):
    """Text at 200 %, as a browser's text-size setting makes it (WCAG 1.4.4): the root font size
    doubled, so every rem and em grows with it."""
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")


def test_the_front_page_says_what_the_card_is_and_where_to_get_one(new_page):
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kaikukortti"
    assert "maksuton" in page.locator(".lead").inner_text()
    assert_no_sideways_scroll(page, "the front page at 360 px")
    assert_accessible(page, "the front page")
    # Where to get a card: the organisations and sites of each region, folded by region; no people.
    page.locator("summary", has_text="Nokia").click()
    distributors = page.locator("details[open]").inner_text()
    assert "Nokian kaupunki" in distributors
    assert "@" not in page.locator("main").inner_text()
    assert_accessible(page, "the front page with a region opened")
    # A phone of 320 px with text at 200 %: still no sideways scrolling.
    small = new_page(viewport=PHONE)
    for url in ["/", "/accessibility/", "/privacy/", "/catalogue/", "/catalogue/tampere/"]:
        small.goto(url)
        double_text_size(small)
        assert_no_sideways_scroll(small, f"{url} at 320 px, text 200 %")
    page.get_by_role("link", name="Selaa kohteita").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mitä Kaikukortilla saa"
    page.goto("/")
    page.get_by_role("link", name="Henkilökunnan kirjautuminen").click()
    assert page.url.endswith("/login/")


def test_signed_in_staff_still_go_to_their_workspace(new_page):
    page = new_page()
    log_in(page, "jakaja.tampere")
    page.goto("/")
    assert page.url.endswith("/distributor/")
    # The staff footer links the two legal pages too.
    page.get_by_role("contentinfo").get_by_role("link", name="Saavutettavuusseloste").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Saavutettavuusseloste"


LEGAL = [
    ("fi", "Saavutettavuusseloste", "Traficom", "Tietosuojaseloste", "Rekisterinpitäjä"),
    (
        "sv",
        "Tillgänglighetsutlåtande",
        "Traficom",
        "Dataskyddsbeskrivning",
        "Personuppgiftsansvarig",
    ),
    ("en", "Accessibility statement", "Traficom", "Privacy notice", "Controller"),
]


@pytest.mark.parametrize(("language", "statement", "authority", "notice", "controller"), LEGAL)
def test_the_legal_pages_in_each_language_from_the_footer(
    new_page, language, statement, authority, notice, controller
):
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(f"/?lang={language}")
    assert page.get_attribute("html", "lang") == language
    page.get_by_role("contentinfo").get_by_role("link", name=statement).click()
    assert page.get_by_role("heading", level=1).inner_text() == statement
    text = page.locator("main").inner_text()
    assert authority in text
    assert "WCAG 2.1" in text
    assert "306/2019" in text
    assert "6.12.2026" in text  # the defaults' date, written the Finnish way in every language
    assert_no_sideways_scroll(page, f"the accessibility statement ({language}) at 320 px")
    assert_accessible(page, f"the accessibility statement ({language})")
    page.get_by_role("contentinfo").get_by_role("link", name=notice).click()
    assert page.get_by_role("heading", level=1).inner_text() == notice
    assert page.get_by_role("heading", level=2, name=controller).is_visible()
    assert_accessible(page, f"the privacy notice ({language})")


def test_the_national_administrator_rewrites_a_legal_page(new_page, django_db_blocker):
    from kaikukanta.public.models import LegalPage

    page = new_page()
    log_in(page, "kaikukeskus")
    page.goto("/national/")
    page.get_by_role("link", name="Saavutettavuusseloste ja tietosuojaseloste").click()
    assert_accessible(page, "the legal pages' list")
    page.get_by_role("main").get_by_role("link", name="Tietosuojaseloste").click()
    assert_accessible(page, "the privacy notice's form")
    english = page.get_by_label("Teksti englanniksi")
    assert "## Controller" in english.input_value()  # the default, to start from
    english.fill("## Controller\nKaikukeskus, feedback@example.org.\n\n- one\n- two")
    page.get_by_role("button", name="Tallenna").click()
    assert page.get_by_role("status").inner_text() == "Sivu tallennettiin."
    try:
        visitor = new_page()
        visitor.goto("/privacy/?lang=en")
        main = visitor.locator("main")
        assert visitor.get_by_role("heading", level=2).all_inner_texts() == ["Controller"]
        assert main.get_by_role("link", name="feedback@example.org").is_visible()
        assert main.locator("li").all_inner_texts() == ["one", "two"]
        # The Finnish page still shows the default.
        visitor.goto("/privacy/?lang=fi")
        assert "Rekisterinpitäjä" in visitor.locator("main").inner_text()
    finally:
        with django_db_blocker.unblock():
            LegalPage.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram search: PostgreSQL")
@pytest.mark.parametrize("words", ["uimahalli", "uimahallit", "uimahali", "uimahallissa"])
def test_the_catalogue_search_forgives_a_typo_and_another_ending(new_page, words):
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto("/catalogue/")
    page.get_by_label("Hakusanat").fill(words)
    page.get_by_role("button", name="Hae").click()
    # The filters are a plain GET form: wait for the results page, not the page the click left.
    page.wait_for_url(f"**q={words}**")
    assert "Valkeakosken uimahalli" in page.locator(".venue h3").all_inner_texts()
    assert_accessible(page, f"the catalogue searched for {words}")


def test_a_regions_offering_on_a_phone_has_the_catalogues_filters(new_page):
    page = new_page(viewport={"width": 360, "height": 740})
    page.goto("/catalogue/valkeakoski/")
    page.get_by_label("Luokka").select_option(value="sports")
    page.get_by_role("button", name="Hae").click()
    # The filters are a plain GET form: wait for the results page, not the page the click left.
    page.wait_for_url("**category=sports**")
    assert page.locator(".venue h3").all_inner_texts() == ["Valkeakosken uimahalli"]
    assert page.get_by_label("Luokka").input_value() == "sports"
    assert_no_sideways_scroll(page, "a region's filtered offering at 360 px")
    assert_accessible(page, "a region's filtered offering")


def test_the_mobile_card_fits_a_320_px_phone_with_text_at_200_percent(new_page, card_link):
    import zxingcpp
    from PIL import Image

    url, card = card_link
    page = new_page(viewport=PHONE)
    page.goto(url)
    double_text_size(page)
    assert_no_sideways_scroll(page, "the mobile card at 320 px, text 200 %")
    # The programme's name on its colour, and what to do with the card.
    brand = page.locator(".programme")
    assert brand.inner_text().startswith("Kaikukortti")
    assert brand.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 32, 91)"
    assert page.get_by_text("Näytä tämä lipunmyynnissä").is_visible()
    # Both codes whole on the screen's width, and readable.
    for selector in (".qr", ".bar"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], selector
        shot = Image.open(io.BytesIO(page.locator(selector).screenshot()))
        assert [found.text for found in zxingcpp.read_barcodes(shot)] == [card.identifier], selector
    assert_accessible(page, "the mobile card at 200 %")
