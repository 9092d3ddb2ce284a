from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MigrationImportConfig(AppConfig):
    name = "kaikukanta.migration_import"
    label = "migration_import"
    verbose_name = _("Import from the earlier registry")
