#!/usr/bin/env bash
# Generate (if needed) and benchmark the contacts list + export on SQLite and PostgreSQL.
#   bash bench/run_all.sh [COUNT] [RUNS]      (defaults: 1000000 contacts, 30 runs per case)
# SQLite lives in /tmp (CRM_BENCH_SQLITE overrides); PostgreSQL uses a dedicated database
# (CRM_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/crm_bench), created
# with psql when missing. The agent slug carries the count, so a quick run
# (bash bench/run_all.sh 20000) never mixes with the million-contact data.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
COUNT="${1:-1000000}"
RUNS="${2:-30}"
SLUG="bench-${COUNT}"
SQLITE_URL="${CRM_BENCH_SQLITE:-sqlite:////tmp/crm_bench_${COUNT}.db}"
PG_URL="${CRM_BENCH_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/crm_bench}"

python bench/generate_contacts.py --agent-slug "$SLUG" --count "$COUNT" --database-url "$SQLITE_URL"
python bench/bench_contacts.py --agent-slug "$SLUG" --runs "$RUNS" --database-url "$SQLITE_URL"

if pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  db="${PG_URL##*/}"; db="${db%%\?*}"
  if ! psql "${PG_URL%/*}/postgres" -Atc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    psql "${PG_URL%/*}/postgres" -c "CREATE DATABASE \"$db\""
  fi
  python bench/generate_contacts.py --agent-slug "$SLUG" --count "$COUNT" --database-url "$PG_URL"
  python bench/bench_contacts.py --agent-slug "$SLUG" --runs "$RUNS" --database-url "$PG_URL"
else
  echo "PostgreSQL is not answering on 127.0.0.1:5432: skipped."
fi
