"""What browser tests share: logging in as a demo user, the axe-core check, the 360 px check."""

from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

from kaikukanta.demo.loader import DEMO_PASSWORD

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def assert_accessible(page, what):
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def log_in(page, username, password=DEMO_PASSWORD, *, keep_codes=False):
    """Log in on the Finnish login page (the browser context's default locale). A national
    administrator or coordinator passes the second step as a person would: on the first login the
    key shown on the setup page goes into "the app" (the TOTP computed here) and the recovery codes
    are passed by; later, the code of their authenticator (its key read from the database). With
    `keep_codes`, it stops on the recovery codes page."""
    page.goto("/login/")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(password)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/login/")
    path = urlsplit(page.url).path
    if path == "/login/two-factor/setup/":
        key = page.locator("#two-factor-key").inner_text()
        page.get_by_label("Sovelluksen 6-numeroinen koodi").fill(code_for_key(key))
        page.get_by_role("button", name="Vahvista").click()
        page.wait_for_url("**/two-factor/recovery-codes/**")
        if not keep_codes:
            page.get_by_role("link", name="Olen tallentanut koodit, jatka").click()
            page.wait_for_url(lambda url: "/two-factor/" not in url)
    elif path == "/login/two-factor/":
        page.get_by_label("Koodi").fill(code_of(username))
        page.get_by_role("button", name="Jatka").click()
        page.wait_for_url(lambda url: "/two-factor/" not in url)


def code_for_key(key: str) -> str:
    """What an authenticator app shows now for the key typed in from the setup page."""
    import base64
    import time

    from django_otp.oath import TOTP

    secret = key.replace(" ", "")
    generator = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    generator.time = time.time()
    return f"{generator.token():06d}"


def code_of(username: str) -> str:
    """The current code of the user's authenticator (one not used yet)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ..conftest import current_code

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).latest("pk")
    return current_code(device)


def assert_no_sideways_scroll(page, what):
    """On a narrow phone (open the page with viewport={"width": 360, ...}) nothing may stick out."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} scrolls sideways by {overflow} px"


def open_menu(page):
    """On a phone (under 700 px) the header's language, log-out and menu links are behind its menu
    button (a <details>): open it. Nothing to do on a wide screen, or when it is open already."""
    menu = page.locator("details.site-menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
