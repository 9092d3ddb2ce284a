"""How many SQL statements a check and a recorded use cost through a Bearer token (zulip's
`assert_database_query_count`): a change that adds a statement to these hot paths fails here first,
and says so in its diff; `make bench-api` then tells what it costs (docs/performance/)."""

import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kaikukanta.api.services import create_api_token
from kaikukanta.core import ratelimit


@pytest.fixture(autouse=True)
def no_counter_housekeeping(monkeypatch):
    """One request in CLEANUP_ONE_IN also deletes expired rate counters (core/ratelimit.py): a
    statement the counts below must not catch by chance."""
    monkeypatch.setattr(ratelimit, "CLEANUP_ONE_IN", 10**9)


def statements(client, path, body, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, body, content_type="application/json", **headers)
    assert response.status_code in (200, 201), response.content
    return [query["sql"] for query in captured.captured_queries]


def test_a_check_and_a_use_cost_a_known_number_of_statements(world, alpha_card, settings):
    settings.REDIS_URL = ""
    _token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"venue": world.alpha_venue.pk, "card": alpha_card.identifier}
    statements(client, "/api/v1/checks", body)  # the token's last use is written once a minute
    check = statements(client, "/api/v1/checks", body)
    counters = [sql for sql in check if "core_ratecounter" in sql]
    # The token with its user, the roles, the token's venues (it acts for those it names), the
    # venue, the token's rate counter, the card, the audit event. A number with a check character
    # reserves no failure (cards/lookups.py).
    assert len(check) == 7, check
    assert [sql.split()[0] for sql in counters] == ["INSERT"]

    record = statements(client, "/api/v1/uses", body, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    reads = [sql for sql in record if "core_ratecounter" in sql]
    assert reads == []  # a number with a check character is never refused before it is looked up
    # Outside the statistics summaries (stats/summaries.py), pinned apart below.
    own = [sql for sql in record if "stats_" not in sql and "SAVEPOINT" not in sql]
    # The token, the roles, the token's venues, the venue, the cancelled-request and idempotency
    # look-ups, the locked card, the use, the audit event; and one of the summaries' statements that names no
    # stats_ table: as this use is the card's first in its month, the card's row locked while its
    # months of use are counted (stats/summaries.py _lock_card). The card's type and issuing site
    # come from the card recording locked, not read again (_card_of).
    assert len(own) == 10, own
    assert sum('FROM "cards_card"' in sql for sql in own) == 2, own
    # The statistics summaries' own statements (counters of the use's month, the card's month and
    # year of use, its first use), and the savepoints around them: the whole use, pinned.
    summaries = [sql for sql in record if "stats_" in sql or "SAVEPOINT" in sql]
    assert len(summaries) == 13, summaries
    assert len(record) == 23


def test_with_the_token_cache_a_check_and_a_use_cost_two_statements_less(
    world, alpha_card, settings
):
    """The shared token cache on (accounts/token_cache.py, as with Redis): the token's row, the
    account's roles and the token's venues become one read of the account."""
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "statements-token-cache",
        }
    }
    settings.KAIKUKANTA_TOKEN_CACHE_SECONDS = 300
    caches["default"].clear()
    _token, secret = create_api_token(
        actor=world.alpha_venue_staff, user=world.alpha_venue_staff, name="Kassa"
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"venue": world.alpha_venue.pk, "card": alpha_card.identifier}
    assert len(statements(client, "/api/v1/checks", body)) == 8  # kept; its last use written
    check = statements(client, "/api/v1/checks", body)
    # The account, the venue, the token's rate counter, the card, the audit event.
    assert len(check) == 5, check
    assert 'FROM "accounts_roleassignment"' not in " ".join(check)
    record = statements(client, "/api/v1/uses", body, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    own = [sql for sql in record if "stats_" not in sql and "SAVEPOINT" not in sql]
    assert len(own) == 8, own
    assert len(record) == 21
