#!/usr/bin/env bash
# The headless browser the web tests drive (tests/test_web.py): Debian's chromium and the
# chromedriver built with it, from the system's packages. Does nothing when both are there;
# needs root and apt-get otherwise. scripts/test.sh runs it under CI, where the browser
# tests must run rather than skip.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: need root and apt-get to install chromium and chromium-driver" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
