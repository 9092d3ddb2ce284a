from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Cardholders' anonymous feedback from the mobile card, read by their region's coordinators."""

    name = "kaikukanta.feedback"
    label = "feedback"
    verbose_name = "Feedback"
