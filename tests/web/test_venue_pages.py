"""The venue's other pages: its events (quota left), its history with totals and CSV, API tokens."""

import csv
import io

from django.urls import reverse

from kaikukanta.accounts.tokens import ApiToken
from kaikukanta.audit.models import AuditEvent
from kaikukanta.events.models import Event
from kaikukanta.uses.services import record_use

from ..conftest import new_key


def test_events_are_added_edited_and_show_what_is_left(client_as, world, alpha_card):
    clerk = client_as("alpha_venue_staff")
    response = clerk.post(
        reverse("web:venue_events"),
        {"title": "Konsertti", "starts_at": "20.6.2026 18:00", "cardholder_quota": "3"},
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.venue, event.cardholder_quota) == (world.alpha_venue, 3)
    record_use(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        card_identifier=alpha_card.identifier,
        idempotency_key=new_key(),
        child_tickets=1,
        event=event,
    )
    page = clerk.get(reverse("web:venue_events")).content.decode()
    assert "Konsertti" in page
    assert "<td>1</td>" in page  # 3 - (1 adult + 1 child)
    edit = reverse("web:venue_event", args=[event.pk])
    saved = clerk.post(
        edit, {"title": "Konsertti (siirretty)", "cardholder_quota": "3", "sold_out": "on"}
    )
    assert saved.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.sold_out, event.starts_at) == ("Konsertti (siirretty)", True, None)
    audit = AuditEvent.objects.filter(action="event.changed").latest("pk")
    assert audit.data["changed"] == ["sold_out", "starts_at", "title"]
    assert "Konsertti" not in str(audit.data)  # no typed text in the audit trail
    assert clerk.post(reverse("web:venue_events"), {"title": ""}).status_code == 422
    # Another venue's staff neither see nor edit it.
    assert client_as("beta_venue_staff").get(edit).status_code == 404


def test_history_totals_and_csv_are_the_venues_own(client_as, world, alpha_card, beta_card):
    for card, venue, staff, children in [
        (alpha_card, world.alpha_venue, world.alpha_venue_staff, 2),
        (alpha_card, world.alpha_venue, world.alpha_venue_staff, 0),
        (beta_card, world.beta_venue, world.beta_venue_staff, 1),
    ]:
        record_use(
            actor=staff,
            venue=venue,
            card_identifier=card.identifier,
            idempotency_key=new_key(),
            child_tickets=children,
        )
    clerk = client_as("alpha_venue_staff")
    page = clerk.get(reverse("web:venue_history")).content.decode()
    assert "<dt>Uses</dt><dd>2</dd>" in page
    assert "<dt>Child tickets</dt><dd>2</dd>" in page
    assert beta_card.display_identifier not in page
    response = clerk.get(reverse("web:venue_history"), {"format": "csv", "kind": "entry_ticket"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert len(rows) == 3  # the header and two uses
    assert {row[1] for row in rows[1:]} == {alpha_card.display_identifier}
    assert sorted(row[7] for row in rows[1:]) == ["0", "2"]
    event = AuditEvent.objects.get(action="uses.exported")
    assert event.actor == world.alpha_venue_staff
    assert event.data == {"venues": [world.alpha_venue.pk], "filters": ["kind"]}


def test_a_token_is_shown_once_listed_and_revoked(client_as, world):
    clerk = client_as("alpha_venue_staff")
    no_venue = clerk.post(reverse("web:venue_api_tokens"), {"kind": "own", "name": "Kassa 2"})
    assert no_venue.status_code == 422
    made = clerk.post(
        reverse("web:venue_api_tokens"),
        {"kind": "own", "name": "Kassa 2", "venues": [world.alpha_venue.pk]},
    )
    assert made.status_code == 201
    token = ApiToken.objects.get()
    secret = token.prefix + made.content.decode().split(token.prefix, 1)[1].split("<", 1)[0]
    page = clerk.get(reverse("web:venue_api_tokens")).content.decode()
    assert "Kassa 2" in page
    assert "A token works for 365 days after it is made" in page
    assert f"<td>{token.expires_at:%-d.%-m.%Y}</td>" in page  # a year from today, the Finnish way
    assert secret not in page  # shown once
    # A colleague's token is on the venue's page; another venue's staff cannot revoke it.
    assert (
        client_as("beta_venue_staff")
        .post(reverse("web:venue_api_token_revoke", args=[token.pk]), {"confirmed": "yes"})
        .status_code
        == 404
    )
    revoke = reverse("web:venue_api_token_revoke", args=[token.pk])
    assert revoke in page
    asked = clerk.get(revoke)
    assert "Revoke the API token Kassa 2?" in asked.content.decode()
    assert "Make a new token on this page" in asked.content.decode()
    clerk.post(revoke)  # without the confirmation: nothing happens
    token.refresh_from_db()
    assert token.revoked_at is None
    clerk.post(revoke, {"confirmed": "yes"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_a_coordinator_authorises_a_ticket_agency(client_as, world):
    from kaikukanta.network.models import Organisation, TicketAgency

    agency = TicketAgency.objects.create(
        name="Lippupalvelu", organisation=Organisation.objects.create(name="Liput", kind="private")
    )
    agency.venues.add(world.alpha_venue)
    coordinator = client_as("alpha_coordinator")
    made = coordinator.post(
        reverse("web:venue_api_tokens"),
        {"kind": "agency", "agency": agency.pk, "venues": [world.alpha_venue.pk], "name": "Myynti"},
    )
    assert made.status_code == 201
    token = ApiToken.objects.get()
    assert token.agency == agency
    assert list(token.venues.all()) == [world.alpha_venue]
    assert (
        "Myynti"
        in client_as("alpha_venue_staff").get(reverse("web:venue_api_tokens")).content.decode()
    )
