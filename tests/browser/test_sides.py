"""The culture / social-and-health split, as the social and health coordinator of Tampere meets it:
a venue's catalogue entry, its events and a ticket agency's token are the culture side's work, and
each page says so, naming the region's culture coordinator, instead of a bare "not found"; the
refusal page passes axe."""

from kaikukanta.accounts.models import Role, RoleAssignment
from kaikukanta.network.models import Venue

from .support import assert_accessible, assert_no_sideways_scroll, log_in

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}


def culture_coordinator() -> str:
    assignment = RoleAssignment.objects.select_related("user").get(
        role=Role.COORDINATOR_CULTURE, region__slug="tampere"
    )
    return assignment.user.display_name


def test_the_sote_coordinator_is_told_whose_work_a_venues_is(new_page):
    page = new_page(**PHONE)
    log_in(page, "tampere.sote")
    page.wait_for_url("**/regions/tampere/")
    name = culture_coordinator()
    venue = Venue.objects.filter(region__slug="tampere").order_by("name").first()

    # The venue's catalogue entry: a 403 page with the reason and the next step.
    response = page.goto(f"/catalogue-entries/venue/{venue.pk}/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Toisen puolen tehtävä"
    reason = page.locator("#refusal-reason").inner_text()
    assert "kulttuuripuolen tehtävä" in reason
    assert f"kulttuuripuolen vastuuhenkilö: {name}." in reason
    assert "Tampere" in reason
    assert page.get_by_role("link", name="Omat tehtäväsi alueella Tampere").is_visible()
    assert_accessible(page, "the other side's work")
    assert_no_sideways_scroll(page, "the other side's work")

    # The events: listed (the box office admits to them), but no form to add one, and the reason.
    page.goto("/venue/events/")
    assert page.get_by_role("button", name="Lisää tapahtuma").count() == 0
    assert f"kulttuuripuolen vastuuhenkilö: {name}." in page.locator("#refusal-reason").inner_text()
    assert_accessible(page, "events, seen by the other side")

    # A ticket agency's token: no form, the reason in its place.
    page.goto("/venue/api-tokens/")
    assert page.get_by_role("button", name="Valtuuta lipunmyyjä").count() == 0
    assert f"kulttuuripuolen vastuuhenkilö: {name}." in page.locator("#refusal-reason").inner_text()
    assert_accessible(page, "API tokens, seen by the other side")

    # Adding a venue in the region's network: the same explanation, not a 404.
    response = page.goto("/network/tampere/venues/new/")
    assert response.status == 403
    assert f"kulttuuripuolen vastuuhenkilö: {name}." in page.locator("#refusal-reason").inner_text()
