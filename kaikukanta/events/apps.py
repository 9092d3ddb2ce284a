from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "kaikukanta.events"
    label = "events"
    verbose_name = _("Events and offers")

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import EventAction

        register(self.label, EventAction)
