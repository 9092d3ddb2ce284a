"""The scheduled jobs' systemd unit (deploy/systemd/kaikukanta-job@.service): the jobs' advisory lock is a
session lock, so an operator must be able to give them a direct DATABASE_URL when the web service's
goes through PgBouncer in transaction mode."""

from __future__ import annotations

from pathlib import Path

UNIT = Path(__file__).parents[2] / "deploy" / "systemd" / "kaikukanta-job@.service"


def test_jobs_read_an_optional_environment_of_their_own_after_the_web_services():
    files = [
        line.split("=", 1)[1]
        for line in UNIT.read_text().splitlines()
        if line.startswith("EnvironmentFile=")
    ]
    # systemd reads them in order, later lines winning; "-" means the file may be missing.
    assert files == ["/etc/kaikukanta/env", "-/etc/kaikukanta/jobs.env"]
