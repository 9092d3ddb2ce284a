"""Shared fixtures: a fixed clock and language, and a small network of two regions with one user for
every role, so that every test can ask both "may this user?" and "does another region's user see
nothing?"."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.utils import translation

from kaikukanta.accounts.models import Role, RoleAssignment, User
from kaikukanta.cards.services import HolderData, issue_card, issue_community_card
from kaikukanta.core.dates import as_of
from kaikukanta.network.models import DistributorSite, Municipality, Organisation, Region, Venue

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=HELSINKI)
TODAY = NOW.date()
PASSWORD = "correct-horse-battery-staple"


CHROMIUM = Path(os.environ.get("KAIKUKANTA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the session (tests/browser, and any test marked `browser`)."""
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium package "
            "(apt-get install chromium) or KAIKUKANTA_CHROMIUM=/path/to/chromium"
        )
        if os.environ.get("KAIKUKANTA_CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM in the same thread is
    # safe here because the test, not an async server, drives it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True, scope="session")
def fixed_clock():
    """The whole run starts on 15 June 2026 at noon in Helsinki; the clock ticks from there."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """A million PBKDF2 rounds per test user would make the suite crawl; tests need no real hashes."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits(request, django_db_blocker):
    """Look-up limits count in the shared cache; each test starts with none spent."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if uses_db:
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture(autouse=True)
def fixed_language():
    with translation.override("en"):
        yield


@dataclass
class World:
    alpha: Region
    beta: Region
    alpha_site: DistributorSite
    alpha_other_site: DistributorSite
    beta_site: DistributorSite
    alpha_venue: Venue
    alpha_course_venue: Venue
    beta_venue: Venue
    popup: Venue
    national: User
    alpha_coordinator: User
    alpha_sote_coordinator: User
    beta_coordinator: User
    alpha_distributor: User
    alpha_other_distributor: User
    beta_distributor: User
    alpha_venue_staff: User
    beta_venue_staff: User
    popup_staff: User
    nobody: User

    def users(self) -> dict[str, User]:
        return {name: value for name, value in vars(self).items() if isinstance(value, User)}


def make_user(username: str, role: str | None = None, **target) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, **target)
    return user


@pytest.fixture
def world(db) -> World:
    alpha = Region.objects.create(slug="alpha", name="Alfala", name_sv="Alfby", status="permanent")
    alpha.municipalities.add(Municipality.objects.create(code="901", name="Alfala"))
    beta = Region.objects.create(
        slug="beta",
        name="Beetala",
        status="pilot",
        pilot_starts=dt.date(2025, 9, 1),
        pilot_ends=dt.date(2026, 12, 31),
    )
    beta.municipalities.add(Municipality.objects.create(code="902", name="Beetala"))
    county = Organisation.objects.create(name="Hyvinvointialue", kind="public")
    ngo = Organisation.objects.create(name="Yhdistys ry", kind="third_sector")
    museum = Organisation.objects.create(name="Museo", kind="public")
    alpha_site = DistributorSite.objects.create(
        organisation=county, region=alpha, name="Aikuispsykiatria Alfala"
    )
    alpha_other_site = DistributorSite.objects.create(
        organisation=ngo, region=alpha, name="Yhdistys Alfala"
    )
    beta_site = DistributorSite.objects.create(
        organisation=county, region=beta, name="Sosiaalityö Beetala"
    )
    alpha_venue = Venue.objects.create(
        organisation=museum, region=alpha, name="Alfalan museo", category="culture"
    )
    alpha_course_venue = Venue.objects.create(
        organisation=museum, region=alpha, name="Alfalan opisto", category="education"
    )
    beta_venue = Venue.objects.create(
        organisation=museum, region=beta, name="Beetalan teatteri", category="culture"
    )
    popup = Venue.objects.create(
        organisation=museum,
        name="Pop-up-museo",
        category="science",
        is_popup=True,
        active_from=dt.date(2026, 1, 1),
        active_until=dt.date(2026, 12, 31),
    )
    return World(
        alpha=alpha,
        beta=beta,
        alpha_site=alpha_site,
        alpha_other_site=alpha_other_site,
        beta_site=beta_site,
        alpha_venue=alpha_venue,
        alpha_course_venue=alpha_course_venue,
        beta_venue=beta_venue,
        popup=popup,
        national=make_user("national", Role.NATIONAL_ADMIN),
        alpha_coordinator=make_user("alpha_coord", Role.COORDINATOR_CULTURE, region=alpha),
        alpha_sote_coordinator=make_user("alpha_sote", Role.COORDINATOR_SOTE, region=alpha),
        beta_coordinator=make_user("beta_coord", Role.COORDINATOR_SOTE, region=beta),
        alpha_distributor=make_user(
            "alpha_dist", Role.DISTRIBUTOR_STAFF, distributor_site=alpha_site
        ),
        alpha_other_distributor=make_user(
            "alpha_ngo", Role.DISTRIBUTOR_STAFF, distributor_site=alpha_other_site
        ),
        beta_distributor=make_user("beta_dist", Role.DISTRIBUTOR_STAFF, distributor_site=beta_site),
        alpha_venue_staff=make_user("alpha_venue", Role.VENUE_STAFF, venue=alpha_venue),
        beta_venue_staff=make_user("beta_venue", Role.VENUE_STAFF, venue=beta_venue),
        popup_staff=make_user("popup", Role.VENUE_STAFF, venue=popup),
        nobody=make_user("nobody"),
    )


def holder(**overrides) -> HolderData:
    values = {"birth_year": 1980, "postcode": "33100", "children": 2}
    values.update(overrides)
    return HolderData(**values)


@contextmanager
def on_day(day: dt.date, hour: int = 12) -> Iterator[None]:
    """Run the services as if it were `day`: staff may date things at most 30 days back, so a test
    that needs an old card or use makes it on its own day, as it would have been made."""
    with as_of(dt.datetime.combine(day, dt.time(hour), tzinfo=HELSINKI)):
        yield


_keys = itertools.count(1)


def new_key() -> str:
    return f"test-key-{next(_keys):06d}"


@pytest.fixture
def alpha_card(world):
    return issue_card(actor=world.alpha_distributor, site=world.alpha_site, holder=holder())


@pytest.fixture
def beta_card(world):
    return issue_card(actor=world.beta_distributor, site=world.beta_site, holder=holder())


@pytest.fixture
def legacy_card(world):
    """A card imported from the earlier registry: a short number without a check character."""
    from kaikukanta.cards.services import import_card

    return import_card(
        actor=world.national,
        site=world.alpha_site,
        identifier="KK001234",
        issued_on=dt.date(2025, 9, 1),
        valid_until=dt.date(2026, 9, 1),
        holder=holder(),
    )


def legacy_guesses(count: int) -> list[str]:
    """Numbers of the earlier registry's format (as `legacy_card`'s) that match no card."""
    return [f"KK{n:06d}" for n in range(2000, 2000 + count)]


@pytest.fixture
def community_card(world):
    return issue_community_card(actor=world.alpha_other_distributor, site=world.alpha_other_site)


# --- a signed-in test client for each role of the world -------------------------------------------

ANONYMOUS = "anonymous"
WORLD_ROLES = (
    "national",
    "alpha_coordinator",
    "alpha_sote_coordinator",
    "beta_coordinator",
    "alpha_distributor",
    "alpha_other_distributor",
    "beta_distributor",
    "alpha_venue_staff",
    "beta_venue_staff",
    "popup_staff",
    "nobody",
)


def sign_in(client, user) -> None:
    """`client.force_login(user)`, and for a national administrator or a coordinator also the
    second step of logging in, as the login page would: an authenticator of their own (made here
    when they have none) is named in the session, as django_otp.login() does. Production has no such
    shortcut; an unverified session is made with a plain force_login (tests/accounts/test_two_factor.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kaikukanta.accounts.services import needs_two_factor

    client.force_login(user)
    if needs_two_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def current_code(device) -> str:
    """The code the person's authenticator app shows now, as django-otp will accept it: a code of
    a time step not used yet (a code works once, and two logins can fall within one 30 s step)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:  # the next step: within django-otp's tolerance of one step
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def pass_two_factor(client, response):
    """Follow a login's answer through the second step as a person with their phone would: set
    up the authenticator on the first login (the key shown is the pending device's), or type the
    current code; returns the answer that follows the step (recovery codes shown after a setup)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    while response.status_code == 302 and "/login/two-factor/" not in response["Location"]:
        response = client.get(response["Location"])
    if response.status_code != 302:
        return response
    page = client.get(response["Location"], follow=True)
    path = page.request["PATH_INFO"]
    device = TOTPDevice.objects.filter(user_id=page.context["user"].pk).order_by("-pk").first()
    next_url = page.context.get("next", "")
    return client.post(path, {"code": current_code(device), "next": next_url})


@pytest.fixture
def client_as(world):
    """`client_as("alpha_distributor")`: a fresh test client signed in as that user of the world,
    with English pages; `client_as("anonymous")` is signed out. Each call gives a new client."""
    from django.test import Client

    def make(role: str) -> Client:
        client = Client()
        client.cookies["kaikukanta_language"] = "en"
        if role != ANONYMOUS:
            sign_in(client, getattr(world, role))
        return client

    return make


def reopens_in_about(text: str, minutes: int) -> bool:
    """The "Try again after <day> <time>." of a refused look-up names a time about `minutes` from
    now (the test run's clock ticks, so no fixed time of day can be expected)."""
    import datetime as dt

    from django.utils import timezone

    match = re.search(r"Try again after (\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}\.\d\d)\.", text)
    if match is None:
        return False
    until = dt.datetime.strptime(match.group(1), "%d.%m.%Y %H.%M")
    now = timezone.localtime().replace(tzinfo=None)
    return dt.timedelta(0) <= until - now <= dt.timedelta(minutes=minutes, seconds=60)
