"""The retention job's verb (stats/retention.py): how many of each were deleted, never what. Registered with the audit trail by the
app's AppConfig.ready (audit/actions.py); services name them as audit.actions.Action.<NAME>."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatsAction(models.TextChoices):
    DATA_PURGED = "data.purged", _("old data deleted by the retention policy")
