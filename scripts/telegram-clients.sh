#!/usr/bin/env bash
# Runs real Telegram Bot API clients against `starmock serve`:
# python-telegram-bot 22.x and aiogram 3.x, each checking balance, transactions, refunds,
# invoices, flood control (scripted and real) and their own invalid-token errors.
#
#   scripts/telegram-clients.sh [STARMOCK_BINARY]
#
# Without an argument it builds and uses .build/debug/starmock. The clients live in a venv
# under .build/venv-telegram (created on first use; PyPI must be reachable then).
# Exits non-zero when any check fails; every wait is bounded.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN="${1:-}"
if [ -z "$BIN" ]; then
    echo "== building starmock"
    timeout 1800 swift build --product starmock
    BIN="$ROOT/.build/debug/starmock"
fi
[ -x "$BIN" ] || { echo "telegram-clients: no executable at $BIN" >&2; exit 2; }

VENV="$ROOT/.build/venv-telegram"
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    timeout 300 python3 -m venv "$VENV"
fi
echo "== installing the clients"
timeout 900 "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "python-telegram-bot>=22,<23" "aiogram>=3,<4"

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== starting $BIN serve --port 0"
"$BIN" serve --port 0 >"$WORK/stdout" 2>"$WORK/stderr" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
    URL="$(sed -n 's/^starmock listening on //p' "$WORK/stdout" | head -n 1)"
    [ -n "$URL" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "telegram-clients: starmock exited before listening:" >&2
        cat "$WORK/stderr" >&2
        exit 1
    fi
    sleep 0.1
done
[ -n "$URL" ] || { echo "telegram-clients: no 'starmock listening on' line within 30 s" >&2; exit 1; }
echo "== starmock listening on $URL"

status=0
for check in ptb_check.py aiogram_check.py; do
    echo "== $check"
    if ! STARMOCK_URL="$URL" timeout 180 "$VENV/bin/python" "fixtures/clients/telegram/$check"; then
        status=1
    fi
done

if [ "$status" -eq 0 ]; then
    echo "telegram-clients: 2 passed, 0 failed"
else
    echo "telegram-clients: some client checks failed" >&2
fi
exit "$status"
