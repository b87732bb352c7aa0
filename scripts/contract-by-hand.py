#!/usr/bin/env python3
"""Runs a scenario's `contract:` steps by hand, until `starmock contract` exists.

    scripts/contract-by-hand.py [--binary PATH] [--client CMD] [--json FILE] [--jobs N] [-v] PATHS...

For each scenario file with a `contract:` section (directories are searched for *.yaml):
starts `starmock serve --port 0 --scenario FILE --clock CLOCK` (CLOCK: contract.clock, else the
file's), runs the client command once per step with the STARMOCK_* environment of
docs/contract.md, then checks what this helper understands of the contract: the step results
(subset match, one_of), exit codes, the journal and world expectations and the rules. It
prints one PASS/FAIL line per scenario with the reasons and the step results (-v: the journal
too), and can write a JSON report shaped like the runner's ({"scenarios": [{"name", "path",
"status", "failures"}]}) so scripts/contract-check.sh can be exercised with it
(CONTRACT_RUNNER=by-hand).

This is an approximation of the runner, written by the clients' author; where the rules'
wording leaves room (docs/contract.md) it reads them as follows:
  * honours-retry-after: the journal keeps no headers, so after a 429 the next request of the
    same key must come at least 0.9 s later (Retry-After is at least 1 s), on the world's
    clock; with --retry-after-from-state it is not refined further;
  * min-poll-interval: status reads (GET of one order's path, any answer) on the world clock;
  * no-duplicate-order: orders created while a step ran (state before/after the step);
  * polls-until-final: a purchase step's orders that are still pending when it ends, unless
    the scenario's lifecycle makes them stuck; or the result's outcome/status disagreeing
    with the order's final state;
  * bounded-retries N: more than N+1 requests with one method and path (query excluded) in a step.
Needs PyYAML (a developer tool; the runner reads YAML itself).
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON_CLIENT = "python3 " + shlex.quote(os.path.join(ROOT, "fixtures/clients/python/starmock_client.py"))
PURCHASES = ("buy-stars", "buy-premium")


def parse_duration(text):
    m = re.fullmatch(r"((?:\d+(?:\.\d+)?(?:ms|s|m|h))+)", str(text).strip())
    if not m:
        raise ValueError(f"bad duration {text!r}")
    total = 0.0
    for value, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text)):
        total += float(value) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def world_time(text):
    text = text.rstrip("Z")
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()


def http_json(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as r:
        return json.loads(r.read())


def path_of(target):
    return target.split("?", 1)[0]


def path_matches(pattern, path):
    p = pattern.strip("/").split("/")
    s = path.strip("/").split("/")
    if p and p[-1] == "**":
        return len(s) >= len(p) - 1 and all(fnmatch.fnmatchcase(a, b) for a, b in zip(s, p[:-1]))
    return len(p) == len(s) and all(b == "*" or a == b for a, b in zip(s, p))


def subset(expected, actual, where="result"):
    """Returns a list of mismatches of the spec's subset match."""
    if isinstance(expected, dict) and set(expected) == {"one_of"}:
        options = expected["one_of"]
        if any(not subset(o, actual, where) for o in options):
            return []
        return [f"{where}: {actual!r} is not one of {options!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a mapping, got {actual!r}"]
        out = []
        for k, v in expected.items():
            if k not in actual:
                out.append(f"{where}.{k}: missing (expected {v!r})")
            else:
                out += subset(v, actual[k], f"{where}.{k}")
        return out
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if expected is actual else [f"{where}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


class Server:
    def __init__(self, binary, scenario_path, clock):
        cmd = [binary, "serve", "--port", "0", "--scenario", scenario_path]
        if clock:
            cmd += ["--clock", str(clock)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (\S+)", line)
        if not m:
            err = self.proc.stderr.read()
            self.stop()
            raise RuntimeError(f"server did not start: {line!r} {err!r}")
        self.url = m.group(1).rstrip("/")

    def admin(self, path):
        return http_json(self.url + "/__admin/" + path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def default_key(scenario, dialect):
    keys = ((scenario.get("world") or {}).get("keys")) or []
    single = scenario["dialects"][0] if len(scenario["dialects"]) == 1 else None
    for k in keys:
        if (k.get("dialect") or single) == dialect and k.get("enabled", True):
            return k["key"]
    return ""


def stuck_kinds(scenario):
    lc = scenario.get("lifecycles") or {}
    if lc == "standard":
        return set()
    out = set()
    for kind, spec in lc.items():
        if isinstance(spec, dict) and spec.get("outcome") == "stuck":
            out.add(kind)
    return out


def run_scenario(path, binary, client, verbose):
    scenario = yaml.safe_load(open(path))
    contract = scenario.get("contract")
    name = scenario.get("name")
    rel = os.path.relpath(path, os.path.join(ROOT, "scenarios")) if path.startswith(ROOT) else path
    ident = re.sub(r"\.ya?ml$", "", rel)
    report = {"name": ident, "scenario_name": name, "path": path, "status": "passed", "failures": [],
              "steps": []}
    if not isinstance(contract, dict):
        report["status"] = "skipped"
        return report
    clock = contract.get("clock") or scenario.get("clock")
    step_timeout = parse_duration(contract["timeout"]) if contract.get("timeout") else 30.0
    started = time.monotonic()
    server = Server(binary, path, clock)
    failures = report["failures"]
    try:
        stuck = stuck_kinds(scenario)
        default_stuck = "default" in stuck
        step_ranges = []
        step_orders = []
        orders_seen = {(o["dialect"], o["id"]) for o in server.admin("state")["orders"]}
        for number, step in enumerate(contract.get("steps") or [], start=1):
            dialect = step.get("dialect") or scenario["dialects"][0]
            key = step.get("key") or default_key(scenario, dialect)
            env = dict(os.environ)
            env.update({
                "STARMOCK_BASE_URL": server.url, "STARMOCK_DIALECT": dialect, "STARMOCK_API_KEY": key,
                "STARMOCK_ACTION": step["action"], "STARMOCK_ARGS": json.dumps(step.get("args") or {}),
                "STARMOCK_SCENARIO": name, "STARMOCK_STEP": str(number),
            })
            before = server.admin("journal?limit=0")["recorded"]
            t0 = time.monotonic()
            proc = subprocess.Popen(["/bin/sh", "-c", client], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)
            try:
                out, err = proc.communicate(timeout=step_timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGTERM)
                time.sleep(1)
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                out, err = proc.communicate()
                timed_out = True
            elapsed = time.monotonic() - t0
            after = server.admin("journal?limit=0")["recorded"]
            state = server.admin("state")
            new_orders = [o for o in state["orders"] if (o["dialect"], o["id"]) not in orders_seen]
            orders_seen |= {(o["dialect"], o["id"]) for o in new_orders}
            step_ranges.append((before, after))
            step_orders.append(new_orders)
            lines = [l for l in out.splitlines() if l.strip()]
            result = None
            if timed_out:
                failures.append(f"step {number} ({step['action']}): timeout after {step_timeout:g}s")
            elif len(lines) != 1:
                failures.append(f"step {number} ({step['action']}): printed {len(lines)} lines: {out!r}")
            else:
                try:
                    result = json.loads(lines[0])
                except ValueError:
                    failures.append(f"step {number}: not JSON: {lines[0]!r}")
            expect = step.get("expect") or {}
            if not timed_out and proc.returncode != expect.get("exit_code", 0):
                failures.append(f"step {number}: exit code {proc.returncode}")
            if result is not None and "result" in expect:
                failures += [f"step {number} ({step['action']}): {m}" for m in subset(expect["result"], result)]
            report["steps"].append({"step": number, "action": step["action"], "result": result,
                                    "seconds": round(elapsed, 3), "stderr": err[-4000:]})
            # no-duplicate-order / polls-until-final (per step)
            rules = contract.get("rules") or []
            rule_names = {r if isinstance(r, str) else next(iter(r)) for r in rules}
            if "no-duplicate-order" in rule_names and len(new_orders) > 1:
                ids = ", ".join(str(o["id"]) for o in new_orders)
                failures.append(f"rule no-duplicate-order: step {number} ({step['action']}) created "
                                f"{len(new_orders)} orders ({ids})")
            if "polls-until-final" in rule_names and step["action"] in PURCHASES:
                for o in new_orders:
                    is_stuck = o["type"] in stuck or (default_stuck and o["type"] not in
                                                      (scenario.get("lifecycles") or {}))
                    if o["state"] == "pending" and not is_stuck:
                        failures.append(f"rule polls-until-final: step {number} ended while order "
                                        f"{o['id']} was pending")
                    if result and o["state"] in ("completed", "failed"):
                        said = result.get("status") or result.get("outcome")
                        if said in ("completed", "failed") and said != o["state"]:
                            failures.append(f"rule polls-until-final: step {number} said {said}, order "
                                            f"{o['id']} is {o['state']}")
        journal = server.admin("journal")["entries"]
        state = server.admin("state")
        check_rules(contract, journal, step_ranges, failures)
        check_expect(contract.get("expect") or {}, journal, state, failures)
        report["journal"] = [f"#{e['sequence']} {e['received_at']} {e['method']} {e['target']} -> "
                             f"{e['status']} {e['fault'] or ''}" for e in journal]
    finally:
        server.stop()
    report["seconds"] = round(time.monotonic() - started, 3)
    if failures:
        report["status"] = "failed"
    return report


def entries_of_step(journal, rng):
    lo, hi = rng
    return [e for e in journal if lo < e["sequence"] <= hi]


def check_rules(contract, journal, step_ranges, failures):
    for rule in contract.get("rules") or []:
        name, arg = (rule, None) if isinstance(rule, str) else next(iter(rule.items()))
        if name == "no-rate-limit-breach":
            hits = [e for e in journal if e["status"] == 429]
            if hits:
                failures.append(f"rule no-rate-limit-breach: {len(hits)} requests answered 429 "
                                f"(first #{hits[0]['sequence']} {hits[0]['method']} {hits[0]['target']})")
        elif name == "honours-retry-after":
            for i, e in enumerate(journal):
                if e["status"] != 429:
                    continue
                nxt = next((n for n in journal[i + 1:] if n["key"] == e["key"]), None)
                if nxt:
                    gap = world_time(nxt["received_at"]) - world_time(e["answered_at"])
                    if gap < 0.9:
                        failures.append(f"rule honours-retry-after: #{nxt['sequence']} {nxt['method']} "
                                        f"{nxt['target']} came {gap:.3f}s after the 429 #{e['sequence']}")
                        break
        elif name == "min-poll-interval":
            d = parse_duration(arg)
            last = {}
            for e in journal:
                p = path_of(e["target"])
                if e["method"] != "GET" or not re.search(r"/order/\d+$|/(stars|premium)/\d+$", p):
                    continue
                t = world_time(e["received_at"])
                if p in last and t - last[p][0] < d:
                    failures.append(f"rule min-poll-interval {arg}: #{last[p][1]} and #{e['sequence']} "
                                    f"GET {p} came {t - last[p][0]:.3f}s apart")
                    break
                last[p] = (t, e["sequence"])
        elif name == "no-requests-after-final":
            for number, rng in enumerate(step_ranges, start=1):
                final = set()
                for e in entries_of_step(journal, rng):
                    p = path_of(e["target"])
                    if e["method"] != "GET":
                        continue
                    if p in final:
                        failures.append(f"rule no-requests-after-final: step {number} read {p} again "
                                        f"(#{e['sequence']}) after it was final")
                        break
                    if e["status"] == 200 and re.search(r'"status":\s*"(completed|failed)"', e["response_body"]):
                        final.add(p)
        elif name == "bounded-retries":
            n = int(arg)
            for number, rng in enumerate(step_ranges, start=1):
                counts = {}
                for e in entries_of_step(journal, rng):
                    k = (e["method"], path_of(e["target"]))
                    counts[k] = counts.get(k, 0) + 1
                for (m, p), c in counts.items():
                    if c > n + 1:
                        failures.append(f"rule bounded-retries {n}: step {number} sent {c} x {m} {p}")
        elif name in ("no-duplicate-order", "polls-until-final"):
            pass  # checked per step
        else:
            failures.append(f"unknown rule {name!r}")


def check_expect(expect, journal, state, failures):
    for m in expect.get("journal") or []:
        hits = [e for e in journal if e["method"] == m["method"].upper()
                and path_matches(m["path"], path_of(e["target"]))
                and ("status" not in m or e["status"] == m["status"])]
        desc = f"{m['method']} {m['path']}" + (f" {m['status']}" if "status" in m else "")
        if "count" in m and len(hits) != m["count"]:
            failures.append(f"expect journal: {desc}: {len(hits)} requests, expected {m['count']}")
        if "min" in m and len(hits) < m["min"]:
            failures.append(f"expect journal: {desc}: {len(hits)} requests, expected at least {m['min']}")
        if "max" in m and len(hits) > m["max"]:
            failures.append(f"expect journal: {desc}: {len(hits)} requests, expected at most {m['max']}")
    order = expect.get("journal_order") or []
    pos = 0
    for item in order:
        method, pattern = item.split(None, 1)
        while pos < len(journal) and not (journal[pos]["method"] == method and
                                           path_matches(pattern, path_of(journal[pos]["target"]))):
            pos += 1
        if pos >= len(journal):
            failures.append(f"expect journal_order: no {item} after the previous ones")
            break
        pos += 1
    world = expect.get("world") or {}
    accounts = {a["owner"]: a for a in state["accounts"]}
    for owner, fields in (world.get("accounts") or {}).items():
        if owner not in accounts:
            failures.append(f"expect world: no account {owner}")
            continue
        failures += [f"expect world: account {owner}: {m}" for m in
                     subset(fields, accounts[owner], "account")]
    orders = {(o["dialect"], o["id"]): o for o in state["orders"]}
    for o in world.get("orders") or []:
        found = orders.get((o["dialect"], o["id"]))
        if not found:
            failures.append(f"expect world: no order {o['dialect']} {o['id']}")
            continue
        want = {k: v for k, v in o.items() if k not in ("dialect", "id")}
        failures += [f"expect world: order {o['id']}: {m}" for m in subset(want, found, "order")]
    if "order_count" in world and len(state["orders"]) != world["order_count"]:
        failures.append(f"expect world: {len(state['orders'])} orders, expected {world['order_count']}")


def scenario_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for d, _, files in sorted(os.walk(p)):
                for f in sorted(files):
                    if f.endswith((".yaml", ".yml")):
                        yield os.path.join(d, f)
        else:
            yield p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=[os.path.join(ROOT, "scenarios")])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/starmock"))
    ap.add_argument("--client", default=PYTHON_CLIENT)
    ap.add_argument("--json", help="write a JSON report")
    ap.add_argument("--filter", help="only scenarios whose path contains this")
    ap.add_argument("--jobs", type=int, default=1, help="scenarios run in parallel (default 1)")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()
    files = [os.path.abspath(f) for f in scenario_files(opts.paths)]
    files = [f for f in files if not opts.filter or opts.filter in f]

    def one(f):
        try:
            return run_scenario(f, opts.binary, opts.client, opts.verbose)
        except Exception as exc:  # noqa: BLE001
            return {"name": f, "path": f, "status": "error", "failures": [f"{type(exc).__name__}: {exc}"]}

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        reports = list(pool.map(one, files))
    for r in reports:
        if r["status"] == "skipped":
            continue
        print(f"{'PASS' if r['status'] == 'passed' else 'FAIL'} {r['name']}  ({r.get('seconds', 0):.1f} s)")
        for fl in r["failures"]:
            print(f"  {fl}")
        for s in r.get("steps", []):
            print(f"    step {s['step']} {s['action']} ({s['seconds']:.2f}s): {json.dumps(s['result'])}")
        if opts.verbose:
            for line in r.get("journal", []):
                print(f"      {line}")
            for s in r.get("steps", []):
                if s["stderr"]:
                    print(f"    --- step {s['step']} stderr\n" + "".join(f"      {l}\n" for l in s["stderr"].splitlines()))
    if opts.json:
        with open(opts.json, "w") as fh:
            json.dump({"scenarios": [{k: v for k, v in r.items() if k not in ("journal", "steps")} | {
                "steps": [{k: v for k, v in s.items() if k != "stderr"} for s in r.get("steps", [])]}
                for r in reports]}, fh, indent=2)
    failed = [r for r in reports if r["status"] in ("failed", "error")]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
