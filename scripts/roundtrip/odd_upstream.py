#!/usr/bin/env python3
"""A tiny 'upstream' with answers StarMock's sh4de model would never give.

usage: odd_upstream.py   (prints "listening on http://127.0.0.1:PORT", serves until killed)

GET /api/v1/balance: first an HTML 502 from a load balancer, then a balance with a field sh4de
never sends; GET /api/v1/prices: the connection reset (RST); GET /api/v1/user/some_user: bytes that
are not HTTP; POST /api/v1/order/stars: 200
with a plain-text body after 400 ms. 127.0.0.1 only.
"""
import http.server
import socket
import struct
import time

calls = {"balance": 0}


class Odd(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, ctype, body, extra=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/api/v1/balance":
            calls["balance"] += 1
            if calls["balance"] == 1:
                self.send(502, "text/html", "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>\n", [("Server", "nginx")])
            else:
                self.send(200, "application/json", '{"status": "ok", "balance_usd": 25.5, "maintenance": true}')
        elif self.path == "/api/v1/user/some_user":
            self.wfile.write(b"\x00\x01 not HTTP at all\r\n\r\n")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/api/v1/prices":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        else:
            self.send(404, "text/plain", "not here\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        time.sleep(0.4)
        self.send(200, "text/plain", "queued\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Odd)
print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
