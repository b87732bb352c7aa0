#!/usr/bin/env python3
"""Checks a broken-client table: the reference client passes every contract scenario of its
folders, and each deliberately broken client fails exactly the scenarios listed for it.

    scripts/contract-table.py STARMOCK_BINARY fixtures/clients/broken-others/expected.json

The table (JSON): {"reference": {"command": …, "must_pass": [folders under scenarios/]},
"clients": {name: {"command": …, "must_fail": ["dialect/scenario", …]}}}. Every run is
bounded by starmock's own per-client timeout and by a timeout on the whole command here.
Exits 1 on any mismatch, printing what differed.
"""
import json
import os
import subprocess
import sys
import tempfile

def run(binary, command, folders):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        report_path = f.name
    args = [binary, "contract", "--client", command, "--json", report_path] + [f"scenarios/{d}" for d in folders]
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    try:
        with open(report_path) as f:
            report = json.load(f)
    except (OSError, json.JSONDecodeError):
        print(proc.stdout)
        raise SystemExit(f"contract-table: no JSON report from: {' '.join(args)} (exit {proc.returncode})")
    finally:
        os.unlink(report_path)
    failed = sorted(s["id"] for s in report["scenarios"] if s["status"] not in ("passed", "skipped"))
    return proc.returncode, failed, proc.stdout

def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    binary, table_path = sys.argv[1], sys.argv[2]
    with open(table_path) as f:
        table = json.load(f)
    folders = table["reference"]["must_pass"]
    problems = []
    code, failed, out = run(binary, table["reference"]["command"], folders)
    print(f"reference: exit {code}, {len(failed)} failed")
    if code != 0 or failed:
        problems.append(f"the reference client failed {failed} (exit {code})\n{out}")
    for name, client in sorted(table["clients"].items()):
        code, failed, out = run(binary, client["command"], folders)
        expected = sorted(client["must_fail"])
        verdict = "ok" if failed == expected and code == 1 else "MISMATCH"
        print(f"{name}: exit {code}, fails {len(failed)} scenario(s): {verdict}")
        if verdict != "ok":
            missing = sorted(set(expected) - set(failed))
            extra = sorted(set(failed) - set(expected))
            problems.append(f"{name}: should fail {expected}; not failed: {missing}; failed too: {extra} (exit {code})")
    if problems:
        print("\n".join(problems))
        raise SystemExit(1)
    print(f"contract table {table_path}: every client behaves as listed")

if __name__ == "__main__":
    main()
