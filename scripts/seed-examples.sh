#!/usr/bin/env bash
# Runs the sh4de documentation's own Python and Node examples (fixtures/clients/seed-examples/)
# against a live `starmock serve`, changed only in BASE, and checks what they print.
#
#   scripts/seed-examples.sh [path/to/starmock]     (default: .build/debug/starmock)
#
# Builds nothing: build first (`swift build`). Needs python3, node 18+ and curl. If `requests`
# is not importable, it is installed into a venv under .build/venv-seed. Every wait is bounded;
# the script exits non-zero on the first mismatch.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-.build/debug/starmock}"
EXAMPLES="$ROOT/fixtures/clients/seed-examples"
DOCS_BASE="https://docs.sh4de.space"
CLIENT_TIMEOUT=60

fail() {
    echo "seed-examples: FAIL: $*" >&2
    exit 1
}
step() { echo "seed-examples: $*"; }

[[ -x "$BIN" ]] || fail "no starmock binary at '$BIN' (run 'swift build' first, or pass its path)"
for tool in python3 node curl timeout; do
    command -v "$tool" >/dev/null || fail "'$tool' is not installed"
done

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do  # up to 5 s, then force
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- Python with requests ------------------------------------------------------------------
PY=python3
if ! python3 -c 'import requests' 2>/dev/null; then
    VENV="$ROOT/.build/venv-seed"
    if ! "$VENV/bin/python" -c 'import requests' 2>/dev/null; then
        step "installing requests into $VENV"
        timeout 300 python3 -m venv "$VENV" || fail "cannot create a venv at $VENV"
        timeout 300 "$VENV/bin/pip" install --quiet requests || fail "pip install requests failed"
    fi
    PY="$VENV/bin/python"
fi

# --- The server ----------------------------------------------------------------------------
"$BIN" serve --port 0 --clock virtual >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do  # up to 30 s
    URL="$(sed -n 's/^starmock listening on \(http:\/\/[^ ]*\)$/\1/p' "$WORK/server.out" | head -n 1)"
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "starmock exited before listening: $(cat "$WORK/server.err")"
    sleep 0.1
done
[[ -n "$URL" ]] || fail "no 'starmock listening on URL' line within 30 s"
step "server at $URL (pid $SERVER_PID)"

# --- The examples, changed only in BASE ----------------------------------------------------
localize() {  # $1 = example file name → path of a copy whose BASE is $URL
    local src="$EXAMPLES/$1" dst="$WORK/$1"
    [[ -f "$src" ]] || fail "missing $src"
    grep -q "$DOCS_BASE" "$src" || fail "$1 does not contain BASE $DOCS_BASE"
    sed "s|$DOCS_BASE|$URL|g" "$src" >"$dst"
    local changed
    changed="$(diff "$src" "$dst" | grep -c '^>' || true)"
    [[ "$changed" == 1 ]] || fail "$1: expected exactly the BASE line to change, $changed lines did"
    echo "$dst"
}

PY_SEND="$(localize send_stars.py)"
PY_CHECK="$(localize check_order_status.py)"
JS_SEND="$(localize send_stars.js)"

step "python send_stars.py"
timeout "$CLIENT_TIMEOUT" "$PY" "$PY_SEND" >"$WORK/py.out" 2>"$WORK/py.err" \
    || fail "send_stars.py failed: $(cat "$WORK/py.err")"
cat "$WORK/py.out"
[[ "$(wc -l <"$WORK/py.out")" -eq 2 ]] || fail "send_stars.py printed $(wc -l <"$WORK/py.out") lines, expected 2"
[[ "$(sed -n 1p "$WORK/py.out")" == "47 ok" ]] || fail "send_stars.py line 1: expected '47 ok'"
[[ "$(sed -n 2p "$WORK/py.out")" =~ ^(pending|completed|failed)$ ]] \
    || fail "send_stars.py line 2: expected pending|completed|failed"

step "advance the clock 65 s"
timeout 10 curl -fsS -X POST "$URL/__admin/clock/advance" -d '{"seconds":65}' >"$WORK/advance.out" \
    || fail "clock advance failed"
grep -q '"now":"2026-03-28T03:01:05' "$WORK/advance.out" || fail "clock not at 03:01:05: $(cat "$WORK/advance.out")"

step "python check_order_status.py 47"
STATUS="$(timeout "$CLIENT_TIMEOUT" "$PY" "$PY_CHECK" 47)" || fail "check_order_status.py failed"
echo "$STATUS"
[[ "$STATUS" == "completed" ]] || fail "r.json()[\"status\"] after 65 s: expected 'completed', got '$STATUS'"

step "node send_stars.js"
timeout "$CLIENT_TIMEOUT" node "$JS_SEND" >"$WORK/js.out" 2>"$WORK/js.err" \
    || fail "send_stars.js failed: $(cat "$WORK/js.err")"
cat "$WORK/js.out"
for expected in "status: 'ok'" "order_id: 48" "username: 'some_user'" "quantity: 100" "cost_usd: 1.3" \
    "new_balance_usd: 22.9" "status_order: 'pending'" "note: 'Track: GET /api/v1/order/48'"; do
    grep -qF "$expected" "$WORK/js.out" || fail "send_stars.js output lacks \"$expected\""
done

step "balance, exact bytes"
timeout 10 curl -fsS -H 'X-API-Key: sh4de_xxxx' "$URL/api/v1/balance" >"$WORK/balance.json" \
    || fail "GET /api/v1/balance failed"
printf '{\n  "status": "ok",\n  "balance_usd": 22.90,\n  "total_orders": 14,\n  "total_spent_usd": 11.02,\n  "key_label": "My Stars Bot"\n}' \
    >"$WORK/balance.expected"
cmp -s "$WORK/balance.json" "$WORK/balance.expected" \
    || fail "balance body: $(cat "$WORK/balance.json")"

# --- Graceful stop -------------------------------------------------------------------------
step "SIGTERM"
kill -TERM "$SERVER_PID"
for _ in $(seq 1 100); do  # up to 10 s
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$SERVER_PID" 2>/dev/null; then
    fail "starmock still running 10 s after SIGTERM"
fi
RC=0
wait "$SERVER_PID" || RC=$?
SERVER_PID=""
[[ "$RC" -eq 0 ]] || fail "starmock exited with $RC after SIGTERM: $(cat "$WORK/server.err")"
step "OK: the seed's Python and Node examples run unchanged but for BASE"
