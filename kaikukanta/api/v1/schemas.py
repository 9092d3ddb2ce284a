"""Shapes shared by the resources of API v1."""

from ninja import Schema


class Error(Schema):
    """Every error: a stable code, a message in the request's language that says what to do, and the
    request field it concerns (or null)."""

    code: str
    message: str
    field: str | None


ERRORS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
