#!/usr/bin/env bash
# The full test suite, exactly as CI runs it: a virtual environment with the dev extras
# (created on first use; system Pythons that are "externally managed" refuse a global
# install), then lint, type-check and every test. Any failure, pytest's "no tests ran"
# included, exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SAFESH_TEST_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
export PATH="$PWD/$venv/bin:$PATH"
# PostgreSQL for the shared-store tests: located, or installed in CI (exports SAFESH_PG_BIN).
source scripts/postgres.sh
if [ -n "${CI:-}" ]; then
  bash scripts/install-browser.sh  # the web tests need a real browser, and CI must run them
fi
# Byte-compile safesh first, as `pip install` does: an editable install (and a session with
# PYTHONDONTWRITEBYTECODE=1) would otherwise compile modules inside the first judgement's 3 s
# deadline, and on a slow machine that first line gets `core.deadline` instead of running.
python -m compileall -q safesh > /dev/null
python -m ruff check safesh tests bench
python -m ruff format --check safesh tests bench
python -m mypy
python -m pytest -q -p no:cacheprovider "$@"
