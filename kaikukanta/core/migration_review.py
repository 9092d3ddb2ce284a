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
    ("cards", "0005_holder_data_erased"): (
        "6.12.2026: replaces the card_holder_data_by_type check, which validates every card under an "
        "ACCESS EXCLUSIVE lock: cards number in the hundreds of thousands nationally (a second or two), "
        "not the tens of millions uses do."
    ),
}
