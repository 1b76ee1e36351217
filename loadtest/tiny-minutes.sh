#!/usr/bin/env bash
# Per-minute counts of a 1/s limit over 10 nodes (3 requests/s, ten minutes), over many seeds:
# sluice-sim's tiny, tiny-uniform and tiny-one-node experiments, minutes 2-10 of each run (the first
# minute holds the demand estimates' convergence). Prints per spread the mean, the standard deviation,
# the range and how many minutes fall outside 60 +- 2. Knobs: SEEDS ("1 2 ... 12"), OVER (model or
# gossip), SIM (default .build/release/sluice-sim; built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${SIM:-.build/release/sluice-sim}
SEEDS=${SEEDS:-1 2 3 4 5 6 7 8 9 10 11 12}
OVER=${OVER:-model}
[[ -x $SIM ]] || swift build -c release --product sluice-sim >&2
for seed in $SEEDS; do
    "$SIM" --limiter tiny,tiny-uniform,tiny-one-node --seed "$seed" --over "$OVER" 2>/dev/null
done | python3 -c '
import re, statistics, sys
minutes = {}
for line in sys.stdin:
    m = re.match(r"(tiny\S*)\s.*per-minute=([0-9/]+)", line)
    if m:
        minutes.setdefault(m.group(1), []).extend(int(x) for x in m.group(2).split("/")[1:])
print("spread         minutes  mean   sd    range  outside 60+-2")
for name, v in minutes.items():
    outside = sum(abs(x - 60) > 2 for x in v)
    print(f"{name:14} {len(v):7}  {statistics.mean(v):5.2f}  {statistics.pstdev(v):4.2f}  {min(v)}-{max(v)}  {outside:5}")
'
