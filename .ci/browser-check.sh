#!/usr/bin/env bash
# Renders the HTML campaign report in headless Chromium: the plan table, the curve and the overlap
# heat map must be in the rendered DOM, the console must stay clean, and a screenshot is kept in
# target/ci-artifacts/. Installs Debian's chromium when missing; skips (exit 0, with a message)
# only where no browser can be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/ci-artifacts
mkdir -p "$out"
if ! command -v chromium >/dev/null 2>&1; then
  echo "browser-check: installing chromium (apt)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$out/apt.log" 2>&1; then
    echo "browser-check: SKIPPED: chromium cannot be installed here (see $out/apt.log)"
    exit 0
  fi
fi
cargo run --release --quiet -- plan --graph datasets/demo/follows.csv --edge-meaning follows \
  --costs datasets/demo/costs.csv --budget 30000 -k 12 --mip-seconds 1 -q \
  --report "$out/report.html" > /dev/null
page="file://$(pwd)/$out/report.html"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --enable-logging=stderr --v=0)
profile=$(mktemp -d)
timeout 120 chromium "${flags[@]}" --user-data-dir="$profile" --virtual-time-budget=3000 \
  --dump-dom "$page" > "$out/report.dom.html" 2> "$out/chromium.log"
timeout 120 chromium "${flags[@]}" --user-data-dir="$profile" --window-size=1200,2400 \
  --screenshot="$out/report.png" "$page" >> "$out/chromium.log" 2>&1
rm -rf "$profile"
fail=0
for needle in '<table id="plan"' 'id="curve"><svg' 'id="overlap"><svg' '<polyline' 'class="heatmap"'; do
  if ! grep -q -- "$needle" "$out/report.dom.html"; then
    echo "browser-check: rendered report lacks $needle"; fail=1
  fi
done
rows=$(grep -o '<tr><td>[0-9]*</td>' "$out/report.dom.html" | wc -l)
if [ "$rows" -lt 1 ]; then echo "browser-check: the plan table has no rows"; fail=1; fi
if grep -E 'CONSOLE|Uncaught|Failed to load resource' "$out/chromium.log"; then
  echo "browser-check: console errors above"; fail=1
fi
if [ ! -s "$out/report.png" ]; then echo "browser-check: no screenshot"; fail=1; fi
[ "$fail" -eq 0 ] || exit 1
echo "browser-check: report rendered ($rows plan rows), screenshot $out/report.png"
