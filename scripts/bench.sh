#!/usr/bin/env bash
# Requests/s of StarMock against a bare NIO handler, in the same run, on 127.0.0.1 only.
# Bounded: each wrk run lasts $DURATION seconds. Writes docs/performance.md's table to stdout
# (and to $OUT when given).
#   scripts/bench.sh            # 5 s per run
#   DURATION=10 OUT=/tmp/b.md scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}

if ! command -v wrk >/dev/null; then
    echo "bench: installing wrk" >&2
    (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 || { echo "bench: cannot install wrk" >&2; exit 1; }
fi
swift build -c release --product starmock >&2
swift build -c release --product bare-nio-baseline >&2
BIN=$(swift build -c release --show-bin-path)

# start runs in a command substitution (a subshell), so pids go through a file.
PIDS=$(mktemp)
cleanup() { while read -r p; do kill "$p" 2>/dev/null || true; done <"$PIDS"; rm -f "$PIDS"; }
trap cleanup EXIT

# Starts "$@" and echoes the URL from its "… listening on URL" line.
start() {
    local fifo
    fifo=$(mktemp -u); mkfifo "$fifo"
    "$@" >"$fifo" 2>/dev/null &
    echo $! >>"$PIDS"
    local line
    read -r -t 20 line <"$fifo" || { echo "bench: $1 did not start" >&2; exit 1; }
    rm -f "$fifo"
    echo "${line##* }"
}

rps() {  # wrk args... → requests/s
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$@" | awk '/Requests\/sec/ {print $2}'
}

BASE=$(start "$BIN/bare-nio-baseline")
MOCK=$(start "$BIN/starmock" serve --port 0 --clock virtual)
# No rate limit and a large balance, so the order endpoint measures ordering, not refusals.
curl -fsS -X POST "$MOCK/__admin/rate-limits" -d '{"dialect":"sh4de","limit":null}' >/dev/null
curl -fsS -X POST "$MOCK/__admin/balance" -d '{"owner":"demo-sh4de","available":"100000000.00"}' >/dev/null

LUA=$(mktemp --suffix=.lua)
cat >"$LUA" <<'LUA'
wrk.method = "POST"
wrk.body = '{"username":"some_user","quantity":100}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "sh4de_xxxx"
LUA

base=$(rps "$BASE/")
balance=$(rps -H "X-API-Key: sh4de_xxxx" "$MOCK/api/v1/balance")
order=$(rps -s "$LUA" "$MOCK/api/v1/order/stars")
base2=$(rps "$BASE/")   # again, to show the machine's drift within the run
rm -f "$LUA"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mean_base=$(awk -v a="$base" -v b="$base2" 'BEGIN { printf "%.0f", (a + b) / 2 }')
report=$(cat <<TABLE
| run ($(date -u +%Y-%m-%d), ${THREADS} threads, ${CONNECTIONS} connections, ${DURATION} s each) | requests/s | ratio to bare NIO |
|---|---|---|
| bare NIO handler (before) | $base | $(ratio "$base" "$mean_base") |
| \`GET /api/v1/balance\` | $balance | $(ratio "$balance" "$mean_base") |
| \`POST /api/v1/order/stars\` | $order | $(ratio "$order" "$mean_base") |
| bare NIO handler (after) | $base2 | $(ratio "$base2" "$mean_base") |
TABLE
)
echo "$report"
if [ -n "${OUT:-}" ]; then echo "$report" >"$OUT"; fi
