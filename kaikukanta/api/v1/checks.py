"""The venue's check of a card: what a box office or a ticketing system may know before admitting.

The card number travels in the body, never in the address. The answer says whether recording a use
here would be accepted and, if not, the very refusal recording would give; never which site issued the
card. An unknown number is 404, a number failing its check character 422, too many look-ups 429."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from kaikukanta.accounts.permissions import can_act_for_venue
from kaikukanta.cards.services import check_card
from kaikukanta.core.errors import DomainError
from kaikukanta.network.models import Venue

from ..errors import fields_named
from .auth import AUTH
from .schemas import BODY_ERRORS

router = Router(tags=["checks"], auth=AUTH)


class VenueUnknown(DomainError):
    code = "venue_unknown"
    field = "venue"
    status = 404
    template = _(
        "No venue of yours has the number %(venue)s. Ask for your venues at /api/v1/venues."
    )


def own_venue(request: HttpRequest, pk: int) -> Venue:
    """One of the venues the caller acts for, or 404 (another's venue is not told apart from none).
    The venue by its key, then the rule of `Venue.objects.acted_for_by` for one venue
    (`can_act_for_venue`): cheaper than the list's query on every check and use."""
    try:
        venue = Venue.objects.select_related("region").get(pk=pk)
    except Venue.DoesNotExist:
        raise VenueUnknown(venue=pk) from None
    if not can_act_for_venue(request.user, venue):
        raise VenueUnknown(venue=pk)
    return venue


class CheckIn(Schema):
    venue: int = Field(description="The venue's id, from /api/v1/venues.")
    card: str = Field(max_length=40, description="The card number as typed or scanned.")


class Refusal(Schema):
    code: str
    message: str


class CheckOut(Schema):
    card: str = Field(description="The card number, in two groups of five for reading aloud.")
    card_type: str = Field(description='"personal" or "community".')
    status: str = Field(description='"valid", "expired" or "closed" today.')
    valid: bool = Field(description="The card itself is valid today.")
    valid_until: dt.date | None = Field(description="The last valid day, while the card is valid.")
    closed_on: dt.date | None
    children: int | None = Field(description="Child tickets the card allows at most.")
    accepted: bool = Field(description="A use of the card would be recorded at this venue today.")
    refusal: Refusal | None = Field(description="Why not, and what the holder can do.")


@router.post("/checks", response={200: CheckOut, **BODY_ERRORS}, summary="Check a card at a venue")
def check(request: HttpRequest, payload: CheckIn) -> dict:
    venue = own_venue(request, payload.venue)
    with fields_named(identifier="card"):
        result = check_card(actor=request.user, venue=venue, identifier=payload.card)
    return {
        "card": result.display_identifier,
        "card_type": result.card_type,
        "status": result.status,
        "valid": result.valid,
        "valid_until": result.valid_until,
        "closed_on": result.closed_on,
        "children": result.children,
        "accepted": result.accepted,
        "refusal": (
            {"code": result.refusal.code, "message": result.refusal.message}
            if result.refusal
            else None
        ),
    }
