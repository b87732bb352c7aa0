#!/usr/bin/env python3
"""Black-box reliability battery against `starmock serve` (see scripts/reliability.sh).

Starts its own servers on 127.0.0.1 (port 0), only talks HTTP and signals, and stops by
itself: every socket has a timeout, every phase a bound. Prints one line per figure and
exits 1 on the first broken promise.
"""
import json, os, random, signal, socket, subprocess, sys, tempfile, threading, time

BIN = sys.argv[2] if len(sys.argv) > 2 else ".build/debug/starmock"
SHORT = sys.argv[1] == "--short"
SCALE = 1 if SHORT else 5
FAILED = []


def say(text):
    print("reliability: " + text, flush=True)


def check(ok, text):
    if not ok:
        FAILED.append(text)
        say("FAIL: " + text)
    return ok


class Serve:
    def __init__(self, *options, scenario=None):
        args = [BIN, "serve", "--host", "127.0.0.1", "--port", "0", *options]
        if scenario:
            f = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
            f.write(scenario)
            f.close()
            args += ["--scenario", f.name]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("starmock listening on http://"):
            raise RuntimeError("starmock did not start: " + self.proc.stderr.read())
        self.port = int(line.rsplit(":", 1)[1])

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def raw(port, data, timeout=10.0, read=True):
    """Sends bytes, returns (status or None, body bytes, seconds)."""
    started = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if not read:
            return None, b"", 0
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    status = None
    if got.startswith(b"HTTP/1."):
        try:
            status = int(got.split(b" ", 2)[1])
        except ValueError:
            pass
    body = got.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in got else b""
    return status, body, time.monotonic() - started


def http(port, method, path, headers=(), body=None, timeout=10.0):
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    for name, value in headers:
        head += f"{name}: {value}\r\n"
    data = body.encode() if isinstance(body, str) else (body or b"")
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    return raw(port, head.encode() + b"\r\n" + data, timeout)


def admin(port, method, path, body=None):
    status, text, _ = http(port, method, path, body=json.dumps(body) if body is not None else None)
    return status, (json.loads(text) if text else None)


SH4DE = [("X-API-Key", "sh4de_xxxx")]
TGM = [("Authorization", "Bearer sk-demo-tgmarket")]
TOKEN = "123456789:AAdemo_token_for_starmock_only_0000"
ENDPOINTS = [
    ("GET", "/api/v1/prices", SH4DE), ("GET", "/api/v1/balance", SH4DE), ("GET", "/api/v1/user/durov", SH4DE),
    ("POST", "/api/v1/order/stars", SH4DE), ("POST", "/api/v1/order/premium", SH4DE), ("GET", "/api/v1/order/47", SH4DE),
    ("GET", "/api/v2/balance", TGM), ("POST", "/api/v2/stars", TGM), ("POST", "/api/v2/premium", TGM),
    ("GET", "/api/v2/stars/1", TGM), ("GET", "/api/v2/premium/1", TGM),
    ("GET", f"/bot{TOKEN}/getMe", []), ("POST", f"/bot{TOKEN}/getMyStarBalance", []),
    ("POST", f"/bot{TOKEN}/getStarTransactions", []), ("POST", f"/bot{TOKEN}/refundStarPayment", []),
    ("POST", f"/bot{TOKEN}/createInvoiceLink", []), ("POST", f"/bot{TOKEN}/sendInvoice", []),
    ("POST", "/api/invoice", [("X-API-Key", "papaya-demo-key")]), ("GET", "/api/invoice/1", [("X-API-Key", "papaya-demo-key")]),
    ("GET", "/api/subscriptions", [("X-API-Key", "papaya-demo-key")]), ("GET", "/api/subscriptions/1", [("X-API-Key", "papaya-demo-key")]),
    ("POST", "/validate-user", [("Authorization", "Bearer reseller-demo-key")]), ("POST", "/topup", [("Authorization", "Bearer reseller-demo-key")]),
    ("GET", "/orders/ORD-001", [("Authorization", "Bearer reseller-demo-key")]), ("GET", "/balance", [("Authorization", "Bearer reseller-demo-key")]),
    ("GET", "/packages", [("Authorization", "Bearer reseller-demo-key")]),
]


def bad_bodies(rng):
    yield "{"
    yield "[]"
    yield "null"
    yield '{"username": 1, "quantity": "x", "amount": -1, "months": 7.5, "stars": 1e309}'
    yield '{"username": "' + "\u00e9" * 300 + '", "quantity": 9999999999999999999999}'
    yield bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    yield "a=1&b=%ZZ&user_id=-1&telegram_payment_charge_id="
    yield '{"title": null, "rate": "NaN", "period": "Forever", "prices": "[{]"}'


def bad_input():
    server = Serve("--clock", "virtual")
    port, rng, count, worst, problems = server.port, random.Random(14), 0, 0.0, []
    for _ in range(SCALE):
        for method, path, headers in ENDPOINTS:
            for body in bad_bodies(rng):
                status, _, took = http(port, method, path, headers, body)
                count, worst = count + 1, max(worst, took)
                if status is None or status >= 500:
                    problems.append(f"{method} {path} → {status}")
            for variant in [path + "/%00", path + "?limit=-1&offset=abc", path.upper(), path + "/../../etc/passwd"]:
                status, _, took = http(port, "DELETE" if rng.random() < 0.3 else method, variant, headers)
                count, worst = count + 1, max(worst, took)
                if status is None or status >= 500:
                    problems.append(f"{method} {variant} → {status}")
            for garbage in [b"GET / HTTP/9.9\r\n\r\n", b"\x16\x03\x01\x00\xa5\x01", b"GET " + b"/" * 9000 + b" HTTP/1.1\r\n\r\n",
                            f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * 100000}\r\n\r\n".encode()]:
                status, _, took = raw(port, garbage)
                count, worst = count + 1, max(worst, took)
                if status is not None and status >= 500:
                    problems.append(f"garbage → {status}")
    alive = http(port, "GET", "/__admin/health")[0] == 200
    check(not problems, f"bad input: {len(problems)} answers were 5xx or none: {problems[:5]}")
    check(alive, "bad input: the server stopped answering")
    say(f"bad input: {count} requests over {len(ENDPOINTS)} endpoints, 0 5xx, slowest answer {worst * 1000:.0f} ms")
    check(server.stop() == 0, "bad input: exit code not 0")


def slow_clients():
    server = Serve("--clock", "virtual", "--header-timeout", "1", "--body-timeout", "1", "--min-body-rate", "1024",
                   "--idle-timeout", "2")
    port = server.port
    head = (f"POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_xxxx\r\n"
            f"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n").encode()
    holders = []
    for kind in range(6 * SCALE):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(head + b"{" if kind % 2 else b"GET /api/v1/balance HTTP/1.1\r\nHost: x\r\n")
        holders.append((time.monotonic(), s))
    served = [http(port, "GET", "/api/v1/prices", SH4DE) for _ in range(10)]
    check(all(s[0] == 200 for s in served), "slow clients: others were not served")
    slowest = max(s[2] for s in served)
    closed_after = []
    for started, s in holders:
        try:
            while s.recv(1024):
                pass
        except (ConnectionResetError, socket.timeout):
            pass
        closed_after.append(time.monotonic() - started)
        s.close()
    worst = max(closed_after)
    check(worst < 5, f"slow clients: one was still open after {worst:.1f} s")
    say(f"slow clients: {len(holders)} half-heads and half-bodies closed after at most {worst:.1f} s "
        f"(deadlines 1 s); 10 others served meanwhile, slowest {slowest * 1000:.0f} ms")
    check(server.stop() == 0, "slow clients: exit code not 0")


ISOLATION = """
name: isolation
dialects: [sh4de, tgmarket]
clock: virtual
world:
  accounts: {a: {balance: "100.00"}, b: {balance: "100.00"}}
  keys:
    - {key: sh4de_key_a, dialect: sh4de, owner: a}
    - {key: sh4de_key_a2, dialect: sh4de, owner: a}
    - {key: sh4de_key_b, dialect: sh4de, owner: b}
    - {key: sk-key-b, dialect: tgmarket, owner: b}
  users:
    - {username: some_user, id: 100000001}
    - {username: target, id: 100000002}
"""


def isolation():
    server = Serve(scenario=ISOLATION)
    port, checks = server.port, 0
    order = json.loads(http(port, "POST", "/api/v1/order/stars", [("X-API-Key", "sh4de_key_a")],
                            '{"username":"some_user","quantity":100}')[1])
    oid = order.get("order_id")
    for key, want in [("sh4de_key_b", 403), ("sh4de_key_a2", 403), ("sh4de_key_a", 200)]:
        checks += check(http(port, "GET", f"/api/v1/order/{oid}", [("X-API-Key", key)])[0] == want,
                        f"isolation: sh4de order {oid} read with {key} is not {want}")
    checks += check(http(port, "GET", "/api/v2/balance", [("Authorization", "Bearer sh4de_key_a")])[0] == 401,
                    "isolation: a sh4de key works on tgmarket")
    checks += check(http(port, "GET", "/api/v1/balance", [("X-API-Key", "sk-key-b")])[0] == 401,
                    "isolation: a tgmarket key works on sh4de")
    b = json.loads(http(port, "GET", "/api/v1/balance", [("X-API-Key", "sh4de_key_b")])[1])
    checks += check(b.get("balance_usd") == 100.0, f"isolation: b's balance moved: {b}")
    say(f"isolation: {checks} checks between keys, owners and dialects held")
    check(server.stop() == 0, "isolation: exit code not 0")


MONEY = """
name: money
dialects: [sh4de, tgmarket]
clock: virtual
world:
  accounts: {shop: {balance: "100000.00"}}
  keys:
    - {key: sh4de_money, dialect: sh4de, owner: shop}
    - {key: sk-money, dialect: tgmarket, owner: shop}
  users:
    - {username: some_user, id: 100000001}
    - {username: target, id: 100000002}
rate_limits: {sh4de: none, tgmarket: none}
faults:
  - {dialect: sh4de, respond: CHARGING_ERROR, path: /api/v1/order/stars, probability: 0.2}
  - {dialect: sh4de, respond: SERVICE_UNAVAILABLE, path: /api/v1/order/stars, probability: 0.1, phase: after}
"""


def money():
    server = Serve(scenario=MONEY)
    port, n = server.port, 300 * SCALE
    results, lock = [], threading.Lock()

    def buy(i):
        if i % 2:
            r = http(port, "POST", "/api/v1/order/stars", [("X-API-Key", "sh4de_money")], '{"username":"some_user","quantity":100}')
        else:
            r = http(port, "POST", "/api/v2/stars", [("Authorization", "Bearer sk-money")], '{"username":"target","amount":100}')
        with lock:
            results.append(r[0])

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(n)]
    for i, t in enumerate(threads):
        t.start()
        if i == n // 2:
            admin(port, "POST", "/__admin/clock/advance", {"seconds": 65})
        if len([x for x in threads if x.is_alive()]) > 64:
            time.sleep(0.01)
    for t in threads:
        t.join(30)
    admin(port, "POST", "/__admin/clock/advance", {"seconds": 3600})
    _, state = admin(port, "GET", "/__admin/state")
    account = next(a for a in state["accounts"] if a["owner"] == "shop")
    cents = lambda text: int(round(float(text) * 100))
    spent_by_orders = sum(cents(o["cost"]) for o in state["orders"] if o["state"] == "completed")
    locked_by_orders = sum(cents(o["cost"]) for o in state["orders"] if o["state"] == "pending")
    check(None not in results and not any(s >= 500 and s not in (502, 503) for s in results),
          f"money: unexpected answers {sorted(set(map(str, results)))}")
    check(state["consistent"], "money: the ledger is not consistent")
    check(cents(account["available"]) + cents(account["locked"]) + cents(account["spent"]) == cents(account["deposits"]),
          f"money: available + locked + spent != deposits: {account}")
    check(cents(account["spent"]) == spent_by_orders and cents(account["locked"]) == locked_by_orders,
          f"money: spent {account['spent']} / locked {account['locked']} vs orders {spent_by_orders} / {locked_by_orders}")
    say(f"money: {n} concurrent orders with faults and a clock move mid-burst; {len(state['orders'])} orders, "
        f"spent {account['spent']}, reconciled to the cent")
    check(server.stop() == 0, "money: exit code not 0")


SHUTDOWN = """
name: shutdown
dialects: [sh4de, tgmarket]
clock: virtual
world:
  accounts: {shop: {balance: "1000.00"}}
  keys:
    - {key: sh4de_sd, dialect: sh4de, owner: shop}
    - {key: sk-sd, dialect: tgmarket, owner: shop}
  users:
    - {username: some_user, id: 100000001}
    - {username: target, id: 100000002}
rate_limits: {sh4de: none, tgmarket: none}
latency:
  - {path: /api/v1/balance, delay: 600s}
"""


def shutdown():
    server = Serve("--shutdown-timeout", "5", scenario=SHUTDOWN)
    port, n = server.port, 20 * SCALE
    results, lock = [], threading.Lock()

    def run(i):
        if i % 3 == 0:
            r = http(port, "GET", "/api/v1/balance", [("X-API-Key", "sh4de_sd")], timeout=20)
        elif i % 3 == 1:
            r = http(port, "POST", "/api/v2/stars?wait=true", [("Authorization", "Bearer sk-sd")],
                     '{"username":"target","amount":100}', timeout=20)
        else:  # still uploading when the signal comes
            s = socket.create_connection(("127.0.0.1", port), timeout=20)
            body = b'{"username":"some_user","quantity":100}'
            s.sendall(b"POST /api/v1/order/stars HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_sd\r\nConnection: close\r\n"
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
            time.sleep(1.5)
            s.sendall(body[10:])
            got = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            s.close()
            r = (int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/1.") else None, b"", 0)
        with lock:
            results.append(r[0])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    late = []
    for _ in range(5):  # connections arriving during the shutdown: answered or refused, never reset
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
        except ConnectionRefusedError:
            late.append("refused")
            continue
        try:
            c.sendall(b"GET /api/v1/prices HTTP/1.1\r\nHost: x\r\nX-API-Key: sh4de_sd\r\n\r\n")
            got = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                got += chunk
            close = b"connection: close" in got.lower()
            late.append(got.split(b" ", 2)[1].decode() + ("+close" if close else "") if got else "closed unanswered")
        except (ConnectionResetError, BrokenPipeError):
            late.append("reset")
        except socket.timeout:
            late.append("timeout")
        finally:
            c.close()
    code = server.stop(timeout=30)
    took = time.monotonic() - started
    for t in threads:
        t.join(30)
    answered = sum(1 for r in results if r == 200)
    check(answered == n, f"shutdown: {n - answered} of {n} held, delayed or uploading requests got no 200: {results}")
    check(code == 0, f"shutdown: exit code {code}")
    check(all(x in ("refused", "200+close") for x in late),
          f"shutdown: a connection during the shutdown was not answered with Connection: close nor refused: {late}")
    say(f"shutdown: {answered}/{n} held, delayed and still-uploading requests answered on SIGTERM; exit {code} "
        f"after {took:.1f} s; connections during it: {late}")


def memory():
    server = Serve("--clock", "virtual")
    port = server.port
    for _ in range(20):
        http(port, "GET", "/api/v1/prices", SH4DE)
    time.sleep(0.5)
    idle = server.rss_kib()
    big = "x" * 1_000_000
    n = 150 * SCALE

    def post(_):
        http(port, "POST", "/api/v1/order/stars", [("X-API-Key", "sh4de_wrong_key")], big)

    peak = idle
    for start in range(0, n, 10):
        threads = [threading.Thread(target=post, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        peak = max(peak, server.rss_kib())
    huge = 0
    for _ in range(20 * SCALE):  # over the 1 MiB limit: read and dropped as it streams
        http(port, "POST", "/api/v1/order/stars", [("X-API-Key", "sh4de_wrong_key")], "y" * 3_000_000)
        huge += 1
        peak = max(peak, server.rss_kib())
    _, journal = admin(port, "GET", "/__admin/journal?limit=0")
    after = server.rss_kib()
    say(f"memory: RSS idle {idle / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, after {after / 1024:.1f} MiB "
        f"({n} × 1 MB and {huge} × 3 MB unauthenticated POSTs, 10 at a time); journal {journal['bytes']} bytes, "
        f"{journal['dropped']} dropped")
    check(after <= 2 * idle, f"memory: RSS after {after} KiB > 2 × idle {idle} KiB")
    check(journal["bytes"] <= journal["byte_budget"], "memory: the journal is over its budget")
    check(server.stop() == 0, "memory: exit code not 0")


def main():
    started = time.monotonic()
    for phase in [bad_input, slow_clients, isolation, money, shutdown, memory]:
        phase_started = time.monotonic()
        try:
            phase()
        except Exception as error:  # a phase that breaks is a failure, not a hang
            check(False, f"{phase.__name__}: {type(error).__name__}: {error}")
        say(f"  ({phase.__name__}: {time.monotonic() - phase_started:.1f} s)")
    say(f"{'short' if SHORT else 'full'} mode done in {time.monotonic() - started:.1f} s; "
        f"{'all passed' if not FAILED else str(len(FAILED)) + ' failed'}")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
