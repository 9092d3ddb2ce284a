#!/usr/bin/env python3
"""The restore drill: prove the newest backup restores.

``.venv/bin/python deploy/restore_drill.py [--dir DIR] [--exact]`` restores the newest dump in the
backup folder (decrypting a ``.gpg`` one with the gpg key on this machine) into a scratch database,
then runs ``manage.py migrate --check`` and ``manage.py rebuild_stats --check`` against it, compares
every table's row count with the live database (DATABASE_URL), drops the scratch database and prints
one line. ``--exact``: the counts must be equal (CI, where nothing writes in between); without it,
the live database may have more rows than the dump (it kept working), never fewer.

  DATABASE_URL   the live database (source of the counts)
  PG_ADMIN_URL   a role that may create and drop databases (default: DATABASE_URL's server, database
                 postgres)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        found = {}
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            found[table] = connection.execute(query).fetchone()[0]
        return found


def newest(folder: Path) -> Path:
    dumps = sorted([*folder.glob("kaikukanta-*.dump"), *folder.glob("kaikukanta-*.dump.gpg")])
    if not dumps:
        raise SystemExit(f"restore drill: FAILED: no kaikukanta-*.dump in {folder}")
    return dumps[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir", default=os.environ.get("KAIKUKANTA_BACKUP_DIR", "/var/backups/kaikukanta")
    )
    parser.add_argument("--exact", action="store_true")
    options = parser.parse_args()
    live = os.environ["DATABASE_URL"]
    server = live.split("?")[0].rsplit("/", 1)[0]
    admin = os.environ.get("PG_ADMIN_URL", server + "/postgres")
    dump = newest(Path(options.dir))
    scratch = f"kaikukanta_drill_{os.getpid()}"
    started = time.monotonic()
    env = {**os.environ, "DATABASE_URL": f"{server}/{scratch}"}
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    problems: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as temporary:
            source = dump
            if dump.suffix == ".gpg":
                source = Path(temporary) / "decrypted.dump"
                subprocess.run(
                    ["gpg", "--batch", "--quiet", "--output", str(source), "--decrypt", str(dump)],
                    check=True,
                )
            subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                    env["DATABASE_URL"],
                    str(source),
                ],
                check=True,
            )
        python = sys.executable
        for check in (["migrate", "--check"], ["rebuild_stats", "--check"]):
            result = subprocess.run(
                [python, "manage.py", *check], cwd=ROOT, env=env, capture_output=True, text=True
            )
            if result.returncode:
                problems.append(
                    f"{' '.join(check)} failed: {(result.stdout + result.stderr).strip()[-300:]}"
                )
        restored, current = counts(env["DATABASE_URL"]), counts(live)
        for table in sorted(set(restored) | set(current)):
            have, want = restored.get(table, -1), current.get(table, -1)
            if have != want and (options.exact or have > want or have < 0):
                problems.append(f"{table}: {have} rows restored, {want} live")
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
    seconds = time.monotonic() - started
    if problems:
        print(
            f"restore drill: FAILED for {dump.name} after {seconds:.0f} s: " + "; ".join(problems)
        )
        return 1
    rows = f"{sum(restored.values()):,}".replace(",", " ")
    print(
        f"restore drill: ok: {dump.name} restored in {seconds:.0f} s, {len(restored)} tables, "
        f"{rows} rows as live, migrations applied, statistics consistent"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
