#!/usr/bin/env python3
"""Summarise raw wrk outputs into one comparison table (Markdown), nginx vs sluice, and, when the run
has turns of a sluice variant ("sluicelim": LIMITS=1; "sluicekey": run.sh protected), a second table:
the variant vs plain sluice (for "sluicekey" with the redis-server commands per request).

Usage: table.py RAW_DIR

RAW_DIR holds files named SCENARIO__wW__cC__PROXY__rROUND.txt (wrk --latency output) and
SCENARIO__wW__PROXY__rROUND.failed (a proxy that did not start; the file holds the reason).
Per (scenario, workers, connections, proxy) it takes the median over rounds of requests/s, p50 and
p99, and sums the errors (non-2xx/3xx responses and socket errors). Standard library only.
"""
import os
import re
import statistics
import sys
from collections import defaultdict

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
NAME = re.compile(r"^(?P<scenario>[^_]+)__w(?P<w>\d+)__c(?P<c>\d+)__(?P<proxy>nginx|sluicelim|sluicekey|sluice)__r(?P<round>\d+)\.txt$")
FAILED = re.compile(r"^(?P<scenario>[^_]+)__w(?P<w>\d+)__(?P<proxy>nginx|sluicelim|sluicekey|sluice)__r(?P<round>\d+)\.failed$")


VARIANTS = {
    "sluicelim": "With non-binding limits on every request (a per-IP rate_limit and a global_rate_limit, 10^9/s):",
    "sluicekey": "Protected: a key on every request (auth token, session cache, the key's rate and quota, both "
    "non-binding), sessions and quotas on a local redis-server:",
}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNITS_MS[m.group(2)] if m else None


def parse_wrk(text):
    """Returns dict(rps, p50, p99, errors, requests) or None when wrk produced no result."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if not rps:
        return None
    lat = {p: to_ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)(?:\.0+)?%\s+(\S+)", text, re.M)}
    errors = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock:
        errors += sum(int(x) for x in sock.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    requests = re.search(r"^\s+(\d+) requests in", text, re.M)
    ticks = re.search(r"^# proxy cpu ticks: (\d+) at (\d+)/s", text, re.M)
    cpu_us = None
    if ticks and requests and int(requests.group(1)) > 0:
        cpu_us = int(ticks.group(1)) / int(ticks.group(2)) * 1e6 / int(requests.group(1))
    commands = re.search(r"^# redis commands: (\d+)", text, re.M)
    per_request = None
    if commands and requests and int(requests.group(1)) > 0:
        per_request = int(commands.group(1)) / int(requests.group(1))
    return {
        "cpu_us": cpu_us,
        "redis_per_request": per_request,
        "rps": float(rps.group(1)),
        "p50": lat.get("50"),
        "p99": lat.get("99"),
        "errors": errors,
        "requests": int(requests.group(1)) if requests else 0,
    }


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_rps(v):
    return "—" if v is None else f"{v:,.0f}"


def fmt_ms(v):
    if v is None:
        return "—"
    return f"{v * 1000:.0f}µs" if v < 1 else f"{v:.2f}ms"


def fmt_us(v):
    return "—" if v is None else f"{v:.1f}"


def fmt_ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def summarise(raw_dir):
    runs = defaultdict(list)  # (scenario, w, c, proxy) -> [parsed]
    failures = defaultdict(list)  # (scenario, w, proxy) -> [reason]
    for name in sorted(os.listdir(raw_dir)):
        path = os.path.join(raw_dir, name)
        if m := NAME.match(name):
            with open(path) as f:
                parsed = parse_wrk(f.read())
            key = (m["scenario"], int(m["w"]), int(m["c"]), m["proxy"])
            runs[key].append(parsed)
        elif m := FAILED.match(name):
            with open(path) as f:
                failures[(m["scenario"], int(m["w"]), m["proxy"])].append(f.read().strip())

    cells = sorted({(s, w, c) for (s, w, c, _) in runs}, key=lambda k: (k[0] != "fast", k))
    lines = [
        "| scenario | workers | conns | nginx req/s | sluice req/s | sluice/nginx "
        "| nginx p50 | nginx p99 | sluice p50 | sluice p99 | p99 sluice/nginx | CPU µs/req nginx | CPU µs/req sluice "
        "| errors nginx/sluice |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s, w, c in cells:
        stats = {}
        for proxy in ("nginx", "sluice"):
            ok = [r for r in runs.get((s, w, c, proxy), []) if r]
            stats[proxy] = {
                "rps": median([r["rps"] for r in ok]),
                "p50": median([r["p50"] for r in ok]),
                "p99": median([r["p99"] for r in ok]),
                "cpu": median([r["cpu_us"] for r in ok]),
                "errors": sum(r["errors"] for r in ok) if ok else None,
                "rounds": len(ok),
            }
        n, g = stats["nginx"], stats["sluice"]
        err = lambda x: "—" if x["errors"] is None else str(x["errors"])
        lines.append(
            f"| {s} | {w} | {c} | {fmt_rps(n['rps'])} | {fmt_rps(g['rps'])} | {fmt_ratio(g['rps'], n['rps'])} "
            f"| {fmt_ms(n['p50'])} | {fmt_ms(n['p99'])} | {fmt_ms(g['p50'])} | {fmt_ms(g['p99'])} "
            f"| {fmt_ratio(g['p99'], n['p99'])} | {fmt_us(n['cpu'])} | {fmt_us(g['cpu'])} | {err(n)}/{err(g)} |"
        )
    for variant, title in VARIANTS.items():
        if not any(k[3] == variant for k in runs):
            continue
        redis = variant == "sluicekey"
        lines += [
            "",
            title,
            "",
            f"| scenario | workers | conns | sluice req/s | {variant} req/s | {variant}/plain "
            f"| CPU µs/req sluice | CPU µs/req {variant} | errors sluice/{variant} |"
            + (" redis commands/req |" if redis else ""),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if redis else ""),
        ]
        for s, w, c in cells:
            plain = [r for r in runs.get((s, w, c, "sluice"), []) if r]
            other = [r for r in runs.get((s, w, c, variant), []) if r]
            p_rps, o_rps = median([r["rps"] for r in plain]), median([r["rps"] for r in other])
            p_cpu, o_cpu = median([r["cpu_us"] for r in plain]), median([r["cpu_us"] for r in other])
            p_err = sum(r["errors"] for r in plain) if plain else "—"
            o_err = sum(r["errors"] for r in other) if other else "—"
            row = (
                f"| {s} | {w} | {c} | {fmt_rps(p_rps)} | {fmt_rps(o_rps)} | {fmt_ratio(o_rps, p_rps)} "
                f"| {fmt_us(p_cpu)} | {fmt_us(o_cpu)} | {p_err}/{o_err} |"
            )
            if redis:
                per = median([r["redis_per_request"] for r in other])
                row += f" {'—' if per is None else f'{per:.4f}'} |"
            lines.append(row)
    notes = []
    for (s, w, proxy), reasons in sorted(failures.items()):
        notes.append(f"- {s}, {w} worker(s): {proxy} failed in {len(reasons)} round(s): {reasons[0]}")
    for key, parsed in sorted(runs.items()):
        if any(p is None for p in parsed):
            notes.append(f"- {key[0]}, {key[1]} worker(s), {key[2]} conns, {key[3]}: wrk gave no result in "
                         f"{sum(p is None for p in parsed)} round(s)")
    errors_seen = any((r or {}).get("errors") for rs in runs.values() for r in rs)
    if errors_seen:
        notes.append("- errors > 0: non-2xx/3xx answers or socket errors; a fast error is not a fast proxy.")
    return "\n".join(lines), notes


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    table, notes = summarise(sys.argv[1])
    print(table)
    if notes:
        print()
        print("\n".join(notes))


if __name__ == "__main__":
    main()
