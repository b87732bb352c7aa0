#!/usr/bin/env bash
# Runs the README's "Reproduce an incident from production" block as written, in a scratch
# directory, with `starmock` from the given build; then checks that the key was redacted and
# that the contract passed. 127.0.0.1 only; bounded by the caller's timeout.
# usage: scripts/readme-incident.sh [path/to/starmock]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$(cd "$(dirname "${1:-$ROOT/.build/debug/starmock}")" && pwd)/$(basename "${1:-starmock}")"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
ln -s "$ROOT/scenarios" "$ROOT/fixtures" "$WORK/"
awk '/^## Reproduce an incident from production/{f=1} f&&/^```sh/{c=1;next} c&&/^```/{exit} c' "$ROOT/README.md" > "$WORK/story.sh"
[ -s "$WORK/story.sh" ] || { echo "no story block in README.md" >&2; exit 1; }
mkdir -p "$WORK/bin" && ln -s "$BIN" "$WORK/bin/starmock"
cd "$WORK"
PATH="$WORK/bin:$PATH" bash -e story.sh | tee story.out
grep -q "1 passed, 0 failed" story.out || { echo "the contract did not pass" >&2; exit 1; }
! grep -qF sh4de_test_key incident.har incident.yaml || { echo "a key was written" >&2; exit 1; }
echo "README story: ok"
