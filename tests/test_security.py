"""Hardening that an operator checks from outside: what the logs say, when logins lock, which headers
pages carry, what the cache is."""

import copy
import datetime as dt
import io
import logging
import logging.config
import os
import types
import uuid

import gunicorn.config
import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse

from kaikukanta.core.logging import MASK, MaskCardNumbers

from .conftest import PASSWORD, legacy_guesses, sign_in


@pytest.fixture
def service_log():
    """What the service's own logging configuration writes, captured from its console handler."""
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    for handler in config["handlers"].values():
        handler["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.parametrize(
    "number",
    [
        "K7M4RXWP9A",
        "k7m4r-xwp9a",
        "K7M4R-XWP9A",
        "AB12CD34EF56",  # imported from the earlier registry
        "131052-308T",  # a Finnish identity code pasted by mistake
        "4400123456",  # an imported number of digits only
    ],
)
def test_not_found_warning_masks_the_card_number(service_log, number):
    logging.getLogger("django.request").warning("Not Found: %s", f"/cards/{number}/")
    line = service_log.getvalue()
    assert f"Not Found: /cards/{MASK}/" in line
    assert number not in line
    assert number.upper() not in line


def test_runserver_request_lines_are_masked(service_log):
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /cards/K7M4RXWP9A/?q=131052-308T HTTP/1.1", 404, 179
    )
    line = service_log.getvalue()
    assert f'"GET /cards/{MASK}/?q={MASK} HTTP/1.1" 404 179' in line
    assert "K7M4RXWP9A" not in line
    assert "308T" not in line


def test_a_traceback_is_masked_too(service_log):
    try:
        raise ValueError("no card K7M4RXWP9A")
    except ValueError:
        logging.getLogger("kaikukanta.cards").exception("Look-up of %s failed", "K7M4R-XWP9A")
    text = service_log.getvalue()
    assert f"Look-up of {MASK} failed" in text
    assert f"ValueError: no card {MASK}" in text
    assert "Traceback (most recent call last)" in text
    assert "K7M4R" not in text
    assert "XWP9A" not in text


def test_ordinary_words_numbers_and_times_stay_readable(service_log):
    message = "2026-11-28 00:07:28 venue 42 checked 3 cards, status 403, from 10.0.0.12 (Tampere)"
    logging.getLogger("kaikukanta").warning(message)
    assert message in service_log.getvalue()


def test_every_handler_of_the_service_masks(service_log):
    """Django's default handlers (a console in debug, mail to ADMINS) would write unmasked copies."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    handlers = {
        handler
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
        # A library's NullHandler (requests, urllib3 from the test tools) writes nothing anywhere.
        and not isinstance(handler, logging.NullHandler)
    }
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, MaskCardNumbers) for f in handler.filters), handler


def test_a_missing_page_is_logged_without_the_card_number(client, db, service_log):
    response = client.get("/cards/k7m4r-xwp9a/no-such-page/")
    assert response.status_code == 404
    text = service_log.getvalue()
    assert f"Not Found: /cards/{MASK}/no-such-page/" in text
    assert "xwp9a" not in text.lower()


def test_failures_from_many_addresses_lock_the_user_name(client, world):
    login = reverse("web:login")
    username = world.alpha_distributor.username
    statuses = [
        client.post(
            login, {"username": username, "password": "guess"}, REMOTE_ADDR=f"198.51.100.{n}"
        ).status_code
        for n in range(1, 6)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = client.post(
        login, {"username": username, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another user name still logs in, from one of the same addresses.
    other = client.post(
        login,
        {"username": world.alpha_venue_staff.username, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.1",
    )
    assert other.status_code == 302
    assert client.session["_auth_user_id"] == str(world.alpha_venue_staff.pk)


EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def test_login_page_has_the_content_security_policy(client, db):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    assert policy_of(response) == EXPECTED_POLICY
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_error_page_has_the_content_security_policy(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert policy_of(response) == EXPECTED_POLICY


def test_admin_page_has_the_content_security_policy(client, world):
    sign_in(client, world.national)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert policy_of(response) == EXPECTED_POLICY


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("name", ["web:distributor", "web:cards", "web:uses"])
def test_pages_for_a_signed_in_user_are_never_stored(client, world, name):
    sign_in(client, world.alpha_distributor)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in cache_control(response)


def test_even_an_error_page_for_a_signed_in_user_is_never_stored(client, world):
    sign_in(client, world.alpha_distributor)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" in cache_control(response)


def test_anonymous_pages_are_not_marked_no_store(client, db):
    # The login page has Django's own never-cache headers; an anonymous error page has none.
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" not in cache_control(response)


@pytest.mark.django_db(transaction=True)
def test_rate_counters_in_the_database_count_every_request_sent_at_once(settings):
    """Without Redis the counters are rows of the database, each hit one atomic upsert: eight
    server threads hitting one counter at once lose no count (a read-then-write would)."""
    import threading

    from django.db import connection as default_connection

    from kaikukanta.core.ratelimit import Window

    settings.REDIS_URL = ""
    window = Window("test", limit=1000, seconds=600)
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait(timeout=10)
            for _ in range(25):
                window.hit("subject")
        finally:
            default_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert window.count("subject") == 200
    window.give_back("subject")
    assert window.count("subject") == 199


def test_rate_counters_expire_with_their_window(db, settings, monkeypatch):
    import time_machine

    from kaikukanta.core import ratelimit
    from kaikukanta.core.models import RateCounter
    from kaikukanta.core.ratelimit import Window

    settings.REDIS_URL = ""
    # The one-in-200 housekeeping would delete the first window's row once it has expired.
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)
    window = Window("test", limit=10, seconds=60)
    assert window.hit("subject") == 1
    assert window.hit("subject") == 2
    with time_machine.travel(dt.timedelta(seconds=70)):
        assert window.count("subject") == 0  # a new window
        assert window.hit("subject") == 1
    assert RateCounter.objects.count() == 2


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache():
    """A RedisCache on database 15 of the local Redis. Skipped, with the reason, where Redis is not
    running; in CI (KAIKUKANTA_CI=1) a missing Redis fails the run instead."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        message = f"Redis is not reachable at {REDIS_TEST_URL} ({error}): start redis-server"
        if os.environ.get("KAIKUKANTA_CI"):
            pytest.fail(message)
        pytest.skip(message)
    cache = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": f"kaikukanta-test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["counter"])
    cache.close()


def test_redis_cache_keeps_counters(redis_cache):
    redis_cache.set("counter", 1, timeout=None)
    assert redis_cache.incr("counter") == 2
    assert redis_cache.incr("counter", 3) == 5
    assert redis_cache.get("counter") == 5
    client = redis_cache._cache.get_client()
    assert client.ttl(redis_cache.make_and_validate_key("counter")) == -1  # never expires


@pytest.fixture
def gunicorn_logger():
    """gunicorn's logger as deploy/gunicorn.conf.py configures it. Made in the test itself,
    so that its handlers write to the test's captured stdout and stderr."""
    made = []

    def make():
        cfg = gunicorn.config.Config()
        cfg.set("logger_class", "kaikukanta.core.gunicorn.Logger")
        cfg.set("accesslog", "-")
        made.append(cfg.logger_class(cfg))
        return made[-1]

    yield make
    for logger in made:
        for log in (logger.error_log, logger.access_log):
            for handler in list(log.handlers):
                if getattr(handler, "_gunicorn", False):
                    log.removeHandler(handler)


def test_gunicorn_access_and_error_logs_are_masked(gunicorn_logger, capsys):
    logger = gunicorn_logger()
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/cards/K7M4RXWP9A/?q=131052-308T",
        "PATH_INFO": "/cards/K7M4RXWP9A/",
        "QUERY_STRING": "q=131052-308T",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.12",
        "HTTP_REFERER": "https://kaikukanta.example.fi/cards/k7m4r-xwp9a/",
    }
    response = types.SimpleNamespace(status="404 Not Found", sent=179, headers=[])
    request = types.SimpleNamespace(headers=[])
    logger.access(response, request, environ, dt.timedelta(milliseconds=12))
    logger.error("Error handling request %s", "/cards/K7M4RXWP9A/")
    output = capsys.readouterr()
    assert f'"GET /cards/{MASK}/?q={MASK} HTTP/1.1" 404 179' in output.out
    assert f"https://kaikukanta.example.fi/cards/{MASK}/" in output.out
    assert f"Error handling request /cards/{MASK}/" in output.err
    for text in (output.out, output.err):
        assert "XWP9A" not in text.upper()
        assert "308T" not in text


def test_look_up_limits_are_shared_by_every_server_process_through_redis(
    redis_cache, world, legacy_card, monkeypatch
):
    """With REDIS_URL set, every gunicorn worker counts in Redis: what one process counted, another
    sees. Two separate cache clients stand for two processes here."""
    from kaikukanta.cards.errors import TooManyLookups
    from kaikukanta.cards.services import check_card
    from kaikukanta.core import ratelimit
    from kaikukanta.core.errors import DomainError

    other_process = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": redis_cache.key_prefix})
    monkeypatch.setattr(settings, "REDIS_URL", REDIS_TEST_URL)
    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    for number in legacy_guesses(settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS):
        with pytest.raises(DomainError):
            check_card(actor=world.alpha_venue_staff, venue=world.alpha_venue, identifier=number)
    monkeypatch.setattr(ratelimit, "cache", other_process)
    with pytest.raises(TooManyLookups):
        check_card(
            actor=world.alpha_venue_staff,
            venue=world.alpha_venue,
            identifier=legacy_card.identifier,
        )


@pytest.mark.parametrize("in_redis", [False, True])
def test_several_counters_are_counted_in_one_round_trip(
    db, settings, in_redis, request, monkeypatch
):
    """hit_many counts each (window, subject) as hit would, and count_many reads them back, in
    the database and in Redis alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kaikukanta.core import ratelimit
    from kaikukanta.core.ratelimit import Window, count_many, hit_many

    if in_redis:
        monkeypatch.setattr(ratelimit, "cache", request.getfixturevalue("redis_cache"))
        settings.REDIS_URL = REDIS_TEST_URL
    else:
        settings.REDIS_URL = ""
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)  # no housekeeping query in the count
    short, long = Window("short", limit=10, seconds=60), Window("long", limit=10, seconds=600)
    assert hit_many([(short, "a", 1), (long, "a", 1), (short, "b", 3)]) == [1, 1, 3]
    with CaptureQueriesContext(connection) as captured:
        assert hit_many([(short, "a", 1), (long, "a", -1), (short, "b", 1)]) == [2, 0, 4]
        assert count_many([(short, "a"), (long, "a"), (short, "b"), (long, "c")]) == [2, 0, 4, 0]
    assert len(captured.captured_queries) == (0 if in_redis else 2)
    assert short.count("b") == 4
