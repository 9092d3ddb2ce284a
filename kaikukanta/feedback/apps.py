from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Cardholders' anonymous feedback from the mobile card, read by their region's coordinators."""

    name = "kaikukanta.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from kaikukanta.audit.actions import register

        from .actions import FeedbackAction

        register(self.label, FeedbackAction)
