"""The bare baseline for `make bench-api`: a WSGI app that answers POST /api/v1/checks and
POST /api/v1/uses with the SQL statements the real API needs (checked against Django's query capture,
tests/api/test_api_statements.py), written by hand with psycopg and a connection per worker, and no
framework: no middleware, no ORM, no validation, no translation, no rule beyond "the card exists".
What the real stack costs above this is the framework's share.

A check: the token and its user, the user's roles, the token's venues, the venue with its region, the
token's rate counter (Redis: one MULTI), the card, the audit event (a number with a check character
reserves no failure: cards/lookups.py). A use: the same four, the cancelled-request and idempotency
look-ups, then in one transaction the locked card, the use, the
statistics summaries (the month's uses at the venue, the card's year and first use, written here the
shortest way: upserts, no savepoints) and the audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from zoneinfo import ZoneInfo

import psycopg

HELSINKI = ZoneInfo("Europe/Helsinki")

_connection: psycopg.Connection | None = None
# With REDIS_URL set the real API keeps its look-up counters in Redis (core/ratelimit.py): so does this.
_redis = None
if os.environ.get("REDIS_URL"):
    import redis

    _redis = redis.Redis.from_url(os.environ["REDIS_URL"])


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection


def _answer(start_response, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _counters(cur, changes: list[tuple[str, int, int]]) -> None:
    """Several look-up counters in one round trip, as core/ratelimit.py does."""
    if _redis is not None:
        with _redis.pipeline(transaction=True) as pipe:
            for key, step, seconds in changes:
                pipe.set(key, 0, ex=seconds, nx=True)
                pipe.incrby(key, step)
            pipe.execute()
        return
    now = dt.datetime.now(dt.UTC)
    values: list = []
    for key, step, seconds in sorted(changes):
        values += [key, step, now + dt.timedelta(seconds=seconds)]
    cur.execute(
        'INSERT INTO core_ratecounter ("key", "count", expires_at) VALUES '  # noqa: S608 (placeholders)
        + ", ".join(["(%s, %s, %s)"] * len(changes))
        + ' ON CONFLICT ("key") DO UPDATE SET "count" = core_ratecounter."count" + EXCLUDED."count" '
        'RETURNING "key", "count"',
        values,
    )
    cur.fetchall()


def _summaries(cur, card, venue_id: int, category: str) -> None:
    """The statistics summaries of one new use (stats/summaries.py use_added), the shortest way."""
    card_id, region_id, card_type, site_id = card[0], card[1], card[2], card[6]
    cur.execute(
        "INSERT INTO stats_usemonth (month, venue_id, category, uses, adult_tickets, child_tickets) "
        "VALUES (date_trunc('month', now() AT TIME ZONE 'Europe/Helsinki')::date, %s, %s, 1, 1, 0) "
        "ON CONFLICT (month, venue_id, category) DO UPDATE SET uses = stats_usemonth.uses + 1, "
        "adult_tickets = stats_usemonth.adult_tickets + 1",
        (venue_id, category),
    )
    if card_type != "personal":
        return
    today = dt.datetime.now(HELSINKI).date()
    year, month = today.year, today.replace(day=1)
    # The card's month of use (CardUseMonth); a new one locks the card, finds the month before it
    # and counts the card in CardUseGap (a use recorded now has no later month).
    cur.execute(
        "INSERT INTO stats_cardusemonth (month, card_id, card_region_id, issuing_site_id) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT (card_id, month) DO NOTHING RETURNING id",
        (month, card_id, region_id, site_id),
    )
    if cur.fetchone() is not None:
        cur.execute("SELECT id FROM cards_card WHERE id = %s FOR UPDATE", (card_id,))
        cur.execute(
            "SELECT max(month) FROM stats_cardusemonth WHERE card_id = %s AND month < %s",
            (card_id, month),
        )
        before = cur.fetchone()[0]
        if before is None:
            previous = dt.date(1900, 1, 1)  # never used before (summaries.NEVER)
        elif (month.year - before.year) * 12 + month.month - before.month >= 36:
            previous = dt.date(1900, 2, 1)  # long ago (summaries.LONG_AGO)
        else:
            previous = before
        cur.execute(
            "INSERT INTO stats_cardusegap (month, previous, region_id, issuing_site_id, cards) "
            "VALUES (%s, %s, %s, %s, 1) ON CONFLICT (month, previous, region_id, issuing_site_id) "
            "DO UPDATE SET cards = stats_cardusegap.cards + 1",
            (month, previous, region_id, site_id),
        )
        cur.execute(
            "INSERT INTO stats_cardyear (year, card_id, card_region_id, issuing_site_id) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (card_id, year) DO NOTHING RETURNING id",
            (year, card_id, region_id, site_id),
        )
        if cur.fetchone() is not None:
            _use_year(cur, year, region_id, site_id, used=1)
    cur.execute(
        "INSERT INTO stats_cardfirstuse (card_id, first_used_on, card_region_id, issuing_site_id) "
        "VALUES (%s, (now() AT TIME ZONE 'Europe/Helsinki')::date, %s, %s) "
        "ON CONFLICT (card_id) DO NOTHING RETURNING card_id",
        (card_id, region_id, site_id),
    )
    if cur.fetchone() is not None:
        _use_year(cur, year, region_id, site_id, taken=1)


def _use_year(cur, year: int, region_id: int, site_id: int, used: int = 0, taken: int = 0) -> None:
    cur.execute(
        "INSERT INTO stats_carduseyear (year, region_id, issuing_site_id, used, taken) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (year, region_id, issuing_site_id) DO UPDATE "
        "SET used = stats_carduseyear.used + EXCLUDED.used, "
        "taken = stats_carduseyear.taken + EXCLUDED.taken",
        (year, region_id, site_id, used, taken),
    )


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/api/v1/health":
        return _answer(start_response, "200 OK", {"status": "ok"})
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    conn = _db()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT t.id, t.user_id, u.username FROM api_apitoken t "
            "JOIN accounts_user u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > now()",
            (hashlib.sha256(token.encode()).hexdigest(),),
        )
        row = cur.fetchone()
        if row is None:
            return _answer(start_response, "401 Unauthorized", {"code": "invalid_token"})
        token_id, user_id, username = row
        cur.execute(
            "SELECT role, region_id, distributor_site_id, venue_id FROM accounts_roleassignment "
            "WHERE user_id = %s",
            (user_id,),
        )
        cur.fetchall()
        cur.execute(
            "SELECT v.id, v.region_id FROM network_venue v "
            "JOIN api_apitoken_venues tv ON tv.venue_id = v.id WHERE tv.apitoken_id = %s",
            (token_id,),
        )
        cur.fetchall()
        cur.execute(
            "SELECT v.id, v.region_id, v.category, r.id FROM network_venue v "
            "LEFT JOIN network_region r ON r.id = v.region_id WHERE v.id = %s",
            (body["venue"],),
        )
        venue_id, region_id, category, _region = cur.fetchone()
        minute = int(dt.datetime.now(dt.UTC).timestamp() // 60)
        number = body["card"].replace("-", "").replace(" ", "").upper()
        if path == "/api/v1/checks":
            _counters(cur, [(f"bare:lookups:token:{token_id}:{minute}", 1, 65)])
            cur.execute(
                "SELECT id, card_type, region_id, valid_until, closed_on, children FROM cards_card "
                "WHERE identifier = %s",
                (number,),
            )
            card = cur.fetchone()
            cur.execute(
                "INSERT INTO audit_auditevent (occurred_at, actor_id, actor_username, action, "
                "object_type, object_id, region_id, venue_id, data) "
                "VALUES (now(), %s, %s, 'card.checked', 'cards.card', %s, %s, %s, %s)",
                (user_id, username, str(card[0]), region_id, venue_id, json.dumps({"found": True})),
            )
            return _answer(
                start_response,
                "200 OK",
                {
                    "card": number,
                    "valid_until": str(card[3]),
                    "children": card[5],
                    "accepted": True,
                },
            )
        key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
        cur.execute(
            "SELECT 1 FROM uses_cancelledrequest WHERE venue_id = %s AND idempotency_key = %s",
            (venue_id, key),
        )
        cur.fetchall()
        cur.execute(
            "SELECT id FROM uses_use WHERE venue_id = %s AND idempotency_key = %s", (venue_id, key)
        )
        cur.fetchall()
        with conn.transaction():
            cur.execute(
                "SELECT id, region_id, card_type, valid_until, closed_on, children, issuing_site_id "
                "FROM cards_card WHERE identifier = %s FOR UPDATE",
                (number,),
            )
            card = cur.fetchone()
            cur.execute(
                "INSERT INTO uses_use (card_id, venue_id, card_region_id, occurred_at, category, kind, "
                "adult_ticket, child_tickets, recorded_by_id, recorded_at, idempotency_key) "
                "VALUES (%s, %s, %s, now(), %s, 'entry_ticket', true, 0, %s, now(), %s) RETURNING id",
                (card[0], venue_id, card[1], category, user_id, key),
            )
            use_id = cur.fetchone()[0]
            _summaries(cur, card, venue_id, category)
            cur.execute(
                "INSERT INTO audit_auditevent (occurred_at, actor_id, actor_username, action, "
                "object_type, object_id, region_id, venue_id, data) "
                "VALUES (now(), %s, %s, 'use.recorded', 'uses.use', %s, %s, %s, %s)",
                (
                    user_id,
                    username,
                    str(use_id),
                    region_id,
                    venue_id,
                    json.dumps({"card": card[0]}),
                ),
            )
        return _answer(start_response, "201 Created", {"id": use_id, "card": number})
