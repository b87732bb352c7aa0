#!/usr/bin/env bash
# Serve a library scenario, run a short session (a lost answer, polls, errors), export
# GET /__admin/journal.har, and import it into Chromium's DevTools (headless) for a screenshot.
# Needs chromium and chromium-driver (apt) and Selenium (PyPI; a venv is made in /tmp).
# Not part of CI. usage: scripts/devtools-har/screenshot.sh [path/to/starmock] [out.png]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:-.build/debug/starmock}"
OUT="${2:-docs/devtools-har-import.png}"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PY="${SELENIUM_PYTHON:-/tmp/starmock-selenium/bin/python}"
[ -x "$PY" ] || { python3 -m venv /tmp/starmock-selenium && /tmp/starmock-selenium/bin/pip install -q selenium; PY=/tmp/starmock-selenium/bin/python; }
"$BIN" serve --scenario scenarios/sh4de/response-lost-after-commit.yaml --clock scaled:100 --port 0 > "$WORK/serve.out" &
U=""
for _ in $(seq 100); do U="$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" || true)"; [ -n "$U" ] && break; sleep 0.1; done
H='X-API-Key: sh4de_test_key'
curl -s -H "$H" "$U/api/v1/balance" > /dev/null
curl -s -X POST -H "$H" -H 'Content-Type: application/json' -d '{"username":"some_user","quantity":100}' "$U/api/v1/order/stars" || true
curl -s -H "$H" "$U/api/v1/balance" > /dev/null
curl -s -H "$H" "$U/api/v1/order/47" > /dev/null; sleep 1; curl -s -H "$H" "$U/api/v1/order/47" > /dev/null
curl -s -H "$H" "$U/api/v1/user/nobody" > /dev/null
curl -s -H "$H" "$U/api/v1/order/999" > /dev/null
curl -s "$U/__admin/journal.har" > "$WORK/journal.har"
DT_PORT=$((20000 + RANDOM % 20000))
chromium --headless=new --no-sandbox --disable-gpu --remote-debugging-port=$DT_PORT --remote-allow-origins='*' about:blank > "$WORK/chromium.out" 2>&1 &
sleep 3
"$PY" scripts/devtools-har/import_har.py "$DT_PORT" "$WORK/journal.har" "$OUT"
echo "screenshot: $OUT"
