#!/usr/bin/env bash
# Stops everything up.sh started: SIGTERM (nodes leave the cluster, then drain), waits up to 10 s,
# then SIGKILL for stragglers. Removes the pid files; logs stay in cluster-configs/run/.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
run="$here/run"
shopt -s nullglob
pids=()
for f in "$run"/*.pid; do
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" && pids+=("$pid")
    fi
done
for _ in $(seq 1 100); do
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [[ ${#alive[@]} -eq 0 ]] && break
    sleep 0.1
done
for pid in "${alive[@]}"; do
    echo "pid $pid did not stop within 10 s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
done
rm -f "$run"/*.pid
echo "stopped ${#pids[@]} process(es)"
