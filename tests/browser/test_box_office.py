"""The box office in headless Chromium, as a clerk with a queue uses it: a USB scanner (which types the
number and presses Enter) admits card after card with no pointer at all; the camera reads a card's QR
code; without a connection the admissions wait on the device and are sent, once each, when it returns;
every page passes axe-core and fits a 360 px phone."""

import contextlib
import tempfile
from pathlib import Path

import pytest
import segno
from django.utils import timezone
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kaikukanta.cards.models import Card
from kaikukanta.core.dates import today
from kaikukanta.network.models import Venue
from kaikukanta.uses.models import GroupVisit, Use

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .support import assert_accessible, assert_no_sideways_scroll, log_in

CLERK = "kohde.tampere"  # Vapriikki and Tampereen taidemuseo


def box_office_venue():
    """The venue the clerk's page opens with: the first of theirs by name."""
    return Venue.objects.filter(name__in=["Vapriikki", "Tampereen taidemuseo"]).order_by("name")[0]


def accepted_cards(count, skip=0):
    """Personal cards the clerk's venue accepts today, with no use there yet."""
    venue = box_office_venue()
    day = today()
    found = []
    for card in (
        Card.objects.filter(card_type="personal", closed_on__isnull=True)
        .exclude(uses__venue=venue)
        .select_related("region")
        .order_by("pk")[:400]
    ):
        if card.refusal_at(venue, day) is None:
            found.append(card)
        if len(found) == count + skip:
            break
    assert len(found) == count + skip, "the demo has too few cards for this test"
    return found[skip:]


def closed_card():
    return Card.objects.filter(closed_on__isnull=False).order_by("pk").first()


def uses_of(cards):
    return Use.objects.filter(card__in=cards, venue=box_office_venue()).count()


def focused_name(page):
    """The name of the focused field, once the page has settled (htmx moves focus after its swap)."""
    # A timeout is not an error here: the assertion after it says what was focused instead.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.name === 'identifier'",
            timeout=3000,
        )
    return page.evaluate("() => document.activeElement && document.activeElement.name")


def wait_for_verdict(page, state):
    """Until the box office shows a verdict of `state` and is ready for the next key: htmx has
    swapped and settled the working area, and the number field has the focus again (box-office.js
    focuses it after the swap settles). Keys typed earlier would go to the field being replaced."""
    page.wait_for_function(
        """state => {
            const verdict = document.querySelector("#box-office .verdict[data-verdict]");
            const field = document.querySelector("input[data-box-office-number]");
            return verdict !== null && verdict.dataset.verdict === state
                && field !== null && document.activeElement === field
                && document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling") === null;
        }""",
        arg=state,
    )


def test_a_scanner_admits_card_after_card_with_no_clicks(page):
    log_in(page, CLERK)
    page.goto("/venue/")
    assert focused_name(page) == "identifier"  # focused when the page opens
    cards = accepted_cards(3)
    for index, card in enumerate(cards):
        # The scanner types the number and presses Enter (or Tab); the verdict comes at the top.
        page.keyboard.type(card.identifier)
        page.keyboard.press("Tab" if index == 1 else "Enter")
        wait_for_verdict(page, "accepted")
        assert page.locator("input[data-box-office-number]").input_value() in ("", card.identifier)
        # Enter in the empty field admits the card just accepted (the holder's own ticket).
        page.keyboard.press("Enter")
        wait_for_verdict(page, "admitted")
        assert page.locator("input[data-box-office-number]").input_value() == ""
    assert uses_of(cards) == 3
    # The verdict is above the number field: where the eye is, on a phone too.
    verdict = page.locator(".verdict").bounding_box()
    field = page.locator("input[data-box-office-number]").bounding_box()
    assert verdict["y"] < field["y"]


def test_a_refused_card_says_why_in_red_and_admits_nothing(page):
    log_in(page, CLERK)
    page.goto("/venue/")
    card = closed_card()
    page.keyboard.type(card.identifier)
    page.keyboard.press("Enter")
    verdict = page.locator('[data-verdict="refused"]')
    verdict.wait_for()
    assert "suljettu" in verdict.inner_text()
    assert page.locator("form[data-admit-form]").count() == 0
    assert page.locator(".verdict.not-ok").evaluate("e => getComputedStyle(e).borderTopColor") == (
        "rgb(155, 28, 28)"
    )


def test_child_tickets_with_the_counter(page):
    log_in(page, CLERK)
    page.goto("/venue/")
    card = next(c for c in accepted_cards(30, skip=3) if (c.children or 0) >= 2)
    page.keyboard.type(card.identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="accepted"]')
    plus = page.locator('button[data-step="1"]')
    for _ in range(card.children + 2):  # never past the card's number
        plus.click()
    assert page.locator("input[data-child-counter]").input_value() == str(card.children)
    page.locator('button[data-step="-1"]').click()
    page.get_by_role("button", name="Päästä sisään").click()
    page.wait_for_selector('[data-verdict="admitted"]')
    use = Use.objects.filter(card=card).latest("pk")
    assert (use.adult_ticket, use.child_tickets) == (True, card.children - 1)


def test_offline_admissions_wait_on_the_device_and_are_sent_once(new_page):
    page = new_page()
    log_in(page, CLERK)
    page.goto("/venue/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the service worker controls the page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cards = accepted_cards(3, skip=40)
    refused = closed_card()
    before = Use.objects.count()

    page.clock.install(time=timezone.now())  # the device's clock: the server's (tests: 15.6.2026)
    page.context.set_offline(True)
    page.reload()  # served by the service worker from its cache
    page.wait_for_selector("[data-offline-note]:not([hidden])")
    # A mistyped number is still caught offline, and queues nothing.
    number = cards[0].identifier
    typo = number[:-1] + ("2" if number[-1] != "2" else "3")
    page.keyboard.type(typo)
    page.keyboard.press("Enter")
    assert page.locator("[data-waiting]").is_hidden()
    page.locator("input[data-box-office-number]").fill("")
    for card in [*cards, refused]:
        page.keyboard.type(card.identifier)
        page.keyboard.press("Enter")  # what is known of the card, and the Admit form's choices
        page.wait_for_selector('[data-verdict="offline"]')
        page.keyboard.press("Enter")  # Enter in the empty field admits, as online
        page.wait_for_selector('[data-verdict="queued"]')
    waiting = page.locator("[data-waiting]")
    assert waiting.get_attribute("data-count") == "4"
    assert "4" in waiting.inner_text()
    assert Use.objects.count() == before

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
    assert uses_of(cards) == 3
    assert Use.objects.count() == before + 3
    shown = page.locator("[data-refused] li")
    assert shown.count() == 1
    assert refused.display_identifier in shown.inner_text()
    # Sending again (another tab, a reload) records nothing twice.
    page.reload()
    page.wait_for_timeout(500)
    assert Use.objects.count() == before + 3


def qr_y4m(text, path, size=320, frames=10):
    """A short Y4M video of a QR code: Chromium plays it as the fake camera (4:2:0, grey)."""
    qr = segno.make_qr(text, error="m")  # a full QR code (segno.make may give a Micro QR)
    rows = [list(row) for row in qr.matrix]
    border = 4
    modules = len(rows) + 2 * border
    code = Image.new("L", (modules, modules), 255)
    code.putdata(
        [
            0
            if border <= y < modules - border
            and border <= x < modules - border
            and rows[y - border][x - border]
            else 255
            for y in range(modules)
            for x in range(modules)
        ]
    )
    scale = size // modules
    code = code.resize((modules * scale, modules * scale), Image.NEAREST)
    image = Image.new("L", (size, size), 255)
    offset = (size - modules * scale) // 2
    image.paste(code, (offset, offset))
    luma = image.tobytes()
    chroma = bytes([128]) * ((size // 2) * (size // 2))
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{size} H{size} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.fixture
def camera_page(browser, demo_server, db):
    """A page in a Chromium of its own (launched by the session's Playwright) whose camera plays a
    video of a card's QR code."""
    card = accepted_cards(1, skip=60)[0]
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "card.y4m"
        qr_y4m(card.identifier, video)
        camera_browser = browser.browser_type.launch(
            executable_path=str(CHROMIUM),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        context = camera_browser.new_context(
            base_url=demo_server, locale="fi-FI", permissions=["camera"]
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page, card
        context.close()
        camera_browser.close()


def test_the_camera_reads_a_cards_qr_code_and_checks_it(camera_page):
    page, card = camera_page
    log_in(page, CLERK)
    page.goto("/venue/")
    page.get_by_role("button", name="Lue kameralla").click()
    page.wait_for_selector('[data-verdict="accepted"]')
    assert card.display_identifier in page.locator(".verdict").inner_text()


PAGES = [
    "/venue/",
    "/venue/group-visit/",
    "/venue/events/",
    "/venue/history/",
    "/venue/api-tokens/",
    "/api/v1/docs",
]


@pytest.mark.parametrize("width", [360, 1280])
def test_every_box_office_page_is_accessible_and_fits_a_phone(new_page, width):
    page = new_page(viewport={"width": width, "height": 740})
    log_in(page, CLERK)
    for path in PAGES:
        page.goto(path)
        assert_accessible(page, path)
        assert_no_sideways_scroll(page, path) if width == 360 else None
    # The answer on the box office page, accepted and with its Admit form, too.
    page.goto("/venue/")
    page.keyboard.type(accepted_cards(1, skip=80)[0].identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="accepted"]')
    assert_accessible(page, "box office with a verdict")
    if width == 360:
        assert_no_sideways_scroll(page, "box office with a verdict")
        box = page.locator(".verdict").bounding_box()
        assert box["y"] + box["height"] < 740, "the verdict is below the fold on a phone"
        assert box["width"] > 300  # full width


def test_an_event_page_is_accessible(new_page):
    page = new_page(viewport={"width": 360, "height": 740})
    log_in(page, CLERK)
    page.goto("/venue/events/")
    page.get_by_label("Nimi").fill("Lauantain opastus")
    page.get_by_label("Kortinhaltijoiden lippuja enintään").fill("10")
    page.get_by_role("button", name="Lisää tapahtuma").click()
    page.get_by_role("link", name="Lauantain opastus").click()
    assert_accessible(page, "event page")
    assert_no_sideways_scroll(page, "event page")


RECORD_TONES = """
window.__tones = [];
const RealContext = window.AudioContext;
window.AudioContext = class extends RealContext {
  createOscillator() {
    const oscillator = super.createOscillator();
    const start = oscillator.start.bind(oscillator);
    oscillator.start = (...when) => { window.__tones.push(oscillator.frequency.value); return start(...when); };
    return oscillator;
  }
};
"""


def tones(page):
    return page.evaluate("() => window.__tones")


def test_the_optional_sound_tells_accepted_from_refused(page):
    page.add_init_script(RECORD_TONES)
    log_in(page, CLERK)
    page.goto("/venue/")
    card = accepted_cards(1, skip=120)[0]
    page.keyboard.type(card.identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="accepted"]')
    assert tones(page) == []  # silent until the clerk turns the sound on

    page.get_by_label("Ääni jokaisesta vastauksesta").check()
    assert focused_name(page) == "identifier"  # back to the number field for the next card
    page.keyboard.press("Enter")  # admit the card accepted above
    page.wait_for_selector('[data-verdict="admitted"]')
    page.wait_for_function("() => window.__tones.length === 1")
    assert tones(page) == [880]  # one high tone
    page.keyboard.type(closed_card().identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="refused"]')
    page.wait_for_function("() => window.__tones.length === 3")
    assert tones(page) == [880, 220, 220]  # and two low ones for a refusal

    page.reload()  # the choice stays on this device
    assert page.get_by_label("Ääni jokaisesta vastauksesta").is_checked()


def test_a_group_visit_scanned_with_no_clicks_and_the_counter(page):
    venue = box_office_venue()
    community = (
        Card.objects.filter(card_type="community", closed_on__isnull=True, valid_until__gte=today())
        .filter(region=venue.region)
        .order_by("pk")
        .first()
    )
    members = accepted_cards(2, skip=160)
    log_in(page, CLERK)
    page.goto("/venue/group-visit/")
    page.get_by_label("Yhteisökortti").focus()
    # The scanner ends each number with Enter: the community card's moves on to the member's field,
    # and each member's Enter adds their checked line (tests/browser/test_box_office_group.py).
    page.keyboard.type(community.identifier)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.name") == "member_number"
    for count, member in enumerate(members, start=1):
        page.keyboard.type(member.identifier)
        page.keyboard.press("Enter")
        page.locator("li.member").nth(count - 1).wait_for()
        page.wait_for_function("() => document.activeElement.name === 'member_number'")
    plus = page.get_by_role("button", name="+ yksi asiakas lisää")
    plus.click()
    plus.click()
    page.get_by_role("button", name="\N{MINUS SIGN} yksi asiakas vähemmän").click()
    assert page.get_by_label("Ikärajaa nuoremmat asiakkaat ilman korttia").input_value() == "1"
    page.get_by_role("button", name="Kirjaa ryhmäkäynti").click()
    page.wait_for_selector('[data-verdict="admitted"]')
    visit = GroupVisit.objects.filter(community_card=community).latest("pk")
    assert set(visit.uses.values_list("card_id", flat=True)) >= {m.pk for m in members}
    assert_accessible(page, "group visit recorded")
