#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests (tests/dashboard/). A test tool's own
# browser download cannot reach its host from these machines, so the tests drive the distro's
# build at /usr/bin/chromium. Idempotent: does nothing once it is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_chromium: /usr/bin/chromium is missing and this user cannot apt-get install it;" \
    "the browser tests in tests/dashboard/ will be skipped" >&2
  if [ -n "${CI:-}" ]; then
    exit 1  # CI must run them, never skip them
  fi
  exit 0
fi
echo "ensure_chromium: installing Debian's chromium (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version >&2
