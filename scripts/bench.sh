#!/usr/bin/env bash
# StarMock against its peers, in one run, on 127.0.0.1 only; writes one markdown table of
# ratios to stdout (and to $OUT when given). Progress goes to stderr.
#
#   throughput  wrk, $THREADS threads × $CONNECTIONS connections, median of $ROUNDS × $DURATION s:
#               nginx (static answer), the bare NIO handler (Sources/bare-nio-baseline),
#               WireMock (journal off) and every StarMock call in CALLS, each ÷ the median of
#               the bare handler's runs and ÷ WireMock's; both are measured at the start and at
#               the end of every round, so their medians span the whole run.
#   latency     1,000 connections against a 200 ms injected delay: StarMock with
#               scripts/bench/latency-200ms.yaml (real clock, --max-connections above 1,000)
#               and WireMock with async responses, $LAT_DURATION s each (10); requests/s, % of
#               the ideal 5,000/s, and wrk's 99th percentile (wrk's --timeout raised to 10 s,
#               so slow answers count).
#   cold start  spawn → first 200 answer, median of $SPAWNS spawns (scripts/bench/coldstart.py).
#   memory      VmRSS idle (after a few requests), and StarMock's after $JOURNALED journaled
#               requests (scripts/bench/count.lua; the journal's `recorded` count says when).
#
# Both servers are the release builds, linked as Package.swift says (on Linux, by lld: the
# Swift runtime, Foundation and the C++ runtime inside, no PIE, no exported symbols, what a
# start touches laid out together). With BEFORE, that build's cold
# start and idle memory are measured too, against the same bare handler.
#
# Installs what is missing: wrk and nginx (apt-get), WireMock's standalone jar (the PyPI package
# `wiremock` ships it; a venv in .build/bench-venv). Needs Java 17 and python3.
#
#   scripts/bench.sh                            # full: 3 × 4 s per row, 1,000,000 journaled
#   SHORT=1 scripts/bench.sh                    # CI: 1 × 1 s, proves it runs, asserts no figure
#   DURATION=10 ROUNDS=5 OUT=/tmp/b.md scripts/bench.sh
#   BEFORE=/tmp/old/starmock scripts/bench.sh   # another build too, call by call (a before column)
#
# Exits non-zero only when something could not be installed, built or started, or a tool
# failed; never because of a figure.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=scripts/bench

if [ "${SHORT:-0}" = 1 ]; then
    DURATION=1 ROUNDS=1 LAT_DURATION=2 SPAWNS=3 JOURNALED=20000 WARMUP=2 MEM_TIMEOUT=120
fi
DURATION=${DURATION:-4}          # seconds per throughput run
ROUNDS=${ROUNDS:-3}              # runs per row; the median is reported
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
LAT_CONNECTIONS=1000             # the latency row: 1,000 connections, 200 ms each
# The latency runs last 10 s: a connection completes whole 200 ms cycles only, so the last one
# is lost to the run's end, and in a 4 s run that alone is 5 % of the ideal (19,000 answers of
# 1,000 connections in 4.06 s, 49,000 in 10.06 s: exactly 19 and 49 each).
LAT_DURATION=${LAT_DURATION:-10}
SPAWNS=${SPAWNS:-10}             # cold start: spawns per server
JOURNALED=${JOURNALED:-1000000}  # memory: journaled requests before the second reading
MEM_TIMEOUT=${MEM_TIMEOUT:-600}  # seconds allowed for those
WARMUP=${WARMUP:-5}              # seconds of unrecorded load on each JVM before measuring
WIREMOCK_PY=wiremock==2.7.0      # ships wiremock-standalone-2.35.1.jar
# StarMock's rate limits: "raised" (the default) sets 10⁹ per 1 s, so the check runs on every
# request and refuses none (on the virtual clock every request lands in one millisecond bucket
# of its key's window); "off" removes the limits and the check.
RATE_LIMITS=${RATE_LIMITS:-raised}   # raised: the check runs on every request (the goal); off: no check

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# ---- tools ----------------------------------------------------------------------------------
apt_install() {  # package… (runs apt-get update once); fails quietly, the caller says what
    if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed"; APT_UPDATED=1; fi
    # A package's postinst must not start a system-wide server (nginx on port 80).
    local guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; guard=1; fi
    local status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 || status=$?
    if [ -n "$guard" ]; then rm -f /usr/sbin/policy-rc.d; fi
    return "$status"
}
command -v wrk >/dev/null || { say "installing wrk"; apt_install wrk || die "cannot install wrk"; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { say "installing nginx"
    apt_install nginx-light || apt_install nginx || die "cannot install nginx"; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null || { say "installing Java 17"; apt_install openjdk-17-jre-headless || die "cannot install Java"; }
command -v curl >/dev/null || { say "installing curl"; apt_install curl || die "cannot install curl"; }
VENV=.build/bench-venv
JAR=$(find "$VENV" -name 'wiremock-standalone-*.jar' 2>/dev/null | head -n1 || true)
if [ -z "$JAR" ]; then
    say "installing WireMock ($WIREMOCK_PY from PyPI, into $VENV)"
    mkdir -p .build
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "$WIREMOCK_PY" >&2 || die "cannot install $WIREMOCK_PY"
    JAR=$(find "$VENV" -name 'wiremock-standalone-*.jar' | head -n1)
    [ -n "$JAR" ] || die "no wiremock-standalone-*.jar inside $VENV"
fi

say "building starmock and the bare NIO handler (release)"
swift build -c release --product starmock >&2
swift build -c release --product bare-nio-baseline >&2
BIN=$(swift build -c release --show-bin-path)

# 1,000 connections need the descriptors, in wrk and in the servers started below.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
    ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((LAT_CONNECTIONS + 100)) ] \
    || die "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)): too few descriptors for $LAT_CONNECTIONS connections"

# ---- processes --------------------------------------------------------------------------------
TMP=$(mktemp -d -t starmock-bench.XXXXXX)
PIDS=()
stop() {  # pid: TERM, then KILL after 5 s
    STOPPED[$1]=1
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
declare -A NAMES STOPPED
cleanup() {
    local status=$? pid code
    if [ "$status" != 0 ]; then   # say which of our servers had died before we stopped it
        for pid in "${PIDS[@]}"; do
            [ -n "${NAMES[$pid]:-}" ] && [ -z "${STOPPED[$pid]:-}" ] && ! kill -0 "$pid" 2>/dev/null || continue
            code=0; wait "$pid" 2>/dev/null || code=$?
            say "${NAMES[$pid]} (pid $pid) had exited with status $code$( [ "$code" -gt 128 ] && echo ", signal $((code - 128))"); its last output:"
            tail -n 5 "$TMP/${NAMES[$pid]}.log" >&2 || true
        done
    fi
    for pid in "${PIDS[@]}"; do stop "$pid"; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# spawn NAME CMD…: starts CMD in the background, output in $TMP/NAME.log; sets PID.
spawn() {
    local name=$1; shift
    "$@" >"$TMP/$name.log" 2>&1 &
    PID=$!
    PIDS+=("$PID"); NAMES[$PID]=$name
}

# listening NAME PID → the URL of the "… listening on URL" line NAME printed (20 s at most).
listening() {
    for _ in $(seq 200); do
        if grep -q 'listening on ' "$TMP/$1.log" 2>/dev/null; then
            grep -m1 'listening on ' "$TMP/$1.log" | awk '{ print $NF }'
            return 0
        fi
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    say "$1 did not start:"; cat "$TMP/$1.log" >&2; return 1
}

# ready NAME PID URL SECONDS: waits until URL answers 2xx.
ready() {
    local deadline=$((SECONDS + $4))
    while [ $SECONDS -lt "$deadline" ]; do
        curl -fsS -o /dev/null --max-time 2 "$3" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.2
    done
    say "$1 did not answer $3 within $4 s:"; cat "$TMP/$1.log" >&2; return 1
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Starts a starmock binary with every dialect's rate limit out of the way ($RATE_LIMITS) and
# large balances, so the figures measure answering, not refusals; sets URL and PID. Also places
# one reseller order (ORD-005 in the demo world) for the order read.
case $RATE_LIMITS in
    off) LIMIT='"limit":null' ;;
    raised) LIMIT='"limit":1000000000,"window_seconds":1' ;;
    *) die "RATE_LIMITS is off or raised, not $RATE_LIMITS" ;;
esac
start_mock() {  # name binary
    spawn "$1" "$2" serve --port 0 --clock virtual
    URL=$(listening "$1" "$PID")
    for d in sh4de tgmarket telegram papaya reseller; do
        curl -fsS -X POST "$URL/__admin/rate-limits" -d "{\"dialect\":\"$d\",$LIMIT}" >/dev/null
    done
    for owner in demo-sh4de demo-tgmarket demo-reseller; do
        curl -fsS -X POST "$URL/__admin/balance" -d "{\"owner\":\"$owner\",\"available\":\"100000000.00\"}" >/dev/null
    done
    local order
    order=$(curl -fsS "$URL/topup" -H 'Authorization: Bearer reseller-demo-key' -H 'Content-Type: application/json' \
        -d '{"platform":"telegram","user_id":"123456789","stars":50}')
    [[ $order == *'"order_id": "ORD-005"'* ]] || die "$1: POST /topup did not place ORD-005: $order"
}

start_wiremock() {  # name mappings-dir extra-args…
    local name=$1 mappings=$2; shift 2
    local port; port=$(free_port)
    mkdir -p "$TMP/$name/mappings" "$TMP/$name/__files"
    cp "$mappings"/*.json "$TMP/$name/mappings/"
    spawn "$name" java -jar "$JAR" --port "$port" --bind-address 127.0.0.1 --no-request-journal \
        --disable-banner --root-dir "$TMP/$name" "$@"
    URL=http://127.0.0.1:$port
    ready "$name" "$PID" "$URL/__admin/mappings" 90
}

start_nginx() {
    local port user=""; port=$(free_port)
    if [ "$(id -u)" = 0 ]; then user="user root;"; fi   # workers as the current user
    mkdir -p "$TMP/nginx"
    cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
$user
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        location / {
            default_type application/json;
            return 200 '{"status":"ok","balance_usd":25.50}';
        }
    }
}
CONF
    spawn nginx "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log"
    URL=http://127.0.0.1:$port
    ready nginx "$PID" "$URL/" 20
}

# ---- measuring ----------------------------------------------------------------------------------
# run_wrk ARGS… → "requests/s errors", errors = non-2xx answers + socket errors. Leaves wrk's
# output in $TMP/wrk.out.
run_wrk() {
    wrk "$@" >"$TMP/wrk.out" 2>&1 || { say "wrk $* failed:"; cat "$TMP/wrk.out" >&2; return 1; }
    awk '/Requests\/sec/ { r = $2 }
         /Non-2xx/ { e += $NF }
         /Socket errors/ { for (i = 4; i <= NF; i += 2) e += $i }
         END { if (r == "") exit 1; print r, e + 0 }' "$TMP/wrk.out" \
        || { say "no Requests/sec in wrk's output:"; cat "$TMP/wrk.out" >&2; return 1; }
}

declare -A RUNS ERRS
# measure ROW ARGS…: one throughput run, appended to ROW's runs.
measure() {
    local row=$1; shift
    local res; res=$(run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$@")
    RUNS[$row]="${RUNS[$row]:-} ${res% *}"
    ERRS[$row]=$(( ${ERRS[$row]:-0} + ${res#* } ))
    say "$row: ${res% *} requests/s, ${res#* } errors"
}
median() {  # of an even count, the mean of the middle two
    tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%.0f", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'
}
spread() { tr ' ' '\n' | grep . | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1; n = NR } END { printf "%d runs, %.0f–%.0f", n, lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
errs() { [ "${ERRS[$1]:-0}" = 0 ] || echo " — ${ERRS[$1]} errors (non-2xx or socket)"; }

TOKEN=123456789:AAdemo_token_for_starmock_only_0000
# label|header|path|body (a body makes it a POST). Every dialect's reads, with auth and the
# journal on, the reseller's order read, and both purchases.
CALLS=(
    "sh4de GET /api/v1/balance|X-API-Key: sh4de_xxxx|/api/v1/balance|"
    "tgmarket GET /api/v2/balance|Authorization: Bearer sk-demo-tgmarket|/api/v2/balance|"
    "telegram getMyStarBalance||/bot$TOKEN/getMyStarBalance|"
    "papaya GET /api/invoice/1|X-API-Key: papaya-demo-key|/api/invoice/1|"
    "reseller GET /balance|Authorization: Bearer reseller-demo-key|/balance|"
    "reseller GET /orders/ORD-005|Authorization: Bearer reseller-demo-key|/orders/ORD-005|"
    "sh4de POST /api/v1/order/stars|X-API-Key: sh4de_xxxx|/api/v1/order/stars|{\"username\":\"some_user\",\"quantity\":100}"
    "tgmarket POST /api/v2/stars|Authorization: Bearer sk-demo-tgmarket|/api/v2/stars|{\"username\":\"some_user\",\"amount\":100}"
)

measure_call() {  # row base-url call
    local row=$1 base=$2 label header path body
    IFS='|' read -r label header path body <<<"$3"
    local args=()
    [ -z "$header" ] || args+=(-H "$header")
    [ -z "$body" ] || args+=(-s "$HERE/post.lua")
    export BENCH_BODY=$body   # read by post.lua
    measure "$row" "${args[@]}" "$base$path"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

# ---- throughput ---------------------------------------------------------------------------------
say "starting the peers"
start_nginx; NGINX_URL=$URL; THROUGHPUT_PIDS=("$PID")
spawn bare "$BIN/bare-nio-baseline"; BARE_URL=$(listening bare "$PID"); THROUGHPUT_PIDS+=("$PID")
start_wiremock wiremock "$HERE/wiremock"; WM_URL=$URL; THROUGHPUT_PIDS+=("$PID")
start_mock starmock "$BIN/starmock"; MOCK_URL=$URL; THROUGHPUT_PIDS+=("$PID")
if [ -n "${BEFORE:-}" ]; then start_mock before "$BEFORE"; OLD_URL=$URL; THROUGHPUT_PIDS+=("$PID"); fi

say "warming WireMock's JVM up for $WARMUP s (not recorded)"
run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$WM_URL/" >/dev/null

for round in $(seq "$ROUNDS"); do
    say "throughput, round $round of $ROUNDS"
    measure bare "$BARE_URL/"
    measure wiremock "$WM_URL/"
    measure nginx "$NGINX_URL/"
    for i in "${!CALLS[@]}"; do
        measure_call "call$i" "$MOCK_URL" "${CALLS[$i]}"
        if [ -n "${OLD_URL:-}" ]; then measure_call "before$i" "$OLD_URL" "${CALLS[$i]}"; fi
    done
    measure wiremock "$WM_URL/"
    measure bare "$BARE_URL/"
done
for pid in "${THROUGHPUT_PIDS[@]}"; do stop "$pid"; done   # out of the way of what follows

# ---- latency: 1,000 connections, 200 ms each ----------------------------------------------------
# latency ROW URL ARGS… → LAT_ROWS gets "| ROW | requests/s | % of ideal | p99 |"
IDEAL=$((LAT_CONNECTIONS * 5))   # connections / 0.2 s
LAT_ROWS=""
latency() {
    local row=$1; shift
    local res; res=$(run_wrk -t"$THREADS" -c"$LAT_CONNECTIONS" -d"${LAT_DURATION}s" --timeout 10s --latency "$@")
    local p99; p99=$(awk '$1 == "99%" { v = $2
        if (v ~ /us$/) ms = v / 1000; else if (v ~ /ms$/) ms = v + 0; else if (v ~ /m$/) ms = v * 60000; else ms = v * 1000
        printf "%.1f", ms }' "$TMP/wrk.out")
    [ -n "$p99" ] || { say "no 99% line in wrk's output:"; cat "$TMP/wrk.out" >&2; return 1; }
    local e=${res#* } note=""
    [ "$e" = 0 ] || note=" — $e errors (non-2xx or socket)"
    say "$row: ${res% *} requests/s, p99 $p99 ms, $e errors"
    LAT_ROWS+="| $row$note | $(printf %.0f "${res% *}") | $(awk -v a="${res% *}" -v b="$IDEAL" 'BEGIN { printf "%.0f %%", 100 * a / b }') | $p99 |"$'\n'
}
say "latency: $LAT_CONNECTIONS connections, 200 ms injected, $LAT_DURATION s each"
# serve's --max-connections (512 by default; one more gets a bare 503) raised above the 1,000.
MAXCONN=$((LAT_CONNECTIONS + 100))
spawn latency "$BIN/starmock" serve --port 0 --scenario "$HERE/latency-200ms.yaml" --clock real --max-connections "$MAXCONN"
LAT_PID=$PID; LAT_URL=$(listening latency "$PID")
latency "starmock \`GET /api/v1/balance\`, \`latency-200ms.yaml\`, \`--max-connections $MAXCONN\`" -H 'X-API-Key: sh4de_xxxx' "$LAT_URL/api/v1/balance"
stop "$LAT_PID"
start_wiremock wiremock-async "$HERE/wiremock-200ms" --async-response-enabled true; WMA_PID=$PID; WMA_URL=$URL
say "warming the async WireMock up for $WARMUP s with $LAT_CONNECTIONS connections (not recorded)"
run_wrk -t"$THREADS" -c"$LAT_CONNECTIONS" -d"${WARMUP}s" --timeout 10s "$WMA_URL/" >/dev/null
latency "WireMock, async responses, \`fixedDelayMilliseconds: 200\`" "$WMA_URL/"
stop "$WMA_PID"

# ---- cold start ---------------------------------------------------------------------------------
cold_mock() {  # starmock binary → median ms
    python3 "$HERE/coldstart.py" --spawns "$SPAWNS" --path /api/v1/balance \
        --header 'X-API-Key: sh4de_xxxx' -- "$1" serve --port 0
}
say "cold start: $SPAWNS spawns each"
COLD_BARE=$(python3 "$HERE/coldstart.py" --spawns "$SPAWNS" --path / -- "$BIN/bare-nio-baseline")
COLD_MOCK=$(cold_mock "$BIN/starmock")
if [ -n "${BEFORE:-}" ]; then COLD_OLD=$(cold_mock "$BEFORE"); fi

# ---- memory -------------------------------------------------------------------------------------
memory() {  # bin-dir name → "bare-idle starmock-idle starmock-after recorded" (MiB, MiB, MiB, count)
    spawn "membare$2" "$1/bare-nio-baseline"; local mb_pid=$PID mb_url
    mb_url=$(listening "membare$2" "$PID")
    for _ in $(seq 10); do curl -fsS -o /dev/null "$mb_url/"; done
    local rss_bare; rss_bare=$(rss_mib "$mb_pid")
    stop "$mb_pid"
    start_mock "memmock$2" "$1/starmock"; local mm_pid=$PID
    MM_URL=$URL
    for _ in $(seq 10); do curl -fsS -o /dev/null -H 'X-API-Key: sh4de_xxxx' "$MM_URL/api/v1/balance"; done
    local rss_idle; rss_idle=$(rss_mib "$mm_pid")
    # count.lua stops wrk's threads after N answers, but wrk itself sleeps its whole -d: it is
    # interrupted (SIGINT, as ^C) once the journal has recorded N.
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${MEM_TIMEOUT}s" -s "$HERE/count.lua" -H 'X-API-Key: sh4de_xxxx' \
        "$MM_URL/api/v1/balance" -- "$JOURNALED" "$THREADS" >"$TMP/wrk-memory$2.out" 2>&1 &
    local wrk_pid=$!; PIDS+=("$wrk_pid")
    while kill -0 "$wrk_pid" 2>/dev/null && [ "$(recorded)" -lt "$JOURNALED" ]; do sleep 0.5; done
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" || { say "wrk (memory) failed:"; cat "$TMP/wrk-memory$2.out" >&2; exit 1; }
    local count; count=$(recorded)
    local rss_after; rss_after=$(rss_mib "$mm_pid")
    stop "$mm_pid"
    say "memory ($2): bare $rss_bare MiB, starmock idle $rss_idle MiB, after $count recorded $rss_after MiB"
    echo "$rss_bare $rss_idle $rss_after $count"
}
recorded() {  # → how many exchanges the journal has recorded in all
    local n; n=$(curl -fsS "$MM_URL/__admin/journal?limit=1" | grep -o '"recorded": *[0-9]*' | tr -dc 0-9)
    [ -n "$n" ] || { say "no 'recorded' count in GET /__admin/journal"; return 1; }
    echo "$n"
}
say "memory: idle, then after $JOURNALED journaled requests (at most $MEM_TIMEOUT s)"
read -r RSS_BARE RSS_IDLE RSS_AFTER RECORDED <<<"$(memory "$BIN" "")"
MEM_NOTE=""
[ "$RECORDED" -ge "$JOURNALED" ] || MEM_NOTE=" (short of $JOURNALED: wrk's $MEM_TIMEOUT s ran out)"
if [ -n "${BEFORE:-}" ]; then  # the other build: idle only
    start_mock memold "$BEFORE"
    for _ in $(seq 10); do curl -fsS -o /dev/null -H 'X-API-Key: sh4de_xxxx' "$URL/api/v1/balance"; done
    RSS_OLD=$(rss_mib "$PID")
    stop "$PID"
fi

# ---- the table ----------------------------------------------------------------------------------
BARE=$(echo "${RUNS[bare]}" | median)
WM=$(echo "${RUNS[wiremock]}" | median)
cols="| requests/s | ÷ bare NIO | ÷ WireMock |"; sep="|---|---|---|---|"; pad=""
if [ -n "${OLD_URL:-}" ]; then cols+=" before: requests/s | before: ÷ bare NIO |"; sep+="---|---|"; pad=" | |"; fi
peer() {  # label row
    local r; r=$(echo "${RUNS[$2]}" | median)
    echo "| $1$(errs "$2") | $r | $(ratio "$r" "$BARE") | $(ratio "$r" "$WM") |$pad"
}
REPORT=$(
    echo "StarMock $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)'), $STARTED, $(nproc) cores, load average $LOAD_START at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end; wrk $THREADS threads, $CONNECTIONS connections, median of $ROUNDS × $DURATION s per row"
    echo
    echo "| throughput $cols"
    echo "$sep"
    echo "| **peers** | | | |$pad"
    peer "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), static \`return 200\`" nginx
    peer "bare NIO handler ($(echo "${RUNS[bare]}" | spread))" bare
    peer "WireMock $(basename "$JAR" .jar | sed 's/wiremock-standalone-//'), journal off ($(echo "${RUNS[wiremock]}" | spread))" wiremock
    echo "| **starmock calls** (journal on, rate limits $RATE_LIMITS) | | | |$pad"
    for i in "${!CALLS[@]}"; do
        r=$(echo "${RUNS[call$i]}" | median)
        row="| \`${CALLS[$i]%%|*}\`$(errs "call$i") | $r | $(ratio "$r" "$BARE") | $(ratio "$r" "$WM") |"
        if [ -n "${OLD_URL:-}" ]; then o=$(echo "${RUNS[before$i]}" | median); row+=" $o$(errs "before$i") | $(ratio "$o" "$BARE") |"; fi
        echo "$row"
    done
    echo "| **latency**: $LAT_CONNECTIONS connections, 200 ms injected, $LAT_DURATION s | requests/s | % of ideal ($IDEAL/s) | p99 (ms) |$pad"
    printf '%s' "$LAT_ROWS" | sed "s/\$/$pad/"
    echo "| **cold start**: spawn → first 200, median of $SPAWNS | ms | ÷ bare NIO | |$pad"
    echo "| bare NIO handler | $COLD_BARE | 1.00 | |$pad"
    echo "| \`starmock serve --port 0\`, \`GET /api/v1/balance\` | $COLD_MOCK | $(ratio "$COLD_MOCK" "$COLD_BARE") | |$pad"
    if [ -n "${BEFORE:-}" ]; then
        echo "| before: \`$BEFORE serve --port 0\` | $COLD_OLD | $(ratio "$COLD_OLD" "$COLD_BARE") | |$pad"
    fi
    echo "| **memory**: VmRSS | MiB | ÷ bare NIO idle | ÷ starmock idle |$pad"
    echo "| bare NIO handler, idle (10 requests) | $RSS_BARE | 1.00 | |$pad"
    echo "| starmock, idle (10 requests) | $RSS_IDLE | $(ratio "$RSS_IDLE" "$RSS_BARE") | 1.00 |$pad"
    echo "| starmock after $RECORDED journaled \`GET /api/v1/balance\`$MEM_NOTE | $RSS_AFTER | $(ratio "$RSS_AFTER" "$RSS_BARE") | $(ratio "$RSS_AFTER" "$RSS_IDLE") |$pad"
    if [ -n "${BEFORE:-}" ]; then
        echo "| before: \`$BEFORE\`, idle (10 requests) | $RSS_OLD | $(ratio "$RSS_OLD" "$RSS_BARE") | |$pad"
    fi
)
echo "$REPORT"
if [ -n "${OUT:-}" ]; then echo "$REPORT" >"$OUT"; fi
