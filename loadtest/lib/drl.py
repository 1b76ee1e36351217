#!/usr/bin/env python3
"""Drives a 3-node Sluice cluster sharing one global_rate_limit and measures what it admits.

Phases run wrk against the nodes with connection counts that set the spread (e.g. 7/2/1 for
70/20/10); a thread polls every node's /tyk/cluster/limits and keeps each node's cumulative
arrivals and admissions with the monotonic time of the limiter interval they come from (`at_ms`,
the same CLOCK_MONOTONIC as time.monotonic() here). Admitted per 1 s bin = sum over nodes of the
counters interpolated at the bin edges. Writes a CSV series and a summary, prints both.

usage: drl.py OUT_PREFIX LIMIT SECRET SETTLE PHASES PORT...
  PHASES: "name:seconds:c1/c2/c3,name:seconds:c1/c2/c3" (wrk connections per node, 0 = none)
  WRK_SCRIPT (environment): a wrk Lua script passed with -s (drl.sh paces each connection with it,
  so that the connection counts set the spread of the demand, not the nodes' CPU share).
The first `SETTLE` seconds of each phase and its last second (wrk stops inside it) are left out of
the steady-state numbers; every second is in the CSV.
"""
import os
import json
import subprocess
import sys
import threading
import time
import urllib.request

out_prefix, limit, secret, settle, phases_spec = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
ports = [int(p) for p in sys.argv[6:]]
phases = []
for part in phases_spec.split(","):
    name, seconds, conns = part.split(":")
    phases.append((name, float(seconds), [int(c) for c in conns.split("/")]))

samples = {p: [] for p in ports}  # port -> [(at_ms, arrivals, admitted)]
stop = threading.Event()


def poll():
    last = {p: None for p in ports}
    while not stop.is_set():
        for p in ports:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{p}/tyk/cluster/limits",
                                             headers={"x-tyk-authorization": secret})
                doc = json.load(urllib.request.urlopen(req, timeout=1))
            except Exception:
                continue
            at = doc.get("at_ms", 0)
            if last[p] == at:
                continue
            last[p] = at
            entry = next((l for l in doc.get("limits", []) if l["key"] == "api:drl"), None)
            if entry is not None:
                samples[p].append((at, entry["arrivals_total"], entry["admitted_total"]))
            elif samples[p]:  # cold here: no arrivals, counters unchanged
                _, a, d = samples[p][-1]
                samples[p].append((at, a, d))
        time.sleep(0.05)


def at(series, t_ms, column):
    """The cumulative counter `column` at t_ms, linearly interpolated; None outside the series."""
    if not series or t_ms < series[0][0] or t_ms > series[-1][0]:
        return None
    for (t0, *v0), (t1, *v1) in zip(series, series[1:]):
        if t0 <= t_ms <= t1:
            f = 0 if t1 == t0 else (t_ms - t0) / (t1 - t0)
            return v0[column] + f * (v1[column] - v0[column])
    return series[-1][1 + column]


poller = threading.Thread(target=poll, daemon=True)
poller.start()
time.sleep(0.5)
windows = []  # (phase, start_ms, end_ms)
for name, seconds, conns in phases:
    start = time.monotonic() * 1000
    script = ["-s", os.environ["WRK_SCRIPT"]] if os.environ.get("WRK_SCRIPT") else []
    procs = [subprocess.Popen(["wrk", "-t1", f"-c{c}", f"-d{int(seconds)}s", "--timeout", "5s"] + script +
                              [f"http://127.0.0.1:{p}/drl/"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for p, c in zip(ports, conns) if c > 0]
    for proc in procs:
        proc.wait()
    windows.append((name, start, time.monotonic() * 1000))
time.sleep(0.5)
stop.set()
poller.join()

rows = []
summary = []
for name, start, end in windows:
    settled = []
    settled_admitted = []
    k = 0
    while start + (k + 1) * 1000 <= end:
        t0, t1 = start + k * 1000, start + (k + 1) * 1000
        per_node_adm, per_node_arr = [], []
        for p in ports:
            a0, a1 = at(samples[p], t0, 1), at(samples[p], t1, 1)
            r0, r1 = at(samples[p], t0, 0), at(samples[p], t1, 0)
            per_node_adm.append(0 if a0 is None or a1 is None else a1 - a0)
            per_node_arr.append(0 if r0 is None or r1 is None else r1 - r0)
        admitted = sum(per_node_adm)
        arrivals = sum(per_node_arr)
        rows.append((name, k, admitted, arrivals - admitted, admitted / limit, per_node_adm, per_node_arr))
        if k >= settle and start + (k + 2) * 1000 <= end:
            settled.append(admitted / limit)
            settled_admitted.append(admitted)
        k += 1
    if settled:
        mean = sum(settled) / len(settled)
        worst = max(abs(r - 1) for r in settled)
        summary.append(f"{name}: {len(settled)} settled 1 s windows, admitted/limit mean {mean:.4f} "
                       f"(error {100 * (mean - 1):+.2f}%), worst 1 s error {100 * worst:.2f}%")
    # Whole minutes of settled windows (phases of 70 s and more): what a small limit is judged by.
    minutes = [sum(settled_admitted[i:i + 60]) for i in range(0, len(settled_admitted) - 59, 60)]
    if minutes:
        summary.append(f"{name}: admitted per settled minute " + " / ".join(f"{m:.0f}" for m in minutes) +
                       f" (limit x 60 = {60 * limit:g})")

with open(out_prefix + ".csv", "w") as f:
    f.write("phase,second,admitted,rejected,admitted_over_limit," +
            ",".join(f"admitted_n{i + 1}" for i in range(len(ports))) + "," +
            ",".join(f"arrivals_n{i + 1}" for i in range(len(ports))) + "\n")
    for name, k, adm, rej, ratio, pa, pr in rows:
        f.write(f"{name},{k},{adm:.1f},{rej:.1f},{ratio:.4f}," + ",".join(f"{x:.1f}" for x in pa) + "," +
                ",".join(f"{x:.1f}" for x in pr) + "\n")
text = [f"limit {limit:g}/s, {len(ports)} nodes, settle {settle:g} s per phase", ""]
text.append("phase        s  admitted  rejected  adm/limit  admitted per node")
for name, k, adm, rej, ratio, pa, _ in rows:
    text.append(f"{name:<10} {k:>3} {adm:>9.1f} {rej:>9.0f} {ratio:>10.3f}  " + " / ".join(f"{x:.1f}" for x in pa))
text.append("")
text.extend(summary)
with open(out_prefix + ".txt", "w") as f:
    f.write("\n".join(text) + "\n")
print("\n".join(text))

# The PNG: a separate script, so that a committed series can be plotted again. python3-matplotlib
# belongs to the system's interpreter, which may not be the `python3` first on PATH.
plotter = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drl_plot.py")
for interpreter in [sys.executable, "/usr/bin/python3"]:
    if subprocess.run([interpreter, "-c", "import matplotlib"], capture_output=True).returncode == 0:
        subprocess.run([interpreter, plotter, out_prefix + ".csv", f"{limit:g}"])
        break
else:
    print("(no plot: python3-matplotlib is missing; scripts/setup.sh loadtest installs it)")
