"""Time every statistics page and export through the real stack (Django's test client, the whole
middleware, templates), as a national administrator and as a coordinator of the busiest region, on
DATABASE_URL's PostgreSQL filled by `manage.py generate_synthetic` (then `manage.py migrate`, whose
stats migration fills the summary tables, or `manage.py rebuild_stats`).

In the same run it times two baselines: the bare health check (`SELECT 1` through the same stack)
and the raw SQL aggregates the page answers, computed straight from the cards and uses tables (what
the pages did before the summary tables). It prints p95 per page, its ratio to the health check and
to the raw SQL.

    DATABASE_URL=postgres://... make bench-stats            (BENCH_ARGS="--runs 30 --year 2025")
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_lists", Path(__file__).parent / "lists.py")
lists = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["bench_lists"] = lists
_spec.loader.exec_module(lists)  # type: ignore[union-attr]

TABLES = ("key", "months", "categories", "venues", "sites", "ages", "years")


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(function, runs: int) -> tuple[float, object]:
    ms, _median, result = timed_both(function, runs)
    return ms, result


def timed_both(function, runs: int) -> tuple[float, float, object]:
    """p95 and median in ms of `runs` calls after one warm-up, and the last call's result."""
    result = function()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return p95(times), statistics.median(times), result


RAW_SQL = {
    # What the figures are, straight from the big tables: cards registered, cards used (distinct),
    # uses by category, for the whole country or one region's cards and venues.
    "national": [
        "SELECT region_id, count(*) FROM cards_card WHERE card_type = 'personal' "
        "AND issued_on BETWEEN %(first)s AND %(last)s GROUP BY region_id",
        "SELECT u.card_region_id, count(DISTINCT u.card_id) FROM uses_use u JOIN cards_card c "
        "ON c.id = u.card_id AND c.card_type = 'personal' "
        "WHERE u.occurred_at >= %(first)s AND u.occurred_at < %(next)s GROUP BY u.card_region_id",
        "SELECT v.region_id, u.category, count(*) FILTER (WHERE u.adult_ticket), "
        "sum(u.child_tickets) FROM uses_use u JOIN network_venue v ON v.id = u.venue_id "
        "WHERE u.occurred_at >= %(first)s AND u.occurred_at < %(next)s GROUP BY 1, 2",
    ],
    "region": [
        "SELECT count(*) FROM cards_card WHERE card_type = 'personal' AND region_id = %(region)s "
        "AND issued_on BETWEEN %(first)s AND %(last)s",
        "SELECT count(DISTINCT card_id) FROM uses_use WHERE card_region_id = %(region)s "
        "AND occurred_at >= %(first)s AND occurred_at < %(next)s",
        "SELECT u.category, count(*) FILTER (WHERE u.adult_ticket), sum(u.child_tickets) "
        "FROM uses_use u JOIN network_venue v ON v.id = u.venue_id WHERE v.region_id = %(region)s "
        "AND u.occurred_at >= %(first)s AND u.occurred_at < %(next)s GROUP BY 1",
    ],
}


def raw_sql(level: str, region_id: int, period, runs: int) -> float:
    import datetime as dt

    from django.db import connection

    params = {
        "first": period.first,
        "last": period.end,
        "next": period.end + dt.timedelta(days=1),
        "region": region_id,
    }

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in RAW_SQL[level]:
                cursor.execute(sql, params)
                cursor.fetchall()

    return timed(run, max(1, runs // 4))[0]


SHOWN_TARGET = 95


def shown_shares(region, year: int) -> list[tuple[str, float]]:
    """The share of number cells shown on the national page and the region's, for the year, as
    a coordinator or a national administrator sees them (the cell key method shows every count;
    only holder data below the threshold in a region is held back)."""
    from kaikukanta.stats import figures
    from kaikukanta.stats.periods import Period

    found = []
    for subject in (
        figures.Subject(figures.NATIONAL, "national"),
        figures.Subject(figures.REGION, region.display_name, region=region),
    ):
        shown, total = figures.report(subject, Period.of_year(year)).shown_share()
        share = 100 * shown / total if total else 100.0
        found.append(
            (
                f"Number cells shown, {subject.label} {year}: {shown} of {total}, {share:.1f} %",
                share,
            )
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument("--year", type=int, default=None, help="year shown (default: last full)")
    parser.add_argument(
        "--months",
        default=None,
        help="a range of months also shown, as 3/2025-2/2026 (default: the 12 months to last month)",
    )
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite (smoke test)")
    args = parser.parse_args(argv)
    lists.setup_django()
    from django.db import connection
    from django.urls import reverse

    from kaikukanta.core.dates import today

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        print(
            "benchmarks/stats.py measures PostgreSQL: set DATABASE_URL=postgres://...",
            file=sys.stderr,
        )
        return 2
    from kaikukanta.stats.periods import Period, add_months
    from kaikukanta.web.forms.stats import parse_month

    year = args.year or today().year - 1
    if args.months:
        first, last = (parse_month(part) for part in args.months.split("-", 1))
        if first is None or last is None:
            parser.error("--months: give them as 3/2025-2/2026")
        months = Period.of_months(first, last)
    else:
        last = add_months(today().replace(day=1), -1)
        months = Period.of_months(add_months(last, -11), last)
    region = lists.busiest_region()
    users = lists.ensure_users(["national", "coordinator"], region)
    client = lists._client()
    base_ms = lists.baseline(client, args.runs)
    raw = {
        "national": raw_sql("national", region.pk, Period.of_year(year), args.runs),
        "region": raw_sql("region", region.pk, Period.of_year(year), args.runs),
        "national months": raw_sql("national", region.pk, months, args.runs),
        "region months": raw_sql("region", region.pk, months, args.runs),
    }
    pages: list[tuple[str, str, str]] = []  # (role, raw level, url)
    q = f"?year={year}"
    pages.append(("national", "national", reverse("web:stats_national") + q))
    pages.append(("national", "national", reverse("web:national") + q))
    pages += [
        ("national", "national", reverse("web:stats_national_export", args=[t, f]) + q)
        for t in TABLES
        for f in ("csv", "xlsx")
    ]
    for role in ("national", "coordinator"):
        pages.append((role, "region", reverse("web:stats_region", args=[region.slug]) + q))
        pages.append((role, "region", reverse("web:region", args=[region.slug]) + q))
        pages += [
            (role, "region", reverse("web:stats_region_export", args=[region.slug, t, f]) + q)
            for t in TABLES
            for f in ("csv", "xlsx")
        ]
        pages.append((role, "region", reverse("web:stats_region_report", args=[region.slug, year])))
    municipality = region.municipalities.order_by("name").first()
    if municipality is not None:
        pages.append(
            (
                "coordinator",
                "region",
                reverse("web:stats_municipality", args=[municipality.code]) + q,
            )
        )
    # The same pages for a range of months (every table follows the period but the yearly one).
    m = "?" + months.query
    pages.append(("national", "national months", reverse("web:stats_national") + m))
    pages += [
        ("national", "national months", reverse("web:stats_national_export", args=[t, f]) + m)
        for t in TABLES
        if t != "years"
        for f in ("csv", "xlsx")
    ]
    for role in ("national", "coordinator"):
        pages.append((role, "region months", reverse("web:stats_region", args=[region.slug]) + m))
        pages += [
            (
                role,
                "region months",
                reverse("web:stats_region_export", args=[region.slug, t, f]) + m,
            )
            for t in TABLES
            if t != "years"
            for f in ("csv", "xlsx")
        ]
    if municipality is not None:
        pages.append(
            (
                "coordinator",
                "region months",
                reverse("web:stats_municipality", args=[municipality.code]) + m,
            )
        )
    print(
        f"Statistics for {year} and for {months.label}; busiest region {region.display_name}; "
        f"{args.runs} requests a page."
    )
    print(
        f"Baselines: health check {base_ms:.1f} ms; raw SQL national {raw['national']:.0f} ms, "
        f"region {raw['region']:.0f} ms; for the months national {raw['national months']:.0f} ms, "
        f"region {raw['region months']:.0f} ms."
    )
    print()
    print(
        f"{'page':<84} {'role':<12} {'p95 ms':>8} {'median':>8} {'x health':>9} {'x raw SQL':>10}"
    )
    worst = 0.0
    failures = 0
    for role, level, url in pages:
        lists.sign_in(client, users[role])
        ms, median, response = timed_both(lambda url=url: client.get(url), args.runs)
        status = getattr(response, "status_code", 0)
        if status != 200:
            failures += 1
        worst = max(worst, ms)
        print(
            f"{url.replace('%2F', '/')[:84]:<84} {role:<12} {ms:>8.1f} {median:>8.1f} {ms / base_ms:>9.1f} "
            f"{ms / raw[level]:>10.2f}" + ("" if status == 200 else f"  status {status}")
        )
    print()
    print(f"Slowest page p95: {worst:.0f} ms (target < 500 ms).")
    for label, _share in shown_shares(region, year):
        print(label + f" (target at least {SHOWN_TARGET} %).")
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
    sys.exit(main())
