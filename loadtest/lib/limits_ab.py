#!/usr/bin/env python3
"""Summarise the windows of limits-ab.sh: what non-binding rate limits cost in throughput.

Usage: limits_ab.py RAW_DIR SECOND_ARM

RAW_DIR holds windows.tsv (lib/limits_ab_pairs.py: conns, block, pair, arm, requests, seconds,
proxy ns, machine busy/steal/total ticks, the benchmark's own ticks) and the wrk outputs of the
loads (cC__bB__ARM.wrk.txt). For every connection count and every pair with both arms (plain and
SECOND_ARM: limits or control) it takes two ratios, req/s SECOND / plain and capacity = CPU per
request plain / SECOND, and prints the median, a 95% percentile-bootstrap interval of the median
(pairs resampled, 10,000 times, fixed seed), the range and a verdict against TARGET (0.97; none
below 10 pairs), over all pairs and again over the quiet pairs (other processes below QUIET cores in
both windows); then the median of each block (one gateway process each), the nginx windows (arm
"nginx") for scale, the machine's load and wrk's errors. Standard library only.
"""
import csv
import os
import random
import re
import statistics
import sys
from collections import defaultdict

from table import parse_wrk

TARGET = 0.97
QUIET = 0.05  # cores other processes may take in both windows of a "quiet" pair
WRK_OUTPUT = re.compile(r"^c(?P<c>\d+)__b(?P<block>\d+)__(?P<arm>\w+)\.wrk\.txt$")


def read_windows(path):
    """(conns, block, pair) -> {arm: [window]} (an arm without a partner has two windows a pair)."""
    pairs = defaultdict(lambda: defaultdict(list))
    with open(path) as f:
        for row in csv.reader(f, delimiter="\t"):
            conns, block, pair, arm, requests, seconds, ns, busy, steal, total, ours = row
            requests, seconds, total = int(requests), float(seconds), int(total)
            if requests <= 0 or total <= 0:
                continue
            pairs[(int(conns), int(block), int(pair))][arm].append({
                "rps": requests / seconds,
                "cpu_us": int(ns) / 1000 / requests,
                "proxy_cores": int(ns) / 1e9 / seconds,
                "busy_cores": int(busy) / total * os.cpu_count(),
                "steal": int(steal) / total,
                "others_cores": max(0, int(busy) - int(ours)) / total * os.cpu_count(),
            })
    return pairs


def bootstrap_median(values, rounds=10_000, seed=1):
    """95% percentile-bootstrap interval of the median of `values`."""
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(rounds))
    return medians[int(rounds * 0.025)], medians[int(rounds * 0.975) - 1]


def verdict(low, high, n):
    if n < 10:
        return "too few pairs"
    if low >= TARGET:
        return "shown"
    if high < TARGET:
        return "not met"
    return "undecided"


def ratio_cells(ratios):
    low, high = bootstrap_median(ratios)
    return (f"| **{statistics.median(ratios):.3f}** | [{low:.3f}, {high:.3f}] "
            f"| {min(ratios):.3f}–{max(ratios):.3f} | {verdict(low, high, len(ratios))} ")


def ratio_row(c, both, second):
    """One table row over `both`: [(key, plain window, second window)]; returns (row, rps, cap)."""
    plain = [p for _, p, _ in both]
    other = [o for _, _, o in both]
    rps = [o["rps"] / p["rps"] for p, o in zip(plain, other)]
    cap = [p["cpu_us"] / o["cpu_us"] for p, o in zip(plain, other)]
    med = lambda runs, key: statistics.median(r[key] for r in runs)
    row = (f"| {c} | {len(both)} | {med(plain, 'rps'):,.0f} | {med(other, 'rps'):,.0f} " + ratio_cells(rps)
           + f"| {med(plain, 'cpu_us'):.2f} | {med(other, 'cpu_us'):.2f} " + ratio_cells(cap) + "|")
    return row, rps, cap


def machine_line(c, both):
    runs = [p for _, p, _ in both] + [o for _, _, o in both]
    rng = lambda key, fmt: (f"{format(statistics.median(r[key] for r in runs), fmt)} "
                            f"({format(min(r[key] for r in runs), fmt)}–{format(max(r[key] for r in runs), fmt)})")
    spread = [p["rps"] for _, p, _ in both]
    return (f"- {c} connections: plain req/s {min(spread):,.0f}–{max(spread):,.0f} over its {len(spread)} windows; "
            f"cores kept busy, median (min–max): the gateway {rng('proxy_cores', '.2f')}, the machine "
            f"{rng('busy_cores', '.2f')}, other processes {rng('others_cores', '.2f')}; "
            f"steal ≤ {max(r['steal'] for r in runs) * 100:.1f}%")


def summarise(raw_dir, second):
    pairs = read_windows(os.path.join(raw_dir, "windows.tsv"))
    conns = sorted({c for (c, _, _), arms in pairs.items() if "plain" in arms})
    header = [
        f"| conns | pairs | plain req/s | {second} req/s | req/s ratio | interval | min–max | verdict "
        f"| CPU µs/req plain | CPU µs/req {second} | capacity ratio | interval | min–max | verdict |",
        "|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|---|---|---|",
    ]
    lines = [
        f"Per pair of windows: req/s {second} / plain, and capacity = CPU µs per request plain / {second} "
        "(the gateway's own CPU, user + system). Median over pairs, [95% bootstrap interval of the median], "
        f"min–max; verdict against {TARGET}.",
        "",
    ] + header
    quiet_lines = [
        "",
        f"Quiet pairs only: both windows with other processes (not the gateway, upstream, wrk or the script) "
        f"below {QUIET} cores:",
        "",
    ] + header
    block_lines, machine_lines, quiet_notes = [], [], []
    for c in conns:
        both = [(k, arms["plain"][0], arms[second][0]) for k, arms in sorted(pairs.items())
                if k[0] == c and arms.get("plain") and arms.get(second)]
        row, rps, cap = ratio_row(c, both, second)
        lines.append(row)
        quiet = [b for b in both if max(b[1]["others_cores"], b[2]["others_cores"]) < QUIET]
        if len(quiet) >= 10:
            quiet_lines.append(ratio_row(c, quiet, second)[0])
        else:
            quiet_notes.append(f"- {c} connections: {len(quiet)} quiet pairs, too few for a row")
        per_block = defaultdict(lambda: ([], []))
        for (k, _, _), r, q in zip(both, rps, cap):
            per_block[k[1]][0].append(r)
            per_block[k[1]][1].append(q)
        block_lines.append(f"- {c} connections: " + "; ".join(
            f"block {b}: {statistics.median(r):.3f} / {statistics.median(q):.3f}"
            for b, (r, q) in sorted(per_block.items())))
        machine_lines.append(machine_line(c, both))

    lines += quiet_lines + ([""] + quiet_notes if quiet_notes else [])
    lines += ["", "Median per block (one gateway process each), req/s ratio / capacity ratio:", ""] + block_lines
    nginx = defaultdict(list)
    for (c, _, _), arms in pairs.items():
        nginx[c] += arms.get("nginx", [])
    if any(nginx.values()):
        lines += ["", "nginx as the proxy (one process on the gateway's CPU, the same load), for scale:", "",
                  "| conns | windows | nginx req/s | plain sluice / nginx req/s | nginx CPU µs/req | plain sluice CPU µs/req |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for c in sorted(c for c in nginx if nginx[c]):
            plain = [arms["plain"][0] for k, arms in pairs.items() if k[0] == c and arms.get("plain")]
            n_rps = statistics.median(r["rps"] for r in nginx[c])
            p_rps = statistics.median(r["rps"] for r in plain)
            lines.append(f"| {c} | {len(nginx[c])} | {n_rps:,.0f} | {p_rps / n_rps:.2f} "
                         f"| {statistics.median(r['cpu_us'] for r in nginx[c]):.2f} "
                         f"| {statistics.median(r['cpu_us'] for r in plain):.2f} |")
    lines += ["", "Machine during the windows:", ""] + machine_lines
    lines += ["", "The loads (wrk's own summary over all windows of a block):", ""] + wrk_lines(raw_dir)
    return "\n".join(lines)


def wrk_lines(raw_dir):
    lines = []
    outputs = [(m, name) for name in os.listdir(raw_dir) if (m := WRK_OUTPUT.match(name))]
    for m, name in sorted(outputs, key=lambda o: (int(o[0]["block"]), int(o[0]["c"]), o[0]["arm"] == "nginx")):
        with open(os.path.join(raw_dir, name)) as f:
            run = parse_wrk(f.read())
        what = f"block {m['block']}, {m['c']} connections, {'nginx' if m['arm'] == 'nginx' else 'sluice'}"
        if run is None:
            lines.append(f"- {what}: wrk gave no result")
        else:
            lines.append(f"- {what}: {run['requests']:,} requests, {run['rps']:,.0f} req/s, errors {run['errors']}"
                         + (" (non-2xx or socket errors: a fast error is not a fast proxy)" if run["errors"] else ""))
    return lines


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(summarise(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
