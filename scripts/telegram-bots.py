#!/usr/bin/env python3
"""Bots under contract: runs long-lived Telegram bots against `starmock serve`, one scenario at
a time, and checks the bot rules (docs/contract.md, "Bots under contract").

  scripts/telegram-bots.py STARMOCK_BINARY TABLE.json [--only BOT] [--filter SCENARIO] [--jobs N]

TABLE.json lists the bots (name, command, mode) and, per bot, the scenarios it must fail and
with which rules; every other scenario of its mode it must pass. Exit 0 when every verdict is
as listed, 1 otherwise, 2 for a usage error. Every wait is bounded.

For each (bot, scenario): `starmock serve --port 0 --scenario FILE` starts; the bot starts
once, in its own process group, with the connection in its environment; the scenario's
`bot_contract.steps` run (the world acting: a user writes, pays, cancels; the clock moves;
waits for conditions); the bot gets SIGTERM (SIGKILL 5 s later); the rules are checked on
the world's own record (`GET /__admin/telegram`).
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml
from concurrent.futures import ThreadPoolExecutor

RULES = ["answers-pre-checkout-in-time", "delivers-once-per-payment", "no-delivery-without-payment", "confirms-updates"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seconds(text) -> float:
    if isinstance(text, (int, float)):
        return float(text)
    m = re.fullmatch(r"\s*([0-9.]+)\s*(ms|s|m|h|d)\s*", str(text))
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


class Mock:
    def __init__(self, binary: str, scenario: str, work: str):
        self.out = open(os.path.join(work, "server.out"), "w+")
        self.err = open(os.path.join(work, "server.err"), "w+")
        self.proc = subprocess.Popen([binary, "serve", "--port", "0", "--scenario", scenario],
                                     stdout=self.out, stderr=self.err, start_new_session=True)
        self.url = None
        for _ in range(300):
            self.out.seek(0)
            m = re.search(r"^starmock listening on (\S+)", self.out.read(), re.M)
            if m:
                self.url = m.group(1)
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not self.url:
            self.err.seek(0)
            raise RuntimeError("starmock did not start: " + self.err.read()[-2000:])

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def bot(self, bot_id=None):
        _, state = self.call("GET", "/__admin/telegram")
        bots = state["bots"]
        if bot_id is not None:
            bots = [b for b in bots if b["bot_id"] == bot_id]
        return bots[0] if bots else {}

    def stop(self):
        stop_group(self.proc, 5)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def stop_group(proc, grace: float):
    """SIGTERM to the whole process group, SIGKILL after `grace` seconds; returns once every
    process of the group is gone (the shell may not exec the bot)."""
    pgid = proc.pid
    if group_alive(pgid):
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while group_alive(pgid) and time.monotonic() < deadline:
        if proc.poll() is None:
            try:
                proc.wait(0.05)
            except subprocess.TimeoutExpired:
                pass
        else:
            time.sleep(0.05)
    if group_alive(pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass
    for _ in range(100):
        if not group_alive(pgid):
            break
        time.sleep(0.05)


class Run:
    def __init__(self, mock: Mock, contract: dict, scale: float, start_bot):
        self.mock = mock
        self.contract = contract
        self.scale = scale
        self.user = contract.get("user", 100000001)
        self.failures: list[str] = []
        self.start_bot = start_bot
        self.second = None
        self.seen_invoices = 0
        self.seen_sent = 0

    def wait(self, within: float, condition) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if condition(self.mock.bot()):
                return True
            time.sleep(0.05)
        return condition(self.mock.bot())

    def step(self, number: int, step: dict):
        (kind, arg), = step.items()
        world = lambda s: seconds(s) / self.scale  # world time → real time
        state = self.mock.bot()
        if kind == "wait":
            what = arg["until"] if isinstance(arg, dict) else arg
            within_text = arg.get("within", "10s") if isinstance(arg, dict) else "10s"
            within = world(within_text)
            conditions = {
                "ready": (lambda b: b.get("polling") or b.get("webhook") is not None, 30.0),
                "invoice": (lambda b: len(b.get("invoices", [])) > self.seen_invoices, max(within, 3.0)),
                "answered": (lambda b: bool(b.get("pre_checkout_queries")) and b["pre_checkout_queries"][-1]["status"] != "pending", within),
                "delivered": (lambda b: len(b.get("sent_messages", [])) > self.seen_sent, max(within, 3.0)),
                "refunded": (lambda b: any(p["refunded"] for p in b.get("payments", [])), max(within, 3.0)),
                "canceled-by-bot": (lambda b: any(s["canceled_by_bot"] for s in b.get("subscriptions", [])), max(within, 3.0)),
                "settled": (lambda b: not b.get("pending_updates"), max(within, 3.0)),
            }
            if what not in conditions:
                raise ValueError(f"unknown wait {what!r}")
            condition, limit = conditions[what]
            if not self.wait(limit, condition):
                self.failures.append(f"step {number}: not {what} within {within_text}")
            after = self.mock.bot()
            if what == "invoice":
                self.seen_invoices = len(after.get("invoices", []))
            if what == "delivered":
                self.seen_sent = len(after.get("sent_messages", []))
        elif kind == "say":
            status, body = self.mock.call("POST", "/__admin/telegram/message", {"user_id": self.user, "text": arg})
            if status != 200:
                self.failures.append(f"step {number}: say {arg!r}: {status} {body}")
        elif kind == "pay":
            invoices = state.get("invoices", [])
            if not invoices:
                self.failures.append(f"step {number}: pay: the bot issued no invoice")
                return
            inv = invoices[-1]
            body = {"user_id": self.user}
            if inv.get("link"):
                body["link"] = inv["link"]
            else:
                body.update(chat_id=inv["chat_id"], message_id=inv["message_id"])
            status, answer = self.mock.call("POST", "/__admin/telegram/pay", body)
            if status != 200:
                self.failures.append(f"step {number}: pay: {status} {answer}")
        elif kind == "advance":
            self.mock.call("POST", "/__admin/clock/advance", {"seconds": seconds(arg)})
        elif kind == "sleep":
            time.sleep(world(arg))
        elif kind == "cancel_subscription":
            subs = state.get("subscriptions", [])
            if not subs:
                self.failures.append(f"step {number}: cancel_subscription: no subscription")
                return
            self.mock.call("POST", "/__admin/telegram/cancel-subscription",
                           {"user_id": self.user, "telegram_payment_charge_id": subs[-1]["telegram_payment_charge_id"]})
        elif kind == "lose_webhook_answers":
            self.mock.call("POST", "/__admin/telegram/lose-webhook-answers", arg)
        elif kind == "second_bot":
            if arg == "start":
                self.second = self.start_bot("second")
            else:
                if self.second:
                    stop_group(self.second, 5)
                self.second = None
        elif kind == "expect":
            self.expect(number, arg, state)
        else:
            raise ValueError(f"unknown step {kind!r}")

    def expect(self, number: int, arg: dict, state: dict):
        payments = state.get("payments", [])
        checks = {
            "payments": len(payments),
            "renewals": sum(1 for p in payments if p["is_renewal"]),
            "refunded": sum(1 for p in payments if p["refunded"]),
            "balance": state.get("balance"),
            "pre_checkout": state["pre_checkout_queries"][-1]["status"] if state.get("pre_checkout_queries") else None,
        }
        for name, want in arg.items():
            if checks.get(name) != want:
                self.failures.append(f"step {number}: expected {name} {want!r}, world has {checks.get(name)!r}")

    def run(self):
        for i, step in enumerate(self.contract.get("steps", []), 1):
            self.step(i, step)


def check_rules(names, final: dict, mode: str) -> dict:
    broken = {}
    queries = final.get("pre_checkout_queries", [])
    payments = final.get("payments", [])
    sent = final.get("sent_messages", [])
    for rule in names:
        why = []
        if rule == "answers-pre-checkout-in-time":
            why = [f"pre-checkout {q['pre_checkout_query_id']} for {q['invoice_payload']} was not answered in time"
                   for q in queries if q["status"] in ("expired", "pending")]
        elif rule == "delivers-once-per-payment":
            for p in payments:
                if p["refunded"] and not any(m["telegram_payment_charge_id"] == p["telegram_payment_charge_id"] for m in sent):
                    continue
                n = sum(1 for m in sent if m["telegram_payment_charge_id"] == p["telegram_payment_charge_id"])
                if n != 1:
                    why.append(f"{p['telegram_payment_charge_id'][:12]}… ({p['invoice_payload']}) delivered {n} times")
        elif rule == "no-delivery-without-payment":
            why = [f"message {m['message_id']} ({m['text']!r}) to {m['chat_id']} follows no payment"
                   for m in sent if m["telegram_payment_charge_id"] is None]
        elif rule == "confirms-updates":
            if final.get("pending_updates"):
                why.append(f"{len(final['pending_updates'])} updates never confirmed")
            if mode == "polling" and final.get("handed_out_twice"):
                why.append(f"updates {final['handed_out_twice']} handed out twice (offset did not advance)")
        else:
            raise ValueError(f"unknown rule {rule!r}")
        if why:
            broken[rule] = why
    return broken


def run_one(binary: str, bot: dict, path: str, doc: dict) -> list[str]:
    contract = doc["bot_contract"]
    clock = str(doc.get("clock", "real"))
    scale = float(clock.split(":")[1]) if clock.startswith("scaled:") else 1.0
    work = tempfile.mkdtemp(prefix="starmock-bot-")
    mock = Mock(binary, path, work)
    procs = []
    try:
        token = contract.get("token") or doc["world"]["telegram"]["bots"][0]["token"]

        def start_bot(tag: str):
            port = free_port()
            env = dict(os.environ)
            env.update(
                STARMOCK_BASE_URL=mock.url, STARMOCK_BOT_TOKEN=token, STARMOCK_BOT_MODE=bot["mode"],
                STARMOCK_WEBHOOK_PORT=str(port), STARMOCK_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                STARMOCK_WEBHOOK_SECRET="starmock-" + str(port), STARMOCK_CLOCK_SCALE=str(scale),
                STARMOCK_SCENARIO=doc["name"])
            out = open(os.path.join(work, f"bot-{tag}.log"), "w")
            proc = subprocess.Popen(["/bin/sh", "-c", bot["command"]], env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            procs.append(proc)
            return proc

        start_bot("main")
        run = Run(mock, contract, scale, start_bot)
        t0 = time.monotonic()
        run.run()
        t1 = time.monotonic()
        run.wait(3.0, lambda b: not b.get("pending_updates"))
        time.sleep(0.3)
        for proc in procs:
            stop_group(proc, 5)
        if os.environ.get("STARMOCK_BOT_TIMING"):
            print(f"      steps {t1 - t0:.1f}s, stop {time.monotonic() - t1:.1f}s", file=sys.stderr)
        final = mock.bot()
        if os.environ.get("STARMOCK_BOT_JOURNAL"):
            _, journal = mock.call("GET", "/__admin/journal")
            with open(os.environ["STARMOCK_BOT_JOURNAL"], "w") as f:
                json.dump(journal, f, indent=1)
        broken = check_rules(contract.get("rules", []), final, bot["mode"])
        failures = run.failures + [f"{rule}: {'; '.join(why)}" for rule, why in broken.items()]
        if failures and os.environ.get("STARMOCK_BOT_LOGS"):
            print(open(os.path.join(work, "bot-main.log")).read()[-3000:], file=sys.stderr)
        return failures, sorted(broken)
    finally:
        for proc in procs:
            stop_group(proc, 1)
        mock.stop()


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary, table_path = args[0], args[1]
    only = args[args.index("--only") + 1] if "--only" in args else None
    pattern = args[args.index("--filter") + 1] if "--filter" in args else None
    table = json.load(open(table_path))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scenario_dir = os.path.join(root, table["scenarios"])
    scenarios = []
    for name in sorted(os.listdir(scenario_dir)):
        if name.endswith((".yaml", ".yml")):
            path = os.path.join(scenario_dir, name)
            doc = yaml.safe_load(open(path))
            if "bot_contract" in doc:
                scenarios.append((name.rsplit(".", 1)[0], path, doc))
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 3
    runs = []
    for bot in table["bots"]:
        if only and bot["name"] != only:
            continue
        for name, path, doc in scenarios:
            if pattern and pattern not in name:
                continue
            if bot["mode"] in doc["bot_contract"].get("modes", ["polling", "webhook"]):
                runs.append((bot, name, path, doc))

    def one(run):
        bot, name, path, doc = run
        started = time.monotonic()
        failures, broken = run_one(binary, bot, path, doc)
        return run, failures, broken, time.monotonic() - started

    mismatches = 0
    total = len(runs)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for (bot, name, _, _), failures, broken, took in pool.map(one, runs):
            expected = sorted(bot.get("fails", {}).get(name, []))
            verdict = "fail" if failures else "pass"
            ok = broken == expected and bool(failures) == bool(expected)
            mark = "ok  " if ok else "MISMATCH"
            print(f"{mark} {bot['name']:<34} {name:<35} {verdict} {','.join(broken) or '-'} ({took:.1f}s)", flush=True)
            if not ok:
                mismatches += 1
                print(f"      expected: {','.join(expected) or 'pass'}", flush=True)
                for f in failures:
                    print(f"      {f}", flush=True)
    print(f"telegram-bots: {total - mismatches} as expected, {mismatches} not")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
