# Sluice instances of the load tests: the gateway with a generated config and API directory, and
# `sluice echo`, the delaying upstream.

# start_sluice_gateway DIR PORT WORKERS UPSTREAM_PORT [limits|protected]: one keyless API on "/" to
# the upstream; with "limits" the API also has a per-IP rate_limit and a global_rate_limit, both far
# above any rate this machine reaches (every request is decided, none is refused); with "protected"
# the API needs a key, sessions live in the redis-server on REDIS_PORT (the embedded store when it is
# unset), and the control API's secret is "bench" (make the key with create_bench_key). With
# VERSIONED=1 the API is versioned (by an `x-api-version` header the requests leave out: every
# request looks for it and takes the default version, which a key's access rights then list).
# With IETF=1 the gateway adds the IETF rate-limit fields (`rate_limit_headers: "ietf"`) to every
# response of a limited API. Prefixes the binary with WRAPPER (an array: valgrind, env LD_PRELOAD=...),
# empty by default.
start_sluice_gateway() {
    local dir=$1 port=$2 workers=$3 upstream=$4 storage=""
    if [[ ${5:-} == protected ]]; then
        storage=", \"secret\": \"bench\""
        [[ -n ${REDIS_PORT:-} ]] && storage+=", \"storage\": {\"type\": \"redis\", \"host\": \"127.0.0.1\", \"port\": $REDIS_PORT}"
    fi
    write_bench_api "$dir" "$upstream" "${5:-}"
    cat >"$dir/sluice.conf" <<JSON
{"listen_address": "127.0.0.1", "listen_port": $port, "app_path": "$dir/apps", "log_level": "warn"$storage}
JSON
    local headers=""
    [[ ${IETF:-0} == 1 ]] && headers=ietf
    start_owned "$dir/sluice.log" env SLUICE_WORKERS="$workers" SLUICE_RATE_LIMIT_HEADERS="$headers" \
        "${WRAPPER[@]}" "$SLUICE_BIN" --conf "$dir/sluice.conf"
}

# create_bench_key PORT: prints a key for the "bench" API of a protected gateway, with a rate and a
# quota far above what this machine reaches (every request pays for the key, its rate and its quota).
create_bench_key() {
    curl -s -X POST "http://127.0.0.1:$1/tyk/keys/create" -H 'x-tyk-authorization: bench' \
        -d '{"org_id": "bench", "rate": 1000000000, "per": 1, "quota_max": 1000000000000, "quota_renewal_rate": 3600,
             "access_rights": {"bench": {"api_id": "bench", "versions": ["Default"]}}}' |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])'
}

# start_sluice_echo LOGFILE PORT DELAY_MS: answers every request with 200 after DELAY_MS.
start_sluice_echo() {
    start_owned "$1" "${CLIENT_WRAPPER[@]}" "$SLUICE_BIN" echo --port "$2" --delay-ms "$3"
}

# write_bench_api DIR UPSTREAM_PORT [limits|protected] [RATE]: writes DIR/apps/bench.json, the API
# of start_sluice_gateway; RATE (default 10^9) is the per-second rate of both "limits" (a
# running gateway takes a rewritten file on SIGHUP: limits-ab.sh toggles the limits so).
write_bench_api() {
    local dir=$1 upstream=$2 limits="" keyless=true rate=${4:-1000000000}
    if [[ ${3:-} == limits ]]; then
        limits="\"rate_limit\": {\"by\": \"ip\", \"rate\": $rate, \"per\": 1}, \"global_rate_limit\": {\"rate\": $rate, \"per\": 1},"
    elif [[ ${3:-} == protected ]]; then
        keyless=false
    fi
    local versions='"version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default"}}}'
    [[ ${VERSIONED:-0} == 1 ]] &&
        versions='"definition": {"location": "header", "key": "x-api-version"}, "version_data": {"not_versioned": false, "default_version": "Default", "versions": {"Default": {"name": "Default"}}}'
    mkdir -p "$dir/apps"
    cat >"$dir/apps/bench.json" <<JSON
{"api_id": "bench", "name": "bench", "use_keyless": $keyless, "active": true, $limits
 "proxy": {"listen_path": "/", "target_url": "http://127.0.0.1:$upstream", "strip_listen_path": false},
 $versions}
JSON
}
