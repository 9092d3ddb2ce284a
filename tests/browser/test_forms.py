"""Staff forms as a worker meets them when something is wrong: every fault of a registration after one
submit, listed in a summary at the top that takes the focus and whose links lead to the fields; the
optional questionnaire, folded on a phone, with its rule before the questions and answers that can be
cleared; and the site a worker at two sites used last, chosen in advance. axe finds nothing on any of
the error states, and a 360 px phone does not scroll sideways."""

import re

from kaikukanta.cards.models import Card, WellbeingMeasurement

from .support import assert_accessible, assert_no_sideways_scroll, log_in

WORKER = "jakaja.tampere"  # two distributor sites in Tampere

FOCUSED = """() => {
  const e = document.activeElement;
  return {id: e.id || "", summary: e.hasAttribute("data-error-summary"), tag: e.tagName};
}"""


def open_register(new_page, **options):
    page = new_page(**options)
    log_in(page, WORKER)
    page.goto("/cards/register/")
    return page


def choose_a_site(page):
    site = page.locator("select[name=site]")
    if not site.input_value():
        site.select_option(index=1)


def open_questionnaire(page):
    questionnaire = page.locator("details.questionnaire")
    if questionnaire.get_attribute("open") is None:
        questionnaire.locator("summary").click()


def answer(page, name, value):
    page.locator(f"input[name='wellbeing-{name}'][value='{value}']").check()


def send_faulty_registration(page):
    """A birth year too late, a postcode of three digits, 25 children and one statement of five:
    each is a different rule, once found one layer at a time."""
    choose_a_site(page)
    page.get_by_label("Syntymävuosi").fill("2020")
    page.get_by_label("Postinumero").fill("331")
    page.locator("#id_children").fill("25")
    open_questionnaire(page)
    answer(page, "who5_1", "3")
    page.get_by_role("button", name="Rekisteröi kortti").click()
    page.wait_for_load_state()


def test_every_fault_in_one_pass_with_a_summary_that_takes_the_focus(new_page):
    page = open_register(new_page, viewport={"width": 1280, "height": 900})
    before = Card.objects.count()
    send_faulty_registration(page)

    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("heading", name="Korjaa nämä kohdat").is_visible()
    assert page.evaluate(FOCUSED)["summary"]  # the focus is on the summary, read first
    links = summary.get_by_role("link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == [
        "#id_birth_year",
        "#id_postcode",
        "#id_children",
        "#id_wellbeing-who5_2_0",
    ]
    assert "Vastaa kaikkiin viiteen WHO-5-väittämään" in links.nth(3).inner_text()
    assert Card.objects.count() == before

    # Each field says it is invalid and which message describes it.
    postcode = page.locator("#id_postcode")
    assert postcode.get_attribute("aria-invalid") == "true"
    assert "id_postcode_error" in postcode.get_attribute("aria-describedby")
    assert (
        page.locator("#id_postcode_error").inner_text().startswith("Suomalaisessa postinumerossa")
    )
    # Nothing typed is lost: the questionnaire is open with its answer.
    assert page.locator("details.questionnaire").get_attribute("open") is not None
    assert page.locator("input[name='wellbeing-who5_1'][value='3']").is_checked()
    assert_accessible(page, "register form with errors")

    # With the keyboard: Tab from the summary reaches its first link; Enter moves to the field.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)["id"] == "id_postcode"
    # A click on a link of a radio group lands on its first choice.
    summary.focus()
    links.nth(3).click()
    assert page.evaluate(FOCUSED)["id"] == "id_wellbeing-who5_2_0"

    # Fixed in one more pass: everything at once.
    page.get_by_label("Syntymävuosi").fill("1984")
    page.get_by_label("Postinumero").fill("33100")
    page.locator("#id_children").fill("2")
    for index in range(2, 6):
        answer(page, f"who5_{index}", "2")
    page.get_by_role("button", name="Rekisteröi kortti").click()
    page.wait_for_url(re.compile(r"/cards/\d+/"))
    assert page.get_by_text("Kortti on rekisteröity.").is_visible()


def test_the_error_state_fits_a_phone(new_page):
    page = open_register(new_page, viewport={"width": 360, "height": 740})
    # Folded on a phone, so that the button to send is near; the rule is said before the questions.
    questionnaire = page.locator("details.questionnaire")
    assert questionnaire.get_attribute("open") is None
    button_top = page.get_by_role("button", name="Rekisteröi kortti").bounding_box()["y"]
    print(f"Register button at {button_top:.0f} px on a 360 px phone")
    assert button_top < 2000, button_top
    assert_accessible(page, "register form on a phone")
    send_faulty_registration(page)
    assert page.evaluate(FOCUSED)["summary"]
    assert page.locator("[data-error-summary] a").count() == 4
    assert_no_sideways_scroll(page, "register form with errors on a phone")
    assert_accessible(page, "register form with errors on a phone")
    text = questionnaire.inner_text()
    assert text.index("Vastaa kaikkiin viiteen") < text.index("Olen ollut iloinen")


def test_the_questionnaire_can_be_cleared_with_the_keyboard(new_page):
    page = open_register(new_page, viewport={"width": 1280, "height": 900})
    choose_a_site(page)
    page.get_by_label("Syntymävuosi").fill("1990")
    page.get_by_label("Postinumero").fill("33200")
    open_questionnaire(page)
    answer(page, "who5_1", "5")
    answer(page, "who5_2", "4")
    answer(page, "mood", "3")
    # One statement can be taken back on its own ("no answer") ...
    page.locator("input[name='wellbeing-who5_2'][value='']").check()
    assert not page.locator("input[name='wellbeing-who5_2'][value='4']").is_checked()
    # ... and all of them with the button, reached and pressed with the keyboard.
    clear = page.get_by_role("button", name="Tyhjennä vastaukset")
    clear.focus()
    page.keyboard.press("Enter")
    for name in ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5", "mood"):
        assert page.locator(f"input[name='wellbeing-{name}'][value='']").is_checked(), name
    assert page.get_by_role("status").filter(has_text="Vastaukset on tyhjennetty.").count() == 1
    assert page.url.endswith("/cards/register/")  # in place: nothing was sent
    assert page.get_by_label("Postinumero").input_value() == "33200"
    assert_accessible(page, "questionnaire cleared")
    page.get_by_role("button", name="Rekisteröi kortti").click()
    page.wait_for_url(re.compile(r"/cards/(\d+)/"))
    card_id = int(re.search(r"/cards/(\d+)/", page.url).group(1))
    assert not WellbeingMeasurement.objects.filter(card_id=card_id).exists()


def test_the_site_used_last_is_chosen_in_advance(new_page):
    page = open_register(new_page, viewport={"width": 1280, "height": 900})
    site = page.locator("select[name=site]")
    options = site.locator("option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    values = [value for value in values if value]
    assert len(values) == 2
    other = next(value for value in values if value != site.input_value())
    site.select_option(other)
    page.get_by_label("Syntymävuosi").fill("1975")
    page.get_by_label("Postinumero").fill("33500")
    page.get_by_role("button", name="Rekisteröi kortti").click()
    page.wait_for_url(re.compile(r"/cards/\d+/"))

    # A new session (another browser): the site is still the one used last.
    again = open_register(new_page, viewport={"width": 1280, "height": 900})
    assert again.locator("select[name=site]").input_value() == other
    assert_accessible(again, "register form with the site chosen")
