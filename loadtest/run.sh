#!/usr/bin/env bash
# Compares Sluice with nginx as a reverse proxy on this machine, turn by turn (nginx, sluice, nginx,
# sluice ...), and prints one table. Usage:
#
#   loadtest/run.sh keyless
#   loadtest/run.sh drl         (the distributed rate limiter on 3 nodes: see drl.sh)
#   loadtest/run.sh limits      (non-binding limits vs none as interleaved pairs: see limits-ab.sh)
#   loadtest/run.sh protected   (keyless vs protected: a key checked on every request, with its rate
#                               and quota, sessions on a local redis-server; SCENARIOS default "fast")
#
# Scenarios (SCENARIOS, default "fast slow"):
#   fast  upstream: nginx, 1 worker, a fixed 100-byte 200 answer. Proxies with W in FAST_WORKERS
#         ("1 2"), wrk at FAST_CONNS ("50 400") connections, 1 wrk thread.
#   slow  upstream: `sluice echo --delay-ms 50`. W in SLOW_WORKERS ("2"), SLOW_CONNS ("400 2000");
#         wrk uses 2 threads from 1000 connections up.
# LIMITS=1 adds a third turn, "sluicelim": the same gateway with a per-IP rate_limit and a
#         global_rate_limit on the API, both non-binding (10^9/s), so every request pays for two
#         decisions; the report then adds its req/s ratio to plain sluice (target >= 0.97; for a
#         decision use `run.sh limits`: separate gateways per turn are too noisy here).
# Knobs: DURATION (s per wrk run, 10), ROUNDS (2), WARMUP (s before each measured run, 1),
#        SKIP_BUILD=1 (use the existing .build/release/sluice), QUICK=1 (2 s runs, 1 round, no warm-up),
#        KEEP_TMP=1 (keep the generated configs and logs), SLUICE_BIN (default .build/release/sluice).
#        PIN=1 (1 worker: the proxy on CPU 0, everything else on CPU 1; with FAST_WORKERS=1).
# Output: the table on stdout and loadtest/results/keyless-STAMP.md, raw wrk outputs beside it in
# loadtest/results/keyless-STAMP/. Exit status 1 when a proxy failed to start or answer in any turn.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
source "$here/lib/sluice.sh"
source "$here/lib/wrk.sh"

mode=${1:-}
# The distributed limiter on a 3-node cluster: its own script.
[[ $mode == drl ]] && exec "$here/drl.sh"
# The cost of non-binding limits in throughput, as A/B pairs on one gateway: its own script.
[[ $mode == limits ]] && exec "$here/limits-ab.sh"
PROTECTED=0
if [[ $mode == protected ]]; then PROTECTED=1 SCENARIOS=${SCENARIOS:-fast} mode=keyless; fi
[[ $mode == keyless ]] || { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-1}
if [[ ${QUICK:-0} == 1 ]]; then DURATION=2 ROUNDS=1 WARMUP=0; fi
SCENARIOS=${SCENARIOS:-fast slow}
FAST_WORKERS=${FAST_WORKERS:-1 2}
# PIN=1 (with one proxy worker): the proxy under test on CPU 0, wrk, the upstream and redis-server
# on CPU 1, so that the proxy's throughput is its own core's, not a share of both cores that
# drifts with the scheduler (rounds of one binary differ by up to ±15% unpinned here).
if [[ ${PIN:-0} == 1 ]]; then
    WRAPPER=(taskset -c 0)
    CLIENT_WRAPPER=(taskset -c 1)
fi
FAST_CONNS=${FAST_CONNS:-50 400}
SLOW_WORKERS=${SLOW_WORKERS:-2}
SLOW_CONNS=${SLOW_CONNS:-400 2000}
SLOW_DELAY_MS=${SLOW_DELAY_MS:-50}
SLUICE_BIN=${SLUICE_BIN:-$root/.build/release/sluice}
KINDS="nginx sluice"
if [[ ${LIMITS:-0} == 1 ]]; then KINDS="nginx sluice sluicelim"; fi
if ((PROTECTED)); then KINDS="nginx sluice sluicekey"; fi

install_cleanup_traps
raise_nofile
ensure_tools nginx:nginx wrk:wrk python3:python3 curl:curl setsid:util-linux

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building sluice (swift build -c release)"
    (cd "$root" && swift build -c release --product sluice) >&2 || log "warning: the sluice build failed"
fi
sluice_ok=1
[[ -x $SLUICE_BIN ]] || { log "warning: $SLUICE_BIN is missing: sluice turns will fail"; sluice_ok=0; }

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-loadtest.XXXXXX")
chmod 755 "$WORK_DIR"  # nginx workers run as nobody when started by root
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$here/results"
name=keyless
((PROTECTED)) && name=protected
report="$here/results/$name-$stamp.md"
raw="$here/results/$name-$stamp"
mkdir -p "$raw"
failed=0

# start_proxy KIND DIR PORT WORKERS UPSTREAM_PORT: starts it and waits for a 200; sets PROXY_PID.
# Returns non-zero with REASON set when it does not answer.
start_proxy() {
    local kind=$1 dir=$2 port=$3 workers=$4 upstream=$5 rc=0
    case $kind in
    nginx) start_nginx_proxy "$dir" "$port" "$workers" "$upstream"; PROXY_LOG=$dir/error.log ;;
    sluice | sluicelim | sluicekey)
        if ((!sluice_ok)); then REASON="sluice binary missing"; return 1; fi
        local variant=""
        [[ $kind == sluicelim ]] && variant=limits
        [[ $kind == sluicekey ]] && variant=protected
        start_sluice_gateway "$dir" "$port" "$workers" "$upstream" $variant; PROXY_LOG=$dir/sluice.log ;;
    esac
    PROXY_PID=$STARTED_PID
    local ready="http://127.0.0.1:$port/"
    [[ $kind == sluicekey ]] && ready="http://127.0.0.1:$port/hello"
    wait_http "$ready" "$PROXY_PID" 15 || rc=$?
    case $rc in
    0) return 0 ;;
    2) REASON="$kind did not start (exited): $(tail -n 3 "$PROXY_LOG" 2>/dev/null | tr '\n' ' ')" ;;
    *) REASON="$kind did not answer 200 on 127.0.0.1:$port within 15 s: $(tail -n 3 "$PROXY_LOG" 2>/dev/null | tr '\n' ' ')" ;;
    esac
    stop_owned "$PROXY_PID"
    return 1
}

# run_scenario NAME UPSTREAM_PORT "WORKERS" "CONNS"
run_scenario() {
    local name=$1 upstream=$2 workers_list=$3 conns_list=$4 round w kind c threads port dir
    for round in $(seq "$ROUNDS"); do
        for w in $workers_list; do
            for kind in $KINDS; do
                port=$(free_port)
                dir="$WORK_DIR/$name-$kind-w$w-r$round"
                if ! start_proxy "$kind" "$dir" "$port" "$w" "$upstream"; then
                    log "$name round $round W=$w: $REASON"
                    echo "$REASON" >"$raw/${name}__w${w}__${kind}__r${round}.failed"
                    failed=1
                    continue
                fi
                WRK_HEADER=""
                [[ $kind == sluicekey ]] && WRK_HEADER="Authorization: $(create_bench_key "$port")"
                for c in $conns_list; do
                    threads=1
                    ((c >= 1000)) && threads=2
                    if ((WARMUP > 0)); then run_wrk "$WORK_DIR/warmup.txt" "$port" "$c" "$threads" "$WARMUP"; fi
                    log "$name round $round: $kind W=$w C=$c (${DURATION}s)"
                    local out="$raw/${name}__w${w}__c${c}__${kind}__r${round}.txt" ticks commands
                    ticks=$(cpu_ticks "$PROXY_PID")
                    ((PROTECTED)) && commands=$(redis_commands)
                    run_wrk "$out" "$port" "$c" "$threads" "$DURATION"
                    # The proxy's own CPU per request is steadier than req/s on a shared machine.
                    echo "# proxy cpu ticks: $((  $(cpu_ticks "$PROXY_PID") - ticks )) at $(getconf CLK_TCK)/s" >>"$out"
                    if [[ $kind == sluicekey ]]; then
                        echo "# redis commands: $(( $(redis_commands) - commands - 1 ))" >>"$out"
                    fi
                done
                stop_owned "$PROXY_PID"
            done
        done
    done
}

# Protected turns keep sessions and quotas in a redis-server of their own.
if ((PROTECTED)); then
    ensure_tools redis-server:redis-server redis-cli:redis-server
    REDIS_PORT=$(free_port)
    start_owned "$WORK_DIR/redis.log" "${CLIENT_WRAPPER[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
# Commands the redis-server processed so far (the INFO call itself is one).
redis_commands() {
    redis-cli -p "$REDIS_PORT" info stats | sed -n 's/^total_commands_processed:\([0-9]*\).*/\1/p'
}

for scenario in $SCENARIOS; do
    upstream_port=$(free_port)
    case $scenario in
    fast)
        start_nginx_upstream "$WORK_DIR/upstream-fast" "$upstream_port"
        upstream_pid=$STARTED_PID
        wait_http "http://127.0.0.1:$upstream_port/" "$upstream_pid" 15 ||
            die "the nginx upstream did not answer: $(tail -n 5 "$WORK_DIR/upstream-fast/error.log" 2>/dev/null)"
        run_scenario fast "$upstream_port" "$FAST_WORKERS" "$FAST_CONNS"
        ;;
    slow)
        if ((!sluice_ok)); then
            log "slow: skipped: it needs $SLUICE_BIN for its upstream (sluice echo)"
            failed=1
            continue
        fi
        start_sluice_echo "$WORK_DIR/upstream-slow.log" "$upstream_port" "$SLOW_DELAY_MS"
        upstream_pid=$STARTED_PID
        if ! wait_http "http://127.0.0.1:$upstream_port/" "$upstream_pid" 15; then
            log "slow: skipped: 'sluice echo --port $upstream_port --delay-ms $SLOW_DELAY_MS' did not answer 200:" \
                "$(tail -n 3 "$WORK_DIR/upstream-slow.log" 2>/dev/null | tr '\n' ' ')"
            stop_owned "$upstream_pid"
            failed=1
            continue
        fi
        run_scenario slow "$upstream_port" "$SLOW_WORKERS" "$SLOW_CONNS"
        ;;
    *) die "unknown scenario '$scenario' (fast, slow)" ;;
    esac
    stop_owned "$upstream_pid"
done

{
    echo "# $name: Sluice vs nginx, $stamp"
    echo
    echo "DURATION=${DURATION}s ROUNDS=$ROUNDS WARMUP=${WARMUP}s, $(nproc) cores, $(nginx -v 2>&1 | sed 's/.*: //')," \
        "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), sluice $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')." \
        "Medians over rounds; wrk, proxy and upstream share this machine's cores."
    echo
    python3 "$here/lib/table.py" "$raw"
    echo
    echo "Raw wrk outputs: $name-$stamp/"
} >"$report"
cat "$report"
log "report: ${report#"$root"/}"
if ((failed)); then
    log "some turns failed (see the notes above); exit status 1"
    exit 1
fi
