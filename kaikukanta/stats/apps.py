from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "kaikukanta.stats"
    label = "stats"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import StatsAction

        register(self.label, StatsAction)
