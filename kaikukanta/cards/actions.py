"""The cards' verbs in the audit trail: issue and life cycle, look-ups, mobile cards, card stock,
reminders. Registered with the audit trail by the
app's AppConfig.ready (audit/actions.py); services name them as audit.actions.Action.<NAME>."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CardAction(models.TextChoices):
    CARD_ISSUED = "card.issued", _("card issued")
    CARD_IMPORTED = "card.imported", _("card imported")
    CARD_RENEWED = "card.renewed", _("card renewed")
    CARD_CLOSED = "card.closed", _("card closed")
    CARD_REPLACED = "card.replaced", _("card replaced")
    CARD_VIEWED = "card.viewed", _("card looked up")
    CARD_CHECKED = "card.checked", _("card checked by a venue")
    LOOKUPS_FLAGGED = "lookups.flagged", _("many unknown card numbers looked up")
    LOOKUP_REFUSED = "lookup.refused", _("card look-up refused: too many")
    LOOKUP_LOCK_LIFTED = "lookup.lock_lifted", _("card look-up lock lifted")
    CARD_UPDATED = "card.updated", _("card holder data updated")
    CARD_HANDED_OVER = "card.handed_over", _("mobile card link given")
    HAND_OVER_REVOKED = "card.hand_over_revoked", _("mobile card link revoked")
    MOBILE_CARD_OPENED = "card.mobile_opened", _("mobile card opened by its holder")
    CARD_STOCK_CREATED = "card_stock.created", _("card stock batch created")
    REMINDER_SENT = "reminder.sent", _("expiry reminder sent")
    CARD_STOCK_PRINTED = "card_stock.printed", _("card stock batch printed")
