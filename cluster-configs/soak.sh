#!/usr/bin/env bash
# Soak test of failure detection under load: 5 loopback nodes for DURATION seconds (default 600)
# while wrk drives every node, and node5 is stopped (SIGSTOP) for 1 s every PAUSE_EVERY seconds
# (default 30). Reports false positives: any node other than node5 ever marked suspect or dead by
# anyone; and what the others saw of node5 (suspected, refuted, back alive). Exits 1 on a false
# positive or if the cluster is not all alive at the end.
#   cluster-configs/soak.sh            DURATION=60 cluster-configs/soak.sh   (a short run)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
DURATION="${DURATION:-600}"
PAUSE_EVERY="${PAUSE_EVERY:-30}"
SECRET="loopback-demo-secret"
run="$here/run"

cleanup() {
    jobs -p | xargs -r kill 2>/dev/null || true
    [[ -f "$run/node5.pid" ]] && kill -CONT "$(cat "$run/node5.pid")" 2>/dev/null || true
    "$here/down.sh" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

command -v wrk >/dev/null || { echo "soak: wrk is needed (apt-get install -y wrk)" >&2; exit 2; }
"$here/down.sh" >/dev/null 2>&1 || true
rm -f "$run"/node*.log
"$here/up.sh" 5
node5="$(cat "$run/node5.pid")"

echo "soak: ${DURATION}s of wrk on all 5 nodes; node5 stopped for 1 s every ${PAUSE_EVERY}s"
for port in 8081 8082 8083 8084 8085; do
    timeout $((DURATION + 30)) wrk -t1 -c32 -d"${DURATION}s" "http://127.0.0.1:$port/demo/x" >"$run/wrk-$port.txt" 2>&1 &
done
pauses=0
end=$((SECONDS + DURATION))
while ((SECONDS + PAUSE_EVERY <= end)); do
    sleep "$PAUSE_EVERY"
    kill -STOP "$node5"
    sleep 1
    kill -CONT "$node5"
    pauses=$((pauses + 1))
done
wait

changes() { grep -h 'msg="member state changed"' "$run"/node[1-5].log || true; }
false_positives="$(changes | grep -v 'name=node5 ' | grep -cE 'to=(suspect|dead)' || true)"
echo "requests served: $(grep -h 'requests in' "$run"/wrk-*.txt | awk '{s += $1} END {print s + 0}') in ${DURATION}s over 5 nodes"
echo "node5 paused $pauses times; the others saw it: suspect $(changes | grep 'name=node5 ' | grep -c 'to=suspect' || true)," \
    "dead $(changes | grep 'name=node5 ' | grep -c 'to=dead' || true), alive again $(changes | grep 'name=node5 ' | grep -cE 'from=(suspect|dead) to=alive' || true)"
echo "false positives (a node other than node5 suspected or declared dead): $false_positives"
status=0
for port in 8081 8082 8083 8084 8085; do
    alive="$(curl -fsS --max-time 2 -H "x-tyk-authorization: $SECRET" "http://127.0.0.1:$port/tyk/cluster" | grep -o '"state":"alive"' | wc -l)"
    # "self" plus five members.
    if [[ "$alive" -ne 6 ]]; then echo "node on $port sees $((alive - 1)) of 5 alive at the end"; status=1; fi
done
((false_positives == 0)) || status=1
((status == 0)) && echo "soak: passed" || echo "soak: FAILED"
exit "$status"
