"""Two-factor authentication in headless Chromium on a 360 px phone: a coordinator's first login
(setting up the authenticator from the key on the page, the recovery codes shown once), a later
login with the app's code (a wrong one first), and a login with a recovery code; axe-core and no
sideways scrolling on every page of it."""

from .support import (
    assert_accessible,
    assert_no_sideways_scroll,
    code_for_key,
    log_in,
    open_menu,
)

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
USER = "orivesi.sote"


def checked(page, what):
    assert_accessible(page, what)
    assert_no_sideways_scroll(page, what)


def test_first_login_sets_up_then_a_code_then_a_recovery_code(new_page):
    from kaikukanta.demo.loader import DEMO_PASSWORD

    page = new_page(**PHONE)
    page.goto("/login/")
    page.get_by_label("Käyttäjätunnus").fill(USER)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/login/two-factor/setup/**")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Ota kaksivaiheinen tunnistautuminen käyttöön"
    )
    assert page.locator(".qr-code svg").is_visible()
    assert not page.get_by_role("navigation", name="Päävalikko").count()  # no menu yet
    checked(page, "setup page")
    key = page.locator("#two-factor-key").inner_text()
    # A wrong code first: the error by the field, still accessible.
    right = code_for_key(key)
    page.get_by_label("Sovelluksen 6-numeroinen koodi").fill(f"{(int(right) + 1) % 10**6:06d}")
    page.get_by_role("button", name="Vahvista").click()
    page.locator(".field-error").wait_for()
    assert "Koodi ei ole oikein" in page.locator(".field-error").inner_text()
    checked(page, "setup page with an error")
    page.get_by_label("Sovelluksen 6-numeroinen koodi").fill(code_for_key(key))
    page.get_by_role("button", name="Vahvista").click()
    page.wait_for_url("**/two-factor/recovery-codes/**")
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert page.get_by_role("button", name="Tulosta koodit").is_visible()
    checked(page, "recovery codes page")
    page.get_by_role("link", name="Olen tallentanut koodit, jatka").click()
    page.wait_for_url("**/regions/orivesi/")
    # Shown once: back on the page, no codes.
    page.goto("/two-factor/recovery-codes/")
    assert not page.locator(".recovery-codes").count()

    open_menu(page)

    page.get_by_role("button", name="Kirjaudu ulos").first.click()
    page.wait_for_url("**/login/")

    # A later login: the code from the app.
    page.get_by_label("Käyttäjätunnus").fill(USER)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/login/two-factor/**")
    field = page.get_by_label("Koodi")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.get_attribute("inputmode") == "text"  # recovery codes have letters
    assert page.evaluate("document.activeElement.name") == "code"
    checked(page, "second step")
    field.fill("000000")
    page.get_by_role("button", name="Jatka").click()
    page.locator(".field-error").wait_for()
    checked(page, "second step with an error")
    open_menu(page)
    page.get_by_role("button", name="Kirjaudu ulos").first.click()
    page.wait_for_url("**/login/")
    log_in(page, USER)  # the app's code, as support.log_in types it
    page.wait_for_url("**/regions/orivesi/")
    open_menu(page)
    page.get_by_role("button", name="Kirjaudu ulos").first.click()
    page.wait_for_url("**/login/")

    # A recovery code: it works, and the page says how many are left.
    page.get_by_label("Käyttäjätunnus").fill(USER)
    page.get_by_label("Salasana").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url("**/login/two-factor/**")
    page.get_by_label("Koodi").fill(codes[0])
    page.get_by_role("button", name="Jatka").click()
    page.wait_for_url("**/regions/orivesi/")
    assert "9 varakoodia jäljellä" in page.locator(".messages").inner_text()
    # The message fits the phone (the region page's own figures are another matter).
    assert page.locator(".messages").bounding_box()["width"] <= 360
    assert_accessible(page, "landing page after a recovery code")

    # The person's own page: how many are left, new ones.
    page.goto("/two-factor/")
    assert "9 varakoodia jäljellä" in page.locator("main").inner_text()
    checked(page, "own two-factor page")
    # New codes, in the session that logged in with a recovery code: it stays logged in.
    page.get_by_role("button", name="Luo uudet varakoodit").click()
    page.wait_for_url("**/two-factor/recovery-codes/**")
    assert page.locator(".recovery-codes li").count() == 10
