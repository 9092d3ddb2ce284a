#!/usr/bin/env python3
"""Throughput and latency of the check-and-record API at national scale, this checkout against a baseline.

    git worktree add ../base 7cbcb3a && ln -s "$PWD/.venv" ../base/.venv   # the code to compare with
    (cd ../base && .venv/bin/pybabel compile --domain django --directory kaikukanta/locale)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaikukanta_bench BASELINE=../base make bench-api
    DATABASE_URL=... .venv/bin/python benchmarks/api.py --baseline ../base --rounds 3 --seconds 10

1. Loads synthetic data (`manage.py generate_synthetic`, CARDS cards and USES uses, default 1 million
   and 10 million) into DATABASE_URL's PostgreSQL, only when the database does not already hold that
   many cards; migrates it (with this checkout's migrations: the baseline must have the same schema).
2. Makes (once) a venue user `bench.api` at a venue with the most cards around it, an API token for
   it, and picks a pool of cards that venue accepts today.
3. Serves the API with gunicorn (the production server, `--workers`, DEBUG off) on 127.0.0.1 twice,
   from the same database: this checkout ("new") and the checkout at `--baseline` ("baseline", for
   example the commit before a change to the hot path), each with its own code and settings' defaults.
   `--prepared` serves this checkout a second time with KAIKUKANTA_DB_PREPARED_STATEMENTS=1
   ("new+prep": Django's server-side binding and psycopg's prepared statements).
4. Drives POST /api/v1/checks and POST /api/v1/uses (a new Idempotency-Key each) with `--clients`
   concurrent keep-alive clients for `--seconds` each, after a warm-up, alternating between the
   servers for `--rounds` rounds (the shared machine's speed drifts over minutes), and prints each
   run, then a table of each server's median round: requests per second, p50 and p99 latency, and
   the median of the rounds' ratios to the baseline.

With REDIS_URL set, the servers keep the look-up counters in Redis (as production does when it is set);
otherwise in PostgreSQL (a look-up's counters in one statement, on an UNLOGGED table).

The look-up limits are raised for the served API (the counters are still written on every request):
the benchmark measures speed, not the limit. The uses it records stay in the database (a few tens of
thousands at the bench venue). A benchmark that prints figures, not a test: nothing fails for being
slow. Target (issue 18): plain Django at least 0.6 of the baseline with core/queries.py (7cbcb3a).
Reports: docs/performance/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("PYTHON", str(ROOT / ".venv" / "bin" / "python"))
GUNICORN = str(Path(PYTHON).parent / "gunicorn")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
    os.environ.setdefault("KAIKUKANTA_DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_data(cards: int, uses: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cards_card")
        have = cursor.fetchone()[0]
    if have >= cards:
        print(f"The database holds {have:,} cards already: no data loaded.")
        return
    print(f"Loading {cards:,} cards and {uses:,} uses (generate_synthetic)...", flush=True)
    call_command("generate_synthetic", cards=cards, uses=uses)


def prepare(pool_size: int) -> tuple[str, int, list[str]]:
    """The bench user's token, its venue and cards that venue accepts today."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from kaikukanta.accounts.models import Role, RoleAssignment
    from kaikukanta.api.services import create_api_token
    from kaikukanta.cards.models import Card
    from kaikukanta.core.dates import today
    from kaikukanta.network.models import Venue

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username="bench.api")
    assignment = RoleAssignment.objects.filter(user=user, role=Role.VENUE_STAFF).first()
    if assignment is None:
        region = (
            Card.objects.values("region").annotate(n=Count("pk")).order_by("-n").first()["region"]
        )
        venue = Venue.objects.filter(region=region, is_popup=False).order_by("pk").first()
        assignment = RoleAssignment.objects.create(user=user, role=Role.VENUE_STAFF, venue=venue)
    venue = assignment.venue
    _token, secret = create_api_token(actor=None, user=user, name="bench-api")
    day = today()
    pool: list[str] = []
    candidates = Card.objects.filter(region=venue.region, card_type="personal").valid_on(day)
    for card in candidates.select_related("region").order_by("?")[: pool_size * 2]:
        if card.refusal_at(venue, day) is None:
            pool.append(card.identifier)
        if len(pool) >= pool_size:
            break
    return secret, venue.pk, pool


def serve(root: Path, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            GUNICORN,
            "kaikukanta.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "256",
        ],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), **env},
        start_new_session=True,
    )
    for _ in range(200):
        try:
            with urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise SystemExit(f"{root} did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


async def client(port, make_request, until, latencies, statuses):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            path, body, headers = make_request()
            data = json.dumps(body).encode()
            head = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                + "\r\n"
            )
            started = time.perf_counter()
            writer.write(head.encode() + data)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            close = False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[int(status_line.split()[1])] = statuses.get(int(status_line.split()[1]), 0) + 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def drive(port, make_request, clients, seconds, warmup=2.0):
    async def run(duration, latencies, statuses):
        until = time.perf_counter() + duration
        await asyncio.gather(
            *(client(port, make_request, until, latencies, statuses) for _ in range(clients))
        )

    asyncio.run(run(warmup, [], {}))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    asyncio.run(run(seconds, latencies, statuses))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=int(os.environ.get("CARDS", 1_000_000)))
    parser.add_argument("--uses", type=int, default=int(os.environ.get("USES", 10_000_000)))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument(
        "--baseline",
        type=Path,
        default=os.environ.get("BASELINE") or None,
        required=not os.environ.get("BASELINE"),
        help="a checkout of the code to compare with (git worktree add), on the same schema",
    )
    parser.add_argument(
        "--prepared",
        action="store_true",
        help="also serve this checkout with KAIKUKANTA_DB_PREPARED_STATEMENTS=1",
    )
    args = parser.parse_args()
    baseline = args.baseline.resolve()
    if not (baseline / "kaikukanta" / "wsgi.py").exists():
        raise SystemExit(f"{baseline} is not a checkout of this project.")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database (the benchmark loads data into it)."
        )
    setup_django()
    ensure_data(args.cards, args.uses)
    token, venue, pool = prepare(2000)
    print(
        f"Venue {venue}, {len(pool)} cards it accepts, {args.clients} clients, "
        f"{args.workers} workers, {args.rounds} rounds of {args.seconds:g} s per server.",
        flush=True,
    )
    limits = dict.fromkeys(
        (
            "KAIKUKANTA_LOOKUPS_PER_MINUTE",
            "KAIKUKANTA_VENUE_LOOKUPS_PER_MINUTE",
            "KAIKUKANTA_FAILED_LOOKUPS",
            "KAIKUKANTA_VENUE_FAILED_LOOKUPS",
        ),
        "1000000000",
    )
    real_env = {
        "DATABASE_URL": url,
        "KAIKUKANTA_DEBUG": "0",
        "KAIKUKANTA_SECRET_KEY": secrets.token_urlsafe(50),
        "KAIKUKANTA_ALLOWED_HOSTS": "127.0.0.1",
        "KAIKUKANTA_HTTPS": "0",
        "KAIKUKANTA_LOG_LEVEL": "WARNING",
        **limits,
    }
    if os.environ.get("REDIS_URL"):
        print(f"Look-up counters in Redis ({os.environ['REDIS_URL']}), for both servers.")
    auth = {"Authorization": f"Bearer {token}"}

    def check():
        return "/api/v1/checks", {"venue": venue, "card": random.choice(pool)}, auth  # noqa: S311

    def record():
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        return "/api/v1/uses", {"venue": venue, "card": random.choice(pool)}, headers  # noqa: S311

    # The servers stay up, and the runs alternate (baseline, new, baseline, new, ...): the machine is
    # shared and its speed drifts by a factor of two over minutes, so a ratio of runs made minutes
    # apart compares the machine as much as the code. The table shows each server's median round.
    servers: dict[str, tuple[Path, int, dict[str, str]]] = {
        "baseline": (baseline, args.port, {}),
        "new": (ROOT, args.port + 1, {"KAIKUKANTA_DB_PREPARED_STATEMENTS": "0"}),
    }
    if args.prepared:
        servers["new+prep"] = (ROOT, args.port + 2, {"KAIKUKANTA_DB_PREPARED_STATEMENTS": "1"})
    print(f"Baseline: {baseline} ({git_head(baseline)}); new: {ROOT} ({git_head(ROOT)}).")
    processes = [
        serve(root, port, args.workers, {**real_env, **env}) for root, port, env in servers.values()
    ]
    runs: dict[tuple[str, str], list[dict]] = {}
    try:
        for round_number in range(1, args.rounds + 1):
            for name, make in (("check", check), ("record", record)):
                for label, (_root, port, _env) in servers.items():
                    result = drive(port, make, args.clients, args.seconds)
                    runs.setdefault((label, name), []).append(result)
                    print(
                        f"  round {round_number} {label} {name}: {result['rps']:.0f} req/s "
                        f"{result['statuses']}",
                        flush=True,
                    )
    finally:
        for process in processes:
            stop(process)

    print()
    print(f"Median of {args.rounds} rounds:")
    print(
        f"{'operation':<10}{'server':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'/baseline':>11}"
    )
    for name in ("check", "record"):
        for label in servers:
            rounds = runs[(label, name)]
            median = {
                key: statistics.median(r[key] for r in rounds) for key in ("rps", "p50", "p99")
            }
            ratios = [
                run["rps"] / base["rps"]
                for run, base in zip(rounds, runs[("baseline", name)], strict=True)
            ]
            ratio = f"{statistics.median(ratios):.2f}" if label != "baseline" else ""
            print(
                f"{name:<10}{label:<10}{median['rps']:>10.0f}{median['p50']:>10.1f}"
                f"{median['p99']:>10.1f}{ratio:>11}"
            )
            if label != "baseline":
                print(
                    f"{'':<20}{label}/baseline by round: " + ", ".join(f"{r:.2f}" for r in ratios)
                )


def git_head(root: Path) -> str:
    answer = subprocess.run(  # noqa: S603 (git, fixed arguments)
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return answer.stdout.strip() or "unknown commit"


if __name__ == "__main__":
    main()
