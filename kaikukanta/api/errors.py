"""One translation of errors into HTTP for every API version.

A `DomainError` carries its own HTTP status (422 by default; 403 not allowed, 404 unknown card, 409
conflicts, 429 too many look-ups) and becomes `{"code", "message", "field"}`, the message in the
language of the request (`Accept-Language`, Finnish by default). Input that does not even fit the
schema gets the same shape, with the code `invalid_input`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError

from kaikukanta.core.errors import DomainError


def error_body(code: str, message: str, field: str | None) -> dict[str, str | None]:
    return {"code": code, "message": message, "field": field}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
        return api.create_response(
            request, error_body(error.code, error.message, error.field), status=error.status
        )

    @api.exception_handler(ValidationError)
    def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
        first = error.errors[0] if error.errors else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
        field = ".".join(location[1:] if location[:1] == ["payload"] else location) or None
        message = _("The request does not fit the API: %(detail)s") % {
            "detail": first.get("msg", "")
        }
        return api.create_response(request, error_body("invalid_input", message, field), status=422)
