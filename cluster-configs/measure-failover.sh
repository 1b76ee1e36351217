#!/usr/bin/env bash
# Failure detection and rejoin on a fresh 5-node loopback cluster with the default gossip timings.
# Each try SIGKILLs one node (node2..node5 in turn), times until every other node lists it "dead",
# restarts it (same name and config), and times until every node lists it "alive" again.
# Prints each try, then median and worst. Leaves the cluster down.
#   ./measure-failover.sh            TRIES=5 by default; SLUICE_BIN as in up.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
run="$here/run"
tries="${TRIES:-5}"
bin="${SLUICE_BIN:-$root/.build/release/sluice}"
secret="$(sed -n 's/.*"secret": *"\([^"]*\)".*/\1/p' "$here/node1.json")"

now_ms() { date +%s%3N; }
port_of() { echo $((8080 + ${1#node})); }

# The state node $1 reports for member $2 ("" when it does not answer or does not list it).
state() {
    curl -s --max-time 1 -H "x-tyk-authorization: $secret" "http://127.0.0.1:$(port_of "$1")/tyk/cluster" 2>/dev/null \
        | sed 's/.*"members"://' | grep -o "\"name\":\"$2\",\"address\":\"[^\"]*\",\"state\":\"[a-z]*\"" | sed 's/.*"state":"//; s/"$//' || true
}

# Polls every 20 ms until every node in $1 (space-separated) reports member $2 in state $3; at most
# $4 seconds. Returns 1 on timeout.
wait_state() {
    local nodes="$1" member="$2" want="$3" deadline=$(( $(now_ms) + $4 * 1000 ))
    while (( $(now_ms) < deadline )); do
        local ok=1
        for n in $nodes; do [[ "$(state "$n" "$member")" == "$want" ]] || { ok=0; break; }; done
        (( ok )) && return 0
        sleep 0.02
    done
    echo "timeout: not every node of [$nodes] lists $member as $want; they say:" >&2
    for n in $nodes; do echo "  $n: $(state "$n" "$member")" >&2; done
    return 1
}

all="node1 node2 node3 node4 node5"
wait_converged() { for m in $all; do wait_state "$all" "$m" alive 60; done; }

"$here/down.sh" >/dev/null
rm -f "$run"/node*.log
"$here/up.sh" 5 >/dev/null
wait_converged
echo "5 nodes alive everywhere; $tries tries"

detect=()
rejoin=()
for t in $(seq 1 "$tries"); do
    victim="node$(( (t - 1) % 4 + 2 ))"
    others="$(echo "$all" | tr ' ' '\n' | grep -vx "$victim" | tr '\n' ' ')"
    kill -KILL "$(cat "$run/$victim.pid")"
    t0=$(now_ms)
    wait_state "$others" "$victim" dead 120
    t1=$(now_ms)
    (cd "$here" && exec "$bin" --conf "$victim.json") >>"$run/$victim.log" 2>&1 &
    echo $! >"$run/$victim.pid"
    disown  # no "Killed" job notice when the next try kills it
    t2=$(now_ms)
    wait_state "$all" "$victim" alive 120
    t3=$(now_ms)
    detect+=($((t1 - t0)))
    rejoin+=($((t3 - t2)))
    printf 'try %d: %s dead everywhere after %d ms, alive everywhere %d ms after restart\n' \
        "$t" "$victim" $((t1 - t0)) $((t3 - t2))
    wait_converged
done
"$here/down.sh" >/dev/null

summary() {
    local sorted
    sorted=($(printf '%s\n' "$@" | sort -n))
    local n=${#sorted[@]} median
    if (( n % 2 )); then median=${sorted[$((n / 2))]}; else median=$(( (sorted[n / 2 - 1] + sorted[n / 2]) / 2 )); fi
    echo "median ${median} ms, worst ${sorted[$((n - 1))]} ms"
}
echo "detection (SIGKILL → dead on every other node): $(summary "${detect[@]}")"
echo "rejoin (restart → alive on every node):         $(summary "${rejoin[@]}")"
