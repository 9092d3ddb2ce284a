"""Schemathesis walks the committed OpenAPI document: for every operation it sends generated
requests (valid and broken bodies, odd numbers, missing headers) to the WSGI app, signed in with a
venue's Bearer token, and checks that every answer is one the document promises: no server error, a
documented status code and content type, documented headers, and a body of the documented shape.
The card numbers it makes up match no card: the refusals are the API's own 4xx answers.

Not run: the checks that expect a schema-valid request to succeed (a made-up card number is
rightly refused), that an invalid one fails (the uses' and checks' bodies ignore unknown fields;
the cards' refuse them: tests/api/test_cards_api.py), and that a request without the token is
refused (the test signs every request in itself). The site token walks the card operations and
GET /api/v1/sites (its sites, not an empty list)."""

import json

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kaikukanta.api.schema import CONTRACT
from kaikukanta.api.services import create_api_token, create_site_token

schema = schemathesis.openapi.from_dict(json.loads(CONTRACT.read_text()))


@pytest.fixture
def app():
    """The WSGI app, its database connection kept open between requests (as Django's test client
    does): the test's transaction holds the world."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world, settings):
    # Generated requests are many: no look-up limit should turn them into 429s that hide a bug.
    settings.KAIKUKANTA_LOOKUPS_PER_MINUTE = 100000
    settings.KAIKUKANTA_LEGACY_FAILED_LOOKUPS = 100000
    settings.KAIKUKANTA_VENUE_LEGACY_FAILED_LOOKUPS = 100000
    settings.KAIKUKANTA_FAILED_LOOKUPS = 100000
    settings.KAIKUKANTA_VENUE_FAILED_LOOKUPS = 100000
    _token, secret = create_api_token(actor=None, user=world.alpha_venue_staff, name="schemathesis")
    return secret


@schema.parametrize()
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_every_answer_is_one_the_contract_documents(case, app, token):
    response = case.call(app=app, headers={"Authorization": f"Bearer {token}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )


@pytest.fixture
def site_token(world, settings):
    """A client system's token for alpha's distributor site: the card operations answer it with
    cards (registered, read, renewed, closed, replaced), not only with refusals."""
    _token, secret = create_site_token(
        actor=world.alpha_sote_coordinator, sites=[world.alpha_site], name="ATJ", verified=True
    )
    return secret


@schema.include(tag="cards").parametrize()
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_every_card_answer_to_a_site_token_is_one_the_contract_documents(
    case, app, site_token, alpha_card
):
    card_id = (case.path_parameters or {}).get("card_id")
    if isinstance(card_id, int) and card_id % 2:
        # Half of the addresses name a card of the token's site, so that its answers are walked too.
        case.path_parameters["card_id"] = alpha_card.pk
    response = case.call(app=app, headers={"Authorization": f"Bearer {site_token}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
