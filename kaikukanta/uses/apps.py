from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsesConfig(AppConfig):
    name = "kaikukanta.uses"
    label = "uses"
    verbose_name = _("Uses")

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import UseAction

        register(self.label, UseAction)
