#!/usr/bin/env python3
"""Two app servers, one PostgreSQL through PgBouncer (transaction mode), one Redis, and a kill -9.

``.venv/bin/python deploy/two_instances.py`` (CI runs it; needs Debian's ``pgbouncer`` package). It
creates a fresh database with the demo, starts PgBouncer in transaction mode in front of it and two
gunicorn servers through ``deploy/entrypoint`` on two ports (``KAIKUKANTA_DB_TRANSACTION_POOLER=1``), and
drives check-and-record load through both at once:

1. uses recorded through both servers, each request's idempotency key retried on the *other* server:
   the retry returns the same use;
2. ``kill -9`` of one server's master and workers in the middle of the load; every request it did not
   answer is retried on the survivor, as a box office's queue would;
3. the look-up limit is shared: unknown numbers of the earlier registry's format looked up through
   both servers are refused after KAIKUKANTA_LEGACY_FAILED_LOOKUPS in all, not per server;
4. the database holds every use acknowledged with 201 (or 200 on a retry) exactly once, and no other.

Prints one line per finding and a summary; exit status 0 only when all held.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smoke_test import ADMIN_URL, OPENER, PICK, ROOT, free_port

# A distributor site of the demo, for the imported card.
PICK_SITE = (
    "from kaikukanta.network.models import DistributorSite; "
    "print(DistributorSite.objects.order_by('pk').values_list('pk', flat=True).first())"
)

PYTHON = sys.executable
FAILED_LOOKUPS = 10


class Server:
    def __init__(self, name: str, env: dict[str, str], var: Path) -> None:
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        (var / name).mkdir()
        self.env = {
            **env,
            "KAIKUKANTA_BIND": f"127.0.0.1:{self.port}",
            "KAIKUKANTA_VAR_DIR": str(var / name),
            "KAIKUKANTA_STATIC_ROOT": str(var / name / "static"),
        }
        self.process = subprocess.Popen(
            [str(ROOT / "deploy" / "entrypoint")], cwd=ROOT, env=self.env, start_new_session=True
        )
        self.alive = True

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited with {self.process.returncode}")
            try:
                if post(self, "GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"server {self.name} not ready within 120 s")

    def kill9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the master and every worker
        self.process.wait()
        self.alive = False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def post(server: Server, method: str, path: str, body=None, headers=None):
    import urllib.request

    all_headers = {"X-Forwarded-Proto": "https", **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(server.base + path, data, all_headers, method=method)
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main() -> int:  # one scenario, read top to bottom
    started = time.monotonic()
    database = f"kaikukanta_two_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="kaikukanta-two-"))
    work.chmod(0o755)
    server_url = ADMIN_URL.rsplit("/", 1)[0]
    bouncer_port = free_port()
    key = "".join(__import__("secrets").choice(string.ascii_letters) for _ in range(50))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("KAIKUKANTA_")}
    base_env.update(
        KAIKUKANTA_SECRET_KEY=key,
        KAIKUKANTA_ALLOWED_HOSTS="127.0.0.1",
        KAIKUKANTA_WORKERS="3",
        KAIKUKANTA_MIGRATE="check",
        KAIKUKANTA_PYTHON=PYTHON,
        KAIKUKANTA_LEGACY_FAILED_LOOKUPS=str(FAILED_LOOKUPS),
        KAIKUKANTA_DB_TRANSACTION_POOLER="1",
        REDIS_URL=os.environ.get("TWO_REDIS_URL", "redis://127.0.0.1:6379/12"),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{bouncer_port}/{database}",
    )
    direct = {**base_env, "DATABASE_URL": f"{server_url}/{database}"}
    servers: list[Server] = []
    bouncer = None
    problems: list[str] = []

    def say(text: str) -> None:
        print(f"two-instances: {text}", flush=True)

    try:
        import redis

        redis.Redis.from_url(base_env["REDIS_URL"]).flushdb()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')

        def manage(*args: str, env: dict[str, str] = direct) -> str:
            result = subprocess.run(
                [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
            )
            if result.returncode:
                raise AssertionError(f"manage.py {args[0]}: {result.stdout}{result.stderr}")
            return result.stdout

        manage("migrate", "--no-input", "--verbosity", "0")
        manage("load_demo", "--force")
        username, venue, cards = json.loads(manage("shell", "-c", PICK).strip().splitlines()[-1])
        token = manage("create_api_token", username, "--name", "two instances").strip()
        # One card imported from the earlier registry: numbers of its format (no check character)
        # are the ones whose unknown answers are limited (cards/lookups.py).
        site = manage("shell", "-c", PICK_SITE).strip().splitlines()[-1]
        (work / "legacy.csv").write_text(
            "identifier,site,card_type,issued_on,valid_until,birth_year,postcode,children\n"
            f"KK001234,{site},personal,2026-06-01,2027-06-01,1980,33100,0\n"
        )
        manage("import_cards", str(work / "legacy.csv"), "--actor", "kaikukeskus")
        say(f"demo loaded; {len(cards)} cards of venue {venue}")

        # PgBouncer in transaction mode, as an unprivileged user (it refuses to run as root).
        (work / "userlist.txt").write_text('"postgres" ""\n')
        (work / "pgbouncer.ini").write_text(
            f"[databases]\n{database} = host=127.0.0.1 port=5432 dbname={database}\n"
            "[pgbouncer]\nlisten_addr = 127.0.0.1\n"
            f"listen_port = {bouncer_port}\nunix_socket_dir =\nauth_type = trust\n"
            f"auth_file = {work}/userlist.txt\npool_mode = transaction\n"
            "max_client_conn = 200\ndefault_pool_size = 10\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {work}/pgbouncer.log\n"
        )
        command = ["pgbouncer", str(work / "pgbouncer.ini")]
        if os.getuid() == 0:
            user = pwd.getpwnam("postgres").pw_name
            for path in (work, *work.iterdir()):
                shutil.chown(path, user)
            command = ["runuser", "-u", user, "--", *command]
        bouncer = subprocess.Popen(command, start_new_session=True)
        for _ in range(50):
            try:
                psycopg.connect(base_env["DATABASE_URL"], connect_timeout=1).close()
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        else:
            raise AssertionError("PgBouncer did not answer")
        say(f"PgBouncer (transaction mode) on {bouncer_port}")

        servers = [Server("a", base_env, work), Server("b", base_env, work)]
        for server in servers:
            server.wait_ready()
        a, b = servers
        say(f"servers a :{a.port} and b :{b.port} ready")

        auth = {"Authorization": f"Bearer {token}"}
        accepted = []
        for card in cards:
            status, body = post(a, "POST", "/api/v1/checks", {"venue": venue, "card": card}, auth)
            if status == 200 and json.loads(body)["accepted"]:
                accepted.append(card)
        say(f"{len(accepted)} cards accepted at the venue")
        if len(accepted) < 10:
            raise AssertionError("too few accepted cards for the load")

        acknowledged: dict[str, int] = {}
        lock = threading.Lock()
        kill_at = len(accepted) // 2
        done = [0]
        unanswered = [0]
        refused: list[str] = []

        def record(card: str, first: Server, other: Server) -> None:
            key = str(uuid.uuid4())
            payload = {"venue": venue, "card": card}
            headers = {**auth, "Idempotency-Key": key}
            ids = []
            for server in (first, other):
                if not server.alive:
                    continue
                try:
                    status, body = post(server, "POST", "/api/v1/uses", payload, headers)
                except OSError:
                    with lock:
                        unanswered[0] += 1
                    continue  # the server died: the client retries on the other one
                if status in (200, 201):
                    ids.append(json.loads(body)["id"])
                else:
                    with lock:
                        refused.append(f"{server.name} {status} {body[:200]!r}")
            with lock:
                if ids:
                    if len(set(ids)) != 1:
                        problems.append(f"key {key}: two servers gave different uses {ids}")
                    acknowledged[key] = ids[0]
                done[0] += 1
                if done[0] == kill_at and a.alive:
                    a.kill9()
                    say(f"kill -9 of server a's master and workers after {done[0]} uses")

        with ThreadPoolExecutor(max_workers=8) as pool:
            for index, card in enumerate(accepted):
                first, other = (a, b) if index % 2 == 0 else (b, a)
                pool.submit(record, card, first, other)
        if a.alive:
            problems.append("server a was never killed")
        for line in refused:
            say(f"not recorded: {line}")
        say(
            f"{len(acknowledged)} uses acknowledged through both servers; {unanswered[0]} "
            "request(s) the killed server never answered, retried on the other"
        )

        # Every acknowledged use is in the database, exactly once; no other use of these keys.
        with psycopg.connect(direct["DATABASE_URL"]) as connection:
            rows = connection.execute(
                "SELECT idempotency_key, count(*), min(id) FROM uses_use "
                "WHERE idempotency_key = ANY(%s) GROUP BY idempotency_key",
                [list(acknowledged)],
            ).fetchall()
        found = {key: (count, use) for key, count, use in rows}
        lost = [key for key in acknowledged if key not in found]
        doubled = [key for key, (count, _) in found.items() if count != 1]
        wrong = [key for key, (_, use) in found.items() if acknowledged[key] != use]
        if lost or doubled or wrong:
            problems.append(f"{len(lost)} lost, {len(doubled)} doubled, {len(wrong)} differ")
        say(f"database: {len(found)} of {len(acknowledged)} acknowledged uses, each once")

        # The look-up limit holds across servers: a fresh server a' and b share Redis.
        servers.append(Server("c", base_env, work))
        servers[-1].wait_ready()
        c = servers[-1]
        refused_from = None
        for attempt in range(1, 2 * FAILED_LOOKUPS + 1):
            server = c if attempt % 2 else b
            guess = f"KK{2000 + attempt:06d}"  # the imported card's format, matching no card
            status, _ = post(
                server, "POST", "/api/v1/checks", {"venue": venue, "card": guess}, auth
            )
            if status == 429 and refused_from is None:
                refused_from = attempt
        if refused_from != FAILED_LOOKUPS + 1:
            problems.append(
                f"unknown look-ups refused from attempt {refused_from}, not {FAILED_LOOKUPS + 1}"
            )
        say(f"look-up limit shared: refused from attempt {refused_from} of alternating servers")
    except AssertionError as error:
        problems.append(str(error))
    finally:
        for server in servers:
            server.stop()
        if bouncer is not None:
            os.killpg(bouncer.pid, signal.SIGTERM)
            bouncer.wait()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - started
    if problems:
        say(f"FAILED after {seconds:.0f} s: " + "; ".join(problems))
        return 1
    say(f"passed in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
