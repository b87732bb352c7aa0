#!/usr/bin/env bash
# Are the contract verdicts stable? Runs the whole library N times in a row per reference
# client while an unrelated CPU load keeps every core busy, then compares the verdicts.
#
#   scripts/contract-flakiness.sh N [STARMOCK_BINARY]
#
# Reference clients (name|command|folders): python and node over scenarios/sh4de and
# scenarios/tgmarket, others (python/others_client.py) over telegram, papaya and reseller.
# The load is one busy loop per core (nproc), started before the first run and killed when
# the script ends however it ends (trap), and bounded by `timeout` in any case.
#
# The runs go round by round (each client once per round), so that a measurement stopped
# early (SIGINT or SIGTERM) has about as many runs of each client: it is then summarized over
# the runs that completed, and says so.
#
# Prints, per client, how many runs gave each scenario's verdict, then the number of
# differing verdicts (scenarios whose verdict was not the same in all runs of a client).
# Exit code: 0 when no verdict differs, 1 when any does, 2 for a usage error, 3 when stopped
# early with no verdict differing.
# Environment:
#   FLAKY_CLIENTS="python node others"   the clients to run (default: all three; the name of a
#                                         broken client of fixtures/clients/broken/ also works)
#   CONTRACT_JOBS=N                       passed as --jobs N (default: the runner's own)
#   FLAKY_LOAD=0                          no CPU load (to compare)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ $# -lt 1 || $# -gt 2 || ! "$1" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/contract-flakiness.sh N [STARMOCK_BINARY]   (N ≥ 1 runs per client)" >&2
    exit 2
fi
runs="$1"
binary="${2:-$(swift build --show-bin-path 2>/dev/null)/starmock}"
if [[ ! -x "$binary" ]]; then
    echo "contract-flakiness: no starmock binary at $binary (swift build first)" >&2
    exit 2
fi

declare -A commands=(
    [python]="python3 fixtures/clients/python/starmock_client.py|scenarios/sh4de scenarios/tgmarket"
    [node]="node fixtures/clients/node/starmock_client.mjs|scenarios/sh4de scenarios/tgmarket"
    [others]="python3 fixtures/clients/python/others_client.py|scenarios/telegram scenarios/papaya scenarios/reseller"
)
clients=(${FLAKY_CLIENTS:-python node others})
for name in "${clients[@]}"; do
    # A broken client of fixtures/clients/broken/ may be named too: its verdicts must be as
    # steady as the references' (CI relies on them failing exactly their lists).
    if [[ -z "${commands[$name]:-}" && -f "fixtures/clients/broken/$name.py" ]]; then
        commands[$name]="python3 fixtures/clients/broken/$name.py|scenarios/sh4de scenarios/tgmarket"
    fi
    [[ -n "${commands[$name]:-}" ]] || { echo "contract-flakiness: unknown client $name" >&2; exit 2; }
done

work="$(mktemp -d)"
[[ -n "${FLAKY_KEEP:-}" ]] && { mkdir -p "$FLAKY_KEEP"; work="$FLAKY_KEEP"; }
load_pids=()
stop_load() {
    for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${load_pids[@]}"; do wait "$pid" 2>/dev/null; done
    load_pids=()
}
[[ -n "${FLAKY_KEEP:-}" ]] && trap 'stop_load' EXIT || trap 'stop_load; rm -rf "$work"' EXIT
stopped=0
current=""
trap 'stopped=1; [[ -n "$current" ]] && kill "$current" 2>/dev/null' INT TERM

cores="$(nproc 2>/dev/null || echo 2)"
if [[ "${FLAKY_LOAD:-1}" != "0" ]]; then
    # Bounded even if the trap never runs: a generous hour per run per client.
    bound=$((runs * ${#clients[@]} * 3600))
    for _ in $(seq "$cores"); do
        timeout "$bound" python3 -c 'while True: pass' &
        load_pids+=($!)
    done
    echo "load: $cores busy loops (pids ${load_pids[*]})"
fi

jobs=()
[[ -n "${CONTRACT_JOBS:-}" ]] && jobs=(--jobs "$CONTRACT_JOBS")
started=$SECONDS
for i in $(seq "$runs"); do
    for name in "${clients[@]}"; do
        [[ $stopped -eq 1 ]] && break 2
        entry="${commands[$name]}"
        command="${entry%%|*}"
        read -r -a folders <<<"${entry#*|}"
        t=$SECONDS
        "$binary" contract --client "$command" "${folders[@]}" --json "$work/$name-$i.part.json" "${jobs[@]}" \
            >"$work/$name-$i.log" 2>&1 &
        current=$!
        wait "$current"
        code=$?
        current=""
        [[ $stopped -eq 1 ]] && break 2
        mv "$work/$name-$i.part.json" "$work/$name-$i.json" 2>/dev/null
        summary="$(tail -n 1 "$work/$name-$i.log")"
        echo "$name run $i/$runs: exit $code, $summary ($((SECONDS - t)) s)"
    done
done
stop_load

python3 - "$work" "$runs" "$((SECONDS - started))" "$stopped" "${clients[@]}" <<'PY'
import json
import os
import sys
from collections import Counter

work, runs, elapsed, stopped, clients = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1", sys.argv[5:]
differing = 0
for name in clients:
    verdicts = {}
    done = [i for i in range(1, runs + 1) if os.path.exists(f"{work}/{name}-{i}.json")]
    for i in done:
        try:
            report = json.load(open(f"{work}/{name}-{i}.json"))
        except (OSError, ValueError):
            report = {"scenarios": []}
            verdicts.setdefault("(no report)", []).append(f"run {i}")
        for s in report["scenarios"]:
            verdicts.setdefault(s["id"], []).append(s["status"])
    runs_done = len(done)
    unstable = {k: v for k, v in verdicts.items() if len(set(v)) > 1 or len(v) != runs_done}
    steady = Counter(v[0] for k, v in verdicts.items() if k not in unstable)
    print(f"{name}: {len(verdicts)} scenarios × {runs_done} runs; steady: "
          + ", ".join(f"{n} {status}" for status, n in sorted(steady.items())))
    for ident, seen in sorted(unstable.items()):
        print(f"    DIFFERS {ident}: " + ", ".join(f"{n}× {s}" for s, n in sorted(Counter(seen).items())))
    differing += len(unstable)
note = f"stopped early: N = {runs} asked" if stopped else f"N = {runs} runs per client"
print(f"differing verdicts: {differing} ({note}, {len(clients)} clients, {elapsed} s)")
sys.exit(1 if differing else 3 if stopped else 0)
PY
