"""The bare baseline for `make bench-api`: a WSGI app that answers POST /api/v1/checks and
POST /api/v1/uses with the same SQL statements the real API runs (counted with Django's query capture:
the token and its user, the user's roles, the venue with its region, the look-up counters, the card,
the idempotency look-up, the locked card, the use and the audit event), written by hand with psycopg
and a connection per worker, and no framework: no middleware, no ORM, no validation, no translation,
no rule beyond "the card exists". What the real stack costs above this is the framework's share."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os

import psycopg

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


def _counter(cur, key: str, step: int, seconds: int) -> None:
    if _redis is not None:
        if _redis.incrby(key, step) == step:
            _redis.expire(key, seconds)
        return
    cur.execute(
        'INSERT INTO core_ratecounter ("key", "count", expires_at) VALUES (%s, %s, %s) '
        'ON CONFLICT ("key") DO UPDATE SET "count" = core_ratecounter."count" + EXCLUDED."count"',
        (key, step, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)),
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
            "SELECT t.user_id, u.username FROM api_apitoken t JOIN accounts_user u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.revoked_at IS NULL",
            (hashlib.sha256(token.encode()).hexdigest(),),
        )
        row = cur.fetchone()
        if row is None:
            return _answer(start_response, "401 Unauthorized", {"code": "not_signed_in"})
        user_id, username = row
        cur.execute(
            "SELECT role, region_id, distributor_site_id, venue_id FROM accounts_roleassignment "
            "WHERE user_id = %s",
            (user_id,),
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
            for key in ("failed:user", "lookups:user", "failed:venue", "lookups:venue"):
                _counter(cur, f"bare:{key}:{user_id}:{minute}", 1, 600)
            cur.execute(
                "SELECT id, card_type, region_id, valid_until, closed_on, children FROM cards_card "
                "WHERE identifier = %s",
                (number,),
            )
            card = cur.fetchone()
            for key in ("failed:user", "failed:venue"):
                _counter(cur, f"bare:{key}:{user_id}:{minute}", -1, 600)
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
        for name in ("failed:user", "failed:venue"):
            if _redis is not None:
                _redis.get(f"bare:{name}:{user_id}:{minute}")
                continue
            cur.execute(
                'SELECT "count" FROM core_ratecounter WHERE expires_at >= now() AND "key" = %s',
                (f"bare:{name}:{user_id}:{minute}",),
            )
            cur.fetchall()
        cur.execute(
            "SELECT id FROM uses_use WHERE venue_id = %s AND idempotency_key = %s", (venue_id, key)
        )
        cur.fetchall()
        with conn.transaction():
            cur.execute(
                "SELECT id, region_id, card_type, valid_until, closed_on, children FROM cards_card "
                "WHERE identifier = %s FOR UPDATE",
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
