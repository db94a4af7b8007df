#!/usr/bin/env bash
# Makes sure Debian's Chromium (/usr/bin/chromium) is installed, for test/runtimes/browser.test.ts
# (driven by playwright-core with executablePath '/usr/bin/chromium'; Playwright's own browser download
# cannot work here). Installs it with apt-get when run as root on a machine that has apt-get; otherwise
# says how to install it and exits non-zero. Set EDGECNN_CHROMIUM to use a Chromium elsewhere.
set -euo pipefail
CHROMIUM="${EDGECNN_CHROMIUM:-/usr/bin/chromium}"

version() { "$CHROMIUM" --version 2>/dev/null || true; }

if [ -x "$CHROMIUM" ]; then
  echo "ensure-chromium: found $CHROMIUM ($(version))"
  exit 0
fi

if [ "$CHROMIUM" = /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium with apt-get (about 110 MB, under 2 minutes)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    echo "ensure-chromium: installed $CHROMIUM ($(version))"
    exit 0
  fi
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
ensure-chromium: $CHROMIUM is missing and cannot be installed from here (needs root and apt-get).
Install Chromium, then run npm test again, e.g.:
  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium
  elsewhere:      install Chromium or Chrome and set EDGECNN_CHROMIUM=/path/to/the/binary
MSG
exit 1
