"""The domain error every service raises when a Kaikukortti rule says no.

Each error has a stable `code` (for the API and for tests), a message in the reader's language that says
what to do, and optionally the form `field` it concerns. The message is rendered when it is shown, in the
language active at that moment, so one error can be shown to a Finnish clerk and logged in English.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _render(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Promise):
        return str(value)
    if hasattr(value, "display_name"):
        return value.display_name
    return value


class DomainError(Exception):
    code: ClassVar[str] = "error"
    # The HTTP status the API answers with: 422 unless the error says otherwise (403 not allowed,
    # 404 unknown card, 409 a conflict with what is already recorded, 429 too many requests).
    status: ClassVar[int] = 422
    template: ClassVar[Any] = _("The request could not be completed.")
    field: str | None = None
    # The card number typed or scanned that the error is about, when a request names several (a
    # group visit): the audit trail records the refusal against that number.
    card_number: str | None = None

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        self.params = params
        if field is not None:
            self.field = field
        super().__init__(self.code)

    @property
    def message(self) -> str:
        rendered = {key: _render(value) for key, value in self.params.items()}
        return str(self.template) % rendered if rendered else str(self.template)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<{type(self).__name__} code={self.code} params={self.params!r}>"


class NotAllowed(DomainError):
    """The actor has no role that allows this action on this object."""

    code = "not_allowed"
    status = 403
    template = _(
        "You do not have the right to do this. Access to a distributor site or a venue is given by "
        "its region's coordinators; a coordinator's access by the national support service "
        "(Kaikukeskus)."
    )


class ChoiceInvalid(DomainError):
    """A value that is not one of a field's choices (any domain's: a card's, a use's, an event's)."""

    code = "choice_invalid"
    template = _("%(value)s is not one of the options. Choose one from the list.")


class DateInFuture(DomainError):
    code = "date_in_future"
    template = _("The date %(date)s is in the future. Give today's date or an earlier one.")


class DateTooFarBack(DomainError):
    code = "date_too_far_back"
    template = _(
        "The date %(date)s is more than %(days)s days ago. Check the date: the registry takes "
        "records of the last %(days)s days only."
    )


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    field = "idempotency_key"
    template = _(
        "The request key must be 8 to 64 letters, digits or the characters - _ . : (a UUID will do)."
    )


class IdempotencyKeyReserved(IdempotencyKeyInvalid):
    """A request key in the form the registry import gives the uses it writes ("import:<id>"): a
    client's key of that form could be taken for an imported use."""

    template = _(
        "A request key may not begin with “import:”: the registry import's keys begin so. Send "
        "another key (a UUID will do)."
    )


class IdempotencyConflict(DomainError):
    """The same request key came back with different content: never silently the first result."""

    code = "idempotency_conflict"
    field = "idempotency_key"
    status = 409
    template = _(
        "This request key was already used for a different request (another card, or other "
        "tickets). Send each new request with a new key."
    )


class Refusals(DomainError):
    """Every refusal of one request at once (a registration with a birth year too late, a postcode of
    four digits and a half-answered questionnaire), so that a person fixes them all in one pass.

    It reads as its first refusal (its code, status, field and message), so a caller that shows one
    error (the API's error body, a message line) shows that one; `errors` lists them all, in the
    order of the form's fields."""

    errors: list[DomainError]

    def __init__(self, errors: list[DomainError]) -> None:
        flat: list[DomainError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, Refusals) else [error])
        if not flat:
            raise ValueError("Refusals needs at least one error")
        self.errors = flat
        super().__init__(field=flat[0].field, **flat[0].params)

    @property
    def code(self) -> str:  # type: ignore[override]
        return self.errors[0].code

    @property
    def status(self) -> int:  # type: ignore[override]
        return self.errors[0].status

    @property
    def message(self) -> str:
        return self.errors[0].message

    def __repr__(self) -> str:
        return f"<Refusals {self.errors!r}>"


def refusals_of(error: DomainError) -> list[DomainError]:
    """The refusals an error carries: itself, or each of a `Refusals`."""
    return list(error.errors) if isinstance(error, Refusals) else [error]


def raise_refusals(errors: list[DomainError]) -> None:
    """Raise the one refusal, or all of them together; nothing when the list is empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise Refusals(errors)
