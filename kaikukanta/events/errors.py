from django.utils.translation import gettext_lazy as _

from kaikukanta.core.errors import DomainError


class EventTitleMissing(DomainError):
    code = "event_title_missing"
    field = "title"
    template = _("Give the event a title, as it appears in the venue's programme.")


class QuotaInvalid(DomainError):
    code = "quota_invalid"
    field = "cardholder_quota"
    template = _(
        "The cardholder quota is a whole number from 1 to 2147483647, or empty for no cap."
    )
