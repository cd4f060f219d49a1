#!/usr/bin/env bash
# Renders the HTML report of the motivating case and screenshots it with headless Chromium for the README
# (docs/abort-then-retry.png). Needs Debian's chromium; run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
node dist/cli.js analyze captures/abort-then-retry.pcap --format html -o "$tmp/report.html"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$tmp/profile" \
  --window-size=1100,1180 --screenshot=docs/abort-then-retry.png "file://$tmp/report.html" 2>/dev/null
rm -rf "$tmp"
echo "wrote docs/abort-then-retry.png"
