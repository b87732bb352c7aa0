#!/usr/bin/env bash
# The dashboard (and the contract HTML report) in a real browser: headless Chromium and
# chromedriver from Debian, driven by Selenium from PyPI (in .build/venv-browser).
#
#   scripts/browser-tests.sh [STARMOCK_BINARY]
#
# Installs chromium and chromium-driver with apt-get when missing. Every wait is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${1:-$ROOT/.build/debug/starmock}"
[ -x "$BIN" ] || { echo "browser-tests: no executable at $BIN" >&2; exit 2; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "== installing chromium and chromium-driver"
    timeout 900 bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver' >/dev/null
fi
VENV="$ROOT/.build/venv-browser"
if [ ! -x "$VENV/bin/python" ]; then timeout 300 python3 -m venv "$VENV"; fi
timeout 600 "$VENV/bin/pip" install --quiet --disable-pip-version-check "selenium>=4.15,<5"

OUT="${BROWSER_SHOTS:-$(mktemp -d)}"
mkdir -p "$OUT"
timeout 120 "$VENV/bin/python" fixtures/browser/dashboard_test.py "$BIN" "$OUT/dashboard.png"
if [ -f fixtures/browser/report_test.py ]; then
    timeout 300 "$VENV/bin/python" fixtures/browser/report_test.py "$BIN" "$OUT/contract-report.png"
fi
echo "browser-tests: screenshots in $OUT"
