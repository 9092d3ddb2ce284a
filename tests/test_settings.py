"""The one settings file in production mode: it refuses to start without a secret and passes Django's
deployment checklist when configured as the README says."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KAIKUKANTA_", "PYTEST_", "DJANGO_"))
    }
    clean.pop("DATABASE_URL", None)
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
        KAIKUKANTA_SECRET_KEY="x7-" + "k" * 20 + "Qp9_" + "z" * 30 + "!m2",
        KAIKUKANTA_ALLOWED_HOSTS="kaikukanta.example.fi",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_mistyped_boolean_is_an_error_not_a_guess():
    result = run_manage("check", KAIKUKANTA_DEBUG="maybe")
    assert result.returncode != 0
    assert "KAIKUKANTA_DEBUG must be true or false" in result.stderr
