"""API tokens moved from the api app to the accounts (accounts.0005, api.0003): the events written
before the move name their object `api.apitoken`. They are renamed `accounts.apitoken`, so that a
search of the trail by object (the audit_object index) finds a token's whole history under one name."""

from django.db import migrations


def rename(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEvent.objects.filter(object_type="api.apitoken").update(object_type="accounts.apitoken")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0011_action_is_a_registered_string"),
        ("accounts", "0005_api_token_moves_here"),
    ]

    operations = [
        migrations.RunPython(rename, migrations.RunPython.noop, elidable=True),
    ]
