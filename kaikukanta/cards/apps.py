from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "kaikukanta.cards"
    label = "cards"
    verbose_name = _("Cards")

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import CardAction

        register(self.label, CardAction)
