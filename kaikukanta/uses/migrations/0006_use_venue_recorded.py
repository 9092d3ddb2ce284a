"""An index for "since my last sync" (GET /api/v1/uses?since=<moment>: a venue's uses by when the
registry recorded them). On PostgreSQL it is built CONCURRENTLY, so recording goes on while it
builds over millions of uses; elsewhere (SQLite) it is a plain index."""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cards", "0008_card_imported_length"),
        ("events", "0001_initial"),
        ("network", "0002_catalogue_content"),
        ("uses", "0005_refused_requests"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="use",
            index=models.Index(fields=["venue", "recorded_at", "id"], name="use_venue_recorded"),
        ),
    ]
