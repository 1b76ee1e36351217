#!/usr/bin/env bash
# The distributed rate limiter on a real 3-node cluster on loopback (issue 4). Usage:
#
#   loadtest/run.sh drl        (or loadtest/drl.sh)
#
# Starts `sluice echo` and 3 gateway nodes (generated configs in a temp dir, gossip on loopback) with
# one API whose global_rate_limit is LIMIT per second, then drives them with wrk well above the limit:
# 70/20/10 (7, 2 and 1 connections), then all on node1 (10 connections). Each connection waits
# PACE_MS between requests (a wrk Lua `delay`), so demand is ~10 × 1000 / PACE_MS per second in total
# (20 × LIMIT by default) and spreads as the connections do, whatever the nodes' CPU share. Counts admitted and rejected per second from
# the nodes' counters (/tyk/cluster/limits), prints admitted/limit per second and the steady-state
# error, and writes loadtest/results/drl-STAMP.{csv,txt,png} (the plot: lib/drl_plot.py, python3-matplotlib;
# `python3 loadtest/lib/drl_plot.py SERIES.csv LIMIT` plots a series again).
# With PHASE_S of 70 and more the summary adds the admitted count of each whole settled minute.
# Knobs: LIMIT (100), PACE_MS (5), PHASE_S (20 s per spread), SETTLE (3 s skipped at the start of each spread),
#        WORKERS (1 per node), SKIP_BUILD=1, SLUICE_BIN (default .build/release/sluice), KEEP_TMP=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"

LIMIT=${LIMIT:-100}
PHASE_S=${PHASE_S:-20}
SETTLE=${SETTLE:-3}
PACE_MS=${PACE_MS:-5}
WORKERS=${WORKERS:-1}
SLUICE_BIN=${SLUICE_BIN:-$root/.build/release/sluice}
SECRET=drl-loadtest-secret
KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

install_cleanup_traps
raise_nofile
ensure_tools wrk:wrk python3:python3 curl:curl setsid:util-linux

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building sluice (swift build -c release)"
    (cd "$root" && swift build -c release --product sluice) >&2
fi
[[ -x $SLUICE_BIN ]] || die "$SLUICE_BIN is missing"

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-drl.XXXXXX")
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$here/results" "$WORK_DIR/apps"
udp_port() { python3 -c 'import socket; s = socket.socket(type=socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

upstream=$(free_port)
start_owned "$WORK_DIR/echo.log" "$SLUICE_BIN" echo --port "$upstream" --workers 1
echo_pid=$STARTED_PID
cat >"$WORK_DIR/apps/drl.json" <<JSON
{"api_id": "drl", "name": "drl", "use_keyless": true, "global_rate_limit": {"rate": $LIMIT, "per": 1},
 "proxy": {"listen_path": "/drl/", "target_url": "http://127.0.0.1:$upstream", "strip_listen_path": true}}
JSON
http_ports=() gossip_ports=() pids=()
for i in 1 2 3; do http_ports+=("$(free_port)"); gossip_ports+=("$(udp_port)"); done
seeds="\"127.0.0.1:${gossip_ports[0]}\", \"127.0.0.1:${gossip_ports[1]}\""
for i in 0 1 2; do
    n=$((i + 1))
    cat >"$WORK_DIR/node$n.json" <<JSON
{"listen_address": "127.0.0.1", "listen_port": ${http_ports[$i]}, "workers": $WORKERS, "secret": "$SECRET",
 "app_path": "$WORK_DIR/apps", "log_level": "warn",
 "cluster": {"node_name": "node$n", "bind": "127.0.0.1:${gossip_ports[$i]}", "seeds": [$seeds], "keys": ["$KEY"]}}
JSON
    start_owned "$WORK_DIR/node$n.log" "$SLUICE_BIN" --conf "$WORK_DIR/node$n.json"
    pids+=("$STARTED_PID")
done
wait_http "http://127.0.0.1:$upstream/" "$echo_pid" 15 || die "echo upstream did not answer"
for i in 0 1 2; do
    wait_http "http://127.0.0.1:${http_ports[$i]}/hello" "${pids[$i]}" 15 || die "node$((i + 1)) did not answer: $(tail -3 "$WORK_DIR/node$((i + 1)).log")"
done
# Converged: every node lists 3 alive members.
for _ in $(seq 100); do
    ok=1
    for p in "${http_ports[@]}"; do
        alive=$(curl -s -m 1 -H "x-tyk-authorization: $SECRET" "http://127.0.0.1:$p/tyk/cluster" | grep -o '"state":"alive"' | wc -l)
        ((alive == 4)) || ok=0  # "self" and the 3 members
    done
    ((ok)) && break
    sleep 0.2
done
((ok)) || die "the cluster did not converge"
log "3 nodes up (http ${http_ports[*]}), limit $LIMIT/s; driving ${PHASE_S} s per spread"

out="$here/results/drl-$stamp"
echo "function delay() return $PACE_MS end" >"$WORK_DIR/pace.lua"
WRK_SCRIPT="$WORK_DIR/pace.lua" python3 "$here/lib/drl.py" "$out" "$LIMIT" "$SECRET" "$SETTLE" \
    "70/20/10:$PHASE_S:7/2/1,all-on-1:$PHASE_S:10/0/0" "${http_ports[@]}"
log "series: loadtest/results/drl-$stamp.csv, summary: loadtest/results/drl-$stamp.txt"
