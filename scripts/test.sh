#!/usr/bin/env bash
# The full test suite, exactly as CI runs it: install with the dev extras, lint, type-check,
# then every test. Any failure (pytest's "no tests ran" included) exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'
python3 -m ruff check safesh tests bench
python3 -m ruff format --check safesh tests bench
python3 -m mypy
python3 -m pytest -q -p no:cacheprovider "$@"
