"""The one settings file in production mode: it refuses to start without a strong secret or with debug
on a real host name, and passes Django's deployment checklist when configured as docs/operations.md says."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# 60 characters, 12 of them different: passes the start-up rule and Django's deployment check.
GOOD_KEY = "x7-" + "k" * 20 + "Qp9_" + "z" * 30 + "!m2"


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KAIKUKANTA_", "PYTEST_", "DJANGO_"))
    }
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean.update(env)
    clean["KAIKUKANTA_VAR_DIR"] = env.get("KAIKUKANTA_VAR_DIR", str(ROOT / "var"))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    assert "KAIKUKANTA_SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        KAIKUKANTA_SECRET_KEY=GOOD_KEY,
        KAIKUKANTA_ALLOWED_HOSTS="kaikukanta.example.fi",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_mistyped_boolean_is_an_error_not_a_guess():
    result = run_manage("check", KAIKUKANTA_DEBUG="maybe")
    assert result.returncode != 0
    assert "KAIKUKANTA_DEBUG must be true or false" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage(
        "check",
        KAIKUKANTA_SECRET_KEY="Qp9_x7-k!m2" * 4,  # 44 characters
        KAIKUKANTA_ALLOWED_HOSTS="kaikukanta.example.fi",
    )
    assert result.returncode != 0
    assert "KAIKUKANTA_SECRET_KEY is too weak: it has 44 characters" in result.stderr
    assert "at least 50 characters" in result.stderr
    assert "Qp9_x7-k!m2" not in result.stderr  # the key itself is never printed


def test_production_refuses_a_long_key_of_few_different_characters():
    result = run_manage(
        "check",
        KAIKUKANTA_SECRET_KEY="abcd" * 20,
        KAIKUKANTA_ALLOWED_HOSTS="kaikukanta.example.fi",
    )
    assert result.returncode != 0
    assert "80 characters, 4 of them different" in result.stderr
    assert "at least 5 different ones" in result.stderr


def test_a_key_of_exactly_fifty_characters_and_five_different_ones_is_enough():
    result = run_manage(
        "check",
        KAIKUKANTA_SECRET_KEY="abcde" * 10,
        KAIKUKANTA_ALLOWED_HOSTS="kaikukanta.example.fi",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_refuses_to_serve_a_real_host_name():
    result = run_manage(
        "check", KAIKUKANTA_DEBUG="1", KAIKUKANTA_ALLOWED_HOSTS="localhost,kaikukanta.example.fi"
    )
    assert result.returncode != 0
    assert "KAIKUKANTA_DEBUG=1 is for local development only" in result.stderr
    assert "names kaikukanta.example.fi." in result.stderr
    assert "Unset KAIKUKANTA_DEBUG on a server" in result.stderr


def test_debug_refuses_any_host():
    result = run_manage("check", KAIKUKANTA_DEBUG="1", KAIKUKANTA_ALLOWED_HOSTS="*")
    assert result.returncode != 0
    assert "KAIKUKANTA_DEBUG=1 is for local development only" in result.stderr


def test_debug_on_this_machine_starts():
    result = run_manage(
        "check", KAIKUKANTA_DEBUG="1", KAIKUKANTA_ALLOWED_HOSTS="localhost,127.0.0.1,[::1]"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_fresh_install_gets_the_rate_counter_table_from_migrate(tmp_path):
    result = run_manage(
        "migrate", "--no-input", KAIKUKANTA_DEBUG="1", KAIKUKANTA_VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(tmp_path / "kaikukanta.sqlite3") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert "core_ratecounter" in tables


def show_cache(**env) -> str:
    result = run_manage(
        "shell",
        "--command",
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c.get('LOCATION', ''))",
        KAIKUKANTA_DEBUG="1",
        **env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_cache_is_redis_when_redis_url_is_set():
    assert show_cache().strip() == "django.core.cache.backends.locmem.LocMemCache"
    assert (
        show_cache(REDIS_URL="redis://cache.example.fi:6379/2")
        == "django.core.cache.backends.redis.RedisCache redis://cache.example.fi:6379/2"
    )


def test_postgresql_prepares_statements_only_when_turned_on():
    show = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['OPTIONS'], d['CONN_HEALTH_CHECKS'])"
    )
    url = "postgres://kaikukanta@127.0.0.1:5432/kaikukanta?sslmode=verify-full"
    off = run_manage("shell", "-c", show, KAIKUKANTA_DEBUG="1", DATABASE_URL=url)
    assert off.returncode == 0, off.stderr
    # Django's defaults (parameters bound on the client, nothing prepared): every pooler works.
    assert off.stdout.strip().splitlines()[-1] == "{'sslmode': 'verify-full'} True"
    on = run_manage(
        "shell",
        "-c",
        show,
        KAIKUKANTA_DEBUG="1",
        DATABASE_URL=url,
        KAIKUKANTA_DB_PREPARED_STATEMENTS="1",
    )
    assert on.returncode == 0, on.stderr
    # Django's documented options, added to the address's own (a certificate check is not lost).
    assert on.stdout.strip().splitlines()[-1] == (
        "{'sslmode': 'verify-full', 'server_side_binding': True, 'prepare_threshold': 5} True"
    )
