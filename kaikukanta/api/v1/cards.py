"""Registering cards from a client-information system: register, read, renew, close, replace, hand
over to the phone, and the PDFs to print.

The caller is a distributor site's staff: a client system's token made by the region's social and
health coordinator for some of an organisation's sites (api/services.py create_site_token), or a
signed-in session. The same services and rules as the registration pages (cards/services.py), every
refusal of one request at once (`errors`). A card is addressed by the internal `id` the registration
answered, never by its number; a card the caller does not see is 404, as on the pages.

`POST /cards` takes an `Idempotency-Key` header: the same key and body again answers 200 with the card
the first request registered (nothing new is made, no second mobile-card link; the answer is audited as
a reading), also when the site has left the network since, the same key with another body 409. The
bodies are taken as sent (StrictIn: no unknown field, no converted type). `GET /sites` tells a client
system its sites' numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema, Status

from kaikukanta.accounts.permissions import can_issue_at
from kaikukanta.cards import pdf
from kaikukanta.cards.models import Card
from kaikukanta.cards.services import (
    HolderData,
    Wellbeing,
    card_to_change,
    close_card,
    hand_over_card,
    issue_card_once,
    open_card,
    renew_card,
    replace_card,
)
from kaikukanta.core.dates import today
from kaikukanta.core.errors import DomainError
from kaikukanta.core.idempotency import validate_key
from kaikukanta.network.models import DistributorSite, Venue

from .auth import AUTH
from .schemas import BODY_ERRORS, ERRORS, Error, StrictIn

router = Router(tags=["cards"], auth=AUTH)

WRITE_ERRORS = {**BODY_ERRORS, 409: Error}


class SiteUnknown(DomainError):
    code = "site_unknown"
    field = "site"
    status = 404
    template = _(
        "No distributor site of yours has the number %(site)s: GET /api/v1/sites lists your sites "
        "with their numbers."
    )


class CardUnknown(DomainError):
    code = "card_unknown"
    status = 404
    template = _(
        "No card of your sites has the id %(card)s. Use the id the registration answered, not the "
        "card number."
    )


class WellbeingIn(StrictIn):
    who5: list[int | None] | None = Field(
        None,
        max_length=5,
        description="The five WHO-5 statements' answers, 0-5 each, in order: all five or none.",
    )
    mood: int | None = Field(None, description="The mood question, 1 (very bad) to 5 (very good).")


class HolderIn(StrictIn):
    birth_year: int = Field(description="Four digits; only the year is recorded.")
    postcode: str = Field(max_length=10, description="Five digits.")
    children: int = Field(description="The holder's children and grandchildren under 18.")
    life_situation: str = Field(
        "",
        max_length=40,
        description="employed, unemployed, student, retired, family_leave, rehabilitation, "
        "other; empty: not asked or not told.",
    )
    gender: str = Field(
        "", max_length=20, description="female, male, other; empty: not asked or not told."
    )


class CardIn(HolderIn):
    site: int = Field(description="The distributor site registering the card (one of the token's).")
    identifier: str | None = Field(
        None,
        max_length=40,
        description="The number of a pre-printed card from the region's card stock; "
        "default: a new number.",
    )
    wellbeing: WellbeingIn | None = Field(None, description="The voluntary questionnaire.")
    mobile_card: bool = Field(
        False, description="Answer a link that puts the card on the holder's phone."
    )


class RenewIn(StrictIn):
    birth_year: int | None = None
    postcode: str | None = Field(None, max_length=10)
    children: int | None = None
    life_situation: str | None = Field(None, max_length=40)
    gender: str | None = Field(None, max_length=20)
    wellbeing: WellbeingIn | None = None


class CloseIn(StrictIn):
    reason: str = Field(
        max_length=40,
        description="lost, moved_away, not_eligible or on_request (a lost card is better "
        "replaced: /replace).",
    )


class ReplaceIn(StrictIn):
    identifier: str | None = Field(
        None, max_length=40, description="A pre-printed card's number; default: a new number."
    )


class CardOut(Schema):
    id: int = Field(description="The card's internal id: address the card by it.")
    card: str = Field(description="The card number, in two groups of five.")
    card_type: str = Field(description='"personal" or "community".')
    status: str = Field(description='"valid", "expired" or "closed" today.')
    site: int
    issued_on: dt.date
    valid_until: dt.date = Field(description="The last valid day.")
    renewed_on: dt.date | None
    closed_on: dt.date | None
    closing_reason: str
    replaced_by: int | None = Field(description="The id of the card that replaced a lost one.")
    birth_year: int | None
    postcode: str
    children: int | None
    life_situation: str
    gender: str
    mobile_card_link: str | None = Field(
        None,
        description="A link to the holder's mobile card, shown once: only the answer that made it "
        "carries it.",
    )


class SiteOut(Schema):
    id: int = Field(description="The site's number: `site` when registering a card.")
    name: str
    organisation: str = Field(description="The organisation the site belongs to.")
    region: str = Field(description="The region's slug, as in /api/v1/catalogue/regions.")
    region_name: str
    takes_part: bool = Field(
        description="The site registers new cards; one that has left the network keeps its cards "
        "but registers none (site_not_taking_part)."
    )


def card_out(request: HttpRequest, card: Card, secret: str | None = None) -> dict:
    link = None
    if secret is not None:
        link = request.build_absolute_uri(reverse("public:mobile_card", args=[secret]))
    return {
        "id": card.pk,
        "card": card.display_identifier,
        "card_type": card.card_type,
        "status": card.status_on(today()),
        "site": card.issuing_site_id,
        "issued_on": card.issued_on,
        "valid_until": card.effective_valid_until,
        "renewed_on": card.renewed_on,
        "closed_on": card.closed_on,
        "closing_reason": card.closing_reason,
        "replaced_by": card.replaced_by_id,
        "birth_year": card.birth_year,
        "postcode": card.postcode,
        "children": card.children,
        "life_situation": card.life_situation,
        "gender": card.gender,
        "mobile_card_link": link,
    }


def _own_site(request: HttpRequest, pk: int) -> DistributorSite:
    """A site the caller registers cards at, or 404 (another's site is not told apart from none)."""
    site = DistributorSite.objects.select_related("region").filter(pk=pk).first()
    if site is None or not can_issue_at(request.user, site):
        raise SiteUnknown(site=pk)
    return site


def _card(request: HttpRequest, card_id: int) -> Card:
    """A card the caller sees, for a change (the service audits it and refuses one the caller sees
    but does not manage), or 404."""
    card = card_to_change(actor=request.user, card_id=card_id)
    if card is None:
        raise CardUnknown(card=card_id)
    return card


def _opened(request: HttpRequest, card_id: int) -> Card:
    """A card the caller sees, its reading audited (open_card), or 404."""
    card = open_card(actor=request.user, card_id=card_id)
    if card is None:
        raise CardUnknown(card=card_id)
    return card


def _wellbeing(given: WellbeingIn | None) -> Wellbeing | None:
    if given is None:
        return None
    return Wellbeing(who5=tuple(given.who5) if given.who5 is not None else None, mood=given.mood)


def _request_key(request: HttpRequest, key: str) -> str:
    """The client's key, kept apart from every other caller's and from the pages' form keys: per
    token (two systems of one organisation act through the same account, and neither may answer
    with the other's card), per account for a signed-in session."""
    validate_key(key)
    token = getattr(request.user, "api_token_id", None)
    caller = f"token:{token}" if token is not None else f"user:{request.user.pk}"
    digest = hashlib.sha256(f"{caller}:{key}".encode()).hexdigest()
    return f"api:{digest[:56]}"


def _fingerprint(payload: Schema) -> str:
    body = json.dumps(payload.model_dump(), sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@router.post(
    "/cards",
    response={201: CardOut, 200: CardOut, **WRITE_ERRORS},
    summary="Register a card",
    url_name="create_card",
)
def create_card(
    request: HttpRequest,
    payload: CardIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key"),
) -> Status:
    """201 with the card (and, when `mobile_card` was asked, its hand-over link); the same key and
    body again: 200 with the same card (audited as a reading; answered even when the site has since
    left the network or the pilot has ended); the same key with another body: 409. The rules'
    refusals, all of them at once: the first in `code`, `message` and `field`, every one in
    `errors`. `site` is one of GET /api/v1/sites."""
    site = _own_site(request, payload.site)
    key = _request_key(request, idempotency_key)
    holder = HolderData(
        birth_year=payload.birth_year,
        postcode=payload.postcode,
        children=payload.children,
        life_situation=payload.life_situation,
        gender=payload.gender,
    )
    outcome = issue_card_once(
        actor=request.user,
        site=site,
        holder=holder,
        identifier=payload.identifier or None,
        wellbeing=_wellbeing(payload.wellbeing),
        key=key,
        fingerprint=_fingerprint(payload),
    )
    if not outcome.created:
        # A replay answers the holder data again: a reading, audited as one (card.viewed).
        return Status(200, card_out(request, _opened(request, outcome.result.pk)))
    secret = None
    if payload.mobile_card:
        secret = hand_over_card(actor=request.user, card=outcome.result)
    return Status(201, card_out(request, outcome.result, secret))


@router.get(
    "/sites",
    response={200: list[SiteOut], **ERRORS},
    summary="The caller's distributor sites",
    url_name="sites",
)
def sites(request: HttpRequest) -> list[dict]:
    """The distributor sites where the caller registers cards, each with its number (`site` of a
    registration): a client system's token its own sites, a signed-in distributor their sites, a
    coordinator their region's. Empty for those who register at none (a venue's token)."""
    # The registration's own rule (accounts.permissions.can_issue_at), in its list form.
    listed = (
        DistributorSite.objects.visible_to(request.user)
        .select_related("organisation", "region")
        .order_by("organisation__name", "name", "pk")
    )
    return [
        {
            "id": site.pk,
            "name": site.display_name,
            "organisation": site.organisation.display_name,
            "region": site.region.slug,
            "region_name": site.region.display_name,
            "takes_part": site.is_active,
        }
        for site in listed
    ]


@router.get(
    "/cards/{int:card_id}",
    response={200: CardOut, **ERRORS},
    summary="A card by its id",
    url_name="card",
)
def read_card(request: HttpRequest, card_id: int) -> dict:
    """The card as its site sees it: validity, status, holder data. Every reading is audited."""
    return card_out(request, _opened(request, card_id))


@router.post(
    "/cards/{int:card_id}/renew",
    response={200: CardOut, **WRITE_ERRORS},
    summary="Extend a card's validity",
    url_name="card_renew",
)
def renew(request: HttpRequest, card_id: int, payload: RenewIn) -> dict:
    """For a year from today (capped by a pilot's end). Holder fields given update the card's (a
    new child, a move); those left out stay as they are."""
    card = _card(request, card_id)
    given = payload.model_dump(exclude={"wellbeing"}, exclude_none=True)
    holder = None
    if given and not card.is_community:
        current = HolderData(
            birth_year=card.birth_year or 0,
            postcode=card.postcode,
            children=card.children or 0,
            life_situation=card.life_situation,
            gender=card.gender,
        )
        changed = HolderData(**{**current.as_fields(), **given})
        holder = changed if changed != current else None
    renewed = renew_card(
        actor=request.user, card=card, holder=holder, wellbeing=_wellbeing(payload.wellbeing)
    )
    return card_out(request, renewed)


@router.post(
    "/cards/{int:card_id}/close",
    response={200: CardOut, **WRITE_ERRORS},
    summary="Close a card for good",
    url_name="card_close",
)
def close(request: HttpRequest, card_id: int, payload: CloseIn) -> dict:
    """Closed from today; a closed card stays closed (a second close is refused: card_closed)."""
    card = _card(request, card_id)
    return card_out(request, close_card(actor=request.user, card=card, reason=payload.reason))


@router.post(
    "/cards/{int:card_id}/replace",
    response={201: CardOut, **WRITE_ERRORS},
    summary="Replace a lost card",
    url_name="card_replace",
)
def replace(request: HttpRequest, card_id: int, payload: ReplaceIn) -> Status:
    """The lost card is closed and a new card carries on its holder data and validity: 201 with the
    new card (the old one's `replaced_by` names it)."""
    card = _card(request, card_id)
    new = replace_card(actor=request.user, card=card, identifier=payload.identifier or None)
    return Status(201, card_out(request, new))


@router.post(
    "/cards/{int:card_id}/hand-over",
    response={200: CardOut, **WRITE_ERRORS},
    summary="A new mobile-card link",
    url_name="card_hand_over",
)
def hand_over(request: HttpRequest, card_id: int) -> dict:
    """A new link that puts the card on the holder's phone, in `mobile_card_link`, shown this once;
    any earlier link stops working."""
    card = _card(request, card_id)
    secret = hand_over_card(actor=request.user, card=card)
    return card_out(request, card, secret)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class CardPdfQuery(Schema):
    sheet: Literal["card", "a4"] = Field(
        "card", description="card: one card-sized page; a4: the card on an A4 sheet."
    )


class OfferingQuery(Schema):
    language: Literal["fi", "sv", "en"] | None = Field(
        None, description="The client's language; default: the request's."
    )


@router.get(
    "/cards/{int:card_id}/card.pdf",
    response=ERRORS,
    summary="The card to print, as PDF",
    url_name="card_pdf",
    openapi_extra=PDF_RESPONSE,
)
def card_pdf(request: HttpRequest, card_id: int, query: Query[CardPdfQuery]) -> HttpResponse:
    card = _opened(request, card_id)
    return _pdf(pdf.card_pdf(card, sheet=query.sheet == "a4"), "kaikukortti.pdf")


@router.get(
    "/cards/{int:card_id}/offering.pdf",
    response=ERRORS,
    summary="The venues that accept the card, as PDF",
    url_name="card_offering_pdf",
    openapi_extra=PDF_RESPONSE,
)
def offering_pdf(request: HttpRequest, card_id: int, query: Query[OfferingQuery]) -> HttpResponse:
    """What the card's region offers today, in the client's language, to hand over with the card."""
    card = _opened(request, card_id)
    day = today()
    with translation.override(query.language or translation.get_language()):
        venues = Venue.objects.offered_to(card.region, day).select_related("municipality")
        data = pdf.offering_pdf(card.region, venues, day)
    return _pdf(data, "kaikukortti-kohteet.pdf")
