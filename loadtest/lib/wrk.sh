# One wrk measurement, bounded in time, its output kept as a raw file for table.py.

# run_wrk OUTFILE PORT CONNECTIONS THREADS DURATION_S
run_wrk() {
    local out=$1 port=$2 conns=$3 threads=$4 duration=$5
    local url="http://127.0.0.1:$port/"
    {
        echo "# wrk -t$threads -c$conns -d${duration}s --latency --timeout 5s $url"
        timeout -k 5 $((duration + 30)) wrk -t"$threads" -c"$conns" -d"${duration}s" --latency --timeout 5s "$url" 2>&1 ||
            echo "# wrk exited with status $?"
    } >"$out"
}
