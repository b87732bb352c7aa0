#!/usr/bin/env bash
# Regenerates Linker/<product>.order for the release executables (starmock, bare-nio-baseline):
# the symbols (code and data) each one touches from spawn to its first answers (starmock: the
# control API and every dialect once, then sh4de's balance), in the order they are first
# touched. Package.swift hands the file to lld (`--symbol-ordering-file`), which
# places the input sections holding them first, in that order, so that what a start touches
# lies together instead of across the whole binary: the kernel maps a binary's pages around
# every fault (up to 16 at a time), so scattered start-up code leaves most of the binary
# resident. Measured in docs/performance.md ("idle memory").
#
#   sudo scripts/startup-order.sh        # ROUNDS=32 by default; then commit Linker/*.order
#
# How the symbols are found: each round links the executable with the order so far, copies it
# past the page cache (dd oflag=direct) and runs it with the disk's read-ahead set to 0 for the
# moment (restored on exit), so that every page it touches is read, and faults, on its own;
# `perf record -e page-faults -d` gives the addresses, `nm` the symbols there. A symbol that
# shares a page with one found already shows up only once the order has moved it: hence the
# rounds, each finding fewer. Needs root (the read-ahead), perf, curl. Linux only. A stale order
# (symbols renamed since) costs nothing but memory: the linker skips names it does not find.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-32}
WORK=.build/startup-order
mkdir -p "$WORK" Linker

say() { echo "startup-order: $*" >&2; }
[ "$(id -u)" = 0 ] || { say "needs root (the disk's read-ahead is set to 0 during each run)"; exit 1; }
command -v perf >/dev/null || { say "needs perf (apt-get install linux-perf)"; exit 1; }

# The backing device of the file system .build is on, and its read-ahead, restored on exit.
DEV=$(stat -c '%Hd:%Ld' "$WORK")
RA=/sys/class/bdi/$DEV/read_ahead_kb
[ -w "$RA" ] || { say "cannot write $RA"; exit 1; }
OLD_RA=$(cat "$RA")
trap 'echo "$OLD_RA" > "$RA"' EXIT

run_once() {  # product binary → fault addresses on stdout
    local product=$1 bin=$2 log="$WORK/$1.log"
    dd if="$bin" of="$WORK/$product" bs=4M oflag=direct status=none
    chmod +x "$WORK/$product"
    echo 0 >"$RA"
    if [ "$product" = starmock ]; then
        perf record -q -c 1 -e page-faults -d -o "$WORK/pf.data" -- "$WORK/$product" serve --port 0 >"$log" 2>&1 &
    else
        perf record -q -c 1 -e page-faults -d -o "$WORK/pf.data" -- "$WORK/$product" >"$log" 2>&1 &
    fi
    local perf_pid=$! url=""
    for _ in $(seq 300); do
        url=$(grep -m1 -o 'http://[0-9.]*:[0-9]*' "$log" 2>/dev/null || true)
        [ -n "$url" ] && break
        sleep 0.05
    done
    [ -n "$url" ] || { say "$product did not start: $(cat "$log")"; exit 1; }
    if [ "$product" = starmock ]; then
        # What a session does first: the control API (a read, a balance, a rate limit) and one
        # read of every dialect, then sh4de's balance ten times.
        curl -fsS -o /dev/null "$url/__admin/journal?limit=1"
        curl -fsS -o /dev/null -X POST "$url/__admin/balance" -d '{"owner":"demo-sh4de","available":"1000.00"}'
        curl -fsS -o /dev/null -X POST "$url/__admin/rate-limits" -d '{"dialect":"sh4de","limit":1000,"window_seconds":1}'
        curl -fsS -o /dev/null -H 'Authorization: Bearer sk-demo-tgmarket' "$url/api/v2/balance"
        curl -fsS -o /dev/null "$url/bot123456789:AAdemo_token_for_starmock_only_0000/getMyStarBalance"
        curl -fsS -o /dev/null -H 'X-API-Key: papaya-demo-key' "$url/api/invoice/1"
        curl -fsS -o /dev/null -H 'Authorization: Bearer reseller-demo-key' "$url/balance"
        for _ in $(seq 10); do curl -fsS -o /dev/null -H 'X-API-Key: sh4de_xxxx' "$url/api/v1/balance"; done
    else
        for _ in $(seq 10); do curl -fsS -o /dev/null "$url/"; done
    fi
    echo "$OLD_RA" >"$RA"
    pkill -INT -f "^$WORK/$product" || true
    wait "$perf_pid" || true
    perf script -i "$WORK/pf.data" -F addr 2>/dev/null
}

for product in starmock bare-nio-baseline; do
    order=Linker/$product.order
    : >"$order"
    for round in $(seq "$ROUNDS"); do
        # SwiftPM does not know the order file is an input of the link: remove the binary.
        rm -f ".build/release/$product"
        swift build -c release --product "$product" >&2
        bin=$(swift build -c release --show-bin-path)/$product
        run_once "$product" "$bin" >"$WORK/addr"
        # Every defined symbol with an address in the file (code, read-only and writable data),
        # less the ones the linker makes itself.
        nm -n --defined-only "$WORK/$product" | awk 'NF == 3 && $2 !~ /^[aAUwv]$/ { print $1, $3 }' \
            | grep -vE ' (_DYNAMIC|_GLOBAL_OFFSET_TABLE_|__ehdr_start|__abi_tag|__bss_start|_edata|_end|__(init|fini|preinit)_array_(start|end)|__dso_handle|_IO_stdin_used)$' >"$WORK/syms"
        # The file's loaded segments: faults elsewhere (the heap, stacks, libc) are not its.
        segments=$(readelf -lW "$WORK/$product" | awk '$1 == "LOAD" { print $3 ":" $6 }')
        added=$(python3 - "$WORK/addr" "$WORK/syms" "$order" $segments <<'PY'
import bisect, sys
addr_file, syms_file, order_file = sys.argv[1:4]
segments = [(int(v, 16), int(v, 16) + int(n, 16)) for v, n in (s.split(":") for s in sys.argv[4:])]
syms = [(int(a, 16), n) for a, n in (l.split() for l in open(syms_file))]
keys = [a for a, _ in syms]
have = set(l.strip() for l in open(order_file))
new = []
for line in open(addr_file):
    if not line.strip(): continue
    a = int(line.split()[0], 16)
    if not any(lo <= a < hi for lo, hi in segments): continue
    i = bisect.bisect_right(keys, a) - 1
    if i < 0: continue
    name = syms[i][1]
    if name not in have:
        have.add(name)
        new.append(name)
with open(order_file, "a") as f:
    for s in new: f.write(s + "\n")
print(len(new))
PY
)
        say "$product round $round: $added new symbols, $(wc -l <"$order") in all"
    done
    rm -f ".build/release/$product"
done
swift build -c release >&2
say "done: Linker/*.order (commit them); the release build is relinked with them"
