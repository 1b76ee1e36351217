#!/usr/bin/env python3
"""Holds N idle keep-alive connections open against a running gateway and checks that
(1) other clients are still served promptly, and (2) the gateway's memory grows by only a few KiB
per idle connection. Usage:
    loadtest/idle-connections.py --port 8080 --pid <gateway pid> [--connections 10000] [--path /hello]
Half the idle connections have made one request first (so they went through the buffer pool);
the other half never sent a byte. Loopback only; bounded in count and time."""
import argparse, os, resource, socket, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from proc import rss_kib  # noqa: E402


def request(port, path, timeout=5.0):
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b" ", 2)[1].decode(), (time.monotonic() - t0) * 1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--connections", type=int, default=10000)
    p.add_argument("--path", default="/hello")
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    status, ms = request(a.port, a.path)
    before = rss_kib(a.pid)
    print(f"before: RSS {before} KiB, one request {status} in {ms:.1f} ms")
    idle = []
    for i in range(a.connections):
        s = socket.create_connection(("127.0.0.1", a.port), timeout=5.0)
        if i % 2 == 0:
            s.sendall(f"GET {a.path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(4096)
        idle.append(s)
    time.sleep(0.5)
    after = rss_kib(a.pid)
    latencies = []
    for _ in range(20):
        status, ms = request(a.port, a.path)
        if status != "200":
            print(f"FAIL: status {status} while {a.connections} connections were idle")
            return 1
        latencies.append(ms)
    latencies.sort()
    per = (after - before) * 1024 / a.connections
    print(f"with {a.connections} idle connections: RSS {after} KiB (+{after - before} KiB, {per:.0f} bytes each)")
    print(f"20 requests meanwhile: median {latencies[10]:.1f} ms, max {latencies[-1]:.1f} ms, all 200")
    for s in idle:
        s.close()
    return 0 if per < 4096 else 1


if __name__ == "__main__":
    sys.exit(main())
