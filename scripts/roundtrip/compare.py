#!/usr/bin/env python3
"""Compare two client sessions of session.py: recorded (through starmock record, against the
real upstream) and replayed (against the scenario made by starmock scenario from).

usage: compare.py RECORDED.json REPLAYED.json TOLERANCE_MS

They must agree request by request on method, path, status or transport failure, Retry-After,
and body (so error codes, order ids, balances and order states), with the timestamps inside
bodies blanked (the replay runs later, on a real clock); and each request's time must be
within TOLERANCE_MS of the recorded one. Exit 1 on any difference.
"""
import json
import re
import sys

a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
tol = int(sys.argv[3])
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?")
bad = []
if len(a) != len(b):
    bad.append("recorded %d requests, replayed %d" % (len(a), len(b)))
worst = 0
for i, (x, y) in enumerate(zip(a, b), 1):
    for k in ("method", "path", "status", "transport", "retry_after"):
        if x.get(k) != y.get(k):
            bad.append("request %d %s %s: %s %r, replay %r" % (i, x["method"], x["path"], k, x.get(k), y.get(k)))
    if TIME.sub("<time>", x.get("body", "")) != TIME.sub("<time>", y.get("body", "")):
        bad.append("request %d %s %s: body\n  recorded %r\n  replayed %r" % (i, x["method"], x["path"], x.get("body"), y.get("body")))
    d = abs(x["ms"] - y["ms"])
    worst = max(worst, d)
    if d > tol:
        bad.append("request %d %s %s: took %d ms, recorded %d ms (tolerance %d ms)" % (i, x["method"], x["path"], y["ms"], x["ms"], tol))
for line in bad:
    print("DIFF " + line)
print("%d requests compared; largest timing difference %d ms (tolerance %d ms); %s" % (min(len(a), len(b)), worst, tol, "agree" if not bad else "%d differences" % len(bad)))
sys.exit(1 if bad else 0)
