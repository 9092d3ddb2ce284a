"""What browser tests share: logging in as a demo user, the axe-core check, the 360 px check."""

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


def log_in(page, username, password=DEMO_PASSWORD):
    """Log in on the Finnish login page (the browser context's default locale)."""
    page.goto("/login/")
    page.get_by_label("Käyttäjätunnus").fill(username)
    page.get_by_label("Salasana").fill(password)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def assert_no_sideways_scroll(page, what):
    """On a narrow phone (open the page with viewport={"width": 360, ...}) nothing may stick out."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} scrolls sideways by {overflow} px"
