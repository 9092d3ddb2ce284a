"""The mobile card a hand-over link opens: what it shows, to whom, how often, and what it records."""

import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.models import ClosingReason, HandOver
from kaikukanta.cards.services import close_card, hand_over_card, revoke_hand_over
from kaikukanta.uses.services import record_use

from ..conftest import holder, new_key, on_day


def card_url(secret: str, page: str = "mobile_card") -> str:
    return reverse(f"public:{page}", args=[secret])


@pytest.fixture
def anonymous():
    client = Client()
    client.cookies["kaikukanta_language"] = "en"
    return client


@pytest.fixture
def secret(world, alpha_card):
    return hand_over_card(actor=world.alpha_distributor, card=alpha_card)


def text_of(response) -> str:
    import re

    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_card_shows_its_number_codes_validity_children_and_region(
    world, alpha_card, secret, anonymous
):
    response = anonymous.get(card_url(secret))
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert alpha_card.display_identifier in text
    assert "Valid until" in text
    assert alpha_card.effective_valid_until.strftime("%-d.%-m.%Y") in text
    assert world.alpha.display_name in text
    # Both barcodes inline, each with a text alternative naming the number.
    assert html.count("<svg") == 2
    assert html.count('role="img"') == 2
    assert f'aria-label="QR code of card number {alpha_card.display_identifier}"' in html
    assert f'aria-label="Barcode of card number {alpha_card.display_identifier}"' in html
    assert 'lang="en"' in html
    # A valid card does not name the issuing site.
    assert world.alpha_site.name not in text
    # No staff assets: no htmx, no staff CSS.
    assert "htmx" not in html
    assert "site.css" not in html


@pytest.mark.browser
def test_the_barcodes_the_page_serves_decode_to_the_card_number(
    world, alpha_card, secret, anonymous, browser
):
    """The page's own SVGs, drawn by Chromium on a phone's screen (360 px wide, two device pixels
    to a CSS pixel) and read back from the screenshot: the QR code and the Code 39 alike."""
    import io

    import zxingcpp
    from PIL import Image

    html = anonymous.get(card_url(secret)).content.decode()
    read = {}
    # The session's browser (tests/conftest.py): Playwright's sync API runs one per thread.
    page = browser.new_page(viewport={"width": 360, "height": 800}, device_scale_factor=2)
    try:
        page.set_content(html)  # the served page (its style sheet is not loaded here)
        for name in (".qr", ".bar"):
            shot = page.locator(f".codes {name}").screenshot()
            image = Image.open(io.BytesIO(shot))
            read[name] = [(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)]
    finally:
        page.close()
    assert read == {
        ".qr": [("QRCode", alpha_card.identifier)],
        ".bar": [("Code39", alpha_card.identifier)],
    }


def test_opening_is_audited_and_remembered(world, alpha_card, secret, anonymous):
    anonymous.get(card_url(secret))
    event = AuditEvent.objects.get(action=Action.MOBILE_CARD_OPENED)
    assert event.object_id == str(alpha_card.pk)
    assert event.region == world.alpha
    assert event.actor is None
    assert secret not in str(event.data)
    assert HandOver.objects.get(card=alpha_card).last_opened_at is not None


def test_an_expired_card_says_so_and_where_to_extend_it(world, secret, alpha_card, anonymous):
    with on_day(alpha_card.effective_valid_until + dt.timedelta(days=1)):
        response = anonymous.get(card_url(secret))
    text = text_of(response)
    assert "Your card's validity ended on" in text
    # Named to the holder behind a fold they open, not on the face a ticket desk may see.
    html = response.content.decode()
    folded = html[html.index("<details") : html.index("</details>")]
    assert world.alpha_site.name in folded
    assert world.alpha_site.name not in html.replace(folded, "")
    assert 'role="img"' not in response.content.decode()  # no barcode to show at a door


def test_a_closed_card_says_so(world, secret, alpha_card, anonymous):
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.ON_REQUEST)
    text = text_of(anonymous.get(card_url(secret)))
    assert "Your card was closed on 15.6.2026." in text
    assert world.alpha_site.name in text


# What each state of the card shows, and what it must not: a closed card is not said to be valid
# until a day, nor to be renewable; the holder is "you", never "the holder".
STATES = {
    # state: (sentence per language, shows the codes, names a place behind the fold, the day row)
    "valid": (
        {"fi": "Voimassa 15.6.2027 asti", "sv": "Giltigt till 15.6.2027", "en": "Valid until"},
        True,
        False,
        {"fi": "Voimassa", "sv": "Giltig", "en": "Valid until"},
    ),
    "expiring": (
        {
            "fi": "Korttisi voimassaolo päättyy 15.6.2027. Palvelu, josta sait korttisi, voi "
            "jatkaa sen voimassaoloa.",
            "sv": "Ditt korts giltighet upphör den 15.6.2027. Tjänsten som gav dig kortet kan "
            "förlänga den.",
            "en": "Your card's validity ends on 15.6.2027. The service that gave you your card "
            "can extend it.",
        },
        True,
        True,
        {"fi": "Voimassa", "sv": "Giltig", "en": "Valid until"},
    ),
    "expired": (
        {
            "fi": "Korttisi voimassaolo päättyi 15.6.2027.",
            "sv": "Ditt korts giltighet upphörde den 15.6.2027.",
            "en": "Your card's validity ended on 15.6.2027.",
        },
        False,
        True,
        {"fi": "Voimassaolo päättyi", "sv": "Giltigheten upphörde", "en": "Validity ended"},
    ),
    "pilot_ended": (
        {
            "fi": "Korttisi oli voimassa 31.12.2026 asti, jolloin alueen Beetala "
            "Kaikukortti-kokeilu päättyi.",
            "sv": "Ditt kort var giltigt till den 31.12.2026, då Kaikukortti-försöket i Beetala "
            "upphörde.",
            "en": "Your card was valid until 31.12.2026, when the Kaikukortti pilot of Beetala "
            "ended.",
        },
        False,
        True,
        {"fi": "Voimassaolo päättyi", "sv": "Giltigheten upphörde", "en": "Validity ended"},
    ),
    "closed": (
        {
            "fi": "Korttisi suljettiin 15.6.2026.",
            "sv": "Ditt kort stängdes den 15.6.2026.",
            "en": "Your card was closed on 15.6.2026.",
        },
        False,
        True,
        {"fi": "Suljettu", "sv": "Stängt", "en": "Closed on"},
    ),
    "replaced": (
        {
            "fi": "Tämän kortin tilalle annettiin uusi kortti 15.6.2026.",
            "sv": "Det här kortet ersattes med ett nytt kort den 15.6.2026.",
            "en": "This card was replaced with a new card on 15.6.2026.",
        },
        False,
        True,
        {"fi": "Suljettu", "sv": "Stängt", "en": "Closed on"},
    ),
}
# Words a card that is not valid must not show, and words never shown to the holder.
UNTRUE_WHEN_NOT_VALID = {"fi": "Voimassa ", "sv": "Giltigt till", "en": "Valid until"}
NEVER = {
    "fi": ["haltija", "Uusi kortti", "uusia"],
    "sv": ["innehavare", "förnya"],
    "en": ["holder", "renew", "Renew"],
}


def _card_in_state(world, state):
    """(card, the day to open it on, its link made before any closing) for each state of STATES."""
    from kaikukanta.cards.services import issue_card, replace_card

    if state == "pilot_ended":
        card = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
        return card, dt.date(2027, 1, 1), hand_over_card(actor=world.national, card=card)
    card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    secret = hand_over_card(actor=world.national, card=card)
    ends = card.effective_valid_until
    if state == "closed":
        close_card(actor=world.alpha_distributor, card=card, reason=ClosingReason.ON_REQUEST)
    elif state == "replaced":
        replace_card(actor=world.alpha_distributor, card=card)
    card.refresh_from_db()
    days = {"expiring": ends - dt.timedelta(days=10), "expired": ends + dt.timedelta(days=1)}
    return card, days.get(state, card.issued_on), secret


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("state", list(STATES))
def test_each_state_shows_only_what_is_true(world, state, language):
    card, day, secret = _card_in_state(world, state)
    assert card.holder_state_on(day) == state
    sentence, codes, place, day_row = STATES[state]
    client = Client()
    client.cookies["kaikukanta_language"] = language
    with on_day(day):
        response = client.get(card_url(secret))
    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]  # the card, not the page's styles
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert sentence[language] in text, text
    assert day_row[language] in text
    assert (html.count('role="img"') == 2) is codes
    folded = html[html.index("<details") : html.index("</details>")] if "<details" in html else ""
    site = card.issuing_site if state != "replaced" else card.replaced_by.issuing_site
    assert (site.name in folded) is place
    assert site.name not in html.replace(folded, "")
    if not codes:
        assert UNTRUE_WHEN_NOT_VALID[language] not in text
        assert "children" not in text.lower()
        assert "lapsi" not in text.lower()
    for word in NEVER[language]:
        assert word not in text, word


def test_unknown_and_revoked_links_get_the_same_neutral_page(world, alpha_card, secret, anonymous):
    unknown = anonymous.get(card_url("2345678923456789"))
    revoke_hand_over(actor=world.alpha_distributor, card=alpha_card)
    revoked = anonymous.get(card_url(secret))
    garbage = anonymous.get(card_url("not-a-secret"))
    assert unknown.status_code == revoked.status_code == garbage.status_code == 404
    assert unknown.content == revoked.content == garbage.content
    assert alpha_card.display_identifier not in revoked.content.decode()
    assert not AuditEvent.objects.filter(action=Action.MOBILE_CARD_OPENED).exists()


@override_settings(KAIKUKANTA_MOBILE_CARD_REQUESTS=3)
def test_links_are_rate_limited_by_client_address(world, secret, anonymous):
    for _ in range(3):
        assert anonymous.get(card_url("2345678923456789")).status_code == 404
    assert anonymous.get(card_url(secret)).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(card_url(secret)).status_code == 200


def test_language_is_chosen_and_remembered(secret, anonymous):
    response = anonymous.get(card_url(secret) + "?lang=sv")
    assert '<html lang="sv">' in response.content.decode()
    assert response.cookies["kaikukanta_language"].value == "sv"
    again = anonymous.get(card_url(secret))
    assert '<html lang="sv">' in again.content.decode()
    assert "Giltigt till" in text_of(again) or "Giltig till" in text_of(again)


def test_my_visits_lists_this_cards_uses_only(world, alpha_card, secret, anonymous):
    other = hand_over_card(
        actor=world.alpha_distributor,
        card=__import__("kaikukanta.cards.services", fromlist=["issue_card"]).issue_card(
            actor=world.alpha_distributor, site=world.alpha_site, holder=holder()
        ),
    )
    record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
        child_tickets=2,
    )
    text = text_of(anonymous.get(card_url(secret, "my_visits")))
    assert world.alpha_venue.name in text
    assert "2 child tickets" in text
    assert "my own ticket" in text
    assert world.alpha_venue.name not in text_of(anonymous.get(card_url(other, "my_visits")))


def test_the_offering_is_one_tap_away(world, secret, anonymous):
    html = anonymous.get(card_url(secret)).content.decode()
    region_page = reverse("public:catalogue_region", args=["alpha"])
    assert f'href="{region_page}"' in html
    text = text_of(anonymous.get(region_page))
    assert world.alpha_venue.name in text
    assert world.popup.name in text
    assert world.beta_venue.name not in text


def test_manifest_and_service_worker_make_it_installable_and_offline(secret, anonymous):
    import json

    html = anonymous.get(card_url(secret)).content.decode()
    assert '<link rel="manifest" href="manifest.webmanifest">' in html
    manifest = json.loads(anonymous.get(card_url(secret, "manifest")).content)
    assert manifest["start_url"] == "./"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    worker = anonymous.get(reverse("public:service_worker"))
    assert worker["Content-Type"].startswith("text/javascript")
    assert "caches" in worker.content.decode()
