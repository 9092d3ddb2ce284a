#!/usr/bin/env python3
"""How long every list page and filter takes at national scale, at its first page, in the middle and at
its last page, for a national administrator and a regional coordinator; and the landing pages' counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaikukanta_bench make bench-lists
    DATABASE_URL=... KAIKUKANTA_DEBUG=1 .venv/bin/python benchmarks/lists.py --runs 5 \\
        [--lists cards,uses,audit] [--roles national,coordinator,distributor,venue] [--no-landing]

It runs against the database of DATABASE_URL, filled by `manage.py generate_synthetic` (with
`--audit-events` for the audit trail), and changes nothing there but its own users: `bench.national`
(national administrator), `bench.coordinator` (culture coordinator of the region with the most cards)
and, when asked for, `bench.distributor` (at that region's busiest distributor site) and `bench.venue`
(at its busiest venue), made once and reused.

Every request goes through Django's test client, logged in with force_login (and, for those who need
it, the second step of two-factor authentication: sign_in), so it runs the whole stack (middleware,
view, queries, template) in this process, without a network. For every filter that
the role's filter form offers, three positions: the first page, the page after the row in the middle
of the filtered list (the cursor is made with KeysetPaginator's own encoding, as a user clicking
through would send it) and `?page=last`. Each is requested once to warm up and then `--runs` times; the
best time is shown, and its ratio to a bare baseline measured the same way in the same process
(`/api/v1/health`, one `SELECT 1` through the whole stack), so that figures from a busy or slower
machine can still be compared. A request whose warm-up takes longer than `--slow` seconds is timed
once more only (marked "1 run").

Each response must be 200 and show rows where the filtered list has rows at that position. This is a
benchmark that prints figures, not a test: nothing fails for being slow (tests/test_bench_lists.py runs
it on a tiny SQLite database so that it keeps working).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LIST_PAGES = ("cards", "uses", "audit")
ROLES = ("national", "coordinator", "distributor", "venue")
DEFAULT_ROLES = ("national", "coordinator")
POSITIONS = ("first", "middle", "last")
# A choice field with more choices than this is sampled: its most and least common value present,
# and a value with no rows, if there is one.
MAX_CHOICES = 6
BUDGET_MS = 300


@dataclass
class Case:
    page: str  # "cards", "uses" or "audit"
    label: str  # what the filter is, for the table
    params: dict[str, str]


@dataclass
class Timing:
    best_ms: float
    runs: int  # how many were timed (fewer than asked for when the warm-up was slow)
    cut_short: bool = False
    rows: int = 0
    status: int = 200


@dataclass
class Row:
    page: str
    label: str
    role: str
    position: str
    timing: Timing | None  # None: the position does not exist (an empty list has no middle)
    url: str = ""
    problems: list[str] = field(default_factory=list)


# --- users ---------------------------------------------------------------------------------------


def busiest_region(slug: str | None = None):
    """The region with the most cards, or the region `slug`."""
    from django.db.models import Count

    from kaikukanta.cards.models import Card
    from kaikukanta.network.models import Region

    if slug:
        try:
            return Region.objects.get(slug=slug)
        except Region.DoesNotExist:
            raise SystemExit(f"No region {slug!r}.") from None
    top = (
        Card.objects.order_by()
        .values("region")
        .annotate(n=Count("pk"))
        .order_by("-n", "region")
        .first()
    )
    if top is None:
        raise SystemExit("The database has no cards: fill it with manage.py generate_synthetic.")
    return Region.objects.get(pk=top["region"])


def _user(username: str):
    from kaikukanta.accounts.models import User

    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": "Benchmark", "last_name": "Lists"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _ensure_role(national, user, role: str, **target) -> None:
    """`user` has `role` for `target` and no other role of that kind (a run against a database
    whose busiest region or site has changed moves the role)."""
    from kaikukanta.accounts.models import RoleAssignment
    from kaikukanta.accounts.services import grant_role, revoke_role

    for stale in RoleAssignment.objects.filter(user=user).exclude(role=role, **target):
        revoke_role(actor=national, assignment=stale)
    if not RoleAssignment.objects.filter(user=user, role=role, **target).exists():
        grant_role(actor=national, user=user, role=role, **target)


def ensure_users(roles: Iterable[str], region) -> dict[str, object]:
    """The benchmark's users, made (or brought up to date) through the models and grant_role."""
    from django.db.models import Count

    from kaikukanta.accounts.models import Role, RoleAssignment
    from kaikukanta.accounts.scope import forget_scope
    from kaikukanta.cards.models import Card
    from kaikukanta.network.models import DistributorSite, Venue
    from kaikukanta.uses.models import Use

    national = _user("bench.national")
    # The first national administrator has no one to grant the role: it is made directly, as
    # `createsuperuser` would.
    RoleAssignment.objects.get_or_create(user=national, role=Role.NATIONAL_ADMIN)
    forget_scope(national)
    users: dict[str, object] = {"national": national}
    roles = set(roles)
    if "coordinator" in roles:
        coordinator = _user("bench.coordinator")
        _ensure_role(national, coordinator, Role.COORDINATOR_CULTURE, region=region)
        users["coordinator"] = coordinator
    if "distributor" in roles:
        top = (
            Card.objects.filter(region=region)
            .order_by()
            .values("issuing_site")
            .annotate(n=Count("pk"))
            .order_by("-n", "issuing_site")
            .first()
        )
        site = DistributorSite.objects.get(pk=top["issuing_site"])
        distributor = _user("bench.distributor")
        _ensure_role(national, distributor, Role.DISTRIBUTOR_STAFF, distributor_site=site)
        users["distributor"] = distributor
    if "venue" in roles:
        venue = _busiest(Use.objects.filter(venue__region=region), "venue", Venue)
        venue_user = _user("bench.venue")
        _ensure_role(national, venue_user, Role.VENUE_STAFF, venue=venue)
        users["venue"] = venue_user
    for user in users.values():
        forget_scope(user)
    return {role: user for role, user in users.items() if role in roles}


def _recent(queryset, days: int = 90):
    """The rows of the last `days` days, or all if the model has no time: to pick a busy value
    without counting ten million rows."""
    from django.utils import timezone

    names = {f.name for f in queryset.model._meta.get_fields()}
    if "occurred_at" in names:
        recent = queryset.filter(occurred_at__gte=timezone.now() - dt.timedelta(days=days))
        if recent.exists():
            return recent
    return queryset


def _busiest(queryset, column: str, model):
    from django.db.models import Count

    top = (
        _recent(queryset)
        .order_by()
        .values(column)
        .annotate(n=Count("pk"))
        .order_by("-n", column)
        .first()
    )
    return model.objects.get(pk=top[column]) if top and top[column] is not None else None


# --- what to time --------------------------------------------------------------------------------


def list_views() -> dict[str, tuple[str, Callable, Callable]]:
    """page -> (URL, the view, the function that builds its form, queryset and ordering)."""
    from django.urls import reverse

    from kaikukanta.web.views import audit, cards, uses

    return {
        "cards": (reverse("web:cards"), cards.card_list, cards.filtered_cards),
        "uses": (reverse("web:uses"), uses.use_list, uses.filtered_uses),
        "audit": (reverse("web:audit"), audit.audit_trail, audit.filtered_events),
    }


def _choice_values(form_field, queryset, column: str) -> list[tuple[str, str]]:
    """(label, value) for a choice field: every choice, or for a long list of choices a sample:
    the most and the least common value present, and a value with no rows."""
    from django.db.models import Count

    choices = [str(value) for value, _label in form_field.choices if value]
    if len(choices) <= MAX_CHOICES:
        return [(value, value) for value in choices]
    counts = dict(
        queryset.order_by().values_list(column).annotate(n=Count("pk")).values_list(column, "n")
    )
    present = sorted(((n, value) for value, n in counts.items() if value in choices), reverse=True)
    sample = []
    if present:
        sample.append((f"{present[0][1]} (most)", present[0][1]))
    if len(present) > 1:
        sample.append((f"{present[-1][1]} (fewest)", present[-1][1]))
    absent = [value for value in choices if value not in counts]
    if absent:
        sample.append((f"{absent[0]} (none)", absent[0]))
    return sample


def cases_for(page: str, user, region, build: Callable) -> list[Case]:
    """Every filter the role's filter form offers on `page`, with a value that has rows, and no
    filter at all. A filter this benchmark does not know stops it: time it too."""
    from django.http import QueryDict
    from django.utils import timezone

    from kaikukanta.cards.models import Card
    from kaikukanta.network.models import DistributorSite, Venue
    from kaikukanta.uses.models import Use

    form, queryset, _ordering = build(user, QueryDict())
    today = timezone.localdate()
    cases = [Case(page, "(none)", {})]
    for name, form_field in form.fields.items():
        if name in {"status", "card_type", "category", "kind", "action"}:
            for label, value in _choice_values(form_field, queryset, name):
                cases.append(Case(page, f"{name}={label}", {name: value}))
        elif name == "region":
            if region in form_field.queryset:
                cases.append(Case(page, f"region={region.slug}", {name: str(region.pk)}))
        elif name == "site":
            site = _busiest(
                Card.objects.filter(issuing_site__in=form_field.queryset),
                "issuing_site",
                DistributorSite,
            )
            if site is not None:
                cases.append(Case(page, "site=busiest", {name: str(site.pk)}))
        elif name == "venue":
            venue = _busiest(Use.objects.filter(venue__in=form_field.queryset), "venue", Venue)
            if venue is not None:
                cases.append(Case(page, "venue=busiest", {name: str(venue.pk)}))
        elif name == "since":
            since = today - dt.timedelta(days=90)
            cases.append(Case(page, "since=90 days ago", {name: since.isoformat()}))
        elif name == "until":
            until = today - dt.timedelta(days=365)
            cases.append(Case(page, "until=a year ago", {name: until.isoformat()}))
            month_start = (today - dt.timedelta(days=365)).replace(day=1)
            month_end = (month_start + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
            cases.append(
                Case(
                    page,
                    "since+until=a month",
                    {"since": month_start.isoformat(), "until": month_end.isoformat()},
                )
            )
        else:
            raise SystemExit(
                f"benchmarks/lists.py does not know the filter {name!r} of /{page}/: "
                "teach cases_for() a value for it."
            )
    return cases


def positions(case: Case, user, build: Callable) -> dict[str, tuple[dict[str, str], int]]:
    """position -> (GET parameters, rows expected at least). The middle is the page after the row
    in the middle of the filtered, ordered list, with the cursor a page link would carry."""
    from django.http import QueryDict

    from kaikukanta.web.pagination import KeysetPaginator

    params = QueryDict(mutable=True)
    params.update(case.params)
    _form, queryset, ordering = build(user, params)
    paginator = KeysetPaginator(queryset, ordering)
    ordered = paginator.ordered()
    total = ordered.count()
    result = {
        "first": (dict(case.params), min(total, 1)),
        "last": ({**case.params, "page": "last"}, min(total, 1)),
    }
    if total:
        middle = total // 2
        value, key = ordered.select_related(None).values_list(paginator.column, "pk")[middle]
        row = queryset.model(**{paginator.column: value, "pk": key})
        after = paginator.cursor_for(row)
        result["middle"] = ({**case.params, "after": after}, 1 if middle < total - 1 else 0)
    return {position: result[position] for position in POSITIONS if position in result}


# --- timing --------------------------------------------------------------------------------------

TBODY = re.compile(rb"<tbody>(.*?)</tbody>", re.DOTALL)


def table_rows(content: bytes) -> int:
    return sum(body.count(b"<tr") for body in TBODY.findall(content))


def _repeat(function: Callable[[], object], runs: int, slow: float) -> tuple[Timing, object]:
    """The best time of `runs` calls after one warm-up (one more call only when the warm-up took
    over `slow` s; with `runs` 0, the warm-up's own time), and the last call's result."""
    started = time.perf_counter()
    result = function()
    times = [time.perf_counter() - started]
    if runs > 0:
        count = runs if times[0] < slow else 1
        times = []
        for _ in range(count):
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
    return Timing(min(times) * 1000, len(times), cut_short=len(times) < runs), result


def timed(client, url: str, runs: int, slow: float) -> tuple[Timing, bytes]:
    timing, response = _repeat(lambda: client.get(url), runs, slow)
    content = response.content if response.status_code == 200 else b""
    timing.rows, timing.status = table_rows(content), response.status_code
    return timing, content


def baseline(client, runs: int) -> float:
    """Best time of the bare health check, `SELECT 1` through the same client and stack."""
    timing, _content = timed(client, "/api/v1/health", max(runs, 5), slow=60)
    if timing.status != 200:
        raise SystemExit(f"/api/v1/health answered {timing.status}")
    return timing.best_ms


def _url(base: str, params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return f"{base}?{urlencode(params)}" if params else base


def bench_lists(
    users: dict[str, object],
    region,
    pages: Iterable[str],
    runs: int,
    slow: float,
    base_ms: float,
    write: Callable[[str], None],
    at: Iterable[str] = POSITIONS,
) -> list[Row]:
    from kaikukanta.web.access import capability_of

    views = list_views()
    rows: list[Row] = []
    for role, user in users.items():
        client = _client()
        sign_in(client, user)
        for page in pages:
            base, view, build = views[page]
            if not capability_of(view).allows(user):
                continue  # a venue's staff have no card list, only coordinators an audit trail
            for case in cases_for(page, user, region, build):
                found = positions(case, user, build)
                for position in [position for position in POSITIONS if position in at]:
                    if position not in found:
                        row = Row(page, case.label, role, position, None)
                        rows.append(row)
                        write(format_row(row, base_ms))
                        continue
                    params, expected = found[position]
                    url = _url(base, params)
                    timing, _content = timed(client, url, runs, slow)
                    row = Row(page, case.label, role, position, timing, url)
                    if timing.status != 200:
                        row.problems.append(f"answered {timing.status}")
                    elif expected and not timing.rows:
                        row.problems.append("no rows shown, though the list has some")
                    elif not expected and timing.rows:
                        row.problems.append(f"{timing.rows} rows shown on an empty list")
                    rows.append(row)
                    write(format_row(row, base_ms))
    return rows


def timed_call(function: Callable[[], object], runs: int, slow: float) -> Timing:
    return _repeat(function, runs, slow)[0]


def bench_landing(
    users: dict[str, object],
    region,
    runs: int,
    slow: float,
    base_ms: float,
    write: Callable[[str], None],
) -> list[Row]:
    """The landing pages, whole, and the counts on them, one by one."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from kaikukanta.accounts.scope import scope_for
    from kaikukanta.cards.models import Card, CardType
    from kaikukanta.core.dates import today
    from kaikukanta.stats.queries import yearly_table
    from kaikukanta.web.forms.cards import EXPIRING_DAYS

    rows: list[Row] = []

    def page(role: str, label: str, url: str) -> None:
        client = _client()
        sign_in(client, users[role])
        timing, _content = timed(client, url, runs, slow)
        row = Row("landing", label, role, "page", timing, url)
        if timing.status != 200:
            row.problems.append(f"answered {timing.status}")
        rows.append(row)
        write(format_row(row, base_ms))

    def query(role: str, label: str, function: Callable[[], object]) -> None:
        row = Row("landing", label, role, "query", timed_call(function, runs, slow))
        rows.append(row)
        write(format_row(row, base_ms))

    if "national" in users:
        national = users["national"]
        page("national", "/national/ (whole page)", reverse("web:national"))
        query(
            "national",
            "valid cards today",
            lambda: Card.objects.visible_to(national).valid_on().count(),
        )
        query(
            "national",
            "yearly statistics table",
            lambda: yearly_table(national, today().year, _("Pop-up venues"), _("All regions")),
        )
    if "coordinator" in users:
        coordinator = users["coordinator"]
        page(
            "coordinator",
            f"/regions/{region.slug}/ (whole page)",
            reverse("web:region", args=[region.slug]),
        )
        query(
            "coordinator",
            "the region's valid cards today",
            lambda: Card.objects.visible_to(coordinator).filter(region=region).valid_on().count(),
        )
    if "distributor" in users:
        distributor = users["distributor"]
        sites = scope_for(distributor).distributor_sites
        own = Card.objects.visible_to(distributor).filter(
            issuing_site__in=sites, card_type=CardType.PERSONAL
        )
        page("distributor", "/distributor/ (whole page)", reverse("web:distributor"))
        query("distributor", "the site's valid cards", lambda: own.valid_on().count())
        query(
            "distributor",
            "the site's cards expiring soon",
            lambda: own.expiring_within(EXPIRING_DAYS).count(),
        )
    return rows


def sign_in(client, user) -> None:
    """`client.force_login(user)`, and for a national administrator or a coordinator also the
    second step of logging in (two-factor authentication), as the login page would leave the
    session: the bench user's own authenticator (made once) named in it, as django_otp.login does.
    The pages measured are then the ones such a person sees."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kaikukanta.accounts.services import needs_two_factor

    client.force_login(user)
    if needs_two_factor(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def _client():
    from django.test import Client

    # SERVER_NAME: a host that ALLOWED_HOSTS takes, without setting up Django's test environment
    # (whose template instrumentation would be timed too).
    return Client(SERVER_NAME="localhost")


# --- output --------------------------------------------------------------------------------------

HEADER = ("page", "filter", "role", "position", "ms", "x baseline", "rows", "notes")


def format_row(row: Row, base_ms: float | None = None) -> str:
    timing = row.timing
    if timing is None:
        ms = ratio = rows = "-"
        notes = ["empty list: no middle"]
    else:
        ms = f"{timing.best_ms:,.0f}"
        ratio = f"{timing.best_ms / base_ms:,.1f}" if base_ms else ""
        rows = str(timing.rows) if row.position in POSITIONS else ""
        notes = []
        if timing.cut_short:
            notes.append(f"{timing.runs} run{'s' if timing.runs > 1 else ''}")
        if timing.best_ms > BUDGET_MS and row.page != "landing":
            notes.append(f"over {BUDGET_MS} ms")
    notes += row.problems
    page = row.page if row.page == "landing" else f"/{row.page}/"
    cells = [page, row.label, row.role, row.position, ms, ratio, rows, "; ".join(notes)]
    return "| " + " | ".join(cells) + " |"


def table(rows: list[Row], base_ms: float) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += [format_row(row, base_ms) for row in rows]
    return "\n".join(lines)


def describe_data() -> list[str]:
    from django.db import connection

    from kaikukanta.audit.models import AuditEvent
    from kaikukanta.cards.models import Card
    from kaikukanta.network.models import Region, Venue
    from kaikukanta.uses.models import Use

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        version = f"{connection.vendor} {connection.Database.sqlite_version}"
    counts = ", ".join(
        f"{model.objects.count():,} {name}"
        for name, model in [
            ("cards", Card),
            ("uses", Use),
            ("audit events", AuditEvent),
            ("regions", Region),
            ("venues", Venue),
        ]
    )
    return [f"Database: {version}; {counts}."]


# --- the run -------------------------------------------------------------------------------------


def run(
    *,
    pages: Iterable[str] = LIST_PAGES,
    roles: Iterable[str] = DEFAULT_ROLES,
    runs: int = 5,
    slow: float = 5.0,
    landing: bool = True,
    at: Iterable[str] = POSITIONS,
    region_slug: str | None = None,
    write: Callable[[str], None] = print,
) -> tuple[list[Row], float]:
    """Time everything; return the rows and the baseline (ms). Needs a configured Django."""
    from kaikukanta.accounts.models import User  # noqa: F401  (fails early without Django)

    roles = [role for role in ROLES if role in set(roles)]
    pages = [page for page in LIST_PAGES if page in set(pages)]
    for line in describe_data():
        write(line)
    region = busiest_region(region_slug)
    users = ensure_users(roles, region)
    write(
        f"Coordinator's region: {region.slug}"
        + ("" if region_slug else " (the most cards)")
        + f". Best of {runs} runs after one "
        f"warm-up; one run only when the warm-up took over {slow:g} s."
    )
    base_ms = baseline(_client(), runs)
    write(f"Baseline: /api/v1/health (SELECT 1 through the whole stack) {base_ms:.1f} ms.")
    write("")
    write("| " + " | ".join(HEADER) + " |")
    rows = bench_lists(users, region, pages, runs, slow, base_ms, write, set(at))
    if landing:
        rows += bench_landing(users, region, runs, slow, base_ms, write)
    after_ms = baseline(_client(), runs)
    write("")
    write(f"Baseline again at the end: {after_ms:.1f} ms.")
    return rows, base_ms


def summary(rows: list[Row]) -> list[str]:
    lists = [row for row in rows if row.page != "landing" and row.timing is not None]
    over = [row for row in lists if row.timing.best_ms > BUDGET_MS]
    lines = [f"{len(lists)} list requests, {len(over)} over {BUDGET_MS} ms."]
    if lists:
        slowest = max(lists, key=lambda row: row.timing.best_ms)
        lines.append(
            f"Slowest: /{slowest.page}/ {slowest.label}, {slowest.role}, {slowest.position}: "
            f"{slowest.timing.best_ms:,.0f} ms."
        )
    problems = [row for row in rows if row.problems]
    for row in problems:
        lines.append(f"PROBLEM: {row.url or row.label} as {row.role}: {'; '.join(row.problems)}")
    return lines


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs after the warm-up (0: time the warm-up)"
    )
    parser.add_argument(
        "--slow", type=float, default=5.0, help="seconds: a slower warm-up is timed once more only"
    )
    parser.add_argument("--lists", default=",".join(LIST_PAGES), help="cards,uses,audit")
    parser.add_argument(
        "--roles",
        default=",".join(DEFAULT_ROLES),
        help=f"any of {','.join(ROLES)} (default {','.join(DEFAULT_ROLES)})",
    )
    parser.add_argument(
        "--positions", default=",".join(POSITIONS), help="any of first,middle,last (default all)"
    )
    parser.add_argument(
        "--region",
        default=None,
        help="the coordinator's (and distributor's, venue's) region, by slug (default: the region "
        "with the most cards)",
    )
    parser.add_argument("--no-landing", action="store_true", help="skip the landing pages")
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run on SQLite too (figures mean little)"
    )
    args = parser.parse_args(argv)
    args.lists = [name.strip() for name in args.lists.split(",") if name.strip()]
    args.roles = [name.strip() for name in args.roles.split(",") if name.strip()]
    args.positions = [name.strip() for name in args.positions.split(",") if name.strip()]
    unknown = (
        set(args.lists) - set(LIST_PAGES)
        | set(args.roles) - set(ROLES)
        | set(args.positions) - set(POSITIONS)
    )
    if unknown:
        parser.error(f"unknown list, role or position: {', '.join(sorted(unknown))}")
    return args


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    # As in production: no query log kept in memory, no template debugging; and one connection for
    # the whole run (connecting is not what is measured).
    settings.DEBUG = False
    connections["default"].settings_dict["CONN_MAX_AGE"] = None


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        print(
            "benchmarks/lists.py measures PostgreSQL: set DATABASE_URL=postgres://... "
            "(or --allow-sqlite).",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    rows, base_ms = run(
        pages=args.lists,
        roles=args.roles,
        runs=args.runs,
        slow=args.slow,
        landing=not args.no_landing,
        at=args.positions,
        region_slug=args.region,
    )
    print()
    print(table(rows, base_ms))
    print()
    for line in summary(rows):
        print(line)
    print(f"Finished in {time.perf_counter() - started:.0f} s.")
    return 1 if any(row.problems for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
