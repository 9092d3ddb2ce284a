"""The events' verbs in the audit trail. Registered with the audit trail by the
app's AppConfig.ready (audit/actions.py); services name them as audit.actions.Action.<NAME>."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventAction(models.TextChoices):
    EVENT_CREATED = "event.created", _("event created")
    EVENT_CHANGED = "event.changed", _("event changed")
