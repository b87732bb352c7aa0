#!/usr/bin/env python3
"""A fixed sh4de client session for the record → scenario from → serve round trip.

usage: session.py BASE_URL API_KEY PLAN OUT.json

Runs the requests of PLAN (sh4de: balance, prices, orders and polls, errors; odd: a few
reads), keeping the recorded pauses between them, and writes what the client saw: per request
the method, path, status or transport failure (reset, close, garbage), body, and time taken.
Stdlib only, 127.0.0.1 only, every request bounded by a 20 s timeout.
"""
import http.client
import json
import sys
import time
import urllib.parse

BASE, KEY, PLAN, OUT = sys.argv[1:5]
u = urllib.parse.urlsplit(BASE)
seen = []


def call(method, path, body=None):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    headers = {"X-API-Key": KEY}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    t0 = time.monotonic()
    entry = {"method": method, "path": path}
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        entry["status"] = r.status
        entry["body"] = r.read().decode("utf-8", "replace")
        entry["retry_after"] = r.getheader("Retry-After")
    except ConnectionResetError:
        entry["transport"] = "reset"
    except http.client.RemoteDisconnected:
        entry["transport"] = "close"
    except (http.client.BadStatusLine, http.client.HTTPException):
        entry["transport"] = "garbage"
    except OSError as e:  # a reset can surface as a plain OSError (EPIPE, ECONNRESET)
        entry["transport"] = "reset" if "reset" in str(e).lower() or "broken pipe" in str(e).lower() else "error: " + str(e)
    finally:
        conn.close()
    entry["ms"] = round((time.monotonic() - t0) * 1000)
    seen.append(entry)
    return entry


def poll(order_id, limit=40):
    for _ in range(limit):
        e = call("GET", "/api/v1/order/%d" % order_id)
        try:
            if json.loads(e.get("body", "{}")).get("status") in ("completed", "failed"):
                return
        except ValueError:
            return
        time.sleep(0.3)


if PLAN == "sh4de":
    call("GET", "/api/v1/balance")
    call("GET", "/api/v1/prices")          # SERVICE_UNAVAILABLE once (a control API fault upstream)
    call("GET", "/api/v1/prices")
    call("GET", "/api/v1/user/some_user")
    call("GET", "/api/v1/user/nobody")     # 404 USER_NOT_FOUND
    call("POST", "/api/v1/order/stars", {"username": "some_user", "quantity": 100})   # committed, then the connection closes
    call("GET", "/api/v1/balance")         # 24.20: it was charged
    poll(47)
    call("POST", "/api/v1/order/premium", {"username": "durov", "months": 3})
    poll(48)
    call("GET", "/api/v1/order/999")       # 404 ORDER_NOT_FOUND
    call("GET", "/api/v1/balance")
elif PLAN == "odd":
    call("GET", "/api/v1/balance")         # an HTML 502 from a proxy in front of the upstream
    call("GET", "/api/v1/prices")          # the connection reset
    call("GET", "/api/v1/user/some_user")  # bytes that are not HTTP
    call("POST", "/api/v1/order/stars", {"username": "some_user", "quantity": 100})   # plain text, 400 ms
    call("GET", "/api/v1/balance")
else:
    sys.exit("unknown plan " + PLAN)

with open(OUT, "w") as f:
    json.dump(seen, f, indent=1)
