"""The JSON API: its contract is the committed OpenAPI document, its errors have one shape with the
domain error's own status, and it says no more than the pages do."""

import datetime as dt
import json

import pytest
from django.test import Client

from kaikukanta.api.schema import CONTRACT, openapi_document
from kaikukanta.cards import identifiers
from kaikukanta.cards.models import ClosingReason
from kaikukanta.cards.services import close_card

from ..conftest import legacy_guesses, reopens_in_about, sign_in

CHECKS = "/api/v1/checks"


def contract_schema(name):
    return json.loads(CONTRACT.read_text())["components"]["schemas"][name]


def test_the_committed_contract_matches_the_code():
    assert CONTRACT.read_text(encoding="utf-8") == openapi_document(), (
        "The API changed: run `make openapi` and commit kaikukanta/api/v1/openapi.json"
    )


def test_health_answers_as_the_contract_says(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    schema = contract_schema("Health")
    assert set(body) == set(schema["properties"]) == set(schema["required"])
    assert body["status"] == "ok"


def api_client(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, user)
    return client


def check(client, venue, card):
    return client.post(CHECKS, {"venue": venue.pk, "card": card}, content_type="application/json")


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == set(contract_schema("Error")["properties"])
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    return body


def test_venues_are_those_the_caller_acts_for(world):
    names = {
        user: [venue["name"] for venue in api_client(user).get("/api/v1/venues").json()]
        for user in [world.alpha_venue_staff, world.alpha_coordinator, world.popup_staff]
    }
    assert names[world.alpha_venue_staff] == ["Alfalan museo"]
    assert names[world.alpha_coordinator] == ["Alfalan museo", "Alfalan opisto"]
    popup = api_client(world.popup_staff).get("/api/v1/venues").json()
    assert popup == [
        {
            "id": world.popup.pk,
            "name": "Pop-up-museo",
            "category": "science",
            "popup": True,
            "accepts_from": "2026-01-01",
            "accepts_until": "2026-12-31",
        }
    ]
    assert api_client(world.alpha_distributor).get("/api/v1/venues").json() == []


def test_a_check_answers_what_recording_would(world, alpha_card, beta_card):
    client = api_client(world.beta_venue_staff)
    body = check(client, world.beta_venue, alpha_card.display_identifier.lower()).json()
    schema = contract_schema("CheckOut")
    assert set(body) == set(schema["properties"])
    assert body == {
        "card": alpha_card.display_identifier,
        "card_type": "personal",
        "status": "valid",
        "valid": True,
        "valid_until": "2027-06-15",
        "closed_on": None,
        "children": 2,
        "accepted": True,
        "refusal": None,
    }
    world.beta_venue.accepts_other_regions = False
    world.beta_venue.save()
    refused = check(client, world.beta_venue, alpha_card.identifier).json()
    assert (refused["valid"], refused["accepted"]) == (True, False)
    assert refused["refusal"]["code"] == "venue_own_region_only"
    assert "Alfala" not in json.dumps(refused)  # never where the card was issued


def test_a_check_gives_no_child_tickets_where_the_venue_gives_none(world, alpha_card):
    client = api_client(world.alpha_venue_staff)
    assert check(client, world.alpha_venue, alpha_card.identifier).json()["children"] == 2
    world.alpha_venue.child_tickets = False
    world.alpha_venue.save()
    body = check(client, world.alpha_venue, alpha_card.identifier).json()
    assert (body["accepted"], body["children"]) == (True, 0)


def test_a_closed_card_shows_no_future_validity(world, alpha_card):
    close_card(actor=world.alpha_distributor, card=alpha_card, reason=ClosingReason.LOST)
    body = check(api_client(world.alpha_venue_staff), world.alpha_venue, alpha_card.identifier)
    body = body.json()
    assert (body["status"], body["valid_until"], body["closed_on"]) == (
        "closed",
        None,
        "2026-06-15",
    )
    assert body["refusal"]["code"] == "card_closed"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fi", "ei löydy korttia"),
        ("sv", "Inget kort har numret"),
        ("en", "No card has the number"),
    ],
)
def test_errors_have_one_shape_the_domain_status_and_the_readers_language(
    world, alpha_card, language, words
):
    client = api_client(world.alpha_venue_staff, language)
    unregistered = identifiers.generate()  # passes its check character, not registered
    body = assert_error(
        check(client, world.alpha_venue, unregistered), 404, "card_not_found", "card"
    )
    assert words in body["message"]
    number = alpha_card.identifier
    typo = number[:-1] + ("2" if number[-1] != "2" else "3")
    assert_error(check(client, world.alpha_venue, typo), 422, "identifier_check_failed", "card")
    assert_error(check(client, world.beta_venue, number), 404, "venue_unknown", "venue")
    missing = client.post(CHECKS, {"venue": world.alpha_venue.pk}, content_type="application/json")
    assert_error(missing, 422, "invalid_input", "card")


def test_the_api_needs_a_session_and_its_csrf_token(world, alpha_card):
    anonymous = Client()
    assert_error(anonymous.get("/api/v1/venues"), 401, "not_signed_in")
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, world.alpha_venue_staff)
    assert_error(check(strict, world.alpha_venue, alpha_card.identifier), 403, "csrf_failed")


def test_guessing_legacy_numbers_is_stopped_with_429(world, settings, legacy_card):
    client = api_client(world.alpha_venue_staff)
    guesses = legacy_guesses(settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS + 1)
    for number in guesses[:-1]:
        assert check(client, world.alpha_venue, number).status_code == 404
    body = assert_error(check(client, world.alpha_venue, guesses[-1]), 429, "too_many_lookups")
    assert reopens_in_about(body["message"], settings.KAIKUKANTA_LEGACY_LOOKUP_HOURS * 60)
    # Numbers with a check character: unknown ones answer 404, never 429.
    assert check(client, world.alpha_venue, identifiers.generate()).status_code == 404


def test_a_popup_outside_its_period_refuses_in_the_check(world, alpha_card):
    world.popup.active_until = dt.date(2026, 6, 1)
    world.popup.save()
    body = check(api_client(world.popup_staff), world.popup, alpha_card.identifier).json()
    assert (body["valid"], body["accepted"]) == (True, False)
    assert body["refusal"]["code"] == "venue_not_accepting"


def test_a_body_that_is_not_json_gets_the_same_error_shape(world):
    client = api_client(world.alpha_venue_staff, "fi")
    response = client.post(CHECKS, "{venue: 1,", content_type="application/json")
    body = assert_error(response, 400, "invalid_json")
    assert "JSON" in body["message"]
    assert body["message"].startswith("Pyynnön")


def test_an_address_under_the_api_that_names_no_operation_is_a_json_404(world):
    # Signed in with a session and without the CSRF token: still the 404, not the CSRF failure.
    client = Client(enforce_csrf_checks=True)
    sign_in(client, world.alpha_venue_staff)
    for path in ("/api/v1/uses/null,null/cancel", "/api/v1/no-such-thing", "/api/v2/venues"):
        response = client.post(path, {}, content_type="application/json")
        assert response["Content-Type"] == "application/json", path
        assert_error(response, 404, "not_found")


def test_a_day_is_a_day_not_a_number_of_seconds(world):
    client = api_client(world.alpha_venue_staff)
    for value in ("0", "1767225600", "30.6.2026"):
        assert_error(client.get("/api/v1/uses", {"until": value}), 422, "invalid_input", "until")
    assert client.get("/api/v1/uses", {"until": "2026-06-30"}).status_code == 200


def test_the_venues_and_the_catalogues_venues_are_two_schemas():
    document = json.loads(CONTRACT.read_text())
    ok = document["paths"]["/api/v1/venues"]["get"]["responses"]["200"]["content"]
    catalogue = document["paths"]["/api/v1/catalogue/venues"]["get"]["responses"]["200"]["content"]
    assert ok["application/json"]["schema"]["items"]["$ref"] == "#/components/schemas/VenueOut"
    assert catalogue["application/json"]["schema"]["items"]["$ref"] == (
        "#/components/schemas/CatalogueVenue"
    )
    assert "accessibility" not in contract_schema("VenueOut")["properties"]


def test_several_refusals_keep_the_apis_error_shape(rf):
    """A service that refuses several things at once (core.errors.Refusals, as issue_card does)
    answers the API with its usual body: the first refusal's code, message and field, and its
    status; `errors` lists them all (POST /api/v1/cards: tests/api/test_cards_api.py)."""
    import json

    from kaikukanta.api.v1 import api as api_v1
    from kaikukanta.cards.errors import ChildrenInvalid, PostcodeInvalid
    from kaikukanta.core.errors import Refusals

    request = rf.post("/api/v1/anything")
    response = api_v1.on_exception(request, Refusals([PostcodeInvalid(), ChildrenInvalid(max=20)]))
    assert response.status_code == 422
    assert json.loads(response.content) == {
        "code": "postcode_invalid",
        "message": PostcodeInvalid().message,
        "field": "postcode",
        "errors": [
            {"code": "postcode_invalid", "message": PostcodeInvalid().message, "field": "postcode"},
            {
                "code": "children_invalid",
                "message": ChildrenInvalid(max=20).message,
                "field": "children",
            },
        ],
    }
