"""The public catalogue's list and filters (search words, region, municipality, category, offer):
the one reading of them that the catalogue page, its open data (/api/v1/catalogue/) and the
brochure share."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Greatest

from .models import OFFER_KEYS, Municipality, Region, Venue


def catalogue_venues(day: Any) -> QuerySet[Venue]:
    return (
        Venue.objects.in_catalogue(day)
        .select_related("region", "municipality")
        .order_by("is_popup", "region__name", "name", "pk")
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _param(params: Any, name: str) -> str:
    """A filter as typed, without control characters: no one types them, and PostgreSQL refuses a NUL
    in a text value (it would be a server error, not "nothing found")."""
    return _CONTROL.sub(" ", str(params.get(name) or ""))


SEARCHED = (
    "name",
    "name_sv",
    "name_en",
    "description",
    "description_sv",
    "description_en",
    "municipality__name",
)
# pg_trgm's word similarity (the share of the word's trigrams found in some stretch of the text) at
# which a word counts as found: "uimahali" (0.78) or "uimahallissa" (0.69) finds "Valkeakosken
# uimahalli", "art" does not find "kartano" (0.25). Shorter words have too few trigrams to tell a
# typo from another word: they are found as typed only.
SIMILARITY = 0.6
SHORTEST_FUZZY = 4


def _matching(venues: QuerySet[Venue], word: str, number: int) -> QuerySet[Venue]:
    """The venues where `word` is found in a name, a description or the municipality: as it is
    typed, and on PostgreSQL also with a typo or another ending (trigram similarity, pg_trgm; the
    extension is created by public.0002). SQLite has no trigrams: there a word is found as typed."""
    found = Q()
    for name in SEARCHED:
        found |= Q(**{f"{name}__icontains": word})
    if connection.vendor == "postgresql" and len(word) >= SHORTEST_FUZZY:
        similarity = f"word_similarity_{number}"
        venues = venues.alias(
            **{similarity: Greatest(*(TrigramWordSimilarity(word, name) for name in SEARCHED))}
        )
        found |= Q(**{f"{similarity}__gte": SIMILARITY})
    return venues.filter(found)


def filter_venues(venues: QuerySet[Venue], params: Any) -> tuple[QuerySet[Venue], dict[str, str]]:
    """Apply the catalogue's filters (search words, region, municipality, category, offer) as the
    page, the open data and the brochure read them; the filters that were valid."""
    chosen: dict[str, str] = {}
    words = _param(params, "q").strip()[:100]
    if words:
        chosen["q"] = words
        for number, word in enumerate(words.split()):
            venues = _matching(venues, word, number)
    region = _param(params, "region")
    if region == "popup":
        venues = venues.filter(is_popup=True)
        chosen["region"] = region
    elif region and Region.objects.filter(slug=region).exists():
        venues = venues.filter(region__slug=region)
        chosen["region"] = region
    municipality = _param(params, "municipality")
    if municipality and Municipality.objects.filter(code=municipality).exists():
        # A venue without a municipality of its own is in its region's municipalities.
        venues = venues.filter(
            Q(municipality__code=municipality)
            | Q(municipality__isnull=True, region__municipalities__code=municipality)
        ).distinct()
        chosen["municipality"] = municipality
    category = _param(params, "category")
    if category in Venue.Category.values:
        venues = venues.filter(category=category)
        chosen["category"] = category
    offer = _param(params, "offer")
    if offer in OFFER_KEYS:
        venues = venues.filter(**{f"offers_{offer}": True})
        chosen["offer"] = offer
    return venues, chosen
