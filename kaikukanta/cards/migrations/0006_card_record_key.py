"""Every card gets a random record key for the statistics' cell key method (stats/suppression.py).

AddField evaluates the model's default once for the rows already there, so they are given their own
random keys afterwards, in SQL (one statement, whatever the number of cards)."""

from django.db import migrations, models

import kaikukanta.cards.models


def draw_keys(apps, schema_editor):
    table = schema_editor.quote_name("cards_card")
    if schema_editor.connection.vendor == "postgresql":
        random_key = "floor(random() * 256)::integer"
    else:  # SQLite: random() is a signed 64-bit integer
        random_key = "abs(random() % 256)"
    schema_editor.execute(f"UPDATE {table} SET record_key = {random_key}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0005_card_closed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="record_key",
            field=models.PositiveSmallIntegerField(
                default=kaikukanta.cards.models.new_record_key,
                editable=False,
                verbose_name="record key",
            ),
        ),
        migrations.RunPython(draw_keys, migrations.RunPython.noop, elidable=True),
    ]
