#!/usr/bin/env bash
# User-space instructions and syscalls per proxied request.
#
#   loadtest/callgrind.sh                 # sluice, 1 worker
#   PROXY=nginx loadtest/callgrind.sh     # nginx (one process), as a check and a baseline
#   LIMITS=1 loadtest/callgrind.sh        # sluice with the `sluicelim` API of `run.sh keyless`: a per-IP
#                                         # rate_limit and a global_rate_limit, both non-binding (10^9/s)
#
# 1. The proxy runs under `valgrind --tool=callgrind --dump-instr=${DUMP_INSTR:-no}`; after N1 keep-alive warm-up
#    requests `callgrind_control -z` zeroes the counters, N2 requests follow on the same connection,
#    `callgrind_control -d` dumps: instructions per request = Ir / N2 (all threads of the process).
# 2. The proxy runs again without valgrind; after the warm-up `strace -c -f -p PID` attaches, N2
#    requests, strace detaches: syscalls per request = calls / N2, with the per-call table.
# Knobs: N1 (500), N2 (5000), WORKERS (1), SKIP_BUILD=1, SLUICE_BIN, STEPS ("callgrind strace"),
#        DUMP_INSTR=yes (per-line counts: callgrind_annotate --auto=yes on the kept dump, KEEP_TMP=1),
#        LIMITS=1, PROTECTED=1, VERSIONED=1, IETF=1 (the gateway's variants: see lib/measure.sh; the result
#        lines name the variant).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

# Hooks run by client.py between the warm-up and the measured requests.
case ${1:-} in
__strace-start)  # PID OUT PIDFILE: attach in the background, return once attached
    strace -c -f -p "$2" -o "$3" 2>/dev/null &
    echo $! >"$4"
    for _ in $(seq 250); do
        tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$2/status")
        [[ $tracer != 0 ]] && exit 0
        sleep 0.02
    done
    echo "strace did not attach to $2" >&2
    exit 1
    ;;
__strace-stop)  # PIDFILE: detach, strace writes its table
    pid=$(cat "$2")
    kill -INT "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    exit 0
    ;;
esac

source "$here/lib/common.sh"
source "$here/lib/nginx.sh"
source "$here/lib/sluice.sh"
source "$here/lib/measure.sh"
N1=${N1:-500}
N2=${N2:-5000}
STEPS=${STEPS:-callgrind strace}
install_cleanup_traps
raise_nofile
ensure_tools nginx:nginx python3:python3 curl:curl valgrind:valgrind strace:strace setsid:util-linux
measure_setup

for step in $STEPS; do
    case $step in
    callgrind)
        out=$WORK_DIR/callgrind.out
        WRAPPER=(valgrind --tool=callgrind --dump-instr=${DUMP_INSTR:-no} --callgrind-out-file="$out")
        measure_start_proxy callgrind 120
        log "$PROXY under callgrind (pid $PROXY_PID): $N1 warm-up + $N2 measured requests"
        python3 "$here/lib/client.py" --port "$PROXY_PORT" --warmup "$N1" --requests "$N2" ${BENCH_HEADER:+--header "$BENCH_HEADER"} \
            --before "callgrind_control -z $PROXY_PID >/dev/null" \
            --after "callgrind_control -d $PROXY_PID >/dev/null" >&2
        # The dump of `-d` is the newest file beside $out (named $out.<n>, or $out.<pid>.<n>).
        dump=$(ls -t "$out".* 2>/dev/null | head -n 1 || true)
        [[ -n $dump ]] || die "no callgrind dump found beside $out: did valgrind run the proxy itself (not a wrapper script)?"
        ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$dump")
        echo "$(measure_name), $WORKERS worker(s): $(python3 -c "print(f'{$ir / $N2:,.0f}')") instructions per request" \
            "(user space, all threads; Ir $ir over $N2 requests)"
        stop_owned "$PROXY_PID"
        ;;
    strace)
        WRAPPER=()
        measure_start_proxy strace
        table=$WORK_DIR/strace.txt
        log "$PROXY under strace -c (pid $PROXY_PID): $N1 warm-up + $N2 measured requests"
        python3 "$here/lib/client.py" --port "$PROXY_PORT" --warmup "$N1" --requests "$N2" ${BENCH_HEADER:+--header "$BENCH_HEADER"} \
            --before "'$0' __strace-start $PROXY_PID '$table' '$WORK_DIR/strace.pid'" \
            --after "'$0' __strace-stop '$WORK_DIR/strace.pid'" >&2
        # strace -c columns: % time, seconds, usecs/call, calls, [errors], syscall.
        calls=$(awk '$NF == "total" { print $4 }' "$table")
        echo "$(measure_name), $WORKERS worker(s): $(python3 -c "print(f'{$calls / $N2:.2f}')") syscalls per request" \
            "($calls over $N2 requests, all threads):"
        awk -v n="$N2" '$1 ~ /^[0-9.]+$/ && $NF != "total" { printf "  %-16s %8.2f per request\n", $NF, $4 / n }' "$table"
        stop_owned "$PROXY_PID"
        ;;
    *) die "unknown step '$step' (callgrind, strace)" ;;
    esac
done
