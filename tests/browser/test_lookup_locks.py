"""A coordinator sees a lock of look-ups at one of the region's venues on the region's page, on a
360 px phone, and lifts it (issue 15); axe-core on the page with the lock and after lifting it."""

from kaikukanta.accounts.models import User
from kaikukanta.audit.models import AuditEvent
from kaikukanta.cards import lookups
from kaikukanta.network.models import Venue

from .support import assert_accessible, assert_no_sideways_scroll, log_in

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


def test_a_coordinator_lifts_a_lock_of_a_venue_of_the_region(new_page):
    venue = Venue.objects.filter(region__slug="tampere").order_by("name").first()
    _user_window, venue_window = lookups.legacy_windows()
    venue_window.hit(lookups.venue_subject(venue), venue_window.limit)
    page = new_page(**PHONE)
    log_in(page, "tampere.sote")
    page.wait_for_url("**/regions/tampere/")
    assert page.get_by_role("heading", name="Lukitut haut").is_visible()
    lift = page.get_by_role("button", name=f"Poista kohteen {venue.display_name} lukitus")
    assert lift.is_visible()
    assert_accessible(page, "region page with a lock")
    assert_no_sideways_scroll(page, "region page with a lock")
    lift.click()
    page.get_by_text("Lukitus on poistettu").wait_for()
    assert page.get_by_role("heading", name="Lukitut haut").count() == 0
    assert_accessible(page, "region page after lifting the lock")
    coordinator = User.objects.get(username="tampere.sote")
    assert lookups.locks_in(coordinator, venue.region) == []
    assert AuditEvent.objects.filter(action="lookup.lock_lifted", venue=venue).exists()
