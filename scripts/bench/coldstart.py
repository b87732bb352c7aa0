#!/usr/bin/env python3
"""Cold start: the time from spawning a server to its first 200 answer, median of N spawns.

    coldstart.py [--spawns 10] [--path /] [--header 'Name: value'] [--timeout 30] -- CMD ARG...

The server must print a line ending in "listening on URL" on stdout (StarMock's `serve` and the
bare NIO handler both do). For each spawn the clock (time.perf_counter) starts just before
Popen; stdout is read up to that line; PATH is fetched from URL with http.client and its body
read; the clock stops there. The process is then killed and waited for before the next spawn.

Prints the median in milliseconds (one number) on stdout and every spawn on stderr. Exits 1 if
a spawn prints no such line, answers anything but 200, or takes longer than --timeout seconds.
Python 3 standard library only.
"""
import argparse
import http.client
import os
import selectors
import statistics
import subprocess
import sys
import time
import urllib.parse


def read_url(proc, deadline):
    """Reads proc's stdout until a "listening on URL" line; returns URL."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise RuntimeError("no 'listening on URL' line in time")
        if not sel.select(left):
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            raise RuntimeError(f"exited (status {proc.poll()}) before listening")
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            text = line.decode(errors="replace").strip()
            if "listening on " in text:
                return text.rsplit(" ", 1)[-1]


def one_spawn(command, path, headers, timeout):
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        url = urllib.parse.urlsplit(read_url(proc, start + timeout))
        left = max(0.1, start + timeout - time.perf_counter())
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=left)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        return elapsed * 1000
    finally:
        proc.kill()
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spawns", type=int, default=10)
    parser.add_argument("--path", default="/")
    parser.add_argument("--header", action="append", default=[], help="Name: value")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per spawn")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    headers = {}
    for header in args.header:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    times = []
    for n in range(1, args.spawns + 1):
        try:
            ms = one_spawn(args.command, args.path, headers, args.timeout)
        except (OSError, RuntimeError, http.client.HTTPException) as error:
            print(f"coldstart: {args.command[0]}: spawn {n}: {error}", file=sys.stderr)
            return 1
        times.append(ms)
        print(f"coldstart: {os.path.basename(args.command[0])} spawn {n}: {ms:.1f} ms",
              file=sys.stderr)
    print(f"{statistics.median(times):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
