"""The box office's answers that warn and name, and the group visit built from a scanner (issue 15):
refusal titles that say what is wrong, "already admitted today", events with their tickets left, an
htmx refusal answered as a swap (200), and a group visit whose members are checked one by one, a bad
one removed without losing the others, and whose clients without a card are stored as such."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kaikukanta.cards import identifiers
from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import close_card, issue_card
from kaikukanta.events.services import create_event
from kaikukanta.uses.models import GroupVisit, Use
from kaikukanta.uses.services import record_group_visit

from ..conftest import holder, new_key

VENUE = reverse("web:venue")
ADMIT = reverse("web:venue_admit")
GROUP = reverse("web:venue_group_visit")


@pytest.fixture
def clerk(client_as):
    return client_as("alpha_venue_staff")


def title(text):
    return re.search(r'<p class="verdict-title">([^<]*)</p>', text).group(1)


def test_an_unknown_number_answers_htmx_with_a_swap_not_an_error(clerk):
    answer = clerk.post(VENUE, {"identifier": identifiers.generate()}, HTTP_HX_REQUEST="true")
    # django-htmx's debug script replaces the whole page with a 404: the refusal comes as a 200.
    assert answer.status_code == 200
    text = answer.content.decode()
    assert title(text) == "No such card"
    assert "No card has the number" in text
    # Without JavaScript the page keeps the status that says what happened.
    assert clerk.post(VENUE, {"identifier": identifiers.generate()}).status_code == 404


def test_refusal_titles_say_what_is_wrong(clerk, world, community_card):
    closed = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    close_card(actor=world.alpha_distributor, card=closed, reason=ClosingReason.LOST)
    assert title(clerk.post(VENUE, {"identifier": closed.identifier}).content.decode()) == "Closed"
    expired = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    type(expired).objects.filter(pk=expired.pk).update(
        issued_on=dt.date(2020, 1, 1), valid_until=dt.date(2020, 12, 31)
    )
    text = clerk.post(VENUE, {"identifier": expired.identifier}).content.decode()
    assert title(text) == "Expired"
    text = clerk.post(VENUE, {"identifier": community_card.identifier}).content.decode()
    assert title(text) == "Community card: group visits only"
    # A card valid elsewhere that this venue does not take.
    world.alpha_venue.accepts_other_regions = False
    world.alpha_venue.save()
    beta = issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())
    text = clerk.post(VENUE, {"identifier": beta.identifier}).content.decode()
    assert title(text) == "Not accepted at this venue"


def test_a_card_admitted_today_says_when_and_is_not_admitted_at_once_again(clerk, alpha_card):
    clerk.post(VENUE, {"identifier": alpha_card.identifier, "admit_now": "on"})
    first = Use.objects.get()
    again = clerk.post(VENUE, {"identifier": alpha_card.identifier, "admit_now": "on"})
    text = again.content.decode()
    at = timezone.localtime(first.occurred_at).strftime("%H.%M")
    assert f"Already admitted today at {at}" in text
    # The clerk decides: the Admit button is there, nothing was recorded a second time.
    assert 'data-verdict="accepted"' in text
    assert "data-admit-form" in text
    assert Use.objects.count() == 1


def test_events_show_the_tickets_left_and_sold_out(clerk, world, alpha_card):
    create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Konsertti",
        cardholder_quota=3,
    )
    full = create_event(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, title="Ooppera", cardholder_quota=1
    )
    text = clerk.post(VENUE, {"identifier": alpha_card.identifier}).content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', text.split("data-admit-form")[1])
    clerk.post(
        ADMIT,
        {
            "venue": world.alpha_venue.pk,
            "identifier": alpha_card.identifier,
            "request_key": key.group(1),
            "adult_ticket": "on",
            "child_tickets": "0",
            "kind": "entry_ticket",
            "category": "culture",
            "event": full.pk,
        },
    )
    page = clerk.get(VENUE).content.decode()
    assert "Konsertti" in page
    assert "3 of 3 cardholder tickets left" in page
    assert re.search("Ooppera[^<]* \N{EN DASH} <strong>sold out</strong>", page)
    other = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    text = clerk.post(VENUE, {"identifier": other.identifier}).content.decode()
    assert "Konsertti \N{EN DASH} 3 cardholder tickets left" in text  # the Admit form's choice
    assert "Ooppera \N{EN DASH} sold out" in text
    key = re.search(r'name="request_key" value="([^"]+)"', text.split("data-admit-form")[1])
    refused = clerk.post(
        ADMIT,
        {
            "venue": world.alpha_venue.pk,
            "identifier": other.identifier,
            "request_key": key.group(1),
            "adult_ticket": "on",
            "child_tickets": "0",
            "kind": "entry_ticket",
            "category": "culture",
            "event": full.pk,
        },
    ).content.decode()
    assert "are sold out: all 1 have been given" in refused
    assert "running out" not in refused


def test_latest_uses_show_their_date_when_not_today(clerk, alpha_card):
    clerk.post(VENUE, {"identifier": alpha_card.identifier, "admit_now": "on"})
    use = Use.objects.get()
    Use.objects.filter(pk=use.pk).update(occurred_at=use.occurred_at - dt.timedelta(days=2))
    page = clerk.get(VENUE).content.decode()
    day = timezone.localtime(use.occurred_at - dt.timedelta(days=2)).date()
    assert f"{day.day}.{day.month}.{day.year} " in page.split("latest-uses")[1]


# --- the group visit, line by line --------------------------------------------------------------


def group_page(clerk):
    page = clerk.get(GROUP).content.decode()
    return {"request_key": re.search(r'name="request_key" value="([^"]+)"', page).group(1)}


def carried(text):
    """The form's fields as the browser would send them back: the member lines' hidden fields and
    their child-ticket counters."""
    data: dict[str, list[str]] = {}
    for name in ("member", "member_verdict", "member_most", "member_admitted", "member_children"):
        data[name] = re.findall(rf'name="{name}"[^>]*value="([^"]*)"', text)
    return data


def test_a_group_visit_checks_each_member_and_keeps_the_others_when_one_is_removed(
    clerk, world, community_card
):
    good = [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder(children=2))
        for _ in range(2)
    ]
    closed = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    close_card(actor=world.alpha_distributor, card=closed, reason=ClosingReason.LOST)
    unknown = identifiers.generate()
    base = {
        **group_page(clerk),
        "community_card": community_card.identifier,
        "covered_clients": "0",
    }
    lines: dict[str, list[str]] = {}
    for number in (good[0].identifier, closed.identifier, unknown, good[1].identifier):
        answer = clerk.post(
            GROUP, {**base, **lines, "member_number": number}, HTTP_HX_REQUEST="true"
        )
        assert answer.status_code == 200
        text = answer.content.decode()
        lines = carried(text)
    assert lines["member_verdict"] == ["accepted", "closed", "unknown", "accepted"]
    assert 'value="' + identifiers.display(good[1].identifier) not in text  # the field is emptied
    assert title(text) == "Accepted"
    assert "Members: 4" in text
    # Recording with the closed card names it, and keeps every line.
    lines["member_children"] = ["1", "0", "0", "2"]
    refused = clerk.post(GROUP, {**base, **lines, "action": "record"}, HTTP_HX_REQUEST="true")
    text = refused.content.decode()
    assert refused.status_code == 200
    assert 'data-verdict="refused"' in text
    assert (
        identifiers.display(closed.identifier) in text.split("verdict-area")[1].split("</div>")[0]
    )
    assert carried(text)["member"] == list(lines["member"])
    assert not GroupVisit.objects.exists()
    # Remove the closed one and the unknown one: the others stay, with their child tickets.
    lines = carried(clerk.post(GROUP, {**base, **lines, "remove": "1"}).content.decode())
    lines = carried(clerk.post(GROUP, {**base, **lines, "remove": "1"}).content.decode())
    assert lines["member"] == [good[0].identifier, good[1].identifier]
    assert lines["member_children"] == ["1", "2"]
    done = clerk.post(GROUP, {**base, **lines, "covered_clients": "2", "action": "record"})
    assert done.status_code == 200
    # The worker, 2 clients without a card, and each member with their child tickets: 1+2+2+3.
    assert "8 tickets in all." in done.content.decode()
    visit = GroupVisit.objects.get()
    uses = {u.card_id: (u.child_tickets, u.clients_without_card) for u in visit.uses.all()}
    assert uses == {community_card.pk: (0, 2), good[0].pk: (1, 0), good[1].pk: (2, 0)}


def test_enter_in_a_field_only_adds_never_records(clerk, world, community_card):
    member = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    base = {
        **group_page(clerk),
        "community_card": community_card.identifier,
        "covered_clients": "0",
    }
    clerk.post(
        GROUP, {**base, "member_number": member.identifier}
    )  # no "action": a scanner's Enter
    clerk.post(GROUP, {**base, "member": member.identifier, "member_number": ""})
    assert not GroupVisit.objects.exists()


def test_clients_without_a_card_are_exported_as_such_not_as_child_tickets(
    clerk, world, community_card, alpha_card
):
    record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[alpha_card.identifier],
        covered_client_ages=[10, 12, 14],
        idempotency_key=new_key(),
    )
    response = clerk.get(reverse("web:venue_history"), {"format": "csv"})
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    header, body = rows[0], rows[1:]
    assert "Clients without a card" in header
    by_card = {row[1]: dict(zip(header, row, strict=True)) for row in body}
    worker = by_card[community_card.display_identifier]
    assert (worker["Child tickets"], worker["Clients without a card"]) == ("0", "3")
    page = clerk.get(reverse("web:venue_history")).content.decode()
    assert "3 clients without a card" in page


def test_an_events_quota_counts_the_clients_without_a_card(world, community_card):
    event = create_event(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, title="Teatteri", cardholder_quota=5
    )
    record_group_visit(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        community_card_identifier=community_card.identifier,
        members=[],
        covered_client_ages=[10, 12],
        idempotency_key=new_key(),
        event=event,
    )
    assert event.tickets_left() == 2
