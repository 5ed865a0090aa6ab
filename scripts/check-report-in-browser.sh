#!/usr/bin/env bash
# Opens report.html files in headless Chromium (Debian package 'chromium') and checks that each
# renders, that its charts (SVG) are in the rendered DOM, and that the console shows no errors.
# Usage: scripts/check-report-in-browser.sh reports/small/*/report.html
set -euo pipefail
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "chromium is not installed: apt-get install chromium" >&2
  exit 2
fi
[ $# -gt 0 ] || { echo "usage: $0 REPORT.html..." >&2; exit 2; }
fail=0
for f in "$@"; do
  abs=$(readlink -f "$f")
  profile=$(mktemp -d)
  log=$(mktemp)
  dom=$("$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" --enable-logging=stderr --v=0 --dump-dom "file://$abs" 2>"$log" || true)
  svgs=$(grep -o '<svg' <<<"$dom" | wc -l)
  errors=$(grep -E 'CONSOLE|Uncaught|ERR_' "$log" | grep -v -E 'dbus|GPU|gpu' || true)
  rm -rf "$profile" "$log"
  if [ -z "$dom" ] || ! grep -q '</html>' <<<"$dom"; then
    echo "FAIL $f: did not render"; fail=1
  elif [ "$svgs" -lt 2 ]; then
    echo "FAIL $f: only $svgs charts in the rendered page"; fail=1
  elif [ -n "$errors" ]; then
    echo "FAIL $f: console errors:"; echo "$errors"; fail=1
  else
    echo "ok   $f: rendered, $svgs charts, no console errors"
  fi
done
exit $fail
