"""Fill the summary tables from the uses already recorded (new uses keep them up to date)."""

from django.db import migrations


def fill(apps, schema_editor):
    from kaikukanta.stats.models import CardMonth, RenewalMonth
    from kaikukanta.stats.summaries import USE_TABLES, rebuild

    # The tables of 0001 that still exist (its yearly holder-data table is replaced in 0003).
    rebuild([*USE_TABLES, CardMonth, RenewalMonth])


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("stats", "0001_summary_tables"), ("uses", "0002_use_card_region")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
