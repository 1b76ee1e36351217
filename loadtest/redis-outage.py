#!/usr/bin/env python3
"""Redis killed for 10 s under load, on a real gateway (issue 5, "When Redis fails").

    python3 loadtest/redis-outage.py [--binary .build/release/sluice] [--down 10]

Starts a redis-server on a free loopback port, `sluice echo` as the upstream and one gateway with
2 workers whose keys live in that Redis, creates a key (a quota of 10^9, so requests also lease
quota) and warms every worker's cache with it. Then, for `--before` + `--down` + `--after` seconds:
four client threads send requests with that key on keep-alive connections, and a fifth sends one
request every 50 ms with a key the gateway has never seen (a fresh connection each). Redis is
SIGKILLed after `--before` seconds and restarted `--down` seconds later from its append-only file
(the keys are back, as on a real deployment).

Prints, per phase, the statuses and the slowest answer of each kind, whether the gateway stayed
up, and how long after Redis came back the first request for an unseen key was answered from the
store again (403: no such key) rather than 503.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=15):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def request(port, path, headers, conn=None):
    """(status, seconds, connection) of a GET; status 0 when the request failed."""
    start = time.monotonic()
    try:
        c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", path, headers=headers)
        r = c.getresponse()
        r.read()
        return r.status, time.monotonic() - start, c
    except (OSError, http.client.HTTPException):
        return 0, time.monotonic() - start, None


class Redis:
    def __init__(self, folder):
        self.folder, self.port, self.proc = folder, free_port(), None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--dir", self.folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            sys.exit("redis-server did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/sluice"))
    ap.add_argument("--before", type=float, default=5)
    ap.add_argument("--down", type=float, default=10)
    ap.add_argument("--after", type=float, default=5)
    args = ap.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary} missing: swift build -c release --product sluice")

    folder = tempfile.mkdtemp(prefix="sluice-outage.")
    procs = []
    redis = Redis(folder)
    try:
        redis.start()
        upstream = free_port()
        procs.append(subprocess.Popen([args.binary, "echo", "--port", str(upstream), "--workers", "1"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        os.makedirs(f"{folder}/apps")
        with open(f"{folder}/apps/orders.json", "w") as f:
            json.dump({"api_id": "orders", "use_keyless": False,
                       "proxy": {"listen_path": "/orders/", "target_url": f"http://127.0.0.1:{upstream}",
                                 "strip_listen_path": True}}, f)
        port = free_port()
        with open(f"{folder}/sluice.json", "w") as f:
            json.dump({"listen_address": "127.0.0.1", "listen_port": port, "workers": 2, "secret": "outage",
                       "app_path": f"{folder}/apps", "log_level": "error",
                       "storage": {"type": "redis", "host": "127.0.0.1", "port": redis.port}}, f)
        gateway = subprocess.Popen([args.binary, "--conf", f"{folder}/sluice.json"],
                                   stdout=subprocess.DEVNULL, stderr=open(f"{folder}/sluice.log", "w"))
        procs.append(gateway)
        if not (wait_port(port) and wait_port(upstream)):
            sys.exit("the gateway or the upstream did not start")

        session = {"org_id": "o", "quota_max": 10 ** 9, "quota_renewal_rate": 3600,
                   "access_rights": {"orders": {"api_id": "orders", "versions": ["Default"]}}}
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/tyk/keys/create", body=json.dumps(session), headers={"x-tyk-authorization": "outage"})
        key = json.loads(c.getresponse().read())["key"]
        c.close()
        for _ in range(20):  # new connections spread over both workers: every worker caches the key
            request(port, "/orders/1", {"Authorization": key})

        start = time.monotonic()
        kill_at, back_at = args.before, args.before + args.down
        end_at = back_at + args.after
        results = []  # (kind, t, status, seconds)
        lock = threading.Lock()

        def known():
            conn = None
            while time.monotonic() - start < end_at:
                t = time.monotonic() - start
                status, took, conn = request(port, "/orders/1", {"Authorization": key}, conn)
                with lock:
                    results.append(("known", t, status, took))

        def unseen():
            n = 0
            while time.monotonic() - start < end_at:
                t = time.monotonic() - start
                n += 1
                status, took, conn = request(port, "/orders/1", {"Authorization": f"o{n:032x}"})
                conn and conn.close()
                with lock:
                    results.append(("unseen", t, status, took))
                time.sleep(0.05)

        threads = [threading.Thread(target=known) for _ in range(4)] + [threading.Thread(target=unseen)]
        for th in threads:
            th.start()
        time.sleep(kill_at)
        redis.kill()
        time.sleep(args.down)
        redis.start()
        restarted = time.monotonic() - start
        for th in threads:
            th.join()

        print(f"gateway {'still running' if gateway.poll() is None else 'EXITED with ' + str(gateway.returncode)}")
        phases = [("before", 0, kill_at), ("redis down", kill_at, restarted), ("after", restarted, end_at)]
        for name, lo, hi in phases:
            for kind in ("known", "unseen"):
                rows = [r for r in results if r[0] == kind and lo <= r[1] < hi]
                counts = {}
                for r in rows:
                    counts[r[2]] = counts.get(r[2], 0) + 1
                slowest = max((r[3] for r in rows), default=0) * 1000
                print(f"{name:>10} {kind:>6}: {len(rows):6} requests, statuses {dict(sorted(counts.items()))}, "
                      f"slowest {slowest:.1f} ms")
        back = [r for r in results if r[0] == "unseen" and r[1] >= restarted and r[2] == 403]
        recovered = (back[0][1] + back[0][3] - restarted) if back else None
        print("recovery: the first unseen key answered from the store "
              + (f"{recovered:.2f} s after redis-server restarted" if recovered is not None else "NEVER"))
    finally:
        for p in procs:
            p.kill()
            p.wait()
        try:
            redis.kill()
        except Exception:
            pass
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
