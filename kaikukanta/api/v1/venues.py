"""The venues the caller checks cards and records uses for."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from kaikukanta.network.models import Venue

from .auth import AUTH
from .schemas import ERRORS

router = Router(tags=["venues"], auth=AUTH)


class VenueOut(Schema):
    id: int
    name: str
    category: str
    popup: bool
    accepts_from: dt.date | None
    accepts_until: dt.date | None


@router.get("/venues", response={200: list[VenueOut], **ERRORS}, summary="The caller's venues")
def venues(request: HttpRequest) -> list[dict]:
    """The venues the signed-in user may check cards and record uses for, with the period in which
    each accepts cards (open ends are null)."""
    result = []
    for venue in Venue.objects.acted_for_by(request.user).select_related("region").order_by("name"):
        starts, ends = venue.active_period()
        result.append(
            {
                "id": venue.pk,
                "name": venue.display_name,
                "category": venue.category,
                "popup": venue.is_popup,
                "accepts_from": starts,
                "accepts_until": ends,
            }
        )
    return result
