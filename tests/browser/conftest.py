"""Headless Chromium (Debian's package) driven by Playwright. Skipped, with the reason, where Chromium
is missing; in CI (KAIKUKANTA_CI=1) a missing Chromium fails the run instead.

The browser tests read the demo network, which takes seconds to load, so each test module loads it once
and serves it with a live server of its own (`demo_server`) instead of pytest-django's `live_server`:
that one forces `transactional_db` on every test, which empties the database after each test."""

import os
from contextlib import contextmanager

import pytest

# Chromium and the session's one Playwright browser live in tests/conftest.py: a test outside this
# folder (the mobile card's barcodes) uses the same browser, as Playwright's sync API runs one per thread.
from tests.conftest import CHROMIUM as CHROMIUM
from tests.conftest import CHROMIUM_ARGS as CHROMIUM_ARGS


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@contextmanager
def serving(host="localhost"):
    """Django's LiveServerThread on a free port, with static files served as pytest-django's
    live_server serves them. The test database is a file (SQLite) or PostgreSQL, so the server's
    threads open connections of their own and see what is committed."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from django.test.utils import modify_settings

    thread = LiveServerThread(host, StaticFilesHandler)
    thread.daemon = True
    allowed_host = modify_settings(ALLOWED_HOSTS={"append": host})
    allowed_host.enable()
    try:
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://{thread.host}:{thread.port}"
    finally:
        thread.terminate()
        allowed_host.disable()


def check_test_database():
    """Refuse to load or flush anything but a test database. pytest-django creates the test database
    only for the aliases that the selected tests ask for (through `db` and the like); a fixture that
    merely unblocks access would otherwise reach the development database."""
    from django.db import connection

    settings = connection.settings_dict
    name = str(settings["NAME"])
    if name != str(settings["TEST"].get("NAME") or f"test_{name.removeprefix('test_')}"):
        raise RuntimeError(
            f"Not a test database: {name}. Browser tests must ask for the `db` fixture, so that "
            "pytest-django sets the test database up."
        )


@pytest.fixture(scope="module")
def demo_server(django_db_setup, django_db_blocker):
    """The base URL of a live server with the demo network, loaded and committed once for the module.

    Database access stays unblocked for the whole module: the server's threads need it, and so do
    tests that read the demo data through the ORM. Nothing is rolled back between the tests, so a test
    here must not change the data others rely on. At the end of the module the server stops and the
    database is emptied, so that later tests start clean."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        check_test_database()
        try:
            call_command("load_demo", force=True, verbosity=0)
            with serving() as url:
                yield url
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def db(demo_server):
    """In browser tests, `db` is the module's committed demo data: pytest-django's own `db` would wrap
    each test in a transaction that the live server cannot see into (and on SQLite, hold the write
    lock the server needs). The name matters: a test that asks for `db` is how pytest-django knows
    that the test database must be set up when only browser tests run."""


@pytest.fixture
def new_page(browser, db, demo_server):
    """Open a page in a new browser context (Finnish, unless the options say otherwise). Every page
    is watched for Content-Security-Policy violations: a page that needs an inline script or style
    the policy refuses is broken for real users, so the test fails at its end."""
    contexts = []
    violations: list[str] = []

    def open_page(**options):
        context = browser.new_context(**{"base_url": demo_server, "locale": "fi-FI", **options})
        contexts.append(context)
        opened = context.new_page()
        opened.set_default_timeout(15_000)
        opened.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return opened

    yield open_page
    for context in contexts:
        context.close()
    assert violations == []


@pytest.fixture
def page(new_page):
    return new_page()
