from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kaikukanta.accounts"
    label = "accounts"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import AccountAction
        from .token_cache import check_shared_cache

        register(self.label, AccountAction)
        checks.register(check_shared_cache, checks.Tags.caches)


class KaikukantaAdminConfig(admin_apps.AdminConfig):
    """Django admin with our own site: national admins only, one login page for everyone. Its site
    asks the user's scope, so it lives with the accounts (core stays the bottom layer)."""

    default = False
    default_site = "kaikukanta.accounts.admin_site.KaikukantaAdminSite"
