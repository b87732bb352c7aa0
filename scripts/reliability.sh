#!/usr/bin/env bash
# The black-box reliability battery: bad input, slow clients, isolation, concurrent money with
# faults, shutdown, memory; against `starmock serve` processes it starts itself on 127.0.0.1.
#
#   scripts/reliability.sh [--short|--full] [path/to/starmock]   (defaults: --full, .build/debug/starmock)
#
# Bounded: every socket has a timeout, every server is stopped; the whole run stops by itself
# (--short in about a minute, --full in a few). Needs python3 (standard library only) and
# Linux's /proc for RSS. Exits non-zero if any promise is broken. Figures: docs/reliability.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="--full"
if [[ "${1:-}" == "--short" || "${1:-}" == "--full" ]]; then MODE="$1"; shift; fi
BIN="${1:-$ROOT/.build/debug/starmock}"
[[ -x "$BIN" ]] || { echo "reliability: no starmock binary at '$BIN' (run 'swift build' first)" >&2; exit 1; }
exec timeout 900 python3 "$ROOT/scripts/reliability.py" "$MODE" "$BIN"
