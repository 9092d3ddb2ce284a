"""The service itself: is it up."""

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["service"])


class Health(Schema):
    status: str
    database: str


@router.get("/health", response=Health, summary="Is the service up")
def health(request: HttpRequest) -> dict[str, str]:
    """Whether the service runs and reaches its database. Needs no login; reveals no data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "database": connection.vendor}
