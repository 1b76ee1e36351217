#!/usr/bin/env bash
# What non-binding rate limits cost in throughput (issue 4: limits >= 0.97 x plain), measured as many
# short interleaved A/B windows on ONE gateway process under one steady load, the limits toggled by
# its config. Usage:
#
#   loadtest/run.sh limits                 (or loadtest/limits-ab.sh)
#   CONTROL=1 loadtest/run.sh limits       (null test: both arms plain, the method's own spread)
#
# One sluice gateway (WORKERS, 1) in front of an nginx upstream (1 worker, a fixed 100-byte 200). Each
# of BLOCKS blocks starts a fresh gateway process; per connection count in CONNS one wrk run loads
# it without a pause while lib/limits_ab_pairs.py runs PAIRS pairs of windows: one with the API
# plain, one with a per-IP rate_limit and a global_rate_limit of 10^9/s (every request decided twice,
# none refused). Before EVERY window the API file is replaced and the gateway reloaded (SIGHUP,
# awaited in its log), then SETTLE s pass, then DURATION s are measured: both arms pay the same
# reload and differ only in the config, on the same binary, process and connections. Each pair's
# order is drawn at random (windows.tsv keeps it): neither a drift within a pair nor something
# periodic on the machine can favour one arm.
# Per window: proxied requests (the upstream's stub_status counter) / seconds = req/s, and the
# gateway's CPU time (its threads' schedstat, user + system) / requests = CPU us per request. Per
# pair two ratios: req/s limits / plain, and capacity = CPU us per request plain / limits (the req/s
# of a gateway whose CPU is the bottleneck). The summary (lib/limits_ab.py) gives per connection
# count the median ratio, a 95% bootstrap interval of the median, min-max, per-block medians, and a
# verdict against 0.97: "shown" when the interval's low end is >= 0.97, "not met" when its high end
# is < 0.97, "undecided" otherwise. wrk's own summary of each load is kept: errors (a 429 would be
# one) must be 0.
# Each block first checks that a reload reaches the request path: at 1 request per second, 3 quick
# requests must meet a 429. With NGINX=1 each block then measures nginx as the proxy (one process,
# the gateway's CPU, the same load) in PAIRS / 5 pairs of windows per connection count, for scale.
# PIN chooses the CPUs (the nginx proxy takes the gateway's): "server" (default): the gateway and the
# upstream on CPU 0, wrk alone on CPU 1, so that CPU 0 is the bottleneck and req/s measures the
# server side; "alone": the gateway alone on CPU 0, wrk and the upstream on CPU 1 (then CPU 1 tends
# to be the bottleneck: the cores the gateway kept busy, in the report, say which); "0": no pinning.
# Knobs: CONNS ("50 400"), BLOCKS (3), PAIRS (30), DURATION (1 s), SETTLE (0.25 s), WARMUP (1 s of
#        load before the first window), PIN (server), CONTROL (0), NGINX (1; only with WORKERS=1),
#        WORKERS (1; more with PIN=0), SKIP_BUILD=1, SLUICE_BIN (default .build/release/sluice), KEEP_TMP=1.
# Output: loadtest/results/limits-STAMP.md (tables, machine load before and after), the windows
# (windows.tsv) and wrk's outputs in loadtest/results/limits-STAMP/. Exit status 1 when a load failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
source "$here/lib/sluice.sh"

CONNS=${CONNS:-50 400}
BLOCKS=${BLOCKS:-3}
PAIRS=${PAIRS:-30}
DURATION=${DURATION:-1}
SETTLE=${SETTLE:-0.25}
WARMUP=${WARMUP:-1}
PIN=${PIN:-server}
CONTROL=${CONTROL:-0}
NGINX=${NGINX:-1}
WORKERS=${WORKERS:-1}
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
((WORKERS == 1 || ${#cpus[@]} == 0)) || die "WORKERS=$WORKERS needs PIN=0 (a pinned gateway has one CPU)"
# The nginx reference is one process (its CPU time is read from that process alone): 1 worker.
((WORKERS == 1)) || NGINX=0
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
windows=$raw/windows.tsv
failed=0

# The machine before: the load average and the busiest processes.
machine_snapshot() { uptime; top -bn1 -o %CPU | sed -n '7,13p'; }
machine_snapshot >"$raw/machine-before.txt"

upstream=$(free_port)
read -ra CLIENT_WRAPPER <<<"$(pinned 1)"
start_nginx_upstream "$WORK_DIR/upstream" "$upstream"
upstream_pid=$STARTED_PID
wait_http "http://127.0.0.1:$upstream/" "$upstream_pid" 15 || die "the nginx upstream did not answer"
read -ra CLIENT_WRAPPER <<<"$(pinned 2)"

# The arms' API files; a window's arm is copied over the gateway's own.
write_bench_api "$WORK_DIR/arm-plain" "$upstream"
write_bench_api "$WORK_DIR/arm-limits" "$upstream" limits
arm_file() { [[ $1 == limits ]] && echo "$WORK_DIR/arm-limits/apps/bench.json" || echo "$WORK_DIR/arm-plain/apps/bench.json"; }

# switch_to DIR PID FILE: FILE becomes the gateway's API, reloaded (lib/limits_ab_pairs.py, no window).
switch_to() {
    python3 "$here/lib/limits_ab_pairs.py" /dev/null 0 0 "$2" "$upstream" 0 0 0 "switch=$3:$1/apps/bench.json:$1/sluice.log"
}

# check_toggle DIR PID PORT: after a reload to limits of 1/s, one of 3 quick requests must be refused;
# then back to plain.
check_toggle() {
    local dir=$1 pid=$2 port=$3 codes="" i
    write_bench_api "$WORK_DIR/arm-probe" "$upstream" limits 1
    switch_to "$dir" "$pid" "$WORK_DIR/arm-probe/apps/bench.json"
    for i in 1 2 3; do codes+=" $(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/")"; done
    [[ $codes == *429* ]] || die "limits of 1/s did not refuse any of 3 requests after a reload (codes:$codes)"
    switch_to "$dir" "$pid" "$(arm_file plain)"
    log "toggle checked: after a reload to limits of 1/s, 3 requests got$codes"
}

# load_windows BLOCK CONNS PID PORT PAIRS ARM...: wrk on PORT without a pause while the windows run.
load_windows() {
    local block=$1 c=$2 pid=$3 port=$4 pairs=$5 out
    shift 5
    out="$raw/c${c}__b${block}__${1%%=*}.wrk.txt"
    echo "# wrk -t1 -c$c -d3600s --timeout 5s http://127.0.0.1:$port/ (stopped by SIGINT)" >"$out"
    start_owned "$out.run" "${CLIENT_WRAPPER[@]}" wrk -t1 -c"$c" -d3600s --timeout 5s "http://127.0.0.1:$port/"
    local wrk_pid=$STARTED_PID rc=0
    sleep "$WARMUP"
    python3 "$here/lib/limits_ab_pairs.py" "$windows" "$c" "$block" "$pid,$upstream_pid,$wrk_pid" "$upstream" \
        "$pairs" "$DURATION" "$SETTLE" "$@" || rc=$?
    kill -INT "$wrk_pid" 2>/dev/null || true  # wrk prints its summary on SIGINT
    wait "$wrk_pid" 2>/dev/null || true
    stop_owned "$wrk_pid"
    cat "$out.run" >>"$out"
    rm -f "$out.run"
    if ((rc != 0)) || ! grep -q '^Requests/sec' "$out"; then
        log "block $block, $c connections: the windows or wrk failed (see $out)"
        failed=1
    fi
}

for block in $(seq "$BLOCKS"); do
    dir=$WORK_DIR/gateway-b$block
    port=$(free_port)
    start_sluice_gateway "$dir" "$port" "$WORKERS" "$upstream"
    gateway=$STARTED_PID
    wait_http "http://127.0.0.1:$port/" "$gateway" 15 ||
        die "the gateway did not answer: $(tail -n 3 "$dir/sluice.log" | tr '\n' ' ')"
    check_toggle "$dir" "$gateway" "$port"
    api=$dir/apps/bench.json
    for c in $CONNS; do
        log "block $block/$BLOCKS, $c connections: $PAIRS pairs plain/$second"
        load_windows "$block" "$c" "$gateway" "$port" "$PAIRS" \
            "plain=$(arm_file plain):$api:$dir/sluice.log" "$second=$(arm_file "$second"):$api:$dir/sluice.log"
    done
    stop_owned "$gateway"
    if ((NGINX)); then
        port=$(free_port)
        start_nginx_proxy "$WORK_DIR/nginx-b$block" "$port" 1 "$upstream" off
        proxy=$STARTED_PID
        wait_http "http://127.0.0.1:$port/" "$proxy" 15 || die "the nginx proxy did not answer"
        for c in $CONNS; do
            log "block $block/$BLOCKS, $c connections: nginx as the proxy"
            load_windows "$block" "$c" "$proxy" "$port" $(((PAIRS + 4) / 5)) nginx
        done
        stop_owned "$proxy"
    fi
done
machine_snapshot >"$raw/machine-after.txt"

{
    echo "# limits: throughput with non-binding rate limits vs without, $stamp"
    echo
    echo "BLOCKS=$BLOCKS PAIRS=$PAIRS DURATION=${DURATION}s SETTLE=${SETTLE}s PIN=$PIN CONTROL=$CONTROL CONNS=\"$CONNS\"," \
        "gateway workers $WORKERS, wrk -t1, $(nproc) cores, $(nginx -v 2>&1 | sed 's/.*: //')," \
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
    echo "Windows and wrk outputs: limits-$stamp/"
} >"$report"
cat "$report"
log "report: ${report#"$root"/}"
if ((failed)); then
    log "some loads failed (see above); exit status 1"
    exit 1
fi
