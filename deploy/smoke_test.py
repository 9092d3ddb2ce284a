#!/usr/bin/env python3
"""The production smoke test (CI runs it; so can an operator on a staging machine).

Run from the checkout with Kaikukanta's Python: ``.venv/bin/python deploy/smoke_test.py``. It creates a fresh
PostgreSQL database, starts ``deploy/entrypoint`` with debug off, a 50-character secret key and Redis, and
checks what an operator would after a deploy: liveness, readiness, the login page, a static file by its
hashed name, a check and a use through the API with a token. Then it stops gunicorn (SIGTERM: workers
finish their requests), drops the database and prints one line. Exit status 0 only when all passed.

  PG_ADMIN_URL   a PostgreSQL superuser URL (default postgres://postgres@127.0.0.1:5432/postgres)
  SMOKE_REDIS_URL  default redis://127.0.0.1:6379/11 (flushed first: use a database number of its own)
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/11")

PICK = """
from kaikukanta.accounts.models import Role, RoleAssignment
from kaikukanta.cards.models import Card, CardType
staff = RoleAssignment.objects.filter(role=Role.VENUE_STAFF, venue__isnull=False).select_related("user", "venue").order_by("pk").first()
cards = Card.objects.valid_on().filter(region=staff.venue.region, card_type=CardType.PERSONAL).order_by("pk").values_list("identifier", flat=True)[:30]
import json
print(json.dumps([staff.user.username, staff.venue.pk, list(cards)]))
"""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirects)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)


class Smoke:
    def __init__(self) -> None:
        self.database = f"kaikukanta_smoke_{os.getpid()}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.var = Path(tempfile.mkdtemp(prefix="kaikukanta-smoke-"))
        key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50))
        self.env = {
            key_: value
            for key_, value in os.environ.items()
            if not key_.startswith("KAIKUKANTA_") and key_ not in {"DATABASE_URL", "REDIS_URL"}
        }
        self.env.update(
            KAIKUKANTA_SECRET_KEY=key,
            DATABASE_URL=ADMIN_URL.rsplit("/", 1)[0] + "/" + self.database,
            REDIS_URL=REDIS_URL,
            KAIKUKANTA_ALLOWED_HOSTS="127.0.0.1",
            KAIKUKANTA_VAR_DIR=str(self.var),
            KAIKUKANTA_STATIC_ROOT=str(self.var / "static"),
            KAIKUKANTA_BIND=f"127.0.0.1:{self.port}",
            KAIKUKANTA_WORKERS="2",
            KAIKUKANTA_MIGRATE="apply",
            KAIKUKANTA_PYTHON=PYTHON,
            KAIKUKANTA_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        self.server: subprocess.Popen[bytes] | None = None
        self.passed: list[str] = []

    # --- helpers ---
    def ok(self, what: str) -> None:
        self.passed.append(what)
        print(f"smoke: ok  {what}", flush=True)

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if result.returncode:
            raise AssertionError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        # As nginx sends it: the client's scheme, so that the HTTPS redirect does not answer.
        all_headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data, all_headers, method=method)
        try:
            with OPENER.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    # --- the steps ---
    def start(self) -> None:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        admin_sql(f'CREATE DATABASE "{self.database}"')
        self.server = subprocess.Popen(
            [str(ROOT / "deploy" / "entrypoint")], cwd=ROOT, env=self.env, start_new_session=True
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise AssertionError(f"the entrypoint stopped with status {self.server.returncode}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError("gunicorn did not answer /healthz within 180 s")

    def probes(self) -> None:
        status, _headers, body = self.request("GET", "/healthz")
        assert status == 200 and json.loads(body) == {"status": "ok"}, (status, body)
        self.ok("/healthz 200")
        status, _headers, body = self.request("GET", "/readyz")
        ready = json.loads(body)
        assert status == 200 and ready["status"] == "ok", (status, body)
        assert ready["commit"] != "unknown" or not (ROOT / ".git").exists(), ready
        self.ok(f"/readyz 200 (version {ready['version']}, commit {ready['commit']})")

    def login_page(self) -> None:
        status, headers, body = self.request("GET", "/login/")
        assert status == 200, status
        assert b'name="password"' in body, "no password field on the login page"
        assert "max-age=" in headers.get("Strict-Transport-Security", ""), headers
        assert "Content-Security-Policy" in headers, headers
        self.ok("login page 200 with HSTS and CSP")
        status, headers, body = self.request("GET", "/")
        assert status == 200 and b'href="/login/"' in body, (status, headers)
        self.ok("public front page 200 with the staff login link")
        status, headers, body = self.request(
            "GET", "/login/", headers={"X-Forwarded-Proto": "http"}
        )
        assert status == 301 and headers["Location"].startswith("https://"), (status, headers)
        self.ok("plain HTTP redirected to HTTPS")

    def static_file(self) -> None:
        manifest = json.loads((self.var / "static" / "staticfiles.json").read_text())["paths"]
        original = next(name for name in sorted(manifest) if name.endswith(".css"))
        hashed = manifest[original]
        assert hashed != original, hashed
        status, headers, body = self.request("GET", f"/static/{hashed}")
        assert status == 200 and body, status
        assert "immutable" in headers.get("Cache-Control", ""), headers
        self.ok(f"static file by its hashed name ({hashed}), cached for good")

    def api(self) -> None:
        started = time.monotonic()
        self.manage("load_demo", "--force")
        print(f"smoke: demo loaded in {time.monotonic() - started:.0f} s", flush=True)
        output = self.manage("shell", "-c", PICK)
        username, venue, cards = json.loads(output.strip().splitlines()[-1])
        token = self.manage("create_api_token", username, "--name", "smoke test").strip()
        auth = {"Authorization": f"Bearer {token}"}
        status, _, _ = self.request("POST", "/api/v1/checks", {"venue": int(venue), "card": "x"})
        assert status in (401, 403), f"a check without a token answered {status}"
        for card in cards:
            status, _, body = self.request(
                "POST", "/api/v1/checks", {"venue": int(venue), "card": card}, auth
            )
            assert status == 200, (status, body)
            if json.loads(body)["accepted"]:
                break
        else:
            raise AssertionError(f"none of {len(cards)} valid cards is accepted at venue {venue}")
        self.ok("API check with a token: 200, accepted")
        key = {"Idempotency-Key": str(uuid.uuid4())}
        payload = {"venue": int(venue), "card": card}
        status, _, body = self.request("POST", "/api/v1/uses", payload, {**auth, **key})
        assert status == 201, (status, body)
        use = json.loads(body)["id"]
        status, _, body = self.request("POST", "/api/v1/uses", payload, {**auth, **key})
        assert status == 200 and json.loads(body)["id"] == use, (status, body)
        self.ok("API use with a token: 201, the retry 200 with the same use")

    def metrics(self) -> None:
        status, _headers, body = self.request("GET", "/metrics")
        assert status == 200, status
        text = body.decode()
        # The use's 201, counted by whichever worker served it, in the sum over all workers.
        assert 'status="201"' in text, text[:500]
        assert "kaikukanta_request_db_seconds_count" in text
        self.ok("/metrics 200 with every worker's requests")

    def stop(self) -> None:
        if self.server is None or self.server.poll() is not None:
            return
        os.kill(self.server.pid, signal.SIGTERM)
        try:
            status = self.server.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            raise AssertionError("gunicorn did not stop within 45 s of SIGTERM") from None
        assert status == 0, f"gunicorn stopped with status {status}"
        self.ok("gunicorn stopped on SIGTERM")

    def cleanup(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
        admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.var, ignore_errors=True)


def main() -> int:
    started = time.monotonic()
    smoke = Smoke()
    try:
        smoke.start()
        smoke.probes()
        smoke.login_page()
        smoke.static_file()
        smoke.api()
        smoke.metrics()
        smoke.stop()
    except AssertionError as error:
        print(f"smoke: FAILED after {len(smoke.passed)} checks: {error}", flush=True)
        return 1
    finally:
        smoke.cleanup()
    print(f"smoke: passed {len(smoke.passed)} checks in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
