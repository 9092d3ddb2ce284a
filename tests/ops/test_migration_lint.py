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


@pytest.mark.django_db(transaction=True)
def test_the_command_fails_when_a_reviewed_exception_is_taken_away(monkeypatch, capsys):
    """The repository passes only because cards 0007's check constraint has a dated, reviewed line:
    without it, `manage.py lint_migrations` (and so CI) fails and names the migration."""
    from django.core.management.base import CommandError

    from kaikukanta.core.management.commands import lint_migrations

    reviewed = dict(lint_migrations.REVIEWED)
    del reviewed[("cards", "0007_holder_data_erased")]
    monkeypatch.setattr(lint_migrations, "REVIEWED", reviewed)
    with pytest.raises(CommandError, match="expand, backfill, contract"):
        call_command("lint_migrations")
    assert (
        "cards.0007_holder_data_erased: a constraint without NOT VALID" in capsys.readouterr().err
    )


def sql_of(app: str, operations: list, *, atomic: bool = True) -> str:
    """The SQL ``operations`` would run on top of every migration on disk (as sqlmigrate prints it)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(list(executor.loader.graph.leaf_nodes()))
    with connection.schema_editor(collect_sql=True, atomic=atomic) as editor:
        for operation in operations:
            new_state = state.clone()
            operation.state_forwards(app, new_state)
            operation.database_forwards(app, editor, state, new_state)
            state = new_state
    return "\n".join(editor.collected_sql) + "\n"


# Outside a transaction: an index CONCURRENTLY cannot be made (nor its SQL collected) inside one.
@pytest.mark.django_db(transaction=True)
def test_the_worked_example_of_docs_migrations():
    """docs/migrations.md: uses.0002 (the card's region on every use) written as expand, backfill,
    contract. The expand passes the linter; the one-step NOT NULL and a plain index are caught; the
    contract's SET NOT NULL is caught too, so it needs its reviewed line."""
    import django.db.models.deletion
    from django.contrib.postgres.operations import AddIndexConcurrently
    from django.db import migrations, models

    from kaikukanta.core.management.commands.lint_migrations import statement_findings

    column = models.ForeignKey(
        "network.region",
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        null=True,
        db_constraint=False,
        db_index=False,
    )
    expand = [migrations.AddField(model_name="use", name="example_region", field=column)]
    index = models.Index(fields=["example_region", "-occurred_at"], name="use_example_region")
    assert statement_findings("expand", sql_of("uses", expand)) == []
    concurrently = [*expand, AddIndexConcurrently(model_name="use", index=index)]
    assert statement_findings("expand", sql_of("uses", concurrently, atomic=False)) == []

    plain_index = [*expand, migrations.AddIndex(model_name="use", index=index)]
    assert any(
        "without CONCURRENTLY" in f for f in statement_findings("x", sql_of("uses", plain_index))
    )

    not_null = models.ForeignKey(
        "network.region",
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    contract = [
        *expand,
        migrations.AlterField(model_name="use", name="example_region", field=not_null),
    ]
    assert any("SET NOT NULL" in f for f in statement_findings("x", sql_of("uses", contract)))
