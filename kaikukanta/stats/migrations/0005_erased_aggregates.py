"""ErasedProfileMonth and ErasedWellbeingMonth: what the cards whose holder data and wellbeing answers
the retention policy erases counted in the holder-data table and the change in wellbeing, kept as
aggregates, so that the figures, and a rebuild, stay what they were after a purge. Created empty: the
purge fills them (core/retention.py). Frozen: no calls to today's modules."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0002_catalogue_content'),
        ('stats', '0004_cell_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='ErasedProfileMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('dimension', models.CharField(max_length=8, verbose_name='dimension')),
                ('value', models.CharField(blank=True, max_length=16, verbose_name='value')),
                ('cards', models.IntegerField(default=0, verbose_name='cards')),
                ('cards_key', models.BigIntegerField(default=0, verbose_name='key sum: cards')),
                ('issuing_site', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='network.distributorsite')),
                ('region', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='network.region')),
            ],
            options={
                'verbose_name': 'holder data of erased cards registered in a month',
                'verbose_name_plural': 'holder data of erased cards registered in a month',
                'constraints': [models.UniqueConstraint(fields=('month', 'region', 'issuing_site', 'dimension', 'value'), name='stats_erased_profile_month_key')],
            },
        ),
        migrations.CreateModel(
            name='ErasedWellbeingMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('holders', models.IntegerField(default=0, verbose_name='holders measured')),
                ('holders_key', models.BigIntegerField(default=0, verbose_name='key sum: holders measured')),
                ('change_sum', models.IntegerField(default=0, verbose_name='sum of the changes of the WHO-5 score')),
                ('issuing_site', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='network.distributorsite')),
                ('region', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='network.region')),
            ],
            options={
                'verbose_name': 'wellbeing change of erased cards in a month',
                'verbose_name_plural': 'wellbeing change of erased cards in a month',
                'constraints': [models.UniqueConstraint(fields=('month', 'region', 'issuing_site'), name='stats_erased_wellbeing_month_key')],
            },
        ),
    ]
