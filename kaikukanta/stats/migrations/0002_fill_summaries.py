"""Fill the summary tables from the uses already recorded (new uses keep them up to date)."""

from django.db import migrations


def fill(apps, schema_editor):
    """Filled once by 0004_cell_keys, from its own frozen copy of the rebuild: this called today's
    stats module, whose tables have columns that only later migrations add."""


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("stats", "0001_summary_tables"), ("uses", "0002_use_card_region")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
