import django.db.models.deletion
from django.db import migrations, models


def copy_card_regions(apps, schema_editor):
    """Every existing use gets its card's region. On PostgreSQL one UPDATE joined to the cards (a
    hash join, minutes for ten million uses); elsewhere a correlated subquery."""
    Use = apps.get_model("uses", "Use")
    Card = apps.get_model("cards", "Card")
    if schema_editor.connection.vendor == "postgresql":
        uses = schema_editor.quote_name(Use._meta.db_table)
        cards = schema_editor.quote_name(Card._meta.db_table)
        schema_editor.execute(
            f"UPDATE {uses} AS u SET card_region_id = c.region_id FROM {cards} AS c "
            "WHERE c.id = u.card_id AND u.card_region_id IS NULL"
        )
        schema_editor.execute(f"ANALYZE {uses}")
    else:
        Use.objects.filter(card_region__isnull=True).update(
            card_region=models.Subquery(
                Card.objects.filter(pk=models.OuterRef("card")).values("region")[:1]
            )
        )


class Migration(migrations.Migration):
    """The card's region on every use (`Use.card_region`), for the coordinators' lists, and the uses'
    indexes in the lists' order: newest first, the key breaking ties.

    The column is added without its foreign key and filled before the key is made, so that
    PostgreSQL checks the key once for the whole table rather than row by row; the old time indexes
    go first, so that the fill does not update them."""

    dependencies = [
        ("cards", "0001_initial"),
        ("network", "0001_initial"),
        ("uses", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="use", name="use_time"),
        migrations.RemoveIndex(model_name="use", name="use_venue_time"),
        migrations.AddField(
            model_name="use",
            name="card_region",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.region",
                verbose_name="region of the card",
            ),
        ),
        migrations.RunPython(copy_card_regions, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="use",
            name="card_region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.region",
                verbose_name="region of the card",
            ),
        ),
        migrations.AddIndex(
            model_name="use",
            index=models.Index(fields=["occurred_at", "id"], name="use_time_id"),
        ),
        # A venue's and a card's uses with their category and kind after the time and key, so that
        # a venue's or a distributor's list filtered by them, and its count, is read from the index.
        migrations.RemoveIndex(model_name="use", name="use_card_time"),
        migrations.AddIndex(
            model_name="use",
            index=models.Index(
                fields=["card", "occurred_at", "id", "category", "kind"], name="use_card_time_kind"
            ),
        ),
        migrations.AddIndex(
            model_name="use",
            index=models.Index(
                fields=["venue", "occurred_at", "id", "category", "kind"],
                name="use_venue_time_kind",
            ),
        ),
        migrations.AddIndex(
            model_name="use",
            index=models.Index(
                fields=["card_region", "occurred_at", "id"], name="use_card_region_time_id"
            ),
        ),
    ]
