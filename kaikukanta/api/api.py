"""The JSON API, version 1. Its contract is the committed openapi.json (`make openapi` regenerates it,
and a test fails when the code and the file disagree)."""

from django.db import connection
from ninja import NinjaAPI, Schema

api = NinjaAPI(
    title="Kaikukanta API",
    version="1",
    description="Registry of the Kaikukortti culture card.",
    urls_namespace="api-v1",
)


class Health(Schema):
    status: str
    database: str


@api.get("/health", response=Health, tags=["service"], summary="Is the service up")
def health(request):
    """Whether the service runs and reaches its database. Needs no login; reveals no data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "database": connection.vendor}
