"""The migration linter (manage.py lint_migrations) finds what locks or rewrites a big table."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from kaikukanta.core.management.commands.lint_migrations import findings

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the linter reads PostgreSQL's SQL"
)


def lint(app: str, name: str) -> list[str]:
    migration = MigrationLoader(None, ignore_no_migrations=True).disk_migrations[(app, name)]
    return findings(app, name, list(migration.operations))


@pytest.mark.django_db
def test_the_migration_that_took_five_minutes_would_be_caught():
    found = lint("uses", "0002_use_card_region")
    assert any("data migration" in line or "SET NOT NULL" in line for line in found), found


@pytest.mark.django_db
def test_a_new_check_constraint_is_caught_unless_reviewed():
    found = lint("cards", "0007_holder_data_erased")
    assert any("a constraint without NOT VALID" in line for line in found), found


@pytest.mark.django_db
def test_a_new_table_and_a_choices_change_pass():
    assert lint("uses", "0003_cancelled_requests") == []
    assert lint("audit", "0009_purge_action") == []


# Outside a transaction, as `manage.py lint_migrations` runs: uses 0006 (atomic = False) needs it.
@pytest.mark.django_db(transaction=True)
def test_the_repository_passes(capsys):
    call_command("lint_migrations")
    assert "nothing found" in capsys.readouterr().out
