#!/usr/bin/env bash
# Registry import benchmark: a fresh PostgreSQL database, migrated, one national administrator; a
# full-size import set (benchmarks/import_generate.py: 100,000 cards and 300,000 uses by default)
# imported by `manage.py import_registry`, timed; then the same files imported again (which must add
# nothing), timed too; prints both figures and the row counts, then drops the database.
#
#   benchmarks/import_registry.sh
#   DB=kk_issue20_bench CARDS=100000 USES=300000 benchmarks/import_registry.sh
#   KEEP=1 benchmarks/import_registry.sh          # keep the database afterwards
#
# Settings (environment): PG_URL (server, default postgres://postgres@127.0.0.1:5432), DB (database
# name, default kk_import_bench_<timestamp>), CARDS, USES, FILES (the set's directory, default a
# temporary one; generated unless it holds cards.csv), KEEP=1, PYTHON (default .venv/bin/python).
set -euo pipefail

cd "$(dirname "$0")/.."

PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB="${DB:-kk_import_bench_$(date +%Y%m%d%H%M%S)}"
CARDS="${CARDS:-100000}"
USES="${USES:-300000}"
PYTHON="${PYTHON:-.venv/bin/python}"
FILES="${FILES:-$(mktemp -d)}"

if [[ ! "$DB" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    echo "DB must be a plain lower-case name, not '$DB'." >&2
    exit 2
fi

export DATABASE_URL="$PG_URL/$DB"
export KAIKUKANTA_DEBUG=1

psql_admin() { psql "$PG_URL/postgres" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_db() { psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

cleanup() {
    if [[ "${KEEP:-0}" == "1" ]]; then
        echo "Kept the database: DATABASE_URL=$DATABASE_URL"
    else
        psql_admin -c "DROP DATABASE IF EXISTS $DB" && echo "Dropped the database $DB."
    fi
}

if [[ ! -f "$FILES/cards.csv" ]]; then
    "$PYTHON" benchmarks/import_generate.py "$FILES" --cards "$CARDS" --uses "$USES"
    echo "Generated $CARDS cards and $USES uses in $FILES."
fi

psql_admin -c "DROP DATABASE IF EXISTS $DB"
psql_admin -c "CREATE DATABASE $DB"
trap cleanup EXIT
"$PYTHON" manage.py migrate --verbosity 0
"$PYTHON" manage.py shell -c "
from kaikukanta.accounts.models import Role, RoleAssignment, User
user = User.objects.create_user(username='importer')
RoleAssignment.objects.create(user=user, role=Role.NATIONAL_ADMIN)
"

timing=$(mktemp)
started=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$timing" \
    "$PYTHON" manage.py import_registry "$FILES" --actor importer --language en --report "$FILES/report-1.txt"
first=$(date +%s.%N)
cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$timing")
rm -f "$timing"
"$PYTHON" manage.py import_registry "$FILES" --actor importer --language en --report "$FILES/report-2.txt" \
    --no-progress | grep -E "written|Done"
second=$(date +%s.%N)

echo
echo "First import: $(seconds "$started" "$first") s for $CARDS cards and $USES uses" \
    "(whole command: reading, checking, writing, rebuilding the statistics);" \
    "the command's own CPU time $cpu s. Load average now: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Second import of the same files (adds nothing): $(seconds "$first" "$second") s."
psql_db -c "SELECT (SELECT count(*) FROM cards_card) AS cards, (SELECT count(*) FROM uses_use) AS uses,
    (SELECT count(*) FROM audit_auditevent) AS audit_events"
