"""Clients without a card on a community card's group visit get a count of their own.

Until now they were stored as the community card's `child_tickets`, and so exported and counted as
child tickets. The data step moves them (a community card's use has no child tickets of its own) and
takes them out of the monthly summaries' child tickets, as stats.summaries counts a use."""

from collections import Counter

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def move_clients_without_card(apps, schema_editor):
    Use = apps.get_model("uses", "Use")
    UseMonth = apps.get_model("stats", "UseMonth")
    moved = Use.objects.filter(
        group_visit__isnull=False, card__card_type="community", child_tickets__gt=0
    )
    taken: Counter = Counter()
    for occurred_at, venue_id, category, children in moved.values_list(
        "occurred_at", "venue_id", "category", "child_tickets"
    ).iterator():
        month = timezone.localtime(occurred_at).date().replace(day=1)
        taken[(month, venue_id, category)] += children
    for (month, venue_id, category), children in taken.items():
        UseMonth.objects.filter(month=month, venue_id=venue_id, category=category).update(
            child_tickets=F("child_tickets") - children
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
