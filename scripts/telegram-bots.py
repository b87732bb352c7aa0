#!/usr/bin/env python3
"""The bot tables: runs `starmock bots` (docs/contract.md, "Bots under contract") for every bot
of TABLE.json over the bot-* scenarios and checks each verdict against the table.

  scripts/telegram-bots.py STARMOCK_BINARY TABLE.json [--only BOT] [--jobs N]

TABLE.json lists the bots (name, command, mode) and, per bot, the scenarios it must fail and
with exactly which rules; every other scenario of its mode it must pass. Bots run side by side
(`--jobs`, default 3), each bot's scenarios one after another. Exit 0 when every verdict is as
listed, 1 otherwise, 2 for a usage error. Every run is bounded by a timeout.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor


def run_bot(binary: str, bot: dict, scenarios: str) -> tuple[dict, list, str, float]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="starmock-bots-") as work:
        report = os.path.join(work, "report.json")
        proc = subprocess.run(
            [binary, "bots", "--bot", bot["command"], "--mode", bot["mode"], "--json", report, scenarios],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        if proc.returncode not in (0, 1) or not os.path.exists(report):
            return bot, [], proc.stdout, time.monotonic() - started
        with open(report) as f:
            return bot, json.load(f), proc.stdout, time.monotonic() - started


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary, table_path = args[0], args[1]
    only = args[args.index("--only") + 1] if "--only" in args else None
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 3
    with open(table_path) as f:
        table = json.load(f)
    bots = [b for b in table["bots"] if not only or b["name"] == only]
    total = mismatches = 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for bot, reports, output, took in pool.map(lambda b: run_bot(binary, b, table["scenarios"]), bots):
            if not reports:
                mismatches += 1
                print(f"MISMATCH {bot['name']}: starmock bots did not report\n{output}", flush=True)
                continue
            for r in reports:
                name = os.path.basename(r["path"]).rsplit(".", 1)[0]
                expected = sorted(bot.get("fails", {}).get(name, []))
                broken = sorted(r["broken_rules"])
                ok = broken == expected and (not r["passed"]) == bool(expected)
                total += 1
                verdict = "pass" if r["passed"] else "fail"
                print(f"{'ok  ' if ok else 'MISMATCH'} {bot['name']:<34} {name:<35} {verdict} {','.join(broken) or '-'}", flush=True)
                if not ok:
                    mismatches += 1
                    print(f"      expected: {','.join(expected) or 'pass'}", flush=True)
                    for failure in r["failures"]:
                        print(f"      {failure}", flush=True)
            print(f"     {bot['name']}: {len(reports)} scenarios in {took:.1f}s", flush=True)
    print(f"telegram-bots: {total - mismatches} as expected, {mismatches} not")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
