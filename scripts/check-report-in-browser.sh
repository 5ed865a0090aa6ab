#!/usr/bin/env bash
# Opens report.html files in headless Chromium (Debian package 'chromium') and checks that each
# renders, that its charts (SVG) are in the rendered DOM, that the console shows no errors, and
# that the page fits a narrow window: at WIDTH px (default 800) the document does not scroll
# sideways and no chart, table, heading or paragraph reaches past the window's right edge.
# Usage: [WIDTH=800] scripts/check-report-in-browser.sh reports/small/*/report.html
set -euo pipefail
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "chromium is not installed: apt-get install chromium" >&2
  exit 2
fi
[ $# -gt 0 ] || { echo "usage: $0 REPORT.html..." >&2; exit 2; }
width="${WIDTH:-800}"
# measures the layout after load and writes the result into the page, for --dump-dom to show
probe='<script>(function(){var w=document.documentElement.clientWidth,bad=[];
document.querySelectorAll("svg,table,pre,h1,h2,p,div").forEach(function(e){
var r=e.getBoundingClientRect();if(r.right>w+0.5){var t=e.querySelector("title");
bad.push(e.tagName.toLowerCase()+(t?" ("+t.textContent+")":"")+" to "+Math.round(r.right)+"px")}});
var o=document.createElement("pre");o.id="cpift-layout";o.textContent="width="+w+" scrollWidth="
+document.documentElement.scrollWidth+" overflow="+bad.join("; ");document.body.appendChild(o)})();
</script>'
run() { # run URL WINDOW-SIZE LOG: prints the rendered DOM
  local profile
  profile=$(mktemp -d)
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --hide-scrollbars --window-size="$2" --user-data-dir="$profile" --enable-logging=stderr \
      --v=0 --dump-dom "$1" 2>"$3" || true
  rm -rf "$profile"
}
fail=0
for f in "$@"; do
  abs=$(readlink -f "$f")
  log=$(mktemp)
  dom=$(run "file://$abs" 1280,1000 "$log")
  svgs=$(grep -o '<svg' <<<"$dom" | wc -l)
  errors=$(grep -E 'CONSOLE|Uncaught|ERR_' "$log" | grep -v -E 'dbus|GPU|gpu' || true)
  # the same page with the probe, in a window WIDTH px wide
  probed="$(mktemp -d)/report.html"
  sed "s#</body>#${probe//$'\n'/}</body>#" "$abs" >"$probed"
  layout=$(run "file://$probed" "$width,1000" /dev/null | grep -o 'id="cpift-layout">[^<]*' \
      | sed 's/^id="cpift-layout">//' || true)
  rm -rf "$log" "$(dirname "$probed")"
  client=$(sed -n 's/^width=\([0-9]*\).*/\1/p' <<<"$layout")
  scroll=$(sed -n 's/.*scrollWidth=\([0-9]*\).*/\1/p' <<<"$layout")
  over=$(sed -n 's/.*overflow=//p' <<<"$layout")
  if [ -z "$dom" ] || ! grep -q '</html>' <<<"$dom"; then
    echo "FAIL $f: did not render"; fail=1
  elif [ "$svgs" -lt 2 ]; then
    echo "FAIL $f: only $svgs charts in the rendered page"; fail=1
  elif [ -n "$errors" ]; then
    echo "FAIL $f: console errors:"; echo "$errors"; fail=1
  elif [ -z "$layout" ]; then
    echo "FAIL $f: the layout probe did not run at ${width}px"; fail=1
  elif [ "$scroll" -gt "$client" ] || [ -n "$over" ]; then
    echo "FAIL $f: overflows horizontally at ${width}px (page ${client}px, content ${scroll}px): ${over:-the document scrolls sideways}"
    fail=1
  else
    echo "ok   $f: rendered, $svgs charts, no console errors, fits ${width}px (content ${scroll}px of ${client}px)"
  fi
done
exit $fail
