#!/usr/bin/env bash
# What non-binding rate limits cost in throughput (issue 4: limits >= 0.97 x plain), measured as many
# short interleaved A/B pairs on ONE gateway process, the limits toggled by its config. Usage:
#
#   loadtest/run.sh limits                 (or loadtest/limits-ab.sh)
#   CONTROL=1 loadtest/run.sh limits       (null test: both arms plain, the method's own spread)
#
# One sluice gateway (1 worker) in front of an nginx upstream (1 worker, a fixed 100-byte 200). Each
# of BLOCKS blocks starts a fresh gateway process and runs, per connection count in CONNS, PAIRS pairs
# of wrk runs: one with the API plain, one with a per-IP rate_limit and a global_rate_limit of 10^9/s
# (every request decided twice, none refused). Before EVERY run the API file is rewritten and the
# gateway reloaded (SIGHUP, waited for in its log), then WARMUP s of unmeasured load, then DURATION s
# measured: both arms pay the same reload and warm-up and differ only in the config. The order
# alternates (plain first, then limits first, ...), so a drift within a pair weighs on both arms.
# Per run: req/s (wrk) and the gateway's CPU time over the run (its threads' schedstat, user +
# system) / requests = CPU us per request. Per pair two ratios: req/s limits / plain, and capacity =
# CPU us per request plain / limits (the req/s a gateway whose CPU is the bottleneck gets). The
# summary (lib/limits_ab.py) gives per connection count the median ratio, a 95% bootstrap interval of
# the median, min-max, per-block medians, and a verdict against 0.97: "shown" when the interval's low
# end is >= 0.97, "not met" when its high end is < 0.97, "undecided" otherwise.
# Each block first checks that a reload reaches the request path: at 1 request per second, 3 quick
# requests must meet a 429. With NGINX=1 each block also measures nginx as the proxy (one process,
# same CPU, same wrk) once per connection count, for the sluice/nginx ratio.
# PIN chooses the CPUs (the nginx proxy takes the gateway's): "server" (default): the gateway and the
# upstream on CPU 0, wrk alone on CPU 1, so that CPU 0 is the bottleneck and req/s measures the
# server side; "alone": the gateway alone on CPU 0, wrk and the upstream on CPU 1 (then CPU 1 tends
# to be the bottleneck: the gateway's CPU share in the report says which); "0": no pinning.
# Knobs: CONNS ("50 400"), BLOCKS (3), PAIRS (10), DURATION (3 s), WARMUP (1 s), PIN (server), CONTROL (0),
#        NGINX (1), SKIP_BUILD=1, SLUICE_BIN (default .build/release/sluice), KEEP_TMP=1.
# Output: loadtest/results/limits-STAMP.md (tables, machine load before and after), raw wrk outputs
# with the CPU readings in loadtest/results/limits-STAMP/. Exit status 1 when a run failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
source "$here/lib/sluice.sh"
source "$here/lib/wrk.sh"

CONNS=${CONNS:-50 400}
BLOCKS=${BLOCKS:-3}
PAIRS=${PAIRS:-10}
DURATION=${DURATION:-3}
WARMUP=${WARMUP:-1}
PIN=${PIN:-server}
CONTROL=${CONTROL:-0}
NGINX=${NGINX:-1}
SLUICE_BIN=${SLUICE_BIN:-$root/.build/release/sluice}
# The second arm: the limits, or (CONTROL=1) the plain API again under another name.
second=limits
((CONTROL)) && second=control
# The CPUs of the proxy under test, the upstream and wrk (WRAPPER and CLIENT_WRAPPER prefix them).
case $PIN in
server) cpus=(0 0 1) ;;
alone) cpus=(0 1 1) ;;
0) cpus=() ;;
*) die "PIN must be server, alone or 0" ;;
esac
pinned() { ((${#cpus[@]})) && echo taskset -c "${cpus[$1]}"; return 0; }
read -ra WRAPPER <<<"$(pinned 0)"
# The reloads are awaited in the gateway's log: "reloaded" is logged at info.
export SLUICE_LOG_LEVEL=info

install_cleanup_traps
raise_nofile
ensure_tools nginx:nginx wrk:wrk python3:python3 curl:curl setsid:util-linux taskset:util-linux

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building sluice (swift build -c release)"
    (cd "$root" && swift build -c release --product sluice) >&2
fi
[[ -x $SLUICE_BIN ]] || die "$SLUICE_BIN is missing"

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-limits.XXXXXX")
chmod 755 "$WORK_DIR"  # nginx workers run as nobody when started by root
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$here/results"
report="$here/results/limits-$stamp.md"
raw="$here/results/limits-$stamp"
mkdir -p "$raw"
failed=0

# The machine before: the load average and the busiest processes.
machine_snapshot() { uptime; top -bn1 -o %CPU | sed -n '7,13p'; }
machine_snapshot >"$raw/machine-before.txt"

upstream=$(free_port)
read -ra CLIENT_WRAPPER <<<"$(pinned 1)"
start_nginx_upstream "$WORK_DIR/upstream" "$upstream"
wait_http "http://127.0.0.1:$upstream/" "$STARTED_PID" 15 || die "the nginx upstream did not answer"
read -ra CLIENT_WRAPPER <<<"$(pinned 2)"

# reload_gateway DIR PID: SIGHUP, then waits (5 s at most) for one more "reloaded" in its log.
reload_gateway() {
    local log=$1/sluice.log pid=$2 before i
    before=$(grep -c 'msg=reloaded' "$log" || true)
    kill -HUP "$pid"
    for i in $(seq 500); do
        (($(grep -c 'msg=reloaded' "$log" || true) > before)) && return 0
        sleep 0.01
    done
    die "the gateway did not reload within 5 s: $(tail -n 3 "$log" | tr '\n' ' ')"
}

# set_arm DIR PID ARM [RATE]: the API as ARM wants it (plain, control: no limits; limits), reloaded.
set_arm() {
    local variant=""
    [[ $3 == limits ]] && variant=limits
    write_bench_api "$1" "$upstream" "$variant" "${4:-}"
    reload_gateway "$1" "$2"
}

# check_toggle DIR PID PORT: a reload to limits of 1/s must refuse one of 3 quick requests.
check_toggle() {
    local codes="" i
    set_arm "$1" "$2" limits 1
    for i in 1 2 3; do codes+=" $(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$3/")"; done
    [[ $codes == *429* ]] || die "limits of 1/s did not refuse any of 3 requests after a reload (codes:$codes)"
    set_arm "$1" "$2" plain
    log "toggle checked: limits of 1/s after a reload answered$codes"
}

# measure OUT PID PORT CONNS: warm-up, then one measured wrk run; appends the CPU readings to OUT.
measure() {
    local out=$1 pid=$2 port=$3 c=$4 ns0 ns1 m0 m1 w0 w1 b0 s0 t0 b1 s1 t1
    ((WARMUP > 0)) && run_wrk "$WORK_DIR/warmup.txt" "$port" "$c" 1 "$WARMUP"
    w0=$(date +%s%N)
    ns0=$(run_ns "$pid")
    m0=$(machine_ticks)
    run_wrk "$out" "$port" "$c" 1 "$DURATION"
    ns1=$(run_ns "$pid")
    m1=$(machine_ticks)
    w1=$(date +%s%N)
    read -r b0 s0 t0 <<<"$m0"
    read -r b1 s1 t1 <<<"$m1"
    {
        echo "# proxy run ns: $((ns1 - ns0)) in $((w1 - w0)) ns"
        echo "# machine ticks busy/steal/total: $((b1 - b0)) $((s1 - s0)) $((t1 - t0))"
    } >>"$out"
    grep -q '^Requests/sec' "$out" || { log "wrk gave no result: $out"; failed=1; }
}

# nginx_reference BLOCK CONNS: nginx as the proxy (one process, where the gateway runs), once.
nginx_reference() {
    local dir=$WORK_DIR/nginx-b$1-c$2 port
    port=$(free_port)
    start_nginx_proxy "$dir" "$port" 1 "$upstream" off
    local pid=$STARTED_PID
    if wait_http "http://127.0.0.1:$port/" "$pid" 15; then
        measure "$raw/c$2__b$1__nginx.txt" "$pid" "$port" "$2"
    else
        log "the nginx proxy did not answer: $(tail -n 3 "$dir/error.log" 2>/dev/null | tr '\n' ' ')"
        failed=1
    fi
    stop_owned "$pid"
}

for block in $(seq "$BLOCKS"); do
    dir=$WORK_DIR/gateway-b$block
    port=$(free_port)
    start_sluice_gateway "$dir" "$port" 1 "$upstream"
    gateway=$STARTED_PID
    wait_http "http://127.0.0.1:$port/" "$gateway" 15 ||
        die "the gateway did not answer: $(tail -n 3 "$dir/sluice.log" | tr '\n' ' ')"
    check_toggle "$dir" "$gateway" "$port"
    for c in $CONNS; do
        for pair in $(seq "$PAIRS"); do
            order="plain $second"
            ((pair % 2 == 0)) && order="$second plain"
            log "block $block/$BLOCKS, $c connections, pair $pair/$PAIRS: $order"
            for arm in $order; do
                set_arm "$dir" "$gateway" "$arm"
                measure "$raw/c${c}__b${block}__p$(printf %02d "$pair")__$arm.txt" "$gateway" "$port" "$c"
            done
        done
    done
    stop_owned "$gateway"
    if ((NGINX)); then
        for c in $CONNS; do nginx_reference "$block" "$c"; done
    fi
done
machine_snapshot >"$raw/machine-after.txt"

{
    echo "# limits: throughput with non-binding rate limits vs without, $stamp"
    echo
    echo "BLOCKS=$BLOCKS PAIRS=$PAIRS DURATION=${DURATION}s WARMUP=${WARMUP}s PIN=$PIN CONTROL=$CONTROL," \
        "1 gateway worker, wrk -t1, $(nproc) cores, $(nginx -v 2>&1 | sed 's/.*: //')," \
        "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), sluice $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')."
    echo
    python3 "$here/lib/limits_ab.py" "$raw" "$second"
    echo
    echo "Machine before:"
    echo '```'
    cat "$raw/machine-before.txt"
    echo '```'
    echo "Machine after:"
    echo '```'
    cat "$raw/machine-after.txt"
    echo '```'
    echo
    echo "Raw wrk outputs: limits-$stamp/"
} >"$report"
cat "$report"
log "report: ${report#"$root"/}"
if ((failed)); then
    log "some runs failed (see above); exit status 1"
    exit 1
fi
