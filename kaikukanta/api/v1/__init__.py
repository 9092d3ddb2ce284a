"""The JSON API, version 1: one NinjaAPI, a module per resource.

Its contract is the committed `openapi.json` beside this file (`make openapi` regenerates it, CI and a
test fail when the code and the file disagree). Errors have one shape everywhere, `{"code", "message",
"field"}`, with the HTTP status the domain error carries (`api/errors.py`).
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from ..docs import docs_page
from ..errors import install_error_handlers
from . import cards, catalogue, checks, events, service, uses, venues

api = NinjaAPI(
    title="Kaikukanta API",
    version="1",
    description="Registry of the Kaikukortti culture card.",
    urls_namespace="api-v1",
    # Swagger UI would load from a CDN with inline scripts, which the Content-Security-Policy
    # refuses: /api/v1/docs is our own page, rendered on the server from the committed document.
    docs_url=None,
)
install_error_handlers(api)
api.add_router("", service.router)
api.add_router("", venues.router)
api.add_router("", checks.router)
api.add_router("", catalogue.router)
api.add_router("", uses.router)
api.add_router("", events.router)
api.add_router("", cards.router)


@api.get("/docs", include_in_schema=False, url_name="docs")
def docs(request: HttpRequest) -> HttpResponse:
    """The documentation page (api/docs.py)."""
    return docs_page(request)
