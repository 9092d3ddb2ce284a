"""``manage.py lint_migrations``: fail on a new migration that rewrites or locks a big table.

On PostgreSQL (CI's second suite run), every migration of Kaikukanta's apps newer than
core/migration_review.py's BASELINE and not in its REVIEWED list is turned into its SQL
(``sqlmigrate``) and read for what holds a lock on a live table for as long as the table is big, or
breaks the servers still running the previous release:

- a column's type changed (``ALTER COLUMN … TYPE``: rewrites the table);
- ``SET NOT NULL`` (scans the table under an exclusive lock);
- an index made without ``CONCURRENTLY`` (blocks writes while it builds);
- a constraint added without ``NOT VALID`` (scans under a lock);
- a column or table renamed or dropped (the previous release, still serving, breaks);
- a data migration (``RunPython``/``RunSQL``): backfill in batches with a command instead.

Statements on a table the same migration creates are fine. Write big changes as expand (a nullable
column, an index CONCURRENTLY, a constraint NOT VALID then VALIDATE), backfill (a command, in batches),
contract (a later release). Exit status 1 and one line per finding when something is found.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL

from kaikukanta.core.migration_review import BASELINE, REVIEWED

RULES = [
    (re.compile(r"ALTER COLUMN \S+ TYPE", re.I), "changes a column's type (rewrites the table)"),
    (re.compile(r"SET NOT NULL", re.I), "SET NOT NULL (scans the table under a lock)"),
    (
        re.compile(r"CREATE (UNIQUE )?INDEX (?!CONCURRENTLY)", re.I),
        "an index without CONCURRENTLY (blocks writes)",
    ),
    (
        re.compile(r"ADD CONSTRAINT (?!.*NOT VALID).*(CHECK|UNIQUE|FOREIGN KEY)", re.I),
        "a constraint without NOT VALID (scans under a lock)",
    ),
    (re.compile(r"RENAME (COLUMN|TO)", re.I), "a rename (the running release breaks)"),
    (re.compile(r"DROP COLUMN", re.I), "drops a column (the running release breaks)"),
]
_TABLE = re.compile(r'^(?:ALTER TABLE|CREATE (?:UNIQUE )?INDEX \S+ ON) "?([\w]+)"?', re.I)
_CREATED = re.compile(r'^CREATE TABLE "?([\w]+)"?', re.I)


def findings(app: str, name: str, operations: list[Any]) -> list[str]:
    found = [
        f"{app}.{name}: a data migration ({type(operation).__name__}): backfill with a command"
        for operation in operations
        if isinstance(operation, RunPython | RunSQL)
    ]
    output = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=output)
    return found + statement_findings(f"{app}.{name}", output.getvalue())


def statement_findings(label: str, sql: str) -> list[str]:
    """What in ``sql`` (statements ending in ``;`` and a new line, as ``sqlmigrate`` prints them)
    locks or rewrites a table that the same SQL did not create."""
    found: list[str] = []
    created: set[str] = set()
    for statement in sql.split(";\n"):
        statement = " ".join(
            line for line in statement.splitlines() if not line.startswith("--")
        ).strip()
        if not statement:
            continue
        if match := _CREATED.match(statement):
            created.add(match.group(1))
            continue
        table = _TABLE.match(statement)
        if table and table.group(1) in created:
            continue
        for pattern, why in RULES:
            if pattern.search(statement):
                found.append(f"{label}: {why}: {statement[:120]}")
    return found


class Command(BaseCommand):
    help = "Fail on a new migration that rewrites or locks a table without a reviewed exception."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("lint_migrations reads PostgreSQL's SQL: set DATABASE_URL to one.")
        loader = MigrationLoader(None, ignore_no_migrations=True)
        found: list[str] = []
        checked = 0
        for (app, name), migration in sorted(loader.disk_migrations.items()):
            if app not in BASELINE and not migration.__module__.startswith("kaikukanta."):
                continue
            if name[:4] <= BASELINE.get(app, "0000") or (app, name) in REVIEWED:
                continue
            checked += 1
            found += findings(app, name, list(migration.operations))
        for line in found:
            self.stderr.write(line)
        if found:
            raise CommandError(
                f"{len(found)} locking or rewriting statement(s) in new migrations. Write them as "
                "expand, backfill, contract, or add a dated, reviewed line to "
                "kaikukanta/core/migration_review.py."
            )
        self.stdout.write(f"lint_migrations: {checked} new migration(s) checked, nothing found.")
