#!/usr/bin/env bash
# Fuzzes every dialect with schemathesis against its own OpenAPI document
# (GET /__admin/openapi/{dialect}.json), on a fresh `starmock serve` on 127.0.0.1.
#
#   scripts/fuzz.sh [path/to/starmock] [max-examples]     (defaults: .build/debug/starmock, 25)
#
# Checks: no 5xx, every status documented, every answer's content type and body match the
# document (errors included: each dialect's error shape is in it). Rate limits are lifted
# first so that the fuzzer reaches the endpoints. schemathesis (PyPI) is installed into a
# venv under .build/venv-fuzz. Bounded: examples per operation, a timeout per request and
# per dialect; exits non-zero on the first failing dialect.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/.build/debug/starmock}"
EXAMPLES="${2:-25}"
VENV="$ROOT/.build/venv-fuzz"
PER_DIALECT_TIMEOUT=120

fail() { echo "fuzz: FAIL: $*" >&2; exit 1; }
[[ -x "$BIN" ]] || fail "no starmock binary at '$BIN' (run 'swift build' first)"

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet 'schemathesis>=4,<5'
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" serve --host 127.0.0.1 --port 0 --clock virtual >"$WORK/out" 2>"$WORK/err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
    grep -q '^starmock listening on ' "$WORK/out" 2>/dev/null && break
    sleep 0.1
done
BASE="$(sed -n 's/^starmock listening on //p' "$WORK/out")"
[[ -n "$BASE" ]] || fail "starmock did not start: $(cat "$WORK/err")"

declare -A CREDENTIAL=(
    [sh4de]='X-API-Key: sh4de_xxxx'
    [tgmarket]='Authorization: Bearer sk-demo-tgmarket'
    [papaya]='X-API-Key: papaya-demo-key'
    [reseller]='Authorization: Bearer reseller-demo-key'
    [telegram]='X-Unused: 1'
)
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

for dialect in sh4de tgmarket telegram papaya reseller; do
    curl -sf -X POST "$BASE/__admin/rate-limits" -d "{\"dialect\":\"$dialect\",\"limit\":null}" >/dev/null \
        || fail "could not lift $dialect's rate limit"
    echo "fuzz: $dialect ($EXAMPLES examples per operation)"
    # From the scratch directory: schemathesis writes its cache (.schemathesis/) where it runs.
    if ! (cd "$WORK" && timeout "$PER_DIALECT_TIMEOUT" "$VENV/bin/schemathesis" run "$BASE/__admin/openapi/$dialect.json" \
        --url "$BASE" -H "${CREDENTIAL[$dialect]}" --checks "$CHECKS" -n "$EXAMPLES" --seed 14 \
        --request-timeout 5 --max-failures 5 >"$WORK/$dialect.log" 2>&1); then
        tail -80 "$WORK/$dialect.log"
        fail "$dialect: schemathesis found failures (above)"
    fi
    grep -E 'generated|passed|failure' "$WORK/$dialect.log" | tail -2 | sed 's/^/fuzz:   /'
    curl -sf -X POST "$BASE/__admin/reset" >/dev/null
done
kill -0 "$SERVER_PID" || fail "starmock died during the fuzzing"
echo "fuzz: every dialect passed"
