"""One translation of errors into HTTP for every API version.

A `DomainError` carries its own HTTP status (422 by default; 403 not allowed, 404 unknown card, 409
conflicts, 429 too many look-ups) and becomes `{"code", "message", "field"}`, the message in the
language of the request (`Accept-Language`, Finnish by default). Input that does not even fit the
schema gets the same shape, with the code `invalid_input`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kaikukanta.core.errors import DomainError, Refusals


@contextmanager
def fields_named(**names: str) -> Iterator[None]:
    """A domain error names the service's parameter (`identifier`); the API's body may call it
    otherwise (`card`). Inside this block, errors are renamed to the request's own field names."""
    try:
        yield
    except DomainError as error:
        if error.field in names:
            error.field = names[error.field]
        raise


class InvalidToken(Exception):
    """A bearer token that is unknown, mistyped, revoked or expired (api/v1/auth.py)."""


def error_body(
    code: str, message: str, field: str | None, errors: list[dict] | None = None
) -> dict[str, object]:
    """The one shape of every error; `errors` lists each refusal when there were several (a
    registration's holder data, a body with several fields that do not fit), else null."""
    return {"code": code, "message": message, "field": field, "errors": errors}


@csrf_exempt  # it changes nothing: a POST without its CSRF token gets the same 404
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """An address under /api/ that names no operation (a typo, a path parameter that is not a
    number): 404 in the API's own shape, not the staff pages' HTML (urls.py)."""
    message = _("The API has no such address. Its operations are listed at /api/v1/docs.")
    return JsonResponse(error_body("not_found", message, None), status=404)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
        every = None
        if isinstance(error, Refusals):
            # Every refusal of the request at once, as the pages show them: the first above.
            every = [_refusal(e.code, e.message, e.field) for e in error.errors]
        body = error_body(error.code, error.message, error.field, every)
        return api.create_response(request, body, status=error.status)

    @api.exception_handler(AuthenticationError)
    def not_signed_in(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        message = _("Sign in first: the API answers signed-in staff only.")
        return api.create_response(request, error_body("not_signed_in", message, None), status=401)

    @api.exception_handler(InvalidToken)
    def invalid_token(request: HttpRequest, error: InvalidToken) -> HttpResponse:
        message = _(
            "The API token is unknown, revoked or expired. Check that it was copied whole, or ask "
            "for a new one."
        )
        response = api.create_response(
            request, error_body("invalid_token", message, None), status=401
        )
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        # Raised by the framework itself: a failed CSRF check, a body that is not JSON.
        if error.status_code == 403:
            body = error_body(
                "csrf_failed",
                _(
                    "The request lacks its CSRF token: send the csrftoken cookie's value in the "
                    "X-CSRFToken header."
                ),
                None,
            )
        elif error.status_code == 400:
            body = error_body(
                "invalid_json",
                _(
                    "The request body is not valid JSON. Send a JSON object, for example "
                    '{"venue": 12, "card": "K7M4R-XWP9A"}.'
                ),
                None,
            )
        else:
            body = error_body("http_error", str(error), None)
        return api.create_response(request, body, status=error.status_code)

    @api.exception_handler(ValidationError)
    def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
        first = _invalid(error.errors[0] if error.errors else {})
        # Every field that does not fit, as a form shows them all at once.
        every = [_invalid(part) for part in error.errors] if len(error.errors) > 1 else None
        body = error_body("invalid_input", first["message"] or "", first["field"], every)
        return api.create_response(request, body, status=422)


def _refusal(code: str, message: str, field: str | None) -> dict[str, str | None]:
    return {"code": code, "message": message, "field": field}


def _invalid(part: dict) -> dict[str, str | None]:
    """One field of the request that does not fit the schema, as one of `errors`: a field the
    operation does not have, a value of the wrong JSON type (a body taken strictly: StrictIn in
    api/v1/schemas.py) in words of its own, anything else in pydantic's."""
    location = [str(piece) for piece in part.get("loc", ()) if piece not in ("body", "query")]
    field = ".".join(location[1:] if location[:1] == ["payload"] else location) or None
    kind = part.get("type")
    if field is not None and kind == "extra_forbidden":
        message = _(
            "This operation has no field %(field)s: check its spelling against the operation's "
            "fields at /api/v1/docs. Nothing was saved."
        ) % {"field": field}
    elif field is not None and kind == "int_type":
        message = _(
            '%(field)s takes a whole number, written as a JSON number (2), not as text ("2") '
            "or true or false."
        ) % {"field": field}
    elif field is not None and kind == "bool_type":
        message = _("%(field)s takes true or false, written without quotes.") % {"field": field}
    elif field is not None and kind == "string_type":
        message = _("%(field)s takes text, written in quotes.") % {"field": field}
    else:
        detail = part.get("msg", "")
        message = _("The request does not fit the API: %(detail)s") % {"detail": detail}
    return _refusal("invalid_input", message, field)
