"""The audit action is a free string, validated against the verbs the apps register (audit/actions.py);
no longer database choices, so a new verb needs no migration. Changes no SQL."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0010_card_states_synced'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(max_length=32, verbose_name='action'),
        ),
    ]
