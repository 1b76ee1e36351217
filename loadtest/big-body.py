#!/usr/bin/env python3
"""Streams a large body through a running gateway to an echo upstream (`sluice echo`, which sends
the body back) and reads the echo at the same time; then downloads a large generated body
(`?bytes=N`). Reports throughput and the gateway's peak RSS, sampled while bytes flow, to show
that memory does not grow with body size. Usage:
    loadtest/big-body.py --port 8080 --pid <gateway pid> --path /demo/ [--mib 1024]"""
import argparse, os, socket, sys, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from proc import rss_kib  # noqa: E402


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.05)


def read_response(s, expect_body):
    """Reads one Content-Length response; returns (status, body bytes counted)."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed before the head")
        head += chunk
    head, rest = head.split(b"\r\n\r\n", 1)
    status = head.split(b" ", 2)[1].decode()
    length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:"))
    got = len(rest)
    while got < length:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    return status, got, length


def upload(port, path, size):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {size}\r\n\r\n".encode())
    result = {}

    def reader():
        result["r"] = read_response(s, True)

    t = threading.Thread(target=reader)
    t.start()
    block = b"a" * (1 << 20)
    sent = 0
    while sent < size:
        n = min(len(block), size - sent)
        s.sendall(block[:n])
        sent += n
    t.join()
    s.close()
    return result["r"]


def download(port, path, size):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(f"GET {path}?bytes={size} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    r = read_response(s, True)
    s.close()
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--path", default="/demo/")
    p.add_argument("--mib", type=int, default=1024)
    a = p.parse_args()
    size = a.mib << 20
    ok = True
    for name, run in (("upload+echo", upload), ("download", download)):
        base = rss_kib(a.pid)
        sampler = Sampler(a.pid)
        sampler.start()
        t0 = time.monotonic()
        status, got, length = run(a.port, a.path, size)
        secs = time.monotonic() - t0
        sampler.running = False
        sampler.join()
        body_ok = status == "200" and got == length and length >= size
        ok &= body_ok
        print(f"{name}: {a.mib} MiB, status {status}, body {got}/{length} bytes {'ok' if body_ok else 'WRONG'}, "
              f"{a.mib / secs:.0f} MiB/s, gateway RSS {base} KiB -> peak {sampler.peak} KiB (+{sampler.peak - base} KiB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
