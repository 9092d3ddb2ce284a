"""Bearer tokens for integrators (issue 15): a bad token is a 401 `invalid_token` on every method,
never a CSRF 403; `since` takes a moment as well as a day; a token's look-ups are its own."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from kaikukanta.accounts.tokens import ApiToken
from kaikukanta.api.services import (
    TokenNeedsSecondStep,
    VenueNotRunByCreator,
    create_agency_token,
    create_api_token,
    revoke_api_token,
)
from kaikukanta.audit.models import AuditEvent
from kaikukanta.cards import identifiers
from kaikukanta.core.errors import NotAllowed
from kaikukanta.network.models import Organisation, TicketAgency
from kaikukanta.uses.models import Use

from ..conftest import legacy_guesses, new_key, sign_in

# Every operation that needs a caller, with a body where it takes one.
OPERATIONS = [
    ("get", "/api/v1/venues", None),
    ("get", "/api/v1/events", None),
    ("get", "/api/v1/uses", None),
    ("post", "/api/v1/checks", {"venue": 1, "card": "K7M4R-XWP9A"}),
    ("post", "/api/v1/uses", {"venue": 1, "card": "K7M4R-XWP9A"}),
    ("post", "/api/v1/group-visits", {"venue": 1, "community_card": "K7M4R-XWP9A"}),
    ("post", "/api/v1/uses/1/cancel", {}),
]


def call(client, method, path, body):
    if method == "get":
        return client.get(path)
    return client.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=new_key())


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
def test_a_revoked_or_mistyped_token_is_a_401_on_every_method(world, method, path, body):
    token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    revoke_api_token(actor=world.alpha_venue_staff, token=token)
    signed_in = Client(enforce_csrf_checks=True)  # a session too: still the token's answer
    sign_in(signed_in, world.alpha_venue_staff)
    for client, sent in [
        (Client(enforce_csrf_checks=True), secret),
        (Client(enforce_csrf_checks=True), secret[:-1]),
        (Client(enforce_csrf_checks=True), "kk_made-up"),
        (Client(enforce_csrf_checks=True), "not-even-ours"),
        (signed_in, secret),
    ]:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {sent}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = call(client, method, path, body)
        assert response.status_code == 401, (sent, response.content)
        assert response.json()["code"] == "invalid_token"
        assert "unknown, revoked or expired" in response.json()["message"]
        assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_uses_since_takes_a_moment_with_its_offset(world, alpha_card):
    _token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    body = {"venue": world.alpha_venue.pk, "card": alpha_card.identifier}
    earlier = timezone.now() - dt.timedelta(hours=2)
    with time_machine.travel(earlier, tick=False):  # recorded before the last sync
        client.post(
            "/api/v1/uses", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=new_key()
        )
    last_sync = timezone.now() - dt.timedelta(hours=1)
    client.post(
        "/api/v1/uses", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=new_key()
    )
    assert Use.objects.count() == 2

    def since(value):
        return client.get("/api/v1/uses", {"since": value})

    helsinki = last_sync.astimezone(dt.timezone(dt.timedelta(hours=3))).isoformat()
    utc = last_sync.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    for value in (helsinki, utc):
        assert len(since(value).json()["items"]) == 1, value
    assert len(since(timezone.localdate().isoformat()).json()["items"]) == 2
    for bad in ["2026-06-15T10:00:00", "yesterday", "2026-13-01"]:
        response = since(bad)
        assert response.status_code == 422, bad
        answer = response.json()
        assert (answer["code"], answer["field"]) == ("since_invalid", "since")
        assert "with its offset from UTC" in answer["message"]


def test_each_token_of_an_agency_has_its_own_look_up_counters(world, settings, legacy_card):
    """One agency's tokens act as one account: each token's mistakes are still its own."""
    agency = TicketAgency.objects.create(
        name="Lippupalvelu",
        organisation=Organisation.objects.create(name="Liput Oy", kind="private"),
    )
    agency.venues.add(world.alpha_venue, world.alpha_course_venue)
    secrets = [
        create_agency_token(
            actor=world.alpha_coordinator,
            agency=agency,
            venues=[venue],
            name=f"Myynti {n}",
            verified=True,
        )[1]
        for n, venue in enumerate([world.alpha_venue, world.alpha_course_venue])
    ]
    first, second = (Client(HTTP_AUTHORIZATION=f"Bearer {secret}") for secret in secrets)

    def check(client, venue, number):
        body = {"venue": venue.pk, "card": number}
        return client.post("/api/v1/checks", body, content_type="application/json")

    for number in legacy_guesses(settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS):
        assert check(first, world.alpha_venue, number).status_code == 404
    assert check(first, world.alpha_venue, legacy_card.identifier).status_code == 429
    # The other token, at another venue, is not touched by the first one's guesses.
    answer = check(second, world.alpha_course_venue, legacy_card.identifier)
    assert answer.status_code == 200, answer.content
    assert check(second, world.alpha_course_venue, identifiers.generate()).status_code == 404


def test_a_token_expires(world, settings):
    settings.KAIKUKANTA_API_TOKEN_DAYS = 30
    token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    assert token.expires_at - timezone.now() == pytest.approx(
        dt.timedelta(days=30), abs=dt.timedelta(minutes=1)
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/venues").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=30, minutes=1)):
        assert client.get("/api/v1/venues").json()["code"] == "invalid_token"


def test_a_token_needs_the_second_step_where_the_role_needs_it(world):
    for actor in (world.national, world.alpha_coordinator):
        with pytest.raises(TokenNeedsSecondStep):
            create_api_token(actor=actor, user=actor, name="x", venues=[world.alpha_venue])
    create_api_token(
        actor=world.national,
        user=world.national,
        name="x",
        venues=[world.alpha_venue],
        verified=True,
    )
    # Venue staff have no second step: nothing to pass.
    create_api_token(actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="x")


def test_the_second_step_is_asked_on_the_page_too(world):
    """A national administrator's session that has not passed the second step cannot make one."""
    client = Client()
    client.force_login(world.national)
    response = client.post(
        "/venue/api-tokens/", {"kind": "own", "name": "x", "venues": [world.alpha_venue.pk]}
    )
    assert response.status_code in (302, 403)
    assert not ApiToken.objects.exists()


def test_a_national_token_acts_only_for_the_venues_it_names(world, alpha_card):
    _token, secret = create_api_token(
        actor=world.national,
        user=world.national,
        name="Integraatio",
        venues=[world.alpha_venue],
        verified=True,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [venue["id"] for venue in client.get("/api/v1/venues").json()] == [world.alpha_venue.pk]
    beta = {"venue": world.beta_venue.pk, "card": alpha_card.identifier}
    refused = client.post("/api/v1/checks", beta, content_type="application/json")
    assert refused.status_code == 404
    # Chosen from those the creator acts for.
    with pytest.raises(VenueNotRunByCreator):
        create_api_token(
            actor=world.alpha_venue_staff,
            user=world.alpha_venue_staff,
            name="x",
            venues=[world.beta_venue],
        )


def test_a_coordinators_token_is_listed_and_revoked_by_the_venues_staff(world):
    token, _secret = create_api_token(
        actor=world.alpha_coordinator,
        user=world.alpha_coordinator,
        name="Koordinaattorin",
        venues=[world.alpha_venue],
        verified=True,
    )
    for user in (world.alpha_venue_staff, world.alpha_coordinator, world.national):
        assert token in ApiToken.objects.visible_to(user)
    # Not the social and health side's coordinators, nor another venue's staff.
    for user in (world.alpha_sote_coordinator, world.beta_venue_staff, world.beta_coordinator):
        assert token not in ApiToken.objects.visible_to(user)
        with pytest.raises(NotAllowed):
            revoke_api_token(actor=user, token=token)
    revoke_api_token(actor=world.alpha_venue_staff, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("how", ["deactivated", "two_factor_reset"])
def test_tokens_are_revoked_with_their_owner(world, how):
    from kaikukanta.accounts.services import deactivate_user, reset_two_factor

    token, secret = create_api_token(
        actor=world.alpha_coordinator,
        user=world.alpha_coordinator,
        name="Koordinaattorin",
        venues=[world.alpha_venue],
        verified=True,
    )
    if how == "deactivated":
        deactivate_user(actor=world.national, user=world.alpha_coordinator)
    else:
        reset_two_factor(actor=world.national, user=world.alpha_coordinator)
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert (event.actor, event.object_id) == (world.national, str(token.pk))
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/venues")
    assert answer.json()["code"] == "invalid_token"


def test_twenty_wrong_numbers_from_two_accounts_leave_the_national_token_working(
    world, alpha_card, legacy_card
):
    """The outside probe of issue 15: 20 wrong numbers in a second or two from two accounts closed
    every check and use at the venue, the national token's too, for ten minutes."""
    from kaikukanta.accounts.models import Role, RoleAssignment, User

    second = User.objects.create_user("second_clerk")
    RoleAssignment.objects.create(user=second, role=Role.VENUE_STAFF, venue=world.alpha_venue)
    guessers = [
        Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(actor=u, user=u, name='x')[1]}")
        for u in (world.alpha_venue_staff, second)
    ]
    wrong = [identifiers.generate() for _ in range(20)] + legacy_guesses(20)
    for index, number in enumerate(wrong):
        body = {"venue": world.alpha_venue.pk, "card": number}
        guess = guessers[index % 2].post("/api/v1/checks", body, content_type="application/json")
        assert guess.status_code == 404
    _token, secret = create_api_token(
        actor=world.national,
        user=world.national,
        name="Kansallinen",
        venues=[world.alpha_venue],
        verified=True,
    )
    national = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"venue": world.alpha_venue.pk, "card": alpha_card.identifier}
    checked = national.post("/api/v1/checks", body, content_type="application/json")
    assert (checked.status_code, checked.json()["accepted"]) == (200, True)
    used = national.post(
        "/api/v1/uses", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=new_key()
    )
    assert used.status_code == 201
    unknown = {"venue": world.alpha_venue.pk, "card": identifiers.generate()}
    assert (
        national.post("/api/v1/checks", unknown, content_type="application/json").status_code == 404
    )
