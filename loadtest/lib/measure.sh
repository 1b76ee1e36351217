# Setup shared by the per-request measurements (alloc/run.sh, callgrind.sh): an nginx upstream and
# one proxy under test, PROXY=sluice (default) or PROXY=nginx (single process: master_process off).
# LIMITS=1 gives the sluice API non-binding per-IP and global rate limits; PROTECTED=1 makes it need a
# key (embedded store; the key's header is then in BENCH_HEADER); VERSIONED=1 makes it a versioned
# API (see start_sluice_gateway).

# measure_setup: installs tools, builds sluice when needed, starts the upstream; sets WORK_DIR,
# UPSTREAM_PORT, PROXY, WORKERS, SLUICE_BIN.
measure_setup() {
    PROXY=${PROXY:-sluice}
    WORKERS=${WORKERS:-1}
    SLUICE_BIN=${SLUICE_BIN:-$root/.build/release/sluice}
    [[ $PROXY == sluice || $PROXY == nginx ]] || die "PROXY must be sluice or nginx"
    if [[ $PROXY == nginx && $WORKERS != 1 ]]; then
        log "PROXY=nginx is measured as one single process: WORKERS=1"
        WORKERS=1
    fi
    if [[ $PROXY == sluice && ${SKIP_BUILD:-0} != 1 ]]; then
        log "building sluice (swift build -c release)"
        (cd "$root" && swift build -c release --product sluice) >&2 || die "the sluice build failed"
    fi
    [[ $PROXY == nginx || -x $SLUICE_BIN ]] || die "$SLUICE_BIN is missing"
    WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-measure.XXXXXX")
    chmod 755 "$WORK_DIR"
    UPSTREAM_PORT=$(free_port)
    start_nginx_upstream "$WORK_DIR/upstream" "$UPSTREAM_PORT"
    wait_http "http://127.0.0.1:$UPSTREAM_PORT/" "$STARTED_PID" 15 || die "the nginx upstream did not answer"
}

# measure_name: the proxy under test as the results name it, with the gateway's variant
# ("sluice LIMITS=1", "nginx").
measure_name() {
    local name=$PROXY knob
    if [[ $PROXY == sluice ]]; then
        for knob in LIMITS PROTECTED VERSIONED IETF; do [[ ${!knob:-0} == 1 ]] && name+=" $knob=1"; done
    fi
    echo "$name"
}

# measure_start_proxy NAME [SECONDS]: starts the proxy under WRAPPER and waits for a 200; sets
# PROXY_PORT, PROXY_PID, PROXY_LOG. Dies with the log's tail when it does not answer.
measure_start_proxy() {
    local dir=$WORK_DIR/$1 limit=${2:-15} rc=0
    PROXY_PORT=$(free_port)
    if [[ $PROXY == nginx ]]; then
        start_nginx_proxy "$dir" "$PROXY_PORT" 1 "$UPSTREAM_PORT" off
        PROXY_LOG=$dir/stdout.log
    else
        local variant=""
        [[ ${LIMITS:-0} == 1 ]] && variant=limits
        [[ ${PROTECTED:-0} == 1 ]] && variant=protected
        start_sluice_gateway "$dir" "$PROXY_PORT" "$WORKERS" "$UPSTREAM_PORT" $variant
        PROXY_LOG=$dir/sluice.log
    fi
    PROXY_PID=$STARTED_PID
    local ready="http://127.0.0.1:$PROXY_PORT/"
    [[ ${PROTECTED:-0} == 1 ]] && ready="http://127.0.0.1:$PROXY_PORT/hello"
    wait_http "$ready" "$PROXY_PID" "$limit" || rc=$?
    if ((rc == 0)); then
        BENCH_HEADER=""
        [[ ${PROTECTED:-0} == 1 ]] && BENCH_HEADER="Authorization: $(create_bench_key "$PROXY_PORT")"
        return 0
    fi
    local why="did not answer 200 within ${limit}s"
    ((rc == 2)) && why="did not start (exited)"
    die "$PROXY $why: $(tail -n 5 "$PROXY_LOG" "$dir/error.log" 2>/dev/null | tr '\n' ' ')"
}
