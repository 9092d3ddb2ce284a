import datetime as dt

from django.conf import settings
from django.db import migrations, models


def expire_a_year_after_making(apps, schema_editor):
    """Tokens made before tokens expired: they expire KAIKUKANTA_API_TOKEN_DAYS after they were made
    (at once, if that is past)."""
    ApiToken = apps.get_model("api", "ApiToken")
    days = dt.timedelta(days=settings.KAIKUKANTA_API_TOKEN_DAYS)
    for token in ApiToken.objects.all().only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + days)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(expire_a_year_after_making, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
