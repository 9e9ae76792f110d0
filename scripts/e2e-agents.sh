#!/usr/bin/env bash
# Conformance suite against the real coding agents (not part of scripts/test.sh): installs the
# pinned Claude Code, Codex CLI and Gemini CLI from npm into a cache directory, runs each one
# headless against a fake model API on 127.0.0.1 through every route safesh offers (hook,
# Claude's shell prefix, PATH shims, safesh mcp), and prints a matrix. Needs node/npm.
#   bash scripts/e2e-agents.sh [--only claude,codex,gemini] [--cache DIR] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SAFESH_TEST_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
exec "$venv/bin/python" scripts/e2e/run.py "$@"
