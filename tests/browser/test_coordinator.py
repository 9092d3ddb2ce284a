"""A social and health coordinator on a 360 px phone: the region's network page, inviting a new
distributor by e-mail, the invitee setting a password from the link and being signed in, and the
region's statistics; axe-core on every page and no sideways scrolling."""

import re

from django.core import mail

from .support import assert_accessible, assert_no_sideways_scroll, log_in, open_menu

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
PASSWORD = "kortit-kulkevat-koko-vuoden"


def checked(page, what):
    assert_accessible(page, what)
    assert_no_sideways_scroll(page, what)


def test_a_coordinator_invites_a_distributor_who_sets_a_password_and_logs_in(new_page):
    page = new_page(**PHONE)
    log_in(page, "tampere.sote")
    page.wait_for_url("**/regions/tampere/")
    checked(page, "region page")  # its figures table scrolls in its own box, the facts wrap
    page.get_by_role("link", name="Jakopisteet, kohteet ja henkilöt", exact=False).click()
    page.wait_for_url("**/network/tampere/")
    checked(page, "network page")
    assert page.get_by_role("heading", name="Henkilöt").is_visible()

    page.get_by_role("link", name="Kutsu työntekijä").click()
    page.wait_for_url("**/network/tampere/invite/")
    checked(page, "invitation form")
    # Sent empty: every field says what is missing, and still passes axe.
    page.get_by_role("button", name="Lähetä kutsu").click()
    page.locator(".field-error").first.wait_for()
    checked(page, "invitation form with errors")
    page.get_by_label("Sähköpostiosoite").fill("uusi.jakaja@example.fi")
    page.get_by_label("Etunimi").fill("Uusi")
    page.get_by_label("Sukunimi").fill("Jakaja")
    page.get_by_label("Työpaikka").select_option(index=1)
    before = len(mail.outbox)
    page.get_by_role("button", name="Lähetä kutsu").click()
    page.wait_for_url("**/network/tampere/")
    page.get_by_text("Kutsu lähetettiin osoitteeseen uusi.jakaja@example.fi").wait_for()
    assert page.get_by_text(
        re.compile(r"kutsuttu, linkki voimassa \d+\.\d+\.\d{4} asti")
    ).is_visible()
    checked(page, "network page with an open invitation")
    assert len(mail.outbox) == before + 1
    link = re.search(r"https?://\S+(/invitation/\S+/)", mail.outbox[-1].body).group(1)

    invitee = new_page(**PHONE)
    invitee.goto(link)
    checked(invitee, "set-your-password page")
    invitee.get_by_label("Uusi salasana").fill(PASSWORD)
    invitee.get_by_label("Sama salasana uudelleen").fill(PASSWORD)
    invitee.get_by_role("button", name="Aseta salasana").click()
    # Signed in at once: their own front page, no second login.
    invitee.wait_for_url("**/distributor/")
    invitee.get_by_text("Salasanasi on asetettu ja olet kirjautunut sisään.").wait_for()
    # The link worked once.
    invitee.goto(link)
    assert invitee.get_by_role("heading", name="Linkki ei toimi").is_visible()


def test_a_coordinator_reads_the_regions_statistics_on_a_phone(new_page):
    page = new_page(**PHONE)
    log_in(page, "tampere.sote")
    page.wait_for_url("**/regions/tampere/")
    open_menu(page)  # the header's menu, behind its button on a phone
    page.get_by_role("link", name="Tilastot").first.click()
    page.wait_for_url("**/stats/regions/tampere/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Tilastot: Tampere, 20")
    assert page.locator("svg.chart").count() >= 2
    checked(page, "region statistics")
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_coordinator_chooses_a_period_with_the_keyboard(new_page):
    page = new_page(**PHONE)
    log_in(page, "tampere.sote")
    page.wait_for_url("**/regions/tampere/")
    page.goto(page.url.replace("/regions/tampere/", "/stats/regions/tampere/"))
    # A range of months, typed and sent with the keyboard only.
    page.get_by_label("Alkukuukausi").focus()
    page.keyboard.type("1/2026")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_to"
    page.keyboard.type("4/2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/stats/regions/tampere/?from=*")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Tilastot: Tampere, 1/2026\u20134/2026"
    )
    assert page.get_by_role("heading", name="Kuukausittain, 1/2026\u20134/2026").is_visible()
    assert page.get_by_label("Alkukuukausi").input_value() == "1/2026"
    checked(page, "statistics for a range of months")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    assert download.value.suggested_filename.endswith("-2026-01_2026-04.csv")
    # The last month before the first: said, and this year shown instead; still accessible.
    page.get_by_label("Alkukuukausi").fill("5/2026")
    page.get_by_label("Loppukuukausi").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Viimeinen kuukausi on ennen ensimmäistä.").first.wait_for()
    assert page.get_by_label("Alkukuukausi").get_attribute("aria-invalid") == "true"
    checked(page, "statistics with a period error")
    # A quick choice, followed with the keyboard.
    page.get_by_role("link", name="Viimeiset 12 kuukautta").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/stats/regions/tampere/?from=*")
    link = page.get_by_role("link", name="Viimeiset 12 kuukautta")
    assert link.get_attribute("aria-current") == "true"
    checked(page, "statistics for the last 12 months")
