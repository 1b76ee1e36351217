#!/usr/bin/env python3
"""Measures a proxy under a steady load in short windows, switching its API between arms, for
limits-ab.sh.

usage: limits_ab_pairs.py OUT_TSV CONNS BLOCK PIDS UPSTREAM_PORT PAIRS MEASURE_S SETTLE_S ARM...
  PIDS: PROXY_PID[,PID...]: the proxy, then the benchmark's other processes (upstream, wrk)
  ARM: NAME=API_FILE:DEST:LOG (before each window API_FILE is copied over DEST, the proxy gets a
       SIGHUP and the script waits until LOG holds one more "msg=reloaded" line) or NAME (no switch:
       the windows just measure, as for a reference proxy).
With two arms A and B each of the PAIRS pairs runs A B or B A, drawn at random (with a fixed
alternation one block of a null test favoured one arm by 4%: something periodic in step with the
cycle, perhaps); with one arm, PAIRS x 2 windows;
PAIRS 0 only switches to the first ARM (no window: a check of the switch).
Every window: the switch, SETTLE_S seconds, then MEASURE_S seconds between two readings of
  - the requests the upstream nginx counted (its stub_status at /nginx-status: each proxied
    request is one upstream request; the reading's own request is left out),
  - the proxy's CPU time in ns (its threads' /proc/PID/task/*/schedstat: user + system),
  - the machine's busy, steal and total clock ticks (/proc/stat), and the ticks the benchmark's own
    processes used (PIDS, their child processes and this script: utime + stime), so that busy - ours
    is what other processes took from the machine meanwhile.
Appends one line per window to OUT_TSV: CONNS, BLOCK (labels), pair, arm, requests, seconds, proxy
ns, busy, steal, total, ours ticks. Standard library only.
"""
import glob
import os
import random
import re
import shutil
import signal
import sys
import time
import urllib.request


def run_ns(pid):
    total = 0
    for path in glob.glob(f"/proc/{pid}/task/*/schedstat"):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (OSError, IndexError, ValueError):
            pass  # a thread that ended meanwhile
    return total


def process_tree(pid):
    """pid and its descendants (alive ones)."""
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        for path in glob.glob(f"/proc/{p}/task/*/children"):
            try:
                with open(path) as f:
                    todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
    return tree


def ticks_of(pids):
    """utime + stime clock ticks of the processes pids and their descendants."""
    total = 0
    for root in pids:
        for p in process_tree(root):
            try:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass  # ended meanwhile
    return total


def upstream_requests(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/nginx-status", timeout=5) as r:
        text = r.read().decode()
    # "server accepts handled requests\n A H R"
    return int(re.search(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.M).group(3))


def machine_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    total = sum(fields)
    return total - fields[3] - fields[4] - fields[7], fields[7], total


def reloads(log):
    with open(log) as f:
        return f.read().count("msg=reloaded")


class Arm:
    def __init__(self, spec):
        self.name, _, rest = spec.partition("=")
        self.source, self.dest, self.log = rest.split(":") if rest else (None, None, None)

    def switch(self, pid):
        """Puts this arm's API in place and waits (5 s at most) for the proxy's reload."""
        if self.source is None:
            return
        before = reloads(self.log)
        shutil.copyfile(self.source, self.dest + ".tmp")
        os.replace(self.dest + ".tmp", self.dest)
        os.kill(pid, signal.SIGHUP)
        deadline = time.monotonic() + 5
        while reloads(self.log) <= before:
            if time.monotonic() > deadline:
                sys.exit(f"limits_ab_pairs: the proxy did not reload within 5 s (see {self.log})")
            time.sleep(0.005)


def window(pids, port, seconds):
    pid = pids[0]
    ns0, req0, m0, o0, t0 = run_ns(pid), upstream_requests(port), machine_ticks(), ticks_of(pids), time.monotonic()
    time.sleep(seconds)
    ns1, req1, m1, o1, t1 = run_ns(pid), upstream_requests(port), machine_ticks(), ticks_of(pids), time.monotonic()
    return [req1 - req0 - 1, f"{t1 - t0:.6f}", ns1 - ns0] + [b - a for a, b in zip(m0, m1)] + [o1 - o0]


def main():
    if len(sys.argv) < 10:
        sys.exit(__doc__)
    out, conns, block = sys.argv[1:4]
    pids = [int(p) for p in sys.argv[4].split(",")] + [os.getpid()]
    pid, port, pairs = pids[0], int(sys.argv[5]), int(sys.argv[6])
    measure, settle = float(sys.argv[7]), float(sys.argv[8])
    arms = [Arm(spec) for spec in sys.argv[9:]]
    if pairs == 0:
        arms[0].switch(pid)
    with open(out, "a") as f:
        for pair in range(1, pairs + 1):
            order = arms if len(arms) == 1 or random.random() < 0.5 else arms[::-1]
            for arm in order * (2 if len(arms) == 1 else 1):
                arm.switch(pid)
                time.sleep(settle)
                row = [conns, block, pair, arm.name] + window(pids, port, measure)
                f.write("\t".join(str(x) for x in row) + "\n")
                f.flush()


if __name__ == "__main__":
    main()
