#!/usr/bin/env python3
"""Summarise the A/B pairs of limits-ab.sh: what non-binding rate limits cost in throughput.

Usage: limits_ab.py RAW_DIR SECOND_ARM

RAW_DIR holds cC__bBLOCK__pPAIR__ARM.txt (ARM: plain or SECOND_ARM, "limits" or "control") and
cC__bBLOCK__nginx.txt, each a wrk --latency output followed by "# proxy run ns: N" (the proxy's CPU
time over the run). For every connection count C and every pair with both arms it takes two ratios,
req/s SECOND / plain and capacity = CPU per request plain / SECOND, and prints per C the median, a
95% percentile-bootstrap interval of the median (pairs resampled, 10,000 times, fixed seed), the
range, the median of each block (one gateway process each) and a verdict against TARGET (0.97).
Standard library only.
"""
import os
import random
import re
import statistics
import sys
from collections import defaultdict

from table import parse_wrk

TARGET = 0.97
NAME = re.compile(r"^c(?P<c>\d+)__b(?P<block>\d+)__(?:p(?P<pair>\d+)__(?P<arm>\w+)|(?P<nginx>nginx))\.txt$")


def read_run(path):
    """wrk's numbers plus the proxy's CPU µs per request, the cores it kept busy and the machine's busy
    cores; None if wrk gave no result."""
    with open(path) as f:
        text = f.read()
    run = parse_wrk(text)
    if run is None or run["requests"] == 0:
        return None
    ns = re.search(r"^# proxy run ns: (\d+) in (\d+) ns", text, re.M)
    run["cpu_us"] = int(ns.group(1)) / 1000 / run["requests"] if ns else None
    run["proxy_cores"] = int(ns.group(1)) / int(ns.group(2)) if ns else None
    ticks = re.search(r"^# machine ticks busy/steal/total: (\d+) (\d+) (\d+)", text, re.M)
    if ticks and int(ticks.group(3)) > 0:
        busy, steal, total = (int(x) for x in ticks.groups())
        run["busy_cores"] = busy / total * os.cpu_count()
        run["steal"] = steal / total
    return run


def bootstrap_median(values, rounds=10_000, seed=1):
    """95% percentile-bootstrap interval of the median of `values`."""
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return medians[int(rounds * 0.025)], medians[int(rounds * 0.975) - 1]


def verdict(low, high):
    if low >= TARGET:
        return "shown"
    if high < TARGET:
        return "not met"
    return "undecided"


def summarise(raw_dir, second):
    pairs = defaultdict(dict)  # (c, block, pair) -> {arm: run}
    nginx = defaultdict(list)  # c -> [run]
    missing = 0
    for name in sorted(os.listdir(raw_dir)):
        m = NAME.match(name)
        if not m:
            continue
        run = read_run(os.path.join(raw_dir, name))
        if run is None:
            missing += 1
            continue
        if m["nginx"]:
            nginx[int(m["c"])].append(run)
        else:
            pairs[(int(m["c"]), int(m["block"]), int(m["pair"]))][m["arm"]] = run

    conns = sorted({c for c, _, _ in pairs})
    lines = [
        f"Per pair: req/s {second} / plain, and capacity = CPU µs per request plain / {second} (the gateway's "
        "own CPU, user + system). Median over pairs, [95% bootstrap interval of the median], min–max; "
        f"verdict against {TARGET}.",
        "",
        f"| conns | pairs | plain req/s | {second} req/s | req/s ratio | interval | min–max | verdict "
        f"| CPU µs/req plain | CPU µs/req {second} | capacity ratio | interval | min–max | verdict |",
        "|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|---|---|---|",
    ]
    blocks_lines, machine_lines, errors = [], [], 0
    for c in conns:
        both = [(k, arms) for k, arms in sorted(pairs.items()) if k[0] == c and {"plain", second} <= arms.keys()]
        plain = [arms["plain"] for _, arms in both]
        other = [arms[second] for _, arms in both]
        errors += sum(r["errors"] for r in plain + other)
        rps = [o["rps"] / p["rps"] for p, o in zip(plain, other)]
        cap = [p["cpu_us"] / o["cpu_us"] for p, o in zip(plain, other)]
        cells = [f"| {c} | {len(both)} | {statistics.median(r['rps'] for r in plain):,.0f} "
                 f"| {statistics.median(r['rps'] for r in other):,.0f} "]
        for i, ratios in enumerate((rps, cap)):
            low, high = bootstrap_median(ratios)
            if i == 1:
                cells.append(f"| {statistics.median(r['cpu_us'] for r in plain):.2f} "
                             f"| {statistics.median(r['cpu_us'] for r in other):.2f} ")
            cells.append(f"| **{statistics.median(ratios):.3f}** | [{low:.3f}, {high:.3f}] "
                         f"| {min(ratios):.3f}–{max(ratios):.3f} | {verdict(low, high)} ")
        lines.append("".join(cells) + "|")
        per_block = defaultdict(lambda: ([], []))
        for (k, _), r, q in zip(both, rps, cap):
            per_block[k[1]][0].append(r)
            per_block[k[1]][1].append(q)
        blocks_lines.append(f"- {c} connections: " + "; ".join(
            f"block {b}: {statistics.median(r):.3f} / {statistics.median(q):.3f}" for b, (r, q) in sorted(per_block.items())))
        runs = plain + other
        busy = [r["busy_cores"] for r in runs if "busy_cores" in r]
        steal = [r["steal"] for r in runs if "steal" in r]
        spread = [r["rps"] for r in plain]
        cores = [r["proxy_cores"] for r in runs]
        machine_lines.append(
            f"- {c} connections: plain req/s {min(spread):,.0f}–{max(spread):,.0f} over its {len(spread)} runs; "
            f"the gateway kept {statistics.median(cores):.2f} cores busy (median; {min(cores):.2f}–{max(cores):.2f}); "
            f"the machine {statistics.median(busy):.2f} ({min(busy):.2f}–{max(busy):.2f}); steal ≤ {max(steal) * 100:.1f}%")

    lines += ["", "Median per block (one gateway process each), req/s ratio / capacity ratio:", ""] + blocks_lines
    if nginx:
        lines += ["", "nginx as the proxy (one process on the gateway's CPU, the same wrk, one run per block), for scale:", "",
                  "| conns | nginx req/s | plain sluice / nginx req/s | nginx CPU µs/req |", "|---:|---:|---:|---:|"]
        for c in sorted(nginx):
            plain = [arms["plain"]["rps"] for k, arms in pairs.items() if k[0] == c and "plain" in arms]
            n = statistics.median(r["rps"] for r in nginx[c])
            ratio = f"{statistics.median(plain) / n:.2f}" if plain else "—"
            lines.append(f"| {c} | {n:,.0f} | {ratio} | {statistics.median(r['cpu_us'] for r in nginx[c]):.2f} |")
    lines += ["", "Machine during the runs (the benchmark itself keeps about 2 cores busy):", ""] + machine_lines
    if errors:
        lines.append(f"- errors (non-2xx or socket) in the pairs: {errors}: a fast error is not a fast proxy")
    if missing:
        lines.append(f"- {missing} run(s) without a wrk result, left out")
    return "\n".join(lines)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(summarise(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
