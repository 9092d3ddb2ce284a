"""The uses' verbs in the audit trail. Registered with the audit trail by the
app's AppConfig.ready (audit/actions.py); services name them as audit.actions.Action.<NAME>."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UseAction(models.TextChoices):
    CARD_STATES_SYNCED = "card_states.synced", _("box office's list of card states fetched")
    USE_RECORDED = "use.recorded", _("use recorded")
    USE_REJECTED = "use.rejected", _("use refused")
    GROUP_VISIT_RECORDED = "group_visit.recorded", _("group visit recorded")
    USE_CANCELLED = "use.cancelled", _("use cancelled")
    USE_REMOVED = "use.removed", _("use removed by a coordinator")
    GROUP_VISIT_REMOVED = "group_visit.removed", _("group visit removed by a coordinator")
    USES_EXPORTED = "uses.exported", _("uses exported")
