#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser). Install it if it is missing
# and we may (root); otherwise say how.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = "0" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
else
  echo "Browser tests need Debian's Chromium: sudo apt-get install chromium" >&2
  exit 1
fi
