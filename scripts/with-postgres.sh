#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at PostgreSQL: TEST_DATABASE_URL if set, else the
# server on 127.0.0.1:5432 (trust auth, as our machines run it, or password postgres as
# scripts/start-postgres.sh sets up). Django's test runner makes its own test_* databases there.
set -euo pipefail
url="${TEST_DATABASE_URL:-}"
if [ -z "$url" ]; then
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "No PostgreSQL answers on 127.0.0.1:5432: run scripts/start-postgres.sh (CI does) or set TEST_DATABASE_URL." >&2
    exit 1
  fi
  if psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    url="postgres://postgres@127.0.0.1:5432/test"
  else
    url="postgres://postgres:postgres@127.0.0.1:5432/test"
  fi
fi
DATABASE_URL="$url" exec "$@"
