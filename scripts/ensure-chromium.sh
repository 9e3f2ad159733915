#!/usr/bin/env bash
# Make sure Debian's Chromium is present for the browser tests (Playwright cannot
# download its own browser here). Installs it when running as root with apt-get;
# otherwise says how, and the browser tests skip with that reason.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  "$CHROMIUM" --version
else
  echo "warning: $CHROMIUM is missing, browser tests will be skipped." >&2
  echo "         Install it with: sudo apt-get install -y chromium" >&2
fi
