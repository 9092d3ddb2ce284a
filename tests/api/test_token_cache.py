"""The token look-up kept in the shared cache (accounts/token_cache.py): a hit costs fewer statements,
and every change that could alter what a token may do takes effect on the very next request.

The cache is the local Redis (database 12, a key prefix of each test's own), as in production; the
tests are skipped where Redis is not running (a failure in CI, KAIKUKANTA_CI=1)."""

import datetime as dt
import os
import socket
import time
import uuid

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.core.checks import run_checks
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaikukanta.accounts import token_cache
from kaikukanta.accounts.models import RoleAssignment
from kaikukanta.accounts.services import deactivate_user, reset_two_factor, revoke_role
from kaikukanta.api.services import (
    create_agency_token,
    create_api_token,
    create_site_token,
    revoke_api_token,
)
from kaikukanta.audit.models import Action, AuditEvent
from kaikukanta.core import ratelimit
from kaikukanta.network.models import Organisation, TicketAgency
from kaikukanta.network.services import save_site, save_ticket_agency, save_venue
from tests.conftest import sign_in


@pytest.fixture(autouse=True)
def no_counter_housekeeping(monkeypatch):
    """One request in CLEANUP_ONE_IN also deletes expired rate counters (core/ratelimit.py): a
    statement the counts below must not catch by chance."""
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)


REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def cached(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        message = f"Redis is not reachable at {REDIS_URL} ({error}): start redis-server"
        if os.environ.get("KAIKUKANTA_CI"):
            pytest.fail(message)
        pytest.skip(message)
    prefix = f"kaikukanta-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.KAIKUKANTA_TOKEN_CACHE_SECONDS = 300
    yield caches["default"]
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def cache_down(settings):
    """The shared cache configured, its server not answering (a closed port)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/12",
        }
    }
    settings.KAIKUKANTA_TOKEN_CACHE_SECONDS = 300


def check(client, venue, card):
    body = {"venue": venue.pk, "card": card.identifier}
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/checks", body, content_type="application/json")
    return response, len(captured.captured_queries)


def staff_token(world):
    token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    return token, Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_hit_costs_fewer_statements_and_keeps_no_secret(world, alpha_card, cached):
    token, client = staff_token(world)
    first, missed = check(client, world.alpha_venue, alpha_card)
    assert first.status_code == 200, first.content
    again, hit = check(client, world.alpha_venue, alpha_card)
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    # The token's row with its account, the roles and the token's venues become one read of the
    # account; its last use was written on the first request only.
    assert missed - hit == 3, (missed, hit)
    entry = cached.get(token_cache.ENTRY_PREFIX + token.key_hash)
    assert entry["token"] == token.pk
    assert entry["user"] == world.alpha_venue_staff.pk
    assert entry["venues"] == [(world.alpha_venue.pk, world.alpha_venue.region_id)]
    assert set(entry) == {"token", "user", "expires_at", "last_used_at", "venues", "generation"}


def test_the_cache_is_off_without_a_shared_cache(world, alpha_card, settings):
    settings.KAIKUKANTA_TOKEN_CACHE_SECONDS = 0
    caches["default"].clear()
    token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    assert caches["default"].get(token_cache.ENTRY_PREFIX + token.key_hash) is None


def test_a_revoked_token_is_refused_on_the_next_request(world, alpha_card, cached):
    token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    revoke_api_token(actor=world.alpha_venue_staff, token=token)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 401


def test_a_deactivated_account_is_refused_on_the_next_request(world, alpha_card, cached):
    _token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    deactivate_user(actor=world.national, user=world.alpha_venue_staff)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 401


def test_a_removed_role_takes_effect_on_the_next_request(world, alpha_card, cached):
    _token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    role = RoleAssignment.objects.get(user=world.alpha_venue_staff, venue=world.alpha_venue)
    revoke_role(actor=world.national, assignment=role)
    assert (
        check(client, world.alpha_venue, alpha_card)[0].status_code == 404
    )  # a venue it does not act for


def test_a_two_factor_reset_refuses_the_token_on_the_next_request(world, alpha_card, cached):
    _token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    reset_two_factor(actor=world.national, user=world.alpha_venue_staff)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 401


def test_saving_a_venue_makes_every_entry_stale(world, alpha_card, cached):
    token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    assert token_cache.look_up(token.key_hash)[1] is not None
    save_venue(actor=world.national, venue=world.alpha_venue, changed=["active_until"])
    assert token_cache.look_up(token.key_hash)[1] is None


def test_saving_a_distributor_site_makes_the_entries_stale(world, cached):
    """A client system's token carries its sites with their organisation and region: a site moved
    or edited makes the cached look-ups stale at once."""
    token, secret = create_site_token(
        actor=world.alpha_sote_coordinator,
        sites=[world.alpha_site],
        name="Järjestelmä",
        verified=True,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/cards/0").status_code == 404  # signed in: the look-up is kept
    assert token_cache.look_up(token.key_hash)[1] is not None
    save_site(actor=world.national, site=world.alpha_site, changed=["name"])
    assert token_cache.look_up(token.key_hash)[1] is None


def test_an_agency_no_longer_selling_for_a_venue_is_refused_at_once(world, alpha_card, cached):
    agency = TicketAgency.objects.create(
        name="Lippupalvelu",
        organisation=Organisation.objects.create(name="Liput Oy", kind="private"),
    )
    agency.venues.add(world.alpha_venue)
    _token, secret = create_agency_token(
        actor=world.alpha_coordinator,
        agency=agency,
        venues=[world.alpha_venue],
        name="Myynti",
        verified=True,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    save_ticket_agency(actor=world.national, agency=agency, venues=[])
    assert (
        check(client, world.alpha_venue, alpha_card)[0].status_code == 404
    )  # a venue it does not act for


def test_the_admin_taking_a_venue_from_an_agency_refuses_its_token_at_once(
    world, alpha_card, cached
):
    """The Django admin saves the agency's venues through save_ticket_agency (audited, invalidated)."""
    agency = TicketAgency.objects.create(
        name="Lippupalvelu",
        organisation=Organisation.objects.create(name="Liput Oy", kind="private"),
    )
    agency.venues.add(world.alpha_venue, world.beta_venue)
    _token, secret = create_agency_token(
        actor=world.national,
        agency=agency,
        venues=[world.alpha_venue],
        name="Myynti",
        verified=True,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    admin = Client()
    sign_in(admin, world.national)
    response = admin.post(
        f"/admin/network/ticketagency/{agency.pk}/change/",
        {
            "name": agency.name,
            "organisation": agency.organisation_id,
            "venues": [world.beta_venue.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(agency.venues.all()) == [world.beta_venue]
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 404
    event = AuditEvent.objects.filter(action=Action.OBJECT_CHANGED).latest("pk")
    assert event.data["venues_removed"] == [world.alpha_venue.pk]


def test_a_cached_token_still_expires_on_time(world, alpha_card, cached):
    token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):
        assert check(client, world.alpha_venue, alpha_card)[0].status_code == 401


def test_a_cached_token_still_writes_its_last_use_once_a_minute(world, alpha_card, cached):
    token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    later = timezone.now() + dt.timedelta(minutes=5)
    with time_machine.travel(later):
        assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    token.refresh_from_db()
    assert token.last_used_at >= later


def test_a_change_bumps_the_generation_again_once_committed(
    world, cached, django_capture_on_commit_callbacks
):
    """A request that read the old rows between the first bump and the commit made its entry at
    the first bump's generation: the commit's bump leaves it stale."""
    token_cache.look_up("nothing")  # starts a generation
    before = cached.get(token_cache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deactivate_user(actor=world.national, user=world.alpha_venue_staff)
    assert cached.get(token_cache.GENERATION_KEY) == before + 1
    token_cache.keep("racing", before + 1, {"token": 1})
    assert token_cache.look_up("racing")[1] is not None
    for callback in callbacks:
        callback()
    assert cached.get(token_cache.GENERATION_KEY) == before + 2
    assert token_cache.look_up("racing")[1] is None


def test_signing_in_leaves_the_entries_alone(world, cached):
    token_cache.look_up("nothing")
    before = cached.get(token_cache.GENERATION_KEY)
    world.alpha_venue_staff.last_login = timezone.now()
    world.alpha_venue_staff.save(update_fields=["last_login"])
    assert cached.get(token_cache.GENERATION_KEY) == before


def test_with_the_cache_down_the_database_answers_and_a_revocation_works(
    world, alpha_card, cache_down
):
    token, client = staff_token(world)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 200
    revoke_api_token(actor=world.alpha_venue_staff, token=token)
    assert check(client, world.alpha_venue, alpha_card)[0].status_code == 401


@pytest.fixture
def cache_silent(settings):
    """The shared cache configured with the production settings' timeouts, its server accepting
    connections and never answering (a Redis that hangs rather than stops)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/12",
            "OPTIONS": settings.REDIS_TIMEOUTS,
        }
    }
    settings.KAIKUKANTA_TOKEN_CACHE_SECONDS = 300
    yield
    listener.close()


def test_a_cache_that_stops_answering_delays_a_request_but_does_not_hang_it(
    world, alpha_card, cache_silent
):
    _token, client = staff_token(world)
    started = time.monotonic()
    response, _statements = check(client, world.alpha_venue, alpha_card)
    assert response.status_code == 200, response.content
    # Each cache call gives up after the socket timeout (2 s); the look-up makes a few of them.
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    ("backend", "seconds", "refused"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", 300, True),
        ("django.core.cache.backends.dummy.DummyCache", 300, True),
        ("django.core.cache.backends.locmem.LocMemCache", 0, False),
        ("django.core.cache.backends.redis.RedisCache", 300, False),
    ],
)
def test_the_cache_on_without_a_shared_cache_is_refused_at_start(
    settings, backend, seconds, refused
):
    """Each worker's own memory would keep a revoked token working on the others until its entry
    expired: `manage.py check` (run before the servers start) refuses the setting."""
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.KAIKUKANTA_TOKEN_CACHE_SECONDS = seconds
    errors = [e for e in run_checks(tags=["caches"]) if e.id == "kaikukanta.E001"]
    assert bool(errors) == refused
