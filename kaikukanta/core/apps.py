from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "kaikukanta.core"
    label = "core"
    verbose_name = "Kaikukanta core"

    def ready(self) -> None:
        from kaikukanta.core.sentry import setup

        setup()  # error reports, when SENTRY_DSN is set


class KaikukantaAdminConfig(admin_apps.AdminConfig):
    """Django admin with our own site: national admins only, one login page for everyone."""

    default = False
    default_site = "kaikukanta.core.admin.KaikukantaAdminSite"
