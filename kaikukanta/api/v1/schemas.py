"""Shapes shared by the resources of API v1."""

import datetime as dt
import re
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict


class ErrorItem(Schema):
    """One refusal of several (`Error.errors`)."""

    code: str
    message: str
    field: str | None


class Error(Schema):
    """Every error: a stable code, a message in the request's language that says what to do, and the
    request field it concerns (or null). A request the rules refuse for several reasons at once (a
    card's registration) also lists them all in `errors`, the first being the one above."""

    code: str
    message: str
    field: str | None
    errors: list[ErrorItem] | None = Field(
        description="Every refusal, when the rules refused the request for several reasons at once "
        "(or several fields did not fit); otherwise null."
    )


class StrictIn(Schema):
    """A request body taken as sent: a field the operation does not have is refused, not ignored (a
    misspelt `identifer` would register a card with a new number, not the pre-printed one), and a
    value of the wrong JSON type is refused, not converted (`"children": true` is not one child,
    `"site": "12"` not site 12). A JSON number is an integer's value, a JSON string a text's; both
    refusals are `invalid_input` naming the field (api/errors.py). A day in such a body is an
    `IsoDate` (below), never a plain `dt.date`: the body is validated as Python values, and a strict
    `dt.date` takes no text."""

    model_config = ConfigDict(extra="forbid", strict=True)


ERRORS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
# An operation with a body also answers 400 when the body is not JSON (invalid_json).
BODY_ERRORS = {400: Error, **ERRORS}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only a day written YYYY-MM-DD is a day: pydantic alone would also take a number of seconds
    since 1970 (`?until=0` as 1.1.1970). Read here into a date, so that a strict body (StrictIn,
    which takes no text for a plain `dt.date`) takes a day written so too."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is no day of the calendar") from None
    raise ValueError("give a day as YYYY-MM-DD, for example 2026-06-30")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]
