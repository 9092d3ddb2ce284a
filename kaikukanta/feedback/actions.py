"""The feedback's verbs in the audit trail. Registered with the audit trail by the
app's AppConfig.ready (audit/actions.py); services name them as audit.actions.Action.<NAME>."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackAction(models.TextChoices):
    FEEDBACK_RECEIVED = "feedback.received", _("holder feedback received")
    FEEDBACK_PUBLISHED = "feedback.published", _("holder feedback published")
