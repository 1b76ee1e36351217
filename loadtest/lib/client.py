#!/usr/bin/env python3
"""Exactly-N keep-alive HTTP/1.1 client for the per-request measurements (allocations, instructions,
syscalls), where wrk cannot be used because it is bounded by time, not by count.

Usage: client.py --port P [--path /] [--header "Name: value"] [--warmup N1] --requests N2 [--before CMD] [--after CMD]

Sends N1 GETs over one connection, runs CMD --before (a shell command, e.g. take a snapshot), sends N2
more on the same connection, runs CMD --after. Each response must be 200 (Content-Length or chunked).
Prints "ok N1+N2 requests" or exits 1 naming the first failure. 127.0.0.1 only. Standard library only.
"""
import argparse
import socket
import subprocess
import sys


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed by the server")
        self.buf += data

    def _take_until(self, marker):
        while (i := self.buf.find(marker)) < 0:
            self._fill()
        out, self.buf = self.buf[:i], self.buf[i + len(marker):]
        return out

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def get(self, request):
        self.sock.sendall(request)
        head = self._take_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if "content-length" in headers:
            self._take(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while (size := int(self._take_until(b"\r\n").split(b";")[0], 16)) > 0:
                self._take(size + 2)
            while self._take_until(b"\r\n"):  # trailers, then the empty line
                pass
        if headers.get("connection") == "close":
            raise ConnectionError("the server closed the keep-alive connection")
        return status


def send(conn, request, n, phase):
    for i in range(n):
        status = conn.get(request)
        if status != 200:
            sys.exit(f"client: {phase} request {i + 1}: status {status}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/")
    p.add_argument("--header", help="a header line sent with every request (Authorization: KEY)")
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--requests", type=int, required=True)
    p.add_argument("--before", help="shell command run after the warm-up")
    p.add_argument("--after", help="shell command run after the measured requests")
    a = p.parse_args()
    extra = f"{a.header}\r\n" if a.header else ""
    request = f"GET {a.path} HTTP/1.1\r\nHost: 127.0.0.1:{a.port}\r\nUser-Agent: sluice-loadtest\r\n{extra}\r\n".encode()
    conn = Conn(a.port)
    send(conn, request, a.warmup, "warm-up")
    if a.before:
        subprocess.run(a.before, shell=True, check=True)
    send(conn, request, a.requests, "measured")
    if a.after:
        subprocess.run(a.after, shell=True, check=True)
    print(f"ok {a.warmup}+{a.requests} requests")


if __name__ == "__main__":
    main()
