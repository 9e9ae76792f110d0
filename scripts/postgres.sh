#!/usr/bin/env bash
# Locate PostgreSQL's server binaries for the shared-store tests (tests/test_store_postgres.py)
# and, in CI or as root, install them from the system's packages when they are missing.
# Sourced by scripts/test.sh: exports SAFESH_PG_BIN when a server can be started. Never fails
# the run itself: a test that needs the server fails (in CI) or skips (elsewhere) with the
# reason.
find_pg_bin() {
  local found
  if [ -n "${SAFESH_PG_BIN:-}" ] && [ -x "$SAFESH_PG_BIN/initdb" ]; then
    echo "$SAFESH_PG_BIN"
    return 0
  fi
  if found="$(command -v initdb 2>/dev/null)"; then
    dirname "$(readlink -f "$found")"
    return 0
  fi
  for found in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$found/initdb" ]; then
      echo "$found"
      return 0
    fi
  done
  return 1
}

if ! pg_bin="$(find_pg_bin)"; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && [ -n "${CI:-}${SAFESH_INSTALL_POSTGRES:-}" ]; then
    echo "scripts/postgres.sh: installing PostgreSQL for the shared-store tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql) >&2 \
      || echo "scripts/postgres.sh: could not install PostgreSQL" >&2
    pg_bin="$(find_pg_bin || true)"
  fi
fi
if [ -n "${pg_bin:-}" ]; then
  export SAFESH_PG_BIN="$pg_bin"
fi
