"""The box office and the group visit on a real day (issue 15), in headless Chromium: a group visit
from a scanner with one bad member, an unknown number with the demo's debug mode on, the warnings a
clerk sees before acting, the phone header at 360 by 740 px and the desk at 1280 px; axe on every state."""

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kaikukanta.cards import identifiers
from kaikukanta.cards.models import Card
from kaikukanta.core.dates import today
from kaikukanta.uses.models import GroupVisit

from .support import assert_accessible, assert_no_sideways_scroll, log_in
from .test_box_office import CLERK, accepted_cards, box_office_venue, closed_card


def focused(page, name):
    """The name of the focused field once htmx has settled (it moves the focus after its swap)."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            f"() => document.activeElement && document.activeElement.name === '{name}'",
            timeout=3000,
        )
    return page.evaluate("() => document.activeElement && document.activeElement.name")


def community_card():
    venue = box_office_venue()
    return (
        Card.objects.filter(card_type="community", closed_on__isnull=True, valid_until__gte=today())
        .filter(region=venue.region)
        .order_by("pk")
        .first()
    )


def scan(page, number):
    """A USB scanner: the number typed, then Enter."""
    page.keyboard.type(number)
    page.keyboard.press("Enter")


def test_a_group_visit_from_a_scanner_with_one_bad_member(page):
    worker = community_card()
    members = [c for c in accepted_cards(30) if (c.children or 0) >= 1][:2]
    bad = closed_card()
    visits_before = GroupVisit.objects.count()
    log_in(page, CLERK)
    page.goto("/venue/group-visit/")
    assert focused(page, "community_card") == "community_card"  # focused when the page opens
    assert_accessible(page, "group visit, empty")
    scan(page, worker.identifier)
    assert focused(page, "member_number") == "member_number"  # Enter moves on

    lines = page.locator("li.member")
    for count, card in enumerate([members[0], bad, members[1]], start=1):
        scan(page, card.identifier)
        lines.nth(count - 1).wait_for()
        assert lines.count() == count
        assert focused(page, "member_number") == "member_number"
        assert page.locator("input[data-group-member]").input_value() == ""
    # Each member's own line and verdict; the bad one named, with what is wrong.
    bad_line = page.locator(f'li.member[data-member="{identifiers.display(bad.identifier)}"]')
    assert "Suljettu" in bad_line.inner_text()
    assert page.locator('li.member[data-member-verdict="accepted"]').count() == 2
    assert GroupVisit.objects.count() == visits_before  # Enter never records
    assert_accessible(page, "group visit with a refused member")

    # A member's child tickets, with the counter.
    first = page.locator(f'li.member[data-member="{identifiers.display(members[0].identifier)}"]')
    first.get_by_role("button", name="+ yksi lasten lippu lisää").click()
    page.get_by_role("button", name="+ yksi asiakas lisää").click()
    page.get_by_role("button", name="Kirjaa ryhmäkäynti").click()
    page.wait_for_selector('.verdict-area [data-verdict="refused"]')
    verdict = page.locator(".verdict-area").inner_text()
    assert identifiers.display(bad.identifier) in verdict  # the bad member is named
    assert lines.count() == 3  # and nobody was lost
    assert_accessible(page, "group visit refused")

    bad_line.get_by_role("button", name="Poista").click()
    page.wait_for_function("() => document.querySelectorAll('li.member').length === 2")
    assert first.locator("input[name=member_children]").input_value() == "1"  # kept
    page.get_by_role("button", name="Kirjaa ryhmäkäynti").click()
    page.wait_for_selector('.verdict-area [data-verdict="admitted"]')
    # The worker's field again, for the next group.
    assert focused(page, "community_card") == "community_card"
    assert page.locator("li.member").count() == 0
    assert_accessible(page, "group visit recorded")

    assert GroupVisit.objects.count() == visits_before + 1
    visit = GroupVisit.objects.filter(community_card=worker).latest("pk")
    uses = {u.card_id: (u.child_tickets, u.clients_without_card) for u in visit.uses.all()}
    assert uses == {worker.pk: (0, 1), members[0].pk: (1, 0), members[1].pk: (0, 0)}


@pytest.fixture
def debug_on(settings):
    """The demo's debug mode: django-htmx's debug script, which replaces the page with any 4xx."""
    settings.DEBUG = True


def test_an_unknown_number_with_debug_on_is_answered_in_place(debug_on, page):
    log_in(page, CLERK)
    page.goto("/venue/")
    assert page.locator('script[data-debug="True"]').count() == 1
    scan(page, identifiers.generate())
    page.wait_for_selector('#box-office [data-verdict="refused"]')
    assert "Korttia ei löydy" in page.locator(".verdict").inner_text()
    # The page is still the box office: its header, its offline panel, its number field focused.
    assert page.locator("header.site-header").count() == 1
    assert page.locator("#offline-queue").count() == 1
    assert focused(page, "identifier") == "identifier"
    assert_accessible(page, "box office, no such card")
    # The next card is answered as ever.
    scan(page, accepted_cards(1, skip=100)[0].identifier)
    page.wait_for_selector('#box-office [data-verdict="accepted"]')


def test_warnings_before_the_clerk_acts(page):
    log_in(page, CLERK)
    page.goto("/venue/")
    card = accepted_cards(1, skip=110)[0]
    # Whether Enter admits from the moment the verdict is shown (a clerk may press it at once): the
    # new number field wired and its form sent by htmx when the verdict appears, not some ms later.
    page.evaluate(
        """() => new MutationObserver((changes, observer) => {
          if (!document.querySelector('[data-verdict="accepted"]')) return;
          const field = document.querySelector("input[data-box-office-number]");
          // Wired on htmx:load, which htmx fires once it has processed the new forms.
          window.readyWhenShown = field.dataset.boxOfficeWired === "1";
          observer.disconnect();
        }).observe(document.getElementById("box-office"), { childList: true, subtree: true })"""
    )
    scan(page, card.identifier)
    page.wait_for_selector('[data-verdict="accepted"]')
    assert page.evaluate("() => window.readyWhenShown") is True
    page.keyboard.press("Enter")  # admit
    page.wait_for_selector('[data-verdict="admitted"]')
    scan(page, card.identifier)
    warning = page.locator("[data-admitted-today]")
    warning.wait_for()
    assert "Päästetty sisään jo tänään klo" in warning.inner_text()
    assert_accessible(page, "box office, admitted today")
    scan(page, closed_card().identifier)
    page.wait_for_selector('[data-verdict="refused"]')
    assert page.locator(".verdict-title").inner_text().endswith("Suljettu")
    assert_accessible(page, "box office, closed card")


def test_the_phone_header_folds_and_the_verdict_is_above_the_fold(new_page):
    page = new_page(viewport={"width": 360, "height": 740})
    log_in(page, CLERK)
    page.goto("/venue/")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] < 100, f"the header takes {header['height']} px on a phone"
    # The venue's choice is above the number field.
    venue = page.get_by_label("Kohde", exact=True).bounding_box()
    field = page.locator("input[data-box-office-number]").bounding_box()
    assert venue["y"] < field["y"]
    card = next(c for c in accepted_cards(30, skip=120) if (c.children or 0) >= 1)
    scan(page, card.identifier)
    page.wait_for_selector('[data-verdict="accepted"]')
    for what in (".verdict", "input[data-child-counter]"):
        box = page.locator(what).bounding_box()
        assert box["y"] >= 0, f"{what} is above the top"
        assert box["y"] + box["height"] <= 740, f"{what} is below the fold"
    assert_no_sideways_scroll(page, "box office on a phone")
    # The menu opens without a script, and holds the log-out and the menu links.
    page.get_by_text("Valikko").click()
    assert page.get_by_role("button", name="Kirjaudu ulos").is_visible()
    assert page.get_by_role("navigation", name="Päävalikko").is_visible()
    assert_accessible(page, "phone menu open")


def test_the_desk_uses_the_width(new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    log_in(page, CLERK)
    page.goto("/venue/")
    scan(page, accepted_cards(1, skip=160)[0].identifier)
    page.wait_for_selector('[data-verdict="accepted"]')
    verdict = page.locator(".verdict").bounding_box()
    field = page.locator("input[data-box-office-number]").bounding_box()
    assert verdict["x"] >= field["x"] + field["width"]  # beside the number field
    assert verdict["y"] < field["y"] + field["height"]
    assert verdict["width"] > 600
    title = page.locator(".verdict-title").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert title >= 36
    assert page.locator("header.site-header").bounding_box()["height"] < 160
    assert_accessible(page, "desk with a verdict")


def check_line_after_swap(page, field_name):
    """The check-character line under the field named `field_name`, once its swap has settled."""
    page.wait_for_timeout(400)  # htmx settles, and a late blur of the swapped-out field has run
    field = page.locator(f"input[type=text][name={field_name}]")
    assert field.input_value() == ""
    return page.locator(f"#{field.get_attribute('id')}-check").inner_text().strip()


def test_no_check_character_line_stays_under_the_field_a_swap_emptied(page):
    """ "Tarkistusmerkki täsmää" was about the number just sent: the swap empties the field, and the
    line under it goes too (the box office and the group visit's member field)."""
    card, member = accepted_cards(2, skip=240)
    log_in(page, CLERK)
    page.goto("/venue/")
    page.keyboard.type(card.identifier)
    assert "täsmää" in page.locator("#id_identifier-check").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector('#box-office [data-verdict="accepted"]')
    assert check_line_after_swap(page, "identifier") == ""

    page.goto("/venue/group-visit/")
    scan(page, community_card().identifier)
    assert focused(page, "member_number") == "member_number"
    page.keyboard.type(member.identifier)
    member_field = page.locator("input[data-group-member]")
    assert "täsmää" in page.locator(f"#{member_field.get_attribute('id')}-check").inner_text()
    page.keyboard.press("Enter")
    page.locator("li.member").first.wait_for()
    assert check_line_after_swap(page, "member_number") == ""
