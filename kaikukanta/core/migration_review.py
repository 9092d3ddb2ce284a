"""What ``manage.py lint_migrations`` lets through (core/management/commands/lint_migrations.py).

BASELINE: per app, the last migration written before the linter existed (6.12.2026); those were reviewed
when they were written, and ``uses.0002`` (5.5 minutes on 10 M uses) is why the linter exists.

REVIEWED: a newer migration with a locking or rewriting statement, and why it is acceptable: the table
is small, or the statement runs on a table created in a release not yet deployed. A dated line each,
written by whoever reviewed it.
"""

BASELINE = {
    "accounts": "0004",
    "api": "0001",
    "audit": "0007",
    "cards": "0004",
    "core": "0002",
    "events": "0001",
    "feedback": "0001",
    "guidelines": "0001",
    "network": "0002",
    "stats": "0003",
    "uses": "0003",
}

REVIEWED = {
    ("migration_import", "0002_imported_rows"): (
        "6.12.2026: the data step reads the uses whose request key begins with import: (one pass "
        "over the uses table with a plain SELECT, no lock beyond it; seconds at 10 M uses) and "
        "writes their keys to migration_import's own table, which only the import command reads; "
        "about 300,000 rows at the national registry's size."
    ),
    ("cards", "0008_card_imported_length"): (
        "6.12.2026: a partial index over imported cards only; building it reads the cards table "
        "once (about a second at 1 M cards) while card writes wait."
    ),
    ("api", "0002_token_expiry"): (
        "6.12.2026: API tokens number in the hundreds (one per agency system and venue), so the "
        "backfill and SET NOT NULL take milliseconds."
    ),
    ("cards", "0006_card_record_key"): (
        "6.12.2026: no installation runs yet (the move from the earlier registry is still to come), "
        "so the one-time random keys are drawn in the migration; measured with stats.0004 on "
        "1 M cards / 10 M uses: 19.6 minutes on a loaded 2-core machine. Once an installation "
        "runs, a change like this is expand, backfill by a command, contract."
    ),
    ("stats", "0004_cell_keys"): (
        "6.12.2026: as cards.0006_card_record_key: the key sums are filled once, before any "
        "installation runs; the summary tables can be refilled later by rebuild_stats."
    ),
    ("uses", "0004_clients_without_card"): (
        "6.12.2026: the data step touches only community cards' uses (group visits, a small share), "
        "and the new check's scan is one pass over uses under the lock (seconds at 10 M uses) before "
        "any installation runs; once one does, add such a check NOT VALID and validate it apart."
    ),
    ("accounts", "0006_hashed_recovery_codes_and_second_step_failures"): (
        "6.12.2026: the data step hashes django-otp's plain recovery codes: ten per national "
        "administrator and coordinator, a few hundred rows nationally (milliseconds), into a table "
        "created in the same migration; it must run with the release, which no longer reads them."
    ),
    ("audit", "0012_api_token_events_named_by_accounts"): (
        "6.12.2026: renames the object type of the API tokens' events written before the tokens "
        "moved to the accounts: found through the audit_object index (object_type first), a few "
        "hundred rows (one per token made or revoked), whatever the size of the trail."
    ),
    ("cards", "0007_holder_data_erased"): (
        "6.12.2026: replaces the card_holder_data_by_type check, which validates every card under an "
        "ACCESS EXCLUSIVE lock: cards number in the hundreds of thousands nationally (a second or two), "
        "not the tens of millions uses do."
    ),
}
