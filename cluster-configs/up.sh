#!/usr/bin/env bash
# Starts the echo upstream (127.0.0.1:9000) and nodes 1..N (default 5) of the loopback cluster in
# the background. Pids and logs go to cluster-configs/run/. Waits until every node answers /hello.
#   ./up.sh [N]           SLUICE_BIN=path/to/sluice to use another binary (default: release build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
count="${1:-5}"
[[ "$count" =~ ^[1-5]$ ]] || { echo "usage: up.sh [N], N in 1..5" >&2; exit 2; }
run="$here/run"
mkdir -p "$run"

bin="${SLUICE_BIN:-$root/.build/release/sluice}"
if [[ -z "${SLUICE_BIN:-}" ]]; then
    # Build when the binary is missing or older than any source file.
    if [[ ! -x "$bin" ]] || [[ -n "$(find "$root/Sources" "$root/Package.swift" -newer "$bin" -print -quit)" ]]; then
        echo "building release..." >&2
        (cd "$root" && swift build -c release --product sluice >&2)
    fi
fi

running() { [[ -f "$run/$1.pid" ]] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

# The node's port from its config (listen_port), for the /hello check.
port_of() { sed -n 's/.*"listen_port": *\([0-9]*\).*/\1/p' "$here/$1.json"; }

wait_hello() {
    local port="$1" name="$2"
    for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/hello" 2>/dev/null; then return 0; fi
        running "$name" || { echo "$name exited; see $run/$name.log" >&2; tail -5 "$run/$name.log" >&2; return 1; }
        sleep 0.1
    done
    echo "$name did not answer /hello on port $port within 10 s" >&2
    return 1
}

if ! running echo; then
    "$bin" echo --port 9000 --workers 1 >"$run/echo.log" 2>&1 &
    echo $! >"$run/echo.pid"
fi
wait_hello 9000 echo

for i in $(seq 1 "$count"); do
    name="node$i"
    if running "$name"; then continue; fi
    (cd "$here" && exec "$bin" --conf "$name.json") >"$run/$name.log" 2>&1 &
    echo $! >"$run/$name.pid"
done
for i in $(seq 1 "$count"); do
    wait_hello "$(port_of "node$i")" "node$i"
    echo "node$i up: http://127.0.0.1:$(port_of "node$i") (pid $(cat "$run/node$i.pid"))"
done
