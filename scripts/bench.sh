#!/usr/bin/env bash
# Requests/s of StarMock against a bare NIO handler, in the same run, on 127.0.0.1 only.
# Bounded: each wrk run lasts $DURATION seconds. Writes docs/performance.md's table to stdout
# (and to $OUT when given). BEFORE=path/to/another/starmock measures that build too, in the
# same run, call by call (before/after a change).
#   scripts/bench.sh            # 5 s per run
#   DURATION=10 OUT=/tmp/b.md scripts/bench.sh
#   BEFORE=/tmp/old/starmock scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-1}   # each call measured this many times (alternating builds); the median is reported
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

median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Starts a starmock binary with every dialect's rate limit raised out of the way and large
# balances, so the figures measure answering, not refusals; echoes its URL.
start_mock() {
    local url
    url=$(start "$1" serve --port 0 --clock virtual)
    for d in sh4de tgmarket telegram papaya reseller; do
        curl -fsS -X POST "$url/__admin/rate-limits" -d "{\"dialect\":\"$d\",\"limit\":1000000000,\"window_seconds\":1}" >/dev/null
    done
    for owner in demo-sh4de demo-tgmarket demo-reseller; do
        curl -fsS -X POST "$url/__admin/balance" -d "{\"owner\":\"$owner\",\"available\":\"100000000.00\"}" >/dev/null
    done
    echo "$url"
}

post_script() {  # path body header… → a wrk Lua script posting body
    local lua; lua=$(mktemp --suffix=.lua)
    { echo 'wrk.method = "POST"'; echo "wrk.body = '$1'"; echo 'wrk.headers["Content-Type"] = "application/json"'
      shift; for h in "$@"; do echo "wrk.headers[\"${h%%:*}\"] = \"${h#*: }\""; done; } >"$lua"
    echo "$lua"
}
SH4DE_ORDER=$(post_script '{"username":"some_user","quantity":100}' "X-API-Key: sh4de_xxxx")
TG_ORDER=$(post_script '{"username":"some_user","amount":100}' "Authorization: Bearer sk-demo-tgmarket")
TOKEN=123456789:AAdemo_token_for_starmock_only_0000

# The calls measured: every dialect's reads, with auth, the rate-limit check and the journal on,
# and both purchases.
CALLS=(
    "sh4de GET /api/v1/balance|-H|X-API-Key: sh4de_xxxx|/api/v1/balance"
    "tgmarket GET /api/v2/balance|-H|Authorization: Bearer sk-demo-tgmarket|/api/v2/balance"
    "telegram getMyStarBalance|-H|X-Nothing: 1|/bot$TOKEN/getMyStarBalance"
    "papaya GET /api/invoice/1|-H|X-API-Key: papaya-demo-key|/api/invoice/1"
    "reseller GET /balance|-H|Authorization: Bearer reseller-demo-key|/balance"
    "sh4de POST /api/v1/order/stars|-s|$SH4DE_ORDER|/api/v1/order/stars"
    "tgmarket POST /api/v2/stars|-s|$TG_ORDER|/api/v2/stars"
)

BASE=$(start "$BIN/bare-nio-baseline")
MOCK=$(start_mock "$BIN/starmock")
if [ -n "${BEFORE:-}" ]; then OLD=$(start_mock "$BEFORE"); fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
base=$(rps "$BASE/")
rows=""
for call in "${CALLS[@]}"; do
    IFS='|' read -r label flag arg path <<<"$call"
    nows=""; olds=""
    for _ in $(seq "$ROUNDS"); do
        nows="$nows $(rps "$flag" "$arg" "$MOCK$path")"
        if [ -n "${OLD:-}" ]; then olds="$olds $(rps "$flag" "$arg" "$OLD$path")"; fi
    done
    now=$(echo $nows | median)
    row="| \`$label\` | $now"
    if [ -n "${OLD:-}" ]; then
        old=$(echo $olds | median)
        row="$row | $old"
    fi
    rows="$rows$row"$'\n'
done
base2=$(rps "$BASE/")   # again, to show the machine's drift within the run
rm -f "$SH4DE_ORDER" "$TG_ORDER"
mean_base=$(awk -v a="$base" -v b="$base2" 'BEGIN { printf "%.0f", (a + b) / 2 }')

# Ratios to the mean of the two baseline runs.
with_ratios() {
    while IFS='|' read -r _ label now old _; do
        [ -z "$label" ] && continue
        now=${now// /}; old=${old// /}
        if [ -n "$old" ]; then
            echo "|$label| $now | $(ratio "$now" "$mean_base") | $old | $(ratio "$old" "$mean_base") |"
        else
            echo "|$label| $now | $(ratio "$now" "$mean_base") |"
        fi
    done <<<"$rows"
}
header="| call ($(date -u +%Y-%m-%d), ${THREADS} threads, ${CONNECTIONS} connections, median of ${ROUNDS} × ${DURATION} s) | requests/s | ÷ bare NIO |"
sep="|---|---|---|"
if [ -n "${OLD:-}" ]; then
    header="$header before: requests/s | before: ÷ bare NIO |"
    sep="$sep---|---|"
fi
report=$(cat <<TABLE
$header
$sep
| bare NIO handler (first) | $base | $(ratio "$base" "$mean_base") |
$(with_ratios)
| bare NIO handler (last) | $base2 | $(ratio "$base2" "$mean_base") |
TABLE
)
echo "$report"
if [ -n "${OUT:-}" ]; then echo "$report" >"$OUT"; fi
