"""A worker at a client meeting, on a 360 px wide phone and with the keyboard alone: registers a card
(paper and mobile), prints it, updates it, renews it, replaces it as lost and closes the new card.
Every page visited passes axe-core and does not scroll sideways."""

import io
import os
import re

import pypdfium2
import zxingcpp

from .support import assert_accessible, assert_no_sideways_scroll, log_in

# Where to save screenshots of the register flow (the closing note's), when set.
SCREENSHOTS = os.environ.get("KAIKUKANTA_SCREENSHOTS", "")

FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName, name: e.getAttribute("name") || "", text: (e.innerText || "").trim(),
          href: e.getAttribute("href") || "", value: e.value || ""};
}"""


KEYSTROKES = {"count": 0}


def press(page, key):
    KEYSTROKES["count"] += 1
    page.keyboard.press(key)


def type_(page, text):
    KEYSTROKES["count"] += len(text)
    page.keyboard.type(text)


def tab_to(page, *, text=None, name=None, limit=120):
    """Press Tab until the focused element is the link or button reading `text`, or the field
    named `name`."""
    for _ in range(limit):
        press(page, "Tab")
        focused = page.evaluate(FOCUSED)
        if text is not None and focused["text"] == text:
            return focused
        if name is not None and focused["name"] == name:
            return focused
    raise AssertionError(f"Tab never reached {text or name!r}")


WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))
  .slice(0, 8)"""


def checked(page, what):
    assert_accessible(page, what)
    assert_no_sideways_scroll(page, f"{what} ({page.evaluate(WIDEST)})")
    if SCREENSHOTS:
        slug = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{slug}.png"), full_page=True)


def barcodes_of(page, href):
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(io.BytesIO(response.body()))
    image = document[0].render(scale=300 / 72).to_pil()
    return {result.text for result in zxingcpp.read_barcodes(image)}


def test_register_print_update_renew_replace_close_with_the_keyboard(new_page):
    page = new_page(viewport={"width": 360, "height": 800})
    log_in(page, "jakaja.tampere")
    page.wait_for_url("**/distributor/")
    checked(page, "distributor landing")

    # Screen 1: the landing page's button.
    KEYSTROKES["count"] = 0
    tab_to(page, text="Rekisteröi kortti")
    press(page, "Enter")
    page.wait_for_url("**/cards/register/")
    checked(page, "register form")

    # Screen 2: the form. Two sites: the first field asks which.
    tab_to(page, name="site")
    press(page, "ArrowDown")
    tab_to(page, name="birth_year")
    type_(page, "1984")
    press(page, "Tab")
    type_(page, "33100")
    press(page, "Tab")
    press(page, "Control+A")
    type_(page, "2")
    # Life situation and gender left as they are; the questionnaire skipped, one group a Tab.
    tab_to(page, name="delivery")  # the checked one: paper card
    press(page, "ArrowRight")  # mobile card
    press(page, "ArrowRight")  # both
    tab_to(page, text="Rekisteröi kortti")
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/cards/\d+/\?print=1"))

    # Screen 3: the card's page, ready to print and with the mobile card's link, shown once.
    print(f"Registering took {KEYSTROKES['count']} keystrokes from the landing page.")
    assert page.get_by_text("Kortti on rekisteröity.").is_visible()
    link = page.locator(".hand-over-address a").inner_text()
    assert re.fullmatch(r"http://localhost:\d+/m/[A-Z0-9]{16}/", link)
    number = page.get_by_role("heading", level=1).inner_text().removeprefix("Kortti ")
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", number)
    assert number.replace("-", "") not in link
    checked(page, "registered card")
    card_url = page.url.split("?")[0]

    focused = tab_to(page, text="Tulosta kortti (kortin koko, PDF)")
    assert barcodes_of(page, focused["href"]) == {number.replace("-", "")}
    focused = tab_to(page, text="Missä korttia voi käyttää (PDF)")
    # The browser's own print of the page: its facts, never wellbeing answers or uses.
    page.emulate_media(media="print")
    assert not page.locator("#uses-heading").is_visible()
    assert not page.locator(".hand-over-now").is_visible()
    assert page.get_by_text("33100").is_visible()
    page.emulate_media(media="screen")

    # Update: a child born.
    page.goto(card_url)
    tab_to(page, text="Päivitä tiedot")
    press(page, "Enter")
    page.wait_for_url("**/update/")
    checked(page, "update form")
    tab_to(page, name="children")
    press(page, "Control+A")
    type_(page, "3")
    tab_to(page, text="Tallenna muutokset")
    press(page, "Enter")
    page.wait_for_url(card_url)
    assert page.get_by_text("Kortin tiedot on päivitetty.").is_visible()
    checked(page, "updated card")

    # Extend the validity ("Jatka voimassaoloa", not "Uusi", which reads as "new"), with a detail
    # changed and the questionnaire offered again.
    tab_to(page, text="Jatka voimassaoloa")
    press(page, "Enter")
    page.wait_for_url("**/renew/")
    assert page.get_by_role("heading", level=1).inner_text() == "Voimassaolon jatkaminen"
    checked(page, "renew form")
    tab_to(page, name="gender")
    press(page, "ArrowDown")
    # The questionnaire is folded on a phone: opened from its heading, then the mood chosen (from
    # "no answer", the last choice, one step back).
    tab_to(page, text="Hyvinvointikysely (vapaaehtoinen)")
    press(page, "Enter")
    assert page.get_by_text("Olen ollut iloinen ja hyvällä tuulella.").is_visible()
    tab_to(page, name="wellbeing-mood")
    press(page, "ArrowLeft")
    tab_to(page, text="Jatka voimassaoloa")
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/cards/\d+/\?print=1"))
    assert page.get_by_text("Kortin voimassaoloa on jatkettu.").is_visible()
    checked(page, "renewed card")

    # Replace as lost: a new number, the history linked.
    tab_to(page, text="Korvaa kadonnut kortti")
    press(page, "Enter")
    page.wait_for_url("**/replace/")
    checked(page, "replace form")
    tab_to(page, text="Korvaa kortti")
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/cards/\d+/\?print=1"))
    assert page.url.split("?")[0] != card_url
    assert page.get_by_role("link", name=number).is_visible()  # "Replaces"
    checked(page, "replacement card")

    # Close the new card at the holder's request.
    tab_to(page, text="Sulje")
    press(page, "Enter")
    page.wait_for_url("**/close/")
    checked(page, "close form")
    tab_to(page, name="reason")
    press(page, "Space")
    tab_to(page, text="Sulje kortti")
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/cards/\d+/$"))
    assert page.get_by_text("Kortti on suljettu.").is_visible()
    checked(page, "closed card")
