"""Clients without a card on a community card's group visit get a count of their own.

Until now they were stored as the community card's `child_tickets`, and so exported as child
tickets. The data step moves them (a community card's use has no child tickets of its own). The
monthly summaries keep counting them among children's tickets (they are clients under the age
limit: stats.summaries counts a use's child tickets and clients without a card together), so they
stay as they are."""

from django.db import migrations, models
from django.db.models import F


def move_clients_without_card(apps, schema_editor):
    Use = apps.get_model("uses", "Use")
    moved = Use.objects.filter(
        group_visit__isnull=False, card__card_type="community", child_tickets__gt=0
    )
    moved.update(clients_without_card=F("child_tickets"), child_tickets=0)


class Migration(migrations.Migration):
    dependencies = [
        ("uses", "0003_cancelled_requests"),
        ("stats", "0003_period_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="use",
            name="clients_without_card",
            field=models.PositiveSmallIntegerField(
                db_default=0, default=0, verbose_name="clients without a card"
            ),
        ),
        migrations.RunPython(move_clients_without_card, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="use",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("clients_without_card", 0), ("group_visit__isnull", False), _connector="OR"
                ),
                name="use_clients_without_card_only_in_group_visits",
            ),
        ),
    ]
