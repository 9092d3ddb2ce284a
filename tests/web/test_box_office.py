"""The box office as a clerk uses it: check, admit with tickets, admit at once on scan, the venue
remembered, a double tap recorded once, cancelling within the window, a group visit, the figures."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kaikukanta.audit.models import AuditEvent
from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import close_card, issue_card, update_holder_data
from kaikukanta.events.services import create_event
from kaikukanta.uses.models import GroupVisit, Use

from ..conftest import holder

VENUE = reverse("web:venue")
ADMIT = reverse("web:venue_admit")


@pytest.fixture
def clerk(client_as):
    return client_as("alpha_venue_staff")


def hidden(text, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', text)
    assert match, f"no hidden {name}"
    return match.group(1)


def admit_data(text, **changes):
    data = {
        "venue": hidden(text, "venue"),
        "identifier": hidden(text, "identifier"),
        "request_key": hidden(text, "request_key"),
        "adult_ticket": "on",
        "child_tickets": "0",
        "kind": "entry_ticket",
        "category": "culture",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_verdict_comes_first_and_the_number_field_comes_back_empty(clerk, alpha_card):
    text = clerk.post(
        VENUE, {"identifier": alpha_card.identifier}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        text.index('data-verdict="accepted"') < text.index('name="identifier" ')
        if 'name="identifier" ' in text
        else True
    )
    assert text.index("Accepted") < text.index("data-box-office-number")
    number_input = re.search(r"<input[^>]*data-box-office-number[^>]*>", text).group(0)
    assert "value=" not in number_input  # cleared for the next card
    assert "Child tickets at most" in text
    assert "Admit" in text
    assert alpha_card.issuing_site.name not in text


def test_admit_with_child_tickets_records_one_use_even_when_tapped_twice(clerk, world, alpha_card):
    text = clerk.post(VENUE, {"identifier": alpha_card.identifier}).content.decode()
    data = admit_data(text, child_tickets="2")
    first = clerk.post(ADMIT, data, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    assert 'data-verdict="admitted"' in first.content.decode()
    assert "2 child tickets" in first.content.decode()
    again = clerk.post(ADMIT, data, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    use = Use.objects.get()
    assert (use.adult_ticket, use.child_tickets, use.venue, use.recorded_by) == (
        True,
        2,
        world.alpha_venue,
        world.alpha_venue_staff,
    )


def test_more_child_tickets_than_the_card_allows_are_refused(clerk, alpha_card):
    text = clerk.post(VENUE, {"identifier": alpha_card.identifier}).content.decode()
    response = clerk.post(ADMIT, admit_data(text, child_tickets="3"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-verdict="refused"' in page
    assert not Use.objects.exists()
    # The service's refusal, beside the field, in the form sent back as it was (a new request key).
    child_input = re.search(r'<input[^>]*name="child_tickets"[^>]*>', page).group(0)
    assert 'value="3"' in child_input
    assert 'aria-invalid="true"' in child_input
    assert 'id="admit_child_tickets_error"' in page
    assert "gives at most 2 child tickets" in page.split('id="admit_child_tickets_error"')[1]
    assert hidden(page, "request_key") != hidden(text, "request_key")


def test_the_card_decides_the_child_tickets_when_recorded_not_when_checked(
    clerk, world, alpha_card
):
    """The check said 2; a child is added to the card before the clerk admits: 3 are recorded (the
    form's range from the check is no rule of its own)."""
    text = clerk.post(VENUE, {"identifier": alpha_card.identifier}).content.decode()
    update_holder_data(actor=world.alpha_distributor, card=alpha_card, holder=holder(children=3))
    response = clerk.post(ADMIT, admit_data(text, child_tickets="3"))
    assert response.status_code == 200
    assert Use.objects.get().child_tickets == 3


def test_admit_at_once_records_the_holders_ticket_on_the_scan(clerk, world, alpha_card):
    response = clerk.post(VENUE, {"identifier": alpha_card.identifier, "admit_now": "on"})
    assert 'data-verdict="admitted"' in response.content.decode()
    assert Use.objects.get().card == alpha_card
    # The choice is remembered for the next card; a card refused here is not recorded.
    box = re.search(r'<input[^>]*name="admit_now"[^>]*>', clerk.get(VENUE).content.decode())
    assert "checked" in box.group(0)
    closed = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    close_card(actor=world.alpha_distributor, card=closed, reason=ClosingReason.LOST)
    refused = clerk.post(VENUE, {"identifier": closed.identifier, "admit_now": "on"})
    assert 'data-verdict="refused"' in refused.content.decode()
    assert "is closed" in refused.content.decode()
    assert Use.objects.count() == 1


def test_admit_at_once_sent_twice_records_once(clerk, alpha_card):
    """The clerk's browser resends the form (a reload after a lost answer): the key drawn with the
    form makes the second sending find the first use."""
    page = clerk.get(VENUE).content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    body = {"identifier": alpha_card.identifier, "admit_now": "on", "request_key": key}
    first = clerk.post(VENUE, body)
    again = clerk.post(VENUE, body)
    assert 'data-verdict="admitted"' in first.content.decode()
    assert again.status_code == 200
    assert Use.objects.count() == 1


def test_the_venue_chosen_stays_chosen(client_as, world, alpha_card):
    coordinator = client_as("alpha_coordinator")  # acts for both of alpha's venues
    coordinator.post(
        VENUE, {"venue": world.alpha_course_venue.pk, "identifier": alpha_card.identifier}
    )
    page = coordinator.get(VENUE).content.decode()
    selected = re.search(r'<option value="(\d+)" selected>', page)
    assert selected
    assert int(selected.group(1)) == world.alpha_course_venue.pk
    assert f"Uses at {world.alpha_course_venue.name}" in page


def test_a_use_is_cancelled_within_the_window_with_an_audit_event(clerk, world, alpha_card):
    clerk.post(VENUE, {"identifier": alpha_card.identifier, "admit_now": "on"})
    use = Use.objects.get()
    page = clerk.get(VENUE).content.decode()
    cancel_url = reverse("web:venue_cancel_use", args=[use.pk])
    assert cancel_url in page
    response = clerk.post(cancel_url)
    assert 'data-verdict="cancelled"' in response.content.decode()
    assert not Use.objects.exists()
    assert AuditEvent.objects.filter(action="use.cancelled", object_id=str(use.pk)).exists()


def test_after_the_window_the_use_stays(clerk, alpha_card):
    clerk.post(VENUE, {"identifier": alpha_card.identifier, "admit_now": "on"})
    use = Use.objects.get()
    Use.objects.filter(pk=use.pk).update(recorded_at=timezone.now() - dt.timedelta(minutes=16))
    cancel_url = reverse("web:venue_cancel_use", args=[use.pk])
    assert cancel_url not in clerk.get(VENUE).content.decode()
    response = clerk.post(cancel_url)
    assert response.status_code == 409
    assert "15 minutes" in response.content.decode()
    assert Use.objects.filter(pk=use.pk).exists()


def test_another_venue_cannot_cancel(client_as, world, beta_card, clerk):
    client_as("beta_venue_staff").post(
        VENUE, {"identifier": beta_card.identifier, "admit_now": "on"}
    )
    use = Use.objects.get()
    assert clerk.post(reverse("web:venue_cancel_use", args=[use.pk])).status_code == 404
    assert Use.objects.exists()


def test_an_event_is_chosen_when_admitting_and_its_quota_holds(clerk, world, alpha_card):
    event = create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Konsertti",
        cardholder_quota=2,
    )
    text = clerk.post(VENUE, {"identifier": alpha_card.identifier}).content.decode()
    assert "Konsertti" in text
    response = clerk.post(ADMIT, admit_data(text, child_tickets="2", event=str(event.pk)))
    assert response.status_code == 409
    assert "Konsertti" in response.content.decode()
    ok = clerk.post(ADMIT, admit_data(text, child_tickets="1", event=str(event.pk)))
    assert ok.status_code == 200
    assert Use.objects.get().event == event


def test_todays_and_this_months_figures(clerk, world):
    for children in (0, 2):
        card = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        text = clerk.post(VENUE, {"identifier": card.identifier}).content.decode()
        clerk.post(ADMIT, admit_data(text, child_tickets=str(children)))
    page = clerk.get(VENUE).content.decode()
    assert page.count("2 uses, 2 child tickets") == 2  # today and this month


def test_a_group_visit_on_the_page(clerk, world, community_card, alpha_card):
    url = reverse("web:venue_group_visit")
    page = clerk.get(url).content.decode()
    key = hidden(page, "request_key")
    data = {
        "community_card": community_card.identifier,
        "member": alpha_card.identifier,
        "covered_clients": "2",
        "request_key": key,
        "action": "record",
    }
    response = clerk.post(url, data)
    assert response.status_code == 200, response.content.decode()
    assert "4 tickets in all." in response.content.decode()
    clerk.post(url, data)  # sent twice: recorded once
    visit = GroupVisit.objects.get()
    assert visit.uses.count() == 2
    wrong = clerk.post(
        url, {**data, "community_card": alpha_card.identifier, "request_key": "other-key-1"}
    )
    assert wrong.status_code == 422
    assert GroupVisit.objects.count() == 1


@pytest.mark.parametrize("venue", ["abc", "", "99999999"])
def test_an_admission_for_a_venue_that_is_not_a_number_or_not_the_clerks_is_refused_in_words(
    clerk, alpha_card, venue
):
    text = clerk.post(VENUE, {"identifier": alpha_card.identifier}).content.decode()
    for headers, status in [({}, 422), ({"HTTP_HX_REQUEST": "true"}, 200)]:  # htmx: in place
        response = clerk.post(ADMIT, admit_data(text, venue=venue), **headers)
        assert response.status_code == status
        page = response.content.decode()
        assert 'data-verdict="refused"' in page
        assert "The venue is not one of yours. Choose the venue and check the card again." in page
    assert not Use.objects.exists()
