"""The public catalogue, its open data and the region brochure."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kaikukanta.network.models import Venue

from ..conftest import on_day
from .test_mobile_card import text_of


@pytest.fixture
def anonymous():
    client = Client()
    client.cookies["kaikukanta_language"] = "en"
    return client


@pytest.fixture
def described(world):
    venue = world.alpha_venue
    venue.description = "Taidetta ja historiaa."
    venue.description_en = "Art and history."
    venue.location = "Museokatu 1"
    venue.web_link = "https://museo.example/kaikukortti"
    venue.offers_entry = True
    venue.offers_events = True
    venue.accessibility = "Esteetön sisäänkäynti."
    venue.child_tickets = False
    venue.save()
    return venue


def test_the_catalogue_lists_every_region_and_the_popups_with_periods(world, described, anonymous):
    text = text_of(anonymous.get(reverse("public:catalogue")))
    for name in [
        "Alfala",
        "Beetala",
        world.alpha_venue.name,
        world.beta_venue.name,
        world.popup.name,
    ]:
        assert name in text
    assert "1.1.2026 to 31.12.2026" in text  # the pop-up's period
    assert "Art and history." in text  # English where given
    assert "Esteetön sisäänkäynti." in text  # Finnish where English is missing
    assert "Museokatu 1" in text
    assert "Tickets for the cardholder only." in text


def test_filters_have_shareable_addresses(world, described, anonymous):
    url = reverse("public:catalogue")
    by_region = text_of(anonymous.get(url, {"region": "beta"}))
    assert world.beta_venue.name in by_region
    assert world.alpha_venue.name not in by_region
    by_category = text_of(anonymous.get(url, {"category": "education"}))
    assert world.alpha_course_venue.name in by_category
    assert world.alpha_venue.name not in by_category
    by_municipality = text_of(anonymous.get(url, {"municipality": "902"}))
    assert world.beta_venue.name in by_municipality
    assert world.alpha_venue.name not in by_municipality
    popups = text_of(anonymous.get(url, {"region": "popup"}))
    assert world.popup.name in popups
    assert world.alpha_venue.name not in popups
    words = text_of(anonymous.get(url, {"q": "history"}))
    assert world.alpha_venue.name in words
    assert world.alpha_course_venue.name not in words
    offer = text_of(anonymous.get(url, {"offer": "events"}))
    assert world.alpha_venue.name in offer
    assert world.beta_venue.name not in offer
    # Nonsense filters are ignored, not an error.
    assert (
        anonymous.get(url, {"region": "nowhere", "category": "x", "page": "99"}).status_code == 200
    )


def test_ended_venues_and_pilots_leave_the_catalogue(world, anonymous):
    with on_day(dt.date(2027, 1, 2)):
        text = text_of(anonymous.get(reverse("public:catalogue")))
    assert world.alpha_venue.name in text
    assert world.beta_venue.name not in text  # its region's pilot ended
    assert world.popup.name not in text  # its period ended


def test_the_region_page_is_the_offering_of_a_card(world, described, anonymous):
    text = text_of(anonymous.get(reverse("public:catalogue_region", args=["beta"])))
    assert world.beta_venue.name in text
    assert world.popup.name in text
    assert world.alpha_venue.name not in text
    assert "A pilot from 1.9.2025 to 31.12.2026." in text
    assert anonymous.get(reverse("public:catalogue_region", args=["nowhere"])).status_code == 404


def test_the_region_page_speaks_swedish_with_finnish_fallback(world, described, anonymous):
    response = anonymous.get(reverse("public:catalogue_region", args=["alpha"]), {"lang": "sv"})
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Alfby" in html  # the region's Swedish name
    assert "Taidetta ja historiaa." in html  # no Swedish description: the Finnish one


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Kaikukortti: Alfala"), ("sv", "Kaikukortet i Alfby"), ("en", "Kaikukortti in Alfala")],
)
def test_the_brochure_reads_back_in_each_language(world, described, anonymous, language, heading):
    import pypdfium2

    response = anonymous.get(reverse("public:brochure", args=["alpha", language]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    assert heading in text.replace("\r", "")
    assert world.alpha_venue.name in text
    assert world.popup.name in text
    assert world.beta_venue.name not in text


def test_an_unknown_brochure_language_is_not_found(world, anonymous):
    assert anonymous.get(reverse("public:brochure", args=["alpha", "de"])).status_code == 404


def test_open_data_json_and_csv_match_the_catalogue(world, described, anonymous):
    data = anonymous.get("/api/v1/catalogue/venues").json()
    by_id = {row["id"]: row for row in data}
    assert set(by_id) == set(Venue.objects.values_list("pk", flat=True))
    row = by_id[described.pk]
    assert row["name"]["fi"] == described.name
    assert row["description"] == {
        "fi": "Taidetta ja historiaa.",
        "sv": "Taidetta ja historiaa.",
        "en": "Art and history.",
    }
    assert row["offers"] == ["entry", "events"]
    assert row["child_tickets"] is False
    assert row["region"] == "alpha"
    assert by_id[world.popup.pk]["accepts_until"] == "2026-12-31"
    for path in [
        "/api/v1/catalogue/venues",
        "/api/v1/catalogue/venues.csv",
        "/api/v1/catalogue/regions",
    ]:
        assert anonymous.get(path)["Access-Control-Allow-Origin"] == "*"
    filtered = anonymous.get("/api/v1/catalogue/venues", {"region": "beta"}).json()
    assert [row["id"] for row in filtered] == [world.beta_venue.pk]
    response = anonymous.get("/api/v1/catalogue/venues.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(data)
    museum = next(r for r in rows if r["id"] == str(described.pk))
    assert museum["street_location"] == "Museokatu 1"
    assert museum["offers"] == "entry events"
    regions = anonymous.get("/api/v1/catalogue/regions").json()
    assert [r["slug"] for r in regions] == ["alpha", "beta"]
    assert regions[0]["name"]["sv"] == "Alfby"


def test_catalogue_text_follows_the_active_language(world, described):
    with translation.override("sv"):
        assert described.description_text == "Taidetta ja historiaa."
    with translation.override("en"):
        assert described.description_text == "Art and history."


def test_a_permanent_region_that_once_ran_a_pilot_stays_in_the_catalogue(world, anonymous):
    world.alpha.pilot_starts, world.alpha.pilot_ends = dt.date(2021, 1, 1), dt.date(2022, 12, 31)
    world.alpha.save()
    assert world.alpha_venue in Venue.objects.offered_to(world.alpha, dt.date(2026, 6, 15))
    assert world.alpha_venue in Venue.objects.in_catalogue(dt.date(2026, 6, 15))
    assert world.alpha_venue.name in text_of(anonymous.get(reverse("public:catalogue")))


def test_an_upcoming_pop_up_is_listed_marked_with_its_first_day_and_counted_from_it(
    world, anonymous, client_as
):
    """A pop-up venue whose period starts 1.3.2027 is in the catalogue (holders may plan), marked
    "from 1.3.2027"; the catalogue's count and the national overview's count it only from then."""
    Venue.objects.create(
        organisation=world.popup.organisation,
        name="Tuleva sirkus",
        category="culture",
        is_popup=True,
        active_from=dt.date(2027, 3, 1),
        active_until=dt.date(2027, 5, 31),
    )
    with on_day(dt.date(2026, 6, 15)):
        page = text_of(anonymous.get(reverse("public:catalogue")))
        region_page = text_of(anonymous.get(reverse("public:catalogue_region", args=["alpha"])))
        overview = client_as("national").get(reverse("web:national"))
        finnish = text_of(anonymous.get(reverse("public:catalogue"), {"lang": "fi"}))
    assert "Tuleva sirkus" in page
    assert "From 1.3.2027: the card is not accepted here yet." in page
    assert page.count("the card is not accepted here yet") == 1  # the running pop-up is not marked
    listed = Venue.objects.in_catalogue(dt.date(2026, 6, 15)).count()
    assert f"{listed - 1} venues and 1 from a later day" in page
    assert "From 1.3.2027" in region_page
    assert "1.3.2027 alkaen" in finnish
    # The national overview counts the running pop-up only, and lists the upcoming one marked.
    summary = text_of(overview)
    assert "1 pop-up venue" in summary
    assert "(from 1.3.2027)" in summary
    assert "administration" not in summary  # managed in the national pages, not the Django admin
    day = dt.date(2027, 3, 1)
    assert Venue.objects.accepting_on(day).filter(name="Tuleva sirkus").exists()
    assert (
        not Venue.objects.accepting_on(day - dt.timedelta(days=1))
        .filter(name="Tuleva sirkus")
        .exists()
    )
