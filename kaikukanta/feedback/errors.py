from django.utils.translation import gettext_lazy as _

from kaikukanta.core.errors import DomainError


class RatingMissing(DomainError):
    code = "feedback_rating_missing"
    field = "rating"
    template = _("Choose a rating from 1 (poor) to 5 (excellent).")


class FeedbackTooLong(DomainError):
    code = "feedback_too_long"
    field = "text"
    template = _("Write at most %(limit)s characters; your text has %(length)s.")


class FeedbackTooOften(DomainError):
    code = "feedback_too_often"
    status = 429
    template = _(
        "Thank you: we have already received several messages from this device. Try again tomorrow."
    )


class NotFeedbackCoordinator(DomainError):
    code = "feedback_not_allowed"
    status = 403
    template = _("Only the coordinators of the feedback's region can publish it.")
