#!/usr/bin/env bash
# Bulk-generation benchmark: a fresh PostgreSQL database, migrated, filled by generate_synthetic with
# 1,000,000 cards and 10,000,000 uses (by default); prints the generator's progress and timings, the
# elapsed time, peak memory of the generator and the final row counts, then drops the database.
#
#   benchmarks/synthetic.sh                       # 1M cards, 10M uses
#   CARDS=100000 USES=1000000 benchmarks/synthetic.sh --seed 1
#   KEEP=1 benchmarks/synthetic.sh                # keep the database for query benchmarks
#
# Settings (environment): PG_URL (server, default postgres://postgres@127.0.0.1:5432), DB (database
# name, default kaikukanta_synthetic_<timestamp>), CARDS, USES, KEEP=1, PYTHON (default
# .venv/bin/python).
# Any arguments are passed on to generate_synthetic (for example --seed 1 or --indexes keep).
set -euo pipefail

cd "$(dirname "$0")/.."

PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB="${DB:-kaikukanta_synthetic_$(date +%Y%m%d%H%M%S)}"
CARDS="${CARDS:-1000000}"
USES="${USES:-10000000}"
PYTHON="${PYTHON:-.venv/bin/python}"

if [[ ! "$DB" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "DB must be a plain lower-case name, not '$DB'." >&2
    exit 2
fi

export DATABASE_URL="$PG_URL/$DB"
export KAIKUKANTA_DEBUG=1

psql_admin() { psql "$PG_URL/postgres" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_db() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }

cleanup() {
    if [[ "${KEEP:-0}" == "1" ]]; then
        echo "Kept the database: DATABASE_URL=$DATABASE_URL"
    else
        psql_admin -c "DROP DATABASE IF EXISTS $DB" && echo "Dropped the database $DB."
    fi
}

psql_admin -c "CREATE DATABASE $DB"
trap cleanup EXIT
echo "Created the database $DB."

started=$(date +%s.%N)
"$PYTHON" manage.py migrate --verbosity 0
migrated=$(date +%s.%N)
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo "Migrated in $(seconds "$started" "$migrated") s."

command=("$PYTHON" manage.py generate_synthetic --cards "$CARDS" --uses "$USES" "$@")
if [[ -x /usr/bin/time ]]; then
    timing=$(mktemp)
    /usr/bin/time -v -o "$timing" "${command[@]}"
    peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timing")
    rm -f "$timing"
else
    "${command[@]}"
    peak_kb=""
fi
finished=$(date +%s.%N)

echo
echo "Elapsed: $(seconds "$migrated" "$finished") s for generate_synthetic" \
    "($(seconds "$started" "$finished") s with migrations)."
if [[ -n "$peak_kb" ]]; then
    printf 'Peak memory of generate_synthetic: %d MB.\n' "$((peak_kb / 1024))"
fi
echo
echo "Final row counts and sizes:"
psql_db <<'SQL'
SELECT 'cards_card' AS "table", COUNT(*) AS "rows",
       pg_size_pretty(pg_total_relation_size('cards_card')) AS "size with indexes" FROM cards_card
UNION ALL
SELECT 'uses_use', COUNT(*), pg_size_pretty(pg_total_relation_size('uses_use')) FROM uses_use
UNION ALL
SELECT 'network_region', COUNT(*), pg_size_pretty(pg_total_relation_size('network_region'))
  FROM network_region
UNION ALL
SELECT 'network_distributorsite', COUNT(*),
       pg_size_pretty(pg_total_relation_size('network_distributorsite')) FROM network_distributorsite
UNION ALL
SELECT 'network_venue', COUNT(*), pg_size_pretty(pg_total_relation_size('network_venue'))
  FROM network_venue
UNION ALL
SELECT 'audit_auditevent', COUNT(*), pg_size_pretty(pg_total_relation_size('audit_auditevent'))
  FROM audit_auditevent;
SQL
