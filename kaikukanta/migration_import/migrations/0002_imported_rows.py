from django.db import migrations, models

PREFIX = "import:"


def record_imported_uses(apps, schema_editor):
    """The uses earlier runs of the import wrote, recorded by their key in the earlier registry: those
    still in Kaikukanta (request key "import:<id>") and those removed since (their request key kept
    as a cancelled request), so that no later run imports a removed one again. Until now a client's
    request key could begin with "import:" too (core.idempotency refuses it from now on); such a
    key, if any, is taken for an imported use here, as the import itself took it until now."""
    ImportedKey = apps.get_model("migration_import", "ImportedKey")
    Use = apps.get_model("uses", "Use")
    CancelledRequest = apps.get_model("uses", "CancelledRequest")
    start = len(PREFIX)
    found = Use.objects.filter(idempotency_key__startswith=PREFIX).values_list(
        "idempotency_key", "pk"
    )
    removed = CancelledRequest.objects.filter(idempotency_key__startswith=PREFIX).values_list(
        "idempotency_key", flat=True
    )
    # (startswith is case-insensitive on SQLite: the prefix itself is checked again here.)
    rows = [
        (key[start:], pk)
        for key, pk in found.iterator(chunk_size=10000)
        if key[:start] == PREFIX
    ]
    rows += [
        (key[start:], None)
        for key in removed.iterator(chunk_size=10000)
        if key[:start] == PREFIX
    ]
    for first in range(0, len(rows), 5000):
        ImportedKey.objects.bulk_create(
            [
                ImportedKey(kind="uses", source_key=key, object_id=pk)
                for key, pk in rows[first : first + 5000]
            ],
            ignore_conflicts=True,  # the same key at two venues: one record
        )


def forget_imported_uses(apps, schema_editor):
    apps.get_model("migration_import", "ImportedKey").objects.filter(
        kind__in=["cards", "uses"]
    ).delete()


class Migration(migrations.Migration):
    """Each imported row as it was (`ImportedKey.row`), so that a later run refuses a row changed
    since instead of counting it already imported; and every imported use recorded by its key, so
    that one removed in Kaikukanta is not imported again (the uses imported so far recorded here)."""

    dependencies = [
        ("migration_import", "0001_imported_keys"),
        ("uses", "0006_use_venue_recorded"),
    ]

    operations = [
        migrations.AddField(
            model_name="importedkey",
            name="row",
            field=models.TextField(blank=True, default="", verbose_name="the row as imported"),
        ),
        migrations.AlterField(
            model_name="importedkey",
            name="object_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="object key"),
        ),
        migrations.RunPython(record_imported_uses, forget_imported_uses),
    ]
