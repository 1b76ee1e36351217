#!/usr/bin/env bash
# Heap allocations per proxied request, counted by our LD_PRELOAD shim (malloc-count.c).
#
#   loadtest/alloc/run.sh                 # sluice, 1 worker
#   PROXY=nginx loadtest/alloc/run.sh     # the same measurement of nginx (one process), as a check
#
# Starts an nginx upstream and the proxy under LD_PRELOAD, sends N1 keep-alive requests over one
# connection (warm-up), snapshots the count, sends N2 more on the same connection, snapshots again:
# allocations per request = (after - before) / N2, for the whole process (all threads).
# Knobs: N1 (2000), N2 (20000), WORKERS (1), SKIP_BUILD=1, SLUICE_BIN, LIMITS=1 (non-binding
#        per-IP and global rate limits on the API: the limiter's share of the count), PROTECTED=1 (the
#        API needs a key, from the embedded store: authentication's share of the count), VERSIONED=1
#        (the API is versioned: finding the request's version and checking it against the key),
#        IETF=1 (with LIMITS=1: the IETF rate-limit fields on every response),
#        MALLOC_COUNT_SIGNAL (a signal number; default SIGUSR2 for sluice, 40 for nginx, which uses USR2),
#        MAX_ALLOCS_PER_REQUEST (when set, exit 1 above it: the committed ceiling of a scenario).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lt=$(cd "$here/.." && pwd)
root=$(cd "$lt/.." && pwd)
source "$lt/lib/common.sh"
source "$lt/lib/nginx.sh"
source "$lt/lib/sluice.sh"
source "$lt/lib/measure.sh"

N1=${N1:-2000}
N2=${N2:-20000}
install_cleanup_traps
raise_nofile
ensure_tools nginx:nginx python3:python3 curl:curl gcc:gcc setsid:util-linux
measure_setup
if [[ $PROXY == nginx ]]; then sig=${MALLOC_COUNT_SIGNAL:-40}; else sig=${MALLOC_COUNT_SIGNAL:-$(kill -l USR2)}; fi

mkdir -p "$lt/build"
shim=$lt/build/malloc-count.so
gcc -O2 -Wall -shared -fPIC -o "$shim" "$here/malloc-count.c"

count=$WORK_DIR/count
WRAPPER=(env LD_PRELOAD="$shim" MALLOC_COUNT_FILE="$count" MALLOC_COUNT_SIGNAL="$sig")
measure_start_proxy proxy
log "$PROXY (pid $PROXY_PID, port $PROXY_PORT): $N1 warm-up + $N2 measured requests on one connection"
python3 "$lt/lib/client.py" --port "$PROXY_PORT" --warmup "$N1" --requests "$N2" ${BENCH_HEADER:+--header "$BENCH_HEADER"} \
    --before "'$here/snapshot.sh' $PROXY_PID $sig '$count' '$WORK_DIR/before'" \
    --after "'$here/snapshot.sh' $PROXY_PID $sig '$count' '$WORK_DIR/after'" >&2

read -r _ a1 f1 <"$WORK_DIR/before"
read -r _ a2 f2 <"$WORK_DIR/after"
per=$(python3 -c "print(f'{($a2 - $a1) / $N2:.3f}')")
frees=$(python3 -c "print(f'{($f2 - $f1) / $N2:.3f}')")
echo "$(measure_name), $WORKERS worker(s): $per allocations per request, $frees frees per request" \
    "($((a2 - a1)) allocations over $N2 requests)"
if [[ -n ${MAX_ALLOCS_PER_REQUEST:-} ]]; then
    python3 -c "import sys; sys.exit(0 if $per <= $MAX_ALLOCS_PER_REQUEST else 1)" ||
        die "$per allocations per request is above the ceiling $MAX_ALLOCS_PER_REQUEST"
fi
