"""The public catalogue as open data: every region and the venues a card is offered, in JSON and CSV.
No login; the same list and filters as the catalogue pages (network/search.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from kaikukanta.core.dates import today
from kaikukanta.core.exports import neutralised
from kaikukanta.network.models import Region, Venue
from kaikukanta.network.search import catalogue_venues, filter_venues

router = Router(tags=["catalogue"], auth=None)


class Texts(Schema):
    fi: str
    sv: str
    en: str


class RegionOut(Schema):
    slug: str
    name: Texts
    status: str
    pilot_starts: dt.date | None
    pilot_ends: dt.date | None
    municipalities: list[str]
    description: Texts


class CatalogueVenue(Schema):
    id: int
    name: Texts
    region: str | None
    popup: bool
    accepts_from: dt.date | None
    accepts_until: dt.date | None
    category: str
    municipality_code: str | None
    municipality: str | None
    street_location: str
    web_link: str
    offers: list[str]
    child_tickets: bool
    description: Texts
    accessibility: Texts


class Filters(Schema):
    q: str = ""
    region: str = ""
    municipality: str = ""
    category: str = ""
    offer: str = ""


def _texts(obj: object, field: str) -> dict[str, str]:
    """Each language as stored; a missing translation falls back to the Finnish text."""
    finnish = getattr(obj, field)
    return {
        "fi": finnish,
        "sv": getattr(obj, f"{field}_sv") or finnish,
        "en": getattr(obj, f"{field}_en") or finnish,
    }


def _venue(venue: Venue) -> dict:
    starts, ends = venue.active_period()
    return {
        "id": venue.pk,
        "name": _texts(venue, "name"),
        "region": venue.region.slug if venue.region else None,
        "popup": venue.is_popup,
        "accepts_from": starts,
        "accepts_until": ends,
        "category": venue.category,
        "municipality_code": venue.municipality.code if venue.municipality else None,
        "municipality": venue.municipality.name if venue.municipality else None,
        "street_location": venue.location,
        "web_link": venue.web_link,
        "offers": venue.offers(),
        "child_tickets": venue.child_tickets,
        "description": _texts(venue, "description"),
        "accessibility": _texts(venue, "accessibility"),
    }


def _open_data(response: HttpResponse) -> None:
    """Open data: any site may read it from a browser (no credentials are involved), and caches may
    keep it for a while."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=600"


def _venues(filters: Filters) -> list[dict]:
    venues, _chosen = filter_venues(catalogue_venues(today()), filters.dict())
    return [_venue(venue) for venue in venues]


@router.get(
    "/catalogue/regions",
    response=list[RegionOut],
    summary="Every region of the network",
    url_name="catalogue-regions",
)
def regions(request: HttpRequest, response: HttpResponse) -> list[dict]:
    """Every region, with its pilot period (null for a permanent region), municipality codes and
    catalogue description in Finnish, Swedish and English."""
    _open_data(response)
    return [
        {
            "slug": region.slug,
            "name": _texts(region, "name"),
            "status": region.status,
            "pilot_starts": region.pilot_starts,
            "pilot_ends": region.pilot_ends,
            "municipalities": [m.code for m in region.municipalities.all()],
            "description": _texts(region, "description"),
        }
        for region in Region.objects.prefetch_related("municipalities").order_by("name")
    ]


@router.get(
    "/catalogue/venues",
    response=list[CatalogueVenue],
    summary="The venues that accept the card",
    url_name="catalogue-venues",
)
def venues(request: HttpRequest, response: HttpResponse, filters: Query[Filters]) -> list[dict]:
    """The venues of every region and the national pop-up venues whose period has not ended, with
    what each offers cardholders. Filters as on the catalogue page: `q` (words), `region` (a
    region's slug, or `popup`), `municipality` (a municipality code), `category`, `offer` (entry,
    courses, sports, events); an unknown value is ignored."""
    _open_data(response)
    return _venues(filters)


CSV_COLUMNS = [
    "id",
    "name_fi",
    "name_sv",
    "name_en",
    "region",
    "popup",
    "accepts_from",
    "accepts_until",
    "category",
    "municipality_code",
    "municipality",
    "street_location",
    "web_link",
    "offers",
    "child_tickets",
    "description_fi",
    "description_sv",
    "description_en",
    "accessibility_fi",
    "accessibility_sv",
    "accessibility_en",
]


@router.get(
    "/catalogue/venues.csv",
    summary="The venues that accept the card, as CSV",
    url_name="catalogue-venues-csv",
    openapi_extra={
        "responses": {
            200: {
                "description": "UTF-8 CSV (comma-separated, ISO dates) with a header row: "
                + ", ".join(CSV_COLUMNS)
                + ". A text beginning with =, +, -, @, a tab or a carriage return is written "
                "with a leading apostrophe (CSV injection).",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def venues_csv(request: HttpRequest, filters: Query[Filters]) -> HttpResponse:
    """The same list as /catalogue/venues, one row a venue; offers are separated by spaces. A
    machine format (comma-separated, ISO dates, codes): the catalogue page offers people a
    spreadsheet of its own. A text that a spreadsheet would read as a formula (beginning with =, +,
    -, @, a tab or a carriage return) is written with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in _venues(filters):
        writer.writerow(
            [
                neutralised(value) if isinstance(value, str) else value
                for value in [
                    row["id"],
                    *row["name"].values(),
                    row["region"] or "",
                    "yes" if row["popup"] else "no",
                    row["accepts_from"] or "",
                    row["accepts_until"] or "",
                    row["category"],
                    row["municipality_code"] or "",
                    row["municipality"] or "",
                    row["street_location"],
                    row["web_link"],
                    " ".join(row["offers"]),
                    "yes" if row["child_tickets"] else "no",
                    *row["description"].values(),
                    *row["accessibility"].values(),
                ]
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kaikukortti-venues.csv"'
    _open_data(response)
    return response
