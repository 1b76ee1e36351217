#!/usr/bin/env python3
"""Plots a `loadtest/run.sh drl` series: admitted per second (the cluster's, and stacked per node)
against the limit and its ±5% band, one shaded span per phase. Reads the CSV that drl.py writes.

usage: drl_plot.py SERIES.csv LIMIT [OUT.png]      (OUT defaults to the CSV's name with .png)
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    path, limit = sys.argv[1], float(sys.argv[2])
    out = sys.argv[3] if len(sys.argv) > 3 else path.rsplit(".", 1)[0] + ".png"
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{path}: no rows")
    nodes = sorted(k for k in rows[0] if k.startswith("admitted_n"))
    xs = list(range(len(rows)))
    total = [float(r["admitted"]) for r in rows]
    per_node = [[float(r[n]) for r in rows] for n in nodes]

    fig, ax = plt.subplots(figsize=(10, 4))
    ax.stackplot(xs, per_node, labels=[f"node{n[len('admitted_n'):]}" for n in nodes], step="post", alpha=0.35)
    ax.step(xs, total, where="post", color="black", linewidth=1.2, label="admitted / s (cluster)")
    ax.axhline(limit, color="red", linestyle="--", linewidth=1, label=f"limit {limit:g}/s")
    ax.axhspan(0.95 * limit, 1.05 * limit, color="red", alpha=0.08, label="±5%")
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i]["phase"] != rows[start]["phase"]:
            ax.axvline(start, color="grey", linewidth=0.6)
            ax.text(start + 0.3, 1.25 * limit, rows[start]["phase"], fontsize=8, color="grey")
            start = i
    ax.set_xlim(0, len(rows))
    ax.set_ylim(0, 1.35 * limit)
    ax.set_xlabel("seconds")
    ax.set_ylabel("requests / s")
    ax.set_title("sluice distributed rate limit: admitted vs limit (3 nodes, loopback)")
    ax.legend(loc="lower right", fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"plot: {out}")


if __name__ == "__main__":
    main()
