from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "kaikukanta.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import NetworkAction

        register(self.label, NetworkAction)
