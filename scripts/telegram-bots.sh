#!/usr/bin/env bash
# Bots under contract: real python-telegram-bot 22 (Application) and aiogram 3 (Dispatcher)
# bots, in polling and webhook mode, and four broken bots, run through the bot-* scenarios of
# scenarios/telegram by `starmock bots` (scripts/telegram-bots.py drives the table). Each reference bot passes every scenario of
# its mode; each broken bot fails exactly what fixtures/clients/telegram-bots/expected.json lists.
#
#   scripts/telegram-bots.sh [STARMOCK_BINARY]
#
# Without an argument it builds and uses .build/debug/starmock. The bots live in the venv
# .build/venv-telegram (shared with scripts/telegram-clients.sh; PyPI must be reachable the
# first time). Every wait is bounded.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN="${1:-}"
if [ -z "$BIN" ]; then
    echo "== building starmock"
    timeout 1800 swift build --product starmock
    BIN="$ROOT/.build/debug/starmock"
fi
[ -x "$BIN" ] || { echo "telegram-bots: no executable at $BIN" >&2; exit 2; }

VENV="$ROOT/.build/venv-telegram"
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV"
    timeout 300 python3 -m venv "$VENV"
fi
echo "== installing the bot libraries"
timeout 900 "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "python-telegram-bot[webhooks]>=22,<23" "aiogram>=3,<4"

export PYTHON="$VENV/bin/python"
timeout 600 "$PYTHON" scripts/telegram-bots.py "$BIN" fixtures/clients/telegram-bots/expected.json --jobs 3
