from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kaikukanta.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import AuditAction

        register(self.label, AuditAction)
