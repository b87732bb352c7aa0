#!/usr/bin/env bash
# The record → scenario from → serve round trip, twice: a library scenario served by
# starmock as the "real" upstream, and a tiny server with answers StarMock would never give.
# A client session is recorded through `starmock record`, converted with `scenario from`,
# the result served, and the same session replayed: both sessions must agree (statuses,
# bodies: error codes, order ids, balances, order states; transport failures; timing within
# TOLERANCE_MS), and the real key must appear in no written file, byte for byte.
# 127.0.0.1 only; every wait bounded.  usage: scripts/record-roundtrip.sh [path/to/starmock]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.build/debug/starmock}"
TOLERANCE_MS="${TOLERANCE_MS:-300}"
KEY=sh4de_test_key
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# start NAME COMMAND…: runs it in the background, waits (10 s at most) for its listening line,
# sets $URL.
start() {
  local name="$1"; shift
  "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PIDS+=("$!"); LAST=$!
  for _ in $(seq 100); do
    URL="$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/$name.out" | head -1 || true)"
    [ -n "$URL" ] && return 0
    kill -0 "$LAST" 2>/dev/null || { cat "$WORK/$name.err" >&2; echo "$name died" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not start" >&2; exit 1
}
# stop PID: SIGTERM, then wait (15 s at most) for exit 0.
stop() {
  kill -TERM "$1"
  for _ in $(seq 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  wait "$1"
}

roundtrip() {
  local name="$1" plan="$2"
  echo "-- $name: record"
  start "$name-record" "$BIN" record --upstream "$UPSTREAM" --port 0 --dialect sh4de --out "$WORK/$name.har"
  local proxy=$LAST
  python3 scripts/roundtrip/session.py "$URL" "$KEY" "$plan" "$WORK/$name-recorded.json"
  stop "$proxy"
  echo "-- $name: scenario from"
  "$BIN" scenario from "$WORK/$name.har" --contract > "$WORK/$name.yaml" 2> "$WORK/$name-from.err" || { cat "$WORK/$name-from.err"; exit 1; }
  cat "$WORK/$name-from.err"
  "$BIN" check "$WORK/$name.yaml"
  local placeholder
  placeholder="$(grep -o 'key: "sh4de_[^"]*"' "$WORK/$name.yaml" | head -1 | sed 's/key: "\(.*\)"/\1/')"
  echo "-- $name: serve the scenario, replay with the placeholder key $placeholder"
  start "$name-serve" "$BIN" serve --scenario "$WORK/$name.yaml" --port 0 --har "$WORK/$name-replay.har"
  local served=$LAST
  python3 scripts/roundtrip/session.py "$URL" "$placeholder" "$plan" "$WORK/$name-replayed.json"
  stop "$served"
  python3 scripts/roundtrip/compare.py "$WORK/$name-recorded.json" "$WORK/$name-replayed.json" "$TOLERANCE_MS"
  echo "-- $name: no credential in any written file"
  for f in "$WORK/$name.har" "$WORK/$name.yaml" "$WORK/$name-replay.har"; do
    if grep -qF "$KEY" "$f"; then echo "the key $KEY is in $f" >&2; exit 1; fi
  done
  if [ -n "${KEEP:-}" ]; then cp "$WORK/$name.yaml" "$WORK/$name.har" "$WORK/$name-recorded.json" "$WORK/$name-replayed.json" "$KEEP/"; fi
}

echo "== library scenario sh4de/response-lost-after-commit (scaled:100) as the upstream"
start upstream "$BIN" serve --scenario scenarios/sh4de/response-lost-after-commit.yaml --clock scaled:100 --port 0
UPSTREAM_PID=$LAST
UPSTREAM="$URL"
curl -sf -X POST "$UPSTREAM/__admin/faults" -d '{"dialect":"sh4de","code":"SERVICE_UNAVAILABLE","method":"GET","path":"/api/v1/prices","times":1}' > /dev/null
roundtrip library sh4de
stop "$UPSTREAM_PID"
echo "-- library: the contract written by --contract: the reference client passes, a client re-sending the lost POST fails"
"$BIN" contract --client 'python3 fixtures/clients/python/starmock_client.py' "$WORK/library.yaml"
set +e
"$BIN" contract --client 'python3 fixtures/clients/broken/retries-post-after-502.py' "$WORK/library.yaml" > "$WORK/broken.out" 2>&1
rc=$?
set -e
grep -q "rule no-duplicate-order" "$WORK/broken.out" && [ "$rc" = 1 ] || { cat "$WORK/broken.out"; echo "the broken client was not caught (exit $rc)" >&2; exit 1; }
echo "retries-post-after-502: failed as it should (no-duplicate-order)"

echo "== an odd upstream (HTML 502 from a proxy, fields and bodies sh4de never sends)"
start odd python3 scripts/roundtrip/odd_upstream.py
UPSTREAM="$URL"
roundtrip odd odd

echo "round trip: ok"
