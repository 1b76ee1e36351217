# Sluice instances of the load tests: the gateway with a generated config and API directory, and
# `sluice echo`, the delaying upstream.

# start_sluice_gateway DIR PORT WORKERS UPSTREAM_PORT [LIMITS]: one keyless API on "/" to the upstream;
# with LIMITS=limits the API also has a per-IP rate_limit and a global_rate_limit, both far above any
# rate this machine reaches (every request is decided, none is refused).
# Prefixes the binary with WRAPPER (an array: valgrind, env LD_PRELOAD=...), empty by default.
start_sluice_gateway() {
    local dir=$1 port=$2 workers=$3 upstream=$4 limits=""
    if [[ ${5:-} == limits ]]; then
        limits='"rate_limit": {"by": "ip", "rate": 1000000000, "per": 1}, "global_rate_limit": {"rate": 1000000000, "per": 1},'
    fi
    mkdir -p "$dir/apps"
    cat >"$dir/apps/bench.json" <<JSON
{"api_id": "bench", "name": "bench", "use_keyless": true, "active": true, $limits
 "proxy": {"listen_path": "/", "target_url": "http://127.0.0.1:$upstream", "strip_listen_path": false},
 "version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default"}}}}
JSON
    cat >"$dir/sluice.conf" <<JSON
{"listen_address": "127.0.0.1", "listen_port": $port, "app_path": "$dir/apps", "log_level": "warn"}
JSON
    start_owned "$dir/sluice.log" env SLUICE_WORKERS="$workers" "${WRAPPER[@]}" "$SLUICE_BIN" --conf "$dir/sluice.conf"
}

# start_sluice_echo LOGFILE PORT DELAY_MS: answers every request with 200 after DELAY_MS.
start_sluice_echo() {
    start_owned "$1" "$SLUICE_BIN" echo --port "$2" --delay-ms "$3"
}
