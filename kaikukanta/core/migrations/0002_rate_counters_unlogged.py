"""On PostgreSQL the rate-limit counters are an UNLOGGED table: their writes go to no write-ahead log,
so a look-up's counter writes commit without waiting for the disk (the use and its audit event still
do). A crash of the database empties the table, which starts every window afresh: the same as a Redis
restart. Standbys do not get its rows either (a promoted standby starts with empty windows)."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_rate_counters")]

    operations = [migrations.RunPython(unlogged, logged, elidable=False)]
