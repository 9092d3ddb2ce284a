"""The box office on a real day (issue 15): a verdict never outlives the number it was about, admissions
queued offline are dated by the device's clock at the moment of admission and judged at that moment,
a login that expires while they wait is asked for again without losing the page or the queue, a
refusal on sync is shown and audited once, and a second tab uses the venue the clerk chose."""

import datetime as dt
import re

import time_machine
from django.test import override_settings
from django.utils import timezone

from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.cards.models import CardStatus, ClosingReason
from kaikukanta.core.dates import today
from kaikukanta.demo.loader import DEMO_PASSWORD
from kaikukanta.network.models import Venue
from kaikukanta.uses.models import Use

from .support import assert_accessible, assert_no_sideways_scroll, log_in, open_menu
from .test_box_office import CLERK, accepted_cards, box_office_venue, closed_card, uses_of

NUMBER = "input[data-box-office-number]"


def cached_box_office(page):
    """The clerk's box office, opened once more so that the service worker controls (and caches) it."""
    page.goto("/venue/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def go_offline(page, device_time=None):
    """Offline, the page from the cache; the device's clock right (the server's, which the tests
    run on 15 June 2026) unless `device_time` says otherwise."""
    page.clock.install(time=device_time or timezone.now())
    page.context.set_offline(True)
    page.reload()  # served by the service worker from its cache
    page.wait_for_selector("[data-offline-note]:not([hidden])")


def go_online(page, *others):
    page.context.set_offline(False)
    for each in (page, *others):
        each.evaluate("() => window.dispatchEvent(new Event('online'))")


def queue(page, card):
    page.locator(NUMBER).fill("")
    page.keyboard.type(card.identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="offline"]')
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="queued"]')


def test_a_new_number_clears_the_last_verdict_and_its_admit_at_once(page):
    log_in(page, CLERK)
    page.goto("/venue/")
    card = accepted_cards(1, skip=100)[0]
    for typed in [
        card.identifier[:-1]
        + ("2" if card.identifier[-1] != "2" else "3"),  # a wrong check character
        "010190-123A",  # an identity code: never a card number
    ]:
        page.locator(NUMBER).fill("")
        page.keyboard.type(card.identifier)
        page.keyboard.press("Enter")
        page.wait_for_selector('[data-verdict="accepted"]')
        assert page.locator("form[data-admit-form]").count() == 1
        # The first key of the next number takes the verdict and its Admit away: the live region
        # is empty, and nothing is left for a click or Enter to admit.
        page.keyboard.type(typed[0])
        assert page.locator(".verdict-area").inner_text().strip() == ""
        assert page.locator("form[data-admit-form]").count() == 0
        page.keyboard.type(typed[1:])
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        assert page.get_by_role("button", name="Päästä sisään").count() == 0
        assert "hyväksytty" not in page.locator(".verdict-area").inner_text().lower()
        page.locator(NUMBER).fill("")
        page.keyboard.press("Enter")  # Enter in the empty field: no Admit left to press
        page.wait_for_timeout(300)
    assert uses_of([card]) == 0


def test_an_offline_admission_is_dated_by_the_device_at_the_moment_of_admission(new_page):
    """The page was cached yesterday (the server's clock a day back); today, offline, the device's
    clock says 20 minutes ago: the use is stored at that moment, not at the cached page's time."""
    card = accepted_cards(1, skip=110)[0]
    real_now = timezone.now()
    page = new_page()
    with override_settings(SESSION_COOKIE_AGE=3 * 24 * 3600):
        with time_machine.travel(real_now - dt.timedelta(days=1), tick=True):
            log_in(page, CLERK)
            cached_box_office(page)
        device_time = (real_now - dt.timedelta(minutes=20)).replace(microsecond=0)
        go_offline(page, device_time)
        queue(page, card)
        assert_accessible(page, "the box office offline, an admission queued")
        go_online(page)
        page.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
    use = Use.objects.get(card=card, venue=box_office_venue())
    assert abs(use.occurred_at - device_time) < dt.timedelta(seconds=5)
    # Once sent, the "saved on this device" verdict is gone, and so is the card number's entry.
    assert page.locator('[data-verdict="queued"]').count() == 0
    assert card.identifier not in page.evaluate("() => JSON.stringify(localStorage)")


def test_a_device_clock_far_ahead_is_refused_and_told_not_shifted(new_page):
    card = accepted_cards(1, skip=115)[0]
    page = new_page()
    log_in(page, CLERK)
    cached_box_office(page)
    go_offline(page, timezone.now() + dt.timedelta(hours=3))
    queue(page, card)
    go_online(page)
    page.wait_for_selector("[data-refused] li", timeout=20_000)
    assert "kello" in page.locator("[data-refused] li").inner_text().lower()
    assert uses_of([card]) == 0
    rejected = AuditEvent.objects.filter(action=Action.USE_REJECTED).latest("pk")
    assert rejected.data["code"] == "date_in_future"


def test_a_login_that_expired_while_admissions_wait_is_asked_for_in_place(new_page):
    card, later = accepted_cards(2, skip=120)
    page = new_page()
    log_in(page, CLERK)
    cached_box_office(page)
    go_offline(page)
    queue(page, card)
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if "/api/v1/uses" in request.url else None,
    )

    page.context.clear_cookies()  # the session has ended (and, with it, the CSRF cookie)
    go_online(page)
    notice = page.locator("[data-login-needed]")
    notice.wait_for(state="visible", timeout=20_000)
    assert "kirjaudu" in notice.inner_text().lower()
    assert page.locator("[data-waiting]").get_attribute("data-count") == "1"
    # A check now would bring Django's 403 page (or the login page) into the box office: not so.
    page.locator(NUMBER).fill("")
    page.keyboard.type(later.identifier)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert page.locator(NUMBER).count() == 1
    assert page.locator("#id_password, input[name=password]").count() == 0
    assert notice.is_visible()
    assert_accessible(page, "the box office, login expired")
    tries = len(sent)
    page.wait_for_timeout(1500)
    assert len(sent) == tries  # no more failing requests while nobody is logged in

    # Log in again in a new tab: this page stays as it was, then sends the queue and works again.
    with page.context.expect_page() as opened:
        notice.get_by_role("link").click()
    login = opened.value
    login.get_by_label("Käyttäjätunnus").fill(CLERK)
    login.get_by_label("Salasana").fill(DEMO_PASSWORD)
    login.get_by_role("button", name="Kirjaudu sisään").click()
    login.wait_for_url(re.compile(r".*/venue/$"))
    page.bring_to_front()
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
    notice.wait_for(state="hidden")
    assert uses_of([card]) == 1
    page.locator(NUMBER).fill("")
    page.keyboard.type(later.identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="accepted"]')


def test_a_card_closed_after_its_offline_admission_is_still_recorded(new_page):
    card = accepted_cards(1, skip=130)[0]
    page = new_page()
    log_in(page, CLERK)
    cached_box_office(page)
    go_offline(page)
    queue(page, card)
    page.wait_for_timeout(1100)
    # Closed at the distributor's after the holder was admitted, before the queue was sent.
    card.status = CardStatus.CLOSED
    card.closed_on = timezone.localdate()
    card.closed_at = timezone.now()
    card.closing_reason = ClosingReason.LOST
    card.save()
    go_online(page)
    page.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
    assert uses_of([card]) == 1
    assert page.locator("[data-refused] li").count() == 0


def test_a_refusal_on_sync_is_shown_and_audited_once_with_two_tabs_open(new_page):
    refused = closed_card()
    first = new_page()
    log_in(first, CLERK)
    cached_box_office(first)
    second = first.context.new_page()
    second.goto("/venue/")
    go_offline(first)
    second.clock.install(time=timezone.now())
    second.reload()
    second.wait_for_selector("[data-offline-note]:not([hidden])")
    queue(first, refused)
    before = AuditEvent.objects.filter(action=Action.USE_REJECTED).count()
    go_online(first, second)
    for page in (first, second):
        page.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
        page.wait_for_selector("[data-refused] li")
    first.wait_for_timeout(1000)
    for page in (first, second):
        shown = page.locator("[data-refused] li")
        assert shown.count() == 1
        # Words for the clerk: the card was not valid when admitted; nothing about a new card.
        assert "ei ollut voimassa" in shown.inner_text()
        assert "uuden kortin" not in shown.inner_text()
    assert AuditEvent.objects.filter(action=Action.USE_REJECTED).count() == before + 1
    assert_accessible(first, "the box office, a refusal on sync")
    first.locator("[data-refused] li button").click()
    assert first.locator("[data-refused] li").count() == 0


def test_a_second_tab_from_the_cache_uses_the_venue_the_clerk_chose(new_page):
    other = Venue.objects.filter(name="Vapriikki").get()
    assert other != box_office_venue()
    card = next(c for c in accepted_cards(20, skip=140) if c.refusal_at(other, today()) is None)
    at_other = Use.objects.filter(card=card, venue=other).count()
    first = new_page()
    log_in(first, CLERK)
    cached_box_office(first)  # cached with the first venue chosen
    first.locator("select[name=venue]").select_option(str(other.pk))
    first.context.set_offline(True)
    second = first.context.new_page()
    second.clock.install(time=timezone.now())
    second.goto("/venue/")  # from the service worker's cache, drawn with the first venue
    second.wait_for_selector("[data-offline-note]:not([hidden])")
    assert second.locator("select[name=venue]").input_value() == str(other.pk)
    queue(second, card)
    go_online(second)
    second.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
    assert Use.objects.filter(card=card, venue=other).count() == at_other + 1
    assert uses_of([card]) == 0


def test_offline_the_clerk_chooses_child_tickets_kind_and_event_within_what_the_card_last_said(
    new_page,
):
    card = next(c for c in accepted_cards(40, skip=160) if (c.children or 0) >= 2)
    unseen = accepted_cards(1, skip=210)[0]
    page = new_page(viewport={"width": 360, "height": 740})  # a phone
    log_in(page, CLERK)
    cached_box_office(page)
    page.keyboard.type(card.identifier)  # checked online: the device remembers what it said
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="accepted"]')
    go_offline(page)
    page.keyboard.type(card.identifier)
    page.keyboard.press("Enter")
    verdict = page.locator('[data-verdict="offline"]')
    verdict.wait_for()
    assert page.locator("[data-last-seen]").get_attribute("data-last-seen") == "accepted"
    assert f"enintään {card.children}" in verdict.inner_text()
    plus = page.locator('form[data-offline-admit] button[data-step="1"]')
    for _ in range(card.children + 2):  # never past what the card last said
        plus.click()
    assert page.locator("#offline-child-tickets").input_value() == str(card.children)
    assert page.locator("#offline-kind option").count() == 3  # entry ticket, course place, pass
    assert_accessible(page, "the box office offline, a card last checked here")
    assert_no_sideways_scroll(page, "the box office offline, a card last checked here")
    page.get_by_role("button", name="Päästä sisään").click()
    page.wait_for_selector('[data-verdict="queued"]')
    # A card never checked here, nor in the venue's list: said so, the maximum of child tickets
    # allowed, checked on sync.
    page.keyboard.type(unseen.identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-list-state="unknown"]')
    assert page.locator("#offline-child-tickets").get_attribute("max") == "20"
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-verdict="queued"]')
    go_online(page)
    page.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
    use = Use.objects.get(card=card, venue=box_office_venue())
    assert (use.adult_ticket, use.child_tickets, use.kind) == (True, card.children, "entry_ticket")
    assert uses_of([unseen]) == 1
    # Logging out takes what the cards said off the device.
    open_menu(page)
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_load_state()
    assert "seen" not in page.evaluate("() => Object.keys(localStorage).join(' ')")


def test_a_check_after_the_session_ended_asks_for_a_login_instead_of_showing_the_login_page(page):
    """The session gone but the CSRF cookie kept: the check is redirected to the login page, which
    must not land inside the box office."""
    log_in(page, CLERK)
    page.goto("/venue/")
    session_cookie = next(c["name"] for c in page.context.cookies() if "session" in c["name"])
    page.context.clear_cookies(name=session_cookie)
    page.keyboard.type(accepted_cards(1, skip=220)[0].identifier)
    page.keyboard.press("Enter")
    page.locator("[data-login-needed]").wait_for(state="visible")
    assert page.locator("input[name=password]").count() == 0
    assert page.locator(NUMBER).count() == 1


STATES = "kaikukanta.boxOffice.states.v1"


def test_offline_a_card_is_answered_from_the_venues_synced_list_with_its_age(new_page):
    """The box office keeps the venue's list of card states (the cards used there lately), synced
    while online: offline, a card closed on the server before the sync says "closed" with the list's
    time, a card not in it says so; the list is fetched (and audited) once for two page loads, and
    leaves the device at log-out."""
    venue = box_office_venue()
    first_closed = closed_card()
    use = (
        Use.objects.filter(
            venue=venue,
            occurred_at__gte=timezone.now() - dt.timedelta(days=30),
            card__closed_on__isnull=True,
            card__card_type="personal",
            card__pk__gt=first_closed.pk,  # closed_card() stays the card other tests use
        )
        .select_related("card")
        .order_by("-occurred_at")
        .first()
    )
    assert use is not None, "the demo has no recent use at the clerk's venue"
    card = use.card
    unknown = accepted_cards(1, skip=230)[0]  # valid, never used here
    # Closed at the distributor's after its visit here, before the box office syncs.
    card.status = CardStatus.CLOSED
    card.closed_on = timezone.localdate()
    card.closed_at = timezone.now()
    card.closing_reason = ClosingReason.LOST
    card.save()
    synced = AuditEvent.objects.filter(action=Action.CARD_STATES_SYNCED).count()

    page = new_page(timezone_id="Europe/Helsinki")
    log_in(page, CLERK)  # the box office opens and fetches the list
    page.wait_for_function(f"() => localStorage.getItem('{STATES}') !== null")
    assert AuditEvent.objects.filter(action=Action.CARD_STATES_SYNCED).count() == synced + 1
    # Two more loads of the page (the list kept, not fetched again). The list is awaited first: a
    # load that leaves before its fetch has answered fetches it again, and that fetch is audited too.
    cached_box_office(page)
    page.wait_for_timeout(500)
    assert AuditEvent.objects.filter(action=Action.CARD_STATES_SYNCED).count() == synced + 1
    stored = page.evaluate(f"() => JSON.parse(localStorage.getItem('{STATES}'))")
    assert stored["cards"][card.identifier]["verdict"] == "closed"
    assert unknown.identifier not in stored["cards"]
    as_of = timezone.localtime(dt.datetime.fromisoformat(stored["as_of"]))
    age = f"{as_of.hour}.{as_of.minute:02d}"

    go_offline(page)
    page.keyboard.type(card.identifier)
    page.keyboard.press("Enter")
    answer = page.locator('[data-verdict="offline"] [data-list-state]')
    answer.wait_for()
    assert answer.get_attribute("data-list-state") == "closed"
    assert f"Suljettu (tilanne {age})" in answer.inner_text()
    assert_accessible(page, "the box office offline, a closed card in the venue's list")

    page.locator(NUMBER).fill("")
    page.keyboard.type(unknown.identifier)
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-list-state="unknown"]')
    assert "Ei listalla" in page.locator('[data-list-state="unknown"]').inner_text()
    assert f"tilanne {age}" in page.locator('[data-list-state="unknown"]').inner_text()

    go_online(page)
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_load_state()
    assert page.evaluate(f"() => localStorage.getItem('{STATES}')") is None
    assert card.identifier not in page.evaluate("() => JSON.stringify(localStorage)")


def test_the_service_worker_keeps_every_script_and_style_of_the_group_visit_page(page):
    log_in(page, CLERK)
    cached_box_office(page)
    page.goto("/venue/group-visit/")
    assets = page.evaluate(
        """() => Array.from(document.querySelectorAll('script[src], link[rel=stylesheet]'))
             .map((e) => new URL(e.src || e.href).pathname)"""
    )
    assert any(path.endswith("group-visit.js") for path in assets)
    missing = page.evaluate(
        """async (paths) => {
             const name = (await caches.keys()).find((n) => n.startsWith('kaikukanta-box-office-'));
             const cache = await caches.open(name);
             const missing = [];
             for (const path of paths) if (!(await cache.match(path))) missing.push(path);
             return missing;
           }""",
        assets,
    )
    assert missing == []


def test_an_offline_queue_waits_for_its_own_clerk_after_a_log_out(new_page):
    """Clerk A's admissions, queued offline, are neither sent as clerk B nor shown to B when B logs in
    on the same phone next: they wait for A, and go in A's name when A is back."""
    card = accepted_cards(1, skip=240)[0]
    other_clerk = "kohde.nokia"
    page = new_page(viewport={"width": 360, "height": 740})
    log_in(page, CLERK)
    cached_box_office(page)
    go_offline(page)
    queue(page, card)
    # The connection returns, but the API does not answer yet: A logs out with the admission queued.
    page.route("**/api/v1/uses", lambda route: route.abort())
    page.context.set_offline(False)
    page.reload()
    page.wait_for_selector("[data-offline-note][hidden]", state="attached")
    assert page.locator("[data-waiting]").get_attribute("data-count") == "1"
    open_menu(page)
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_url(lambda url: "/venue/" not in url)
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if "/api/v1/uses" in request.url else None,
    )
    page.unroute("**/api/v1/uses")

    log_in(page, other_clerk)
    page.goto("/venue/")
    go_online(page)
    page.wait_for_timeout(1500)
    assert sent == []
    assert uses_of([card]) == 0
    assert page.locator("[data-waiting]").get_attribute("data-count") == "0"
    assert page.locator("[data-refused] li").count() == 0
    assert card.identifier[:5] not in page.locator("#offline-queue").inner_text()

    open_menu(page)
    page.get_by_role("button", name="Kirjaudu ulos").click()
    page.wait_for_url(lambda url: "/venue/" not in url)
    log_in(page, CLERK)
    page.goto("/venue/")
    page.wait_for_selector("[data-waiting][hidden]", state="attached", timeout=20_000)
    use = Use.objects.get(card=card, venue=box_office_venue())
    assert use.recorded_by.username == CLERK


def test_a_login_of_another_clerk_in_another_tab_does_not_take_over_the_waiting_queue(new_page):
    """Clerk A's login expired with admissions waiting; clerk B logs in in another tab. A's page
    must not send A's admissions with B's session: it keeps asking A to log in."""
    card = accepted_cards(1, skip=250)[0]
    page = new_page()
    log_in(page, CLERK)
    cached_box_office(page)
    go_offline(page)
    queue(page, card)
    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if "/api/v1/uses" in request.url else None,
    )
    page.context.clear_cookies()  # A's session has ended
    go_online(page)
    notice = page.locator("[data-login-needed]")
    notice.wait_for(state="visible", timeout=20_000)
    tries = len(sent)

    other = page.context.new_page()
    log_in(other, "kohde.nokia")
    page.bring_to_front()
    page.evaluate("() => window.dispatchEvent(new Event('focus'))")
    page.wait_for_timeout(1500)
    assert len(sent) == tries
    assert uses_of([card]) == 0
    assert notice.is_visible()
    assert page.locator("[data-waiting]").get_attribute("data-count") == "1"
    assert page.locator("[data-refused] li").count() == 0
