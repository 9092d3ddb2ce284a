"""The public pages, opened without an account: the mobile card (card.py), the public catalogue
(catalogue.py), and the accessibility statement and privacy notice (front.py). The front page itself
is web:home, which shows front.front_page to those not signed in."""

from __future__ import annotations

from django.urls import path

from . import card, catalogue, front

app_name = "public"

urlpatterns = [
    path("m/sw.js", card.service_worker, name="service_worker"),
    path("m/<str:secret>/", card.mobile_card, name="mobile_card"),
    path("m/<str:secret>/visits/", card.my_visits, name="my_visits"),
    path("m/<str:secret>/feedback/", card.feedback, name="feedback"),
    path("m/<str:secret>/manifest.webmanifest", card.manifest, name="manifest"),
    path("accessibility/", front.accessibility, name="accessibility"),
    path("privacy/", front.privacy, name="privacy"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/venues.csv", catalogue.catalogue_spreadsheet, name="catalogue_spreadsheet"),
    path("catalogue/<slug:slug>/", catalogue.catalogue_region, name="catalogue_region"),
    path(
        "catalogue/<slug:slug>/brochure-<str:language>.pdf",
        catalogue.region_brochure,
        name="brochure",
    ),
]
