"""The API token model now lives in accounts (accounts.0005): removed from the api app's state only; the
tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_token_expiry'),
        ('accounts', '0005_api_token_moves_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(
                    name='ApiToken',
                ),
            ],
        ),
    ]
