#!/usr/bin/env python3
"""Throughput and latency of the check-and-record API at national scale, against a bare baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaikukanta_bench make bench-api
    DATABASE_URL=... CARDS=100000 USES=1000000 .venv/bin/python benchmarks/api.py --seconds 20

1. Loads synthetic data (`manage.py generate_synthetic`, CARDS cards and USES uses, default 1 million
   and 10 million) into DATABASE_URL's PostgreSQL, only when the database does not already hold that
   many cards; migrates it.
2. Makes (once) a venue user `bench.api` at a venue with the most cards around it, an API token for
   it, and picks a pool of cards that venue accepts today.
3. Serves the real API with gunicorn (the production server, `--workers`, DEBUG off) on 127.0.0.1,
   and in the same run a bare WSGI app (benchmarks/bare_api.py) that runs the same SQL statements
   with psycopg and nothing else, also under gunicorn with the same workers.
   Both talk to PostgreSQL the same way: parameters bound on the server, a statement run five
   times on a connection prepared (psycopg's defaults; in the real app, its hot path's statements
   through core/queries.py `hot_cursor` and settings.py's `prepare_threshold`).
4. Drives POST /api/v1/checks and POST /api/v1/uses (a new Idempotency-Key each) with `--clients`
   concurrent keep-alive clients for `--seconds` each, after a warm-up, alternating between the two
   servers for `--rounds` rounds (the shared machine's speed drifts over minutes), and prints each
   run, then a table of each server's median round: requests per second, p50 and p99 latency, and
   the median of the rounds' ratios real/bare.

With REDIS_URL set, both servers keep the look-up counters in Redis (as production does when it is set);
otherwise in PostgreSQL (a look-up's counters in one statement, on an UNLOGGED table).

The look-up limits are raised for the served API (the counters are still written on every request):
the benchmark measures speed, not the limit. The uses it records stay in the database (a few tens of
thousands at the bench venue). A benchmark that prints figures, not a test: nothing fails for being
slow. Targets (issue 7): real at least 0.5 of bare throughput, p99 under 50 ms at 32 clients.
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


def serve(app: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            GUNICORN,
            app,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "256",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
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
    raise SystemExit(f"{app} did not start on port {port}")


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
    args = parser.parse_args()
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

    # Both servers stay up, and the runs alternate (real, bare, real, bare, ...): the machine is
    # shared and its speed drifts by a factor of two over minutes, so a ratio of runs made minutes
    # apart compares the machine as much as the code. The table shows each server's median round.
    servers = {
        "real": ("kaikukanta.wsgi:application", args.port),
        "bare": ("benchmarks.bare_api:app", args.port + 1),
    }
    processes = [serve(app, port, args.workers, real_env) for app, port in servers.values()]
    runs: dict[tuple[str, str], list[dict]] = {}
    try:
        for round_number in range(1, args.rounds + 1):
            for name, make in (("check", check), ("record", record)):
                for label, (_app, port) in servers.items():
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
        f"{'operation':<10}{'server':<8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'real/bare':>12}"
    )
    for name in ("check", "record"):
        ratios = [
            real["rps"] / bare["rps"]
            for real, bare in zip(runs[("real", name)], runs[("bare", name)], strict=True)
        ]
        for label in ("real", "bare"):
            rounds = runs[(label, name)]
            median = {
                key: statistics.median(r[key] for r in rounds) for key in ("rps", "p50", "p99")
            }
            ratio = f"{statistics.median(ratios):.2f}" if label == "real" else ""
            print(
                f"{name:<10}{label:<8}{median['rps']:>10.0f}{median['p50']:>10.1f}"
                f"{median['p99']:>10.1f}{ratio:>12}"
            )
        print(f"{'':<18}real/bare by round: " + ", ".join(f"{r:.2f}" for r in ratios))


if __name__ == "__main__":
    main()
