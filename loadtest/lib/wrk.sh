# One wrk measurement, bounded in time, its output kept as a raw file for table.py.

# run_wrk OUTFILE PORT CONNECTIONS THREADS DURATION_S (WRK_HEADER, when set, is sent on every request)
# wrk runs as an owned background process and the script `wait`s for it: a trapped signal
# (Ctrl-C, TERM) interrupts `wait` at once, and the cleanup trap stops wrk with the rest.
run_wrk() {
    local out=$1 port=$2 conns=$3 threads=$4 duration=$5 rc=0
    local url="http://127.0.0.1:$port/" header=()
    [[ -n ${WRK_HEADER:-} ]] && header=(-H "$WRK_HEADER")
    echo "# wrk -t$threads -c$conns -d${duration}s --latency --timeout 5s ${header[*]:+-H <header>} $url" >"$out.cmd"
    start_owned "$out.run" "${CLIENT_WRAPPER[@]}" timeout -k 5 $((duration + 30)) \
        wrk -t"$threads" -c"$conns" -d"${duration}s" --latency --timeout 5s "${header[@]}" "$url"
    wait "$STARTED_PID" || rc=$?
    stop_owned "$STARTED_PID"
    { cat "$out.cmd" "$out.run"; ((rc == 0)) || echo "# wrk exited with status $rc"; } >"$out"
    rm -f "$out.cmd" "$out.run"
}
