"""Recording through the API: idempotent writes (201, 200 with the same id, 409), the rules' refusals
with their own status, cancelling within the window, the caller's uses a page at a time, events with
what is left of their quota, and systems signing in with Bearer tokens."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kaikukanta.accounts.tokens import ApiToken
from kaikukanta.api.services import create_agency_token, create_api_token, revoke_api_token
from kaikukanta.audit.models import AuditEvent
from kaikukanta.cards import identifiers
from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import close_card, issue_card
from kaikukanta.core.errors import DomainError
from kaikukanta.events.services import create_event
from kaikukanta.network.models import Organisation, TicketAgency
from kaikukanta.uses.models import Use

from ..conftest import holder, sign_in

USES = "/api/v1/uses"


def session(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def post(client, url, body, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, body, content_type="application/json", **headers)


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["code"]


def use_body(world, card, **extra):
    return {"venue": world.alpha_venue.pk, "card": card.identifier, **extra}


def test_a_use_is_created_once_per_key(world, alpha_card):
    client = session(world.alpha_venue_staff)
    body = use_body(world, alpha_card, child_tickets=2)
    first = post(client, USES, body, key="till-1-000001")
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["card"] == identifiers.display(alpha_card.identifier)
    assert (created["adult_ticket"], created["child_tickets"], created["kind"]) == (
        True,
        2,
        "entry_ticket",
    )
    assert created["category"] == "culture"  # the venue's
    again = post(client, USES, body, key="till-1-000001")
    assert again.status_code == 200
    assert again.json()["id"] == created["id"]
    other = post(client, USES, {**body, "child_tickets": 1}, key="till-1-000001")
    assert error_of(other, 409) == "idempotency_conflict"
    assert Use.objects.count() == 1


def test_a_write_without_a_key_is_refused_before_anything_is_recorded(world, alpha_card):
    response = post(session(world.alpha_venue_staff), USES, use_body(world, alpha_card))
    assert error_of(response, 422) == "invalid_input"
    assert not Use.objects.exists()


def test_the_rules_refusals_keep_their_status_and_code(world, alpha_card):
    client = session(world.alpha_venue_staff)
    too_many = post(client, USES, use_body(world, alpha_card, child_tickets=3), key="k-00000001")
    assert error_of(too_many, 422) == "too_many_child_tickets"
    assert too_many.json()["field"] == "child_tickets"
    typo = alpha_card.identifier[:-1] + ("A" if alpha_card.identifier[-1] != "A" else "B")
    response = post(client, USES, {"venue": world.alpha_venue.pk, "card": typo}, key="k-00000002")
    # A typed number whose check character does not match: a typing error, never "no such card".
    assert error_of(response, 422) == "identifier_check_failed"
    assert response.json()["field"] == "card"
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.LOST)
    closed = post(client, USES, use_body(world, alpha_card), key="k-00000003")
    assert error_of(closed, 422) == "card_closed"
    foreign = post(
        client, USES, {"venue": world.beta_venue.pk, "card": alpha_card.identifier}, key="k-0004"
    )
    assert error_of(foreign, 404) == "venue_unknown"
    assert not Use.objects.exists()


def test_a_queued_use_keeps_its_devices_time_and_a_wrong_clock_is_noted(world, alpha_card):
    """An offline queue sends the device's time of admission and its clock at sending: the use keeps
    the time given; a clock 2 hours behind is noted in the audit trail, not corrected."""
    from kaikukanta.audit.models import Action

    client = session(world.alpha_venue_staff)
    now = timezone.now()
    admitted = now - dt.timedelta(hours=2, minutes=30)
    body = use_body(
        world,
        alpha_card,
        occurred_at=admitted.isoformat(),
        sent_at=(now - dt.timedelta(hours=2)).isoformat(),
    )
    response = post(client, USES, body, key="queue-000000001")
    assert response.status_code == 201, response.content
    assert Use.objects.get().occurred_at == admitted
    recorded = AuditEvent.objects.filter(action=Action.USE_RECORDED).latest("pk")
    assert abs(recorded.data["device_clock_off_seconds"] - 7200) < 60
    # A clock right to within minutes leaves no note.
    body = use_body(world, alpha_card, occurred_at=now.isoformat(), sent_at=now.isoformat())
    assert post(client, USES, body, key="queue-000000002").status_code == 201
    recorded = AuditEvent.objects.filter(action=Action.USE_RECORDED).latest("pk")
    assert "device_clock_off_seconds" not in recorded.data
    # A time in the future is refused (and audited with the clock's note), never moved.
    ahead = now + dt.timedelta(hours=3)
    body = use_body(world, alpha_card, occurred_at=ahead.isoformat(), sent_at=ahead.isoformat())
    assert error_of(post(client, USES, body, key="queue-000000003"), 422) == "date_in_future"
    rejected = AuditEvent.objects.filter(action=Action.USE_REJECTED).latest("pk")
    assert rejected.data["device_clock_off_seconds"] < -3 * 3600 + 60


def test_the_check_predicts_the_api_recording(world, alpha_card, beta_card):
    client = session(world.alpha_venue_staff)
    for card in (alpha_card, beta_card):
        check = post(client, "/api/v1/checks", use_body(world, card)).json()
        use = post(client, USES, use_body(world, card), key=f"predict-{card.pk:04d}")
        assert check["accepted"] == (use.status_code == 201)
        if not check["accepted"]:
            assert use.json()["code"] == check["refusal"]["code"]


def test_a_use_is_cancelled_within_the_window_and_then_no_more(world, alpha_card):
    client = session(world.alpha_venue_staff)
    created = post(client, USES, use_body(world, alpha_card), key="cancel-0001").json()
    cancelled = post(client, f"{USES}/{created['id']}/cancel", {})
    assert cancelled.status_code == 200
    assert not Use.objects.exists()
    event = AuditEvent.objects.get(action="use.cancelled")
    assert event.object_id == str(created["id"])
    assert event.actor == world.alpha_venue_staff
    assert error_of(post(client, f"{USES}/{created['id']}/cancel", {}), 404) == "use_unknown"

    late = post(client, USES, use_body(world, alpha_card), key="cancel-0002").json()
    # Recorded 16 minutes ago (the window is 15): recorded_at is the server's own clock.
    Use.objects.filter(pk=late["id"]).update(recorded_at=timezone.now() - dt.timedelta(minutes=16))
    assert error_of(post(client, f"{USES}/{late['id']}/cancel", {}), 409) == "cancel_too_late"
    assert Use.objects.filter(pk=late["id"]).exists()


def test_a_retry_of_a_cancelled_request_does_not_record_it_again(world, alpha_card):
    """An offline queue or a reload sending the same request after the venue cancelled it."""
    client = session(world.alpha_venue_staff)
    body = use_body(world, alpha_card)
    created = post(client, USES, body, key="cancel-0003").json()
    assert post(client, f"{USES}/{created['id']}/cancel", {}).status_code == 200
    assert error_of(post(client, USES, body, key="cancel-0003"), 409) == "use_cancelled"
    assert not Use.objects.exists()
    # A new admission, with a new key, is recorded as usual.
    assert post(client, USES, body, key="cancel-0004").status_code == 201


def test_another_venue_cannot_cancel_a_use(world, beta_card):
    client = session(world.beta_venue_staff)
    body = {"venue": world.beta_venue.pk, "card": beta_card.identifier}
    created = post(client, USES, body, key="beta-000001").json()
    response = post(session(world.alpha_venue_staff), f"{USES}/{created['id']}/cancel", {})
    assert error_of(response, 404) == "use_unknown"
    assert Use.objects.filter(pk=created["id"]).exists()


def test_the_list_shows_the_callers_venues_a_page_at_a_time(world, alpha_card, beta_card):
    alpha = session(world.alpha_venue_staff)
    cards = [alpha_card] + [
        issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
        for _ in range(4)
    ]
    ids = [
        post(alpha, USES, use_body(world, card), key=f"list-{i:05d}").json()["id"]
        for i, card in enumerate(cards)
    ]
    post(
        session(world.beta_venue_staff),
        USES,
        {"venue": world.beta_venue.pk, "card": beta_card.identifier},
        key="list-beta-1",
    )
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = alpha.get(USES, query).json()
        seen += [use["id"] for use in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)  # all five, none of beta's, none twice
    assert alpha.get(USES, {"venue": world.beta_venue.pk}).status_code == 404
    assert alpha.get(USES, {"since": "2026-06-16"}).json()["items"] == []
    assert len(alpha.get(USES, {"since": "2026-06-15", "until": "2026-06-15"}).json()["items"]) == 5
    assert error_of(alpha.get(USES, {"cursor": "nonsense!"}), 422) == "cursor_invalid"


def test_events_show_what_is_left_of_their_quota(world, alpha_card):
    event = create_event(
        actor=world.alpha_venue_staff,
        venue=world.alpha_venue,
        title="Konsertti",
        cardholder_quota=5,
    )
    open_event = create_event(
        actor=world.alpha_venue_staff, venue=world.alpha_venue, title="Näyttely"
    )
    client = session(world.alpha_venue_staff)
    post(client, USES, use_body(world, alpha_card, child_tickets=2, event=event.pk), key="ev-00001")
    listed = {e["title"]: e for e in client.get("/api/v1/events").json()}
    assert listed["Konsertti"]["tickets_left"] == 2
    assert listed["Näyttely"]["tickets_left"] is None
    assert listed["Näyttely"]["id"] == open_event.pk
    other = issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())
    over = post(
        client, USES, use_body(world, other, child_tickets=2, event=event.pk), key="ev-00002"
    )
    assert error_of(over, 409) == "quota_exhausted"
    assert session(world.beta_venue_staff).get("/api/v1/events").json() == []


def test_a_group_visit_through_the_api(world, community_card, alpha_card):
    client = session(world.alpha_venue_staff)
    body = {
        "venue": world.alpha_venue.pk,
        "community_card": community_card.identifier,
        "members": [{"card": alpha_card.identifier, "child_tickets": 1}],
        "covered_client_ages": [10, 12],
    }
    first = post(client, "/api/v1/group-visits", body, key="group-00001")
    assert first.status_code == 201, first.content
    assert first.json()["tickets"] == 1 + 2 + 1 + 1
    again = post(client, "/api/v1/group-visits", body, key="group-00001")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    course = post(
        client, "/api/v1/group-visits", {**body, "kind": "course_place"}, key="group-00002"
    )
    assert error_of(course, 422) == "community_card_not_for_courses"


# --- Bearer tokens ---------------------------------------------------------------------------------


def bearer(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def test_a_users_token_acts_as_the_user_without_csrf(world, alpha_card):
    token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa 2"
    )
    stored = ApiToken.objects.get()
    assert secret not in (stored.key_hash, stored.prefix)
    assert stored.prefix == secret[:8]
    client = bearer(secret)
    client.handler.enforce_csrf_checks = True
    assert [v["id"] for v in client.get("/api/v1/venues").json()] == [world.alpha_venue.pk]
    created = post(client, USES, use_body(world, alpha_card), key="bearer-0001")
    assert created.status_code == 201
    assert Use.objects.get().recorded_by == world.alpha_venue_staff
    revoke_api_token(actor=world.alpha_venue_staff, token=token)
    assert error_of(bearer(secret).get("/api/v1/venues"), 401) == "invalid_token"
    assert error_of(bearer("kk_made-up").get("/api/v1/venues"), 401) == "invalid_token"


def test_a_token_is_only_for_users_with_venues_and_made_by_themselves(world):
    with pytest.raises(DomainError) as refused:
        create_api_token(actor=world.alpha_distributor, user=world.alpha_distributor, name="x")
    assert refused.value.code == "token_needs_venues"
    with pytest.raises(DomainError) as refused:
        create_api_token(actor=world.beta_venue_staff, user=world.alpha_venue_staff, name="x")
    assert refused.value.code == "not_allowed"


def test_an_agency_token_acts_for_its_authorised_venues_only(world, alpha_card):
    agency = TicketAgency.objects.create(
        name="Lippupalvelu",
        organisation=Organisation.objects.create(name="Liput Oy", kind="private"),
    )
    agency.venues.add(world.alpha_venue, world.alpha_course_venue)
    with pytest.raises(DomainError) as refused:
        create_agency_token(
            actor=world.beta_coordinator,
            agency=agency,
            venues=[world.alpha_venue],
            name="x",
            verified=True,
        )
    assert refused.value.code == "not_allowed"
    with pytest.raises(DomainError) as refused:
        create_agency_token(
            actor=world.alpha_coordinator,
            agency=agency,
            venues=[world.beta_venue],
            name="x",
            verified=True,
        )
    assert refused.value.code in {"not_allowed", "venue_not_sold_by_agency"}
    _token, secret = create_agency_token(
        actor=world.alpha_coordinator,
        agency=agency,
        venues=[world.alpha_venue],
        name="Myynti",
        verified=True,
    )
    client = bearer(secret)
    assert [v["id"] for v in client.get("/api/v1/venues").json()] == [world.alpha_venue.pk]
    assert post(client, USES, use_body(world, alpha_card), key="agency-0001").status_code == 201
    course = {"venue": world.alpha_course_venue.pk, "card": alpha_card.identifier}
    assert error_of(post(client, USES, course, key="agency-0002"), 404) == "venue_unknown"


def test_the_command_prints_a_working_token(world):
    out = io.StringIO()
    call_command("create_api_token", "alpha_venue", stdout=out)
    secret = out.getvalue().strip()
    assert bearer(secret).get("/api/v1/venues").status_code == 200


def test_the_docs_page_documents_every_operation_without_outside_scripts(client, db):
    page = client.get("/api/v1/docs").content.decode()
    for operation in [
        "POST /api/v1/checks",
        "POST /api/v1/uses",
        "GET /api/v1/uses",
        "POST /api/v1/group-visits",
        "POST /api/v1/uses/{use_id}/cancel",
        "GET /api/v1/events",
        "GET /api/v1/venues",
    ]:
        assert f"<code>{operation}</code>" in page
    assert "Idempotency-Key" in page
    assert "cdn" not in page.lower()


def test_the_apis_categories_are_the_venues():
    from typing import get_args

    from kaikukanta.api.v1.uses import Category
    from kaikukanta.network.models import Venue

    assert set(get_args(Category)) == set(Venue.Category.values)


def test_a_refusal_retried_after_a_lost_answer_is_audited_and_counted_once(world, alpha_card):
    """An offline queue whose answer was lost sends the same request again: refused again, the
    same way, but the audit trail and the look-up counters have it once. Another request is
    another refusal."""
    from kaikukanta.audit.models import Action

    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.LOST)
    unknown = identifiers.generate()
    client = session(world.alpha_venue_staff)
    for _ in range(3):
        assert error_of(post(client, USES, use_body(world, alpha_card), key="queue-lost-01"), 422)
        body = {"venue": world.alpha_venue.pk, "card": unknown}
        assert error_of(post(client, USES, body, key="queue-lost-02"), 404) == "card_not_found"
    rejected = AuditEvent.objects.filter(action=Action.USE_REJECTED)
    assert sorted(event.data["code"] for event in rejected) == ["card_closed", "card_not_found"]
    assert error_of(post(client, USES, use_body(world, alpha_card), key="queue-lost-03"), 422)
    assert AuditEvent.objects.filter(action=Action.USE_REJECTED).count() == 3


def test_since_my_last_sync_brings_an_admission_recorded_later_with_an_earlier_time(
    world, alpha_card
):
    """An admission made offline at 10.00 and sent at 12.00 is new to the integrator who synced at
    11.00: a `since` moment asks what the registry recorded since, a `since` day what took place."""
    client = session(world.alpha_venue_staff)
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(hours=3), tick=False):
        post(client, USES, use_body(world, alpha_card), key="sync-old-1")
    last_sync = now - dt.timedelta(hours=1)
    backdated = post(
        client,
        USES,
        use_body(world, alpha_card, occurred_at=(now - dt.timedelta(hours=2)).isoformat()),
        key="sync-offline-1",
    )
    assert backdated.status_code == 201, backdated.content
    offline = backdated.json()["id"]
    with time_machine.travel(now + dt.timedelta(minutes=1), tick=False):
        fresh = post(client, USES, use_body(world, alpha_card), key="sync-new-1").json()["id"]
    seen, cursor = [], None
    while True:  # a page at a time, ordered by when each was recorded: newest first
        query = {
            "since": last_sync.isoformat(),
            "limit": 1,
            **({"cursor": cursor} if cursor else {}),
        }
        page = client.get(USES, query).json()
        seen += [use["id"] for use in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [
        fresh,
        offline,
    ]  # the offline admission, at 10.00, not missed; the old not again
