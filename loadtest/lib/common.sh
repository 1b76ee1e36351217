# Shared helpers for the load-test scripts: logging, the processes a script owns, ports, tools.
# Sourced, never run. Every address is 127.0.0.1.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The processes this script started. Each is started with `setsid`, so it leads its own process
# group: stopping it stops its children too (nginx workers), and nothing else.
OWNED_PIDS=()

# A command prefix for the measured proxy (valgrind, env LD_PRELOAD=...): see nginx.sh, sluice.sh.
WRAPPER=()
# Prefix of the load generator, the upstream and redis-server (see PIN in run.sh), empty by default.
CLIENT_WRAPPER=()

# start_owned LOGFILE CMD...: starts CMD in the background in its own session; sets STARTED_PID.
start_owned() {
    local logfile=$1
    shift
    setsid "$@" >"$logfile" 2>&1 </dev/null &
    STARTED_PID=$!
    OWNED_PIDS+=("$STARTED_PID")
}

# stop_owned PID: TERM to its process group, KILL after 5 s.
stop_owned() {
    local pid=$1 i
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${OWNED_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
    OWNED_PIDS=("${kept[@]}")
}

cleanup() {
    local pid
    for pid in "${OWNED_PIDS[@]}"; do stop_owned "$pid"; done
    if [[ -n ${WORK_DIR:-} && -d $WORK_DIR && ${KEEP_TMP:-0} != 1 ]]; then rm -rf "$WORK_DIR"; fi
}

# Cleans up on every exit: normal, failure (set -e), Ctrl-C, TERM.
install_cleanup_traps() {
    trap cleanup EXIT
    trap 'log "interrupted"; exit 130' INT
    trap 'log "terminated"; exit 143' TERM
}

# A free TCP port on 127.0.0.1 (the kernel's choice; released before use, so a tiny race remains).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL PID [SECONDS]: waits until URL answers 200 while PID lives.
# Returns 0 when it does, 2 when PID died, 1 on timeout (default 15 s).
wait_http() {
    local url=$1 pid=$2 limit=${3:-15} code
    local deadline=$((SECONDS + limit))
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || return 2
        code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$url" 2>/dev/null) || true
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

# ensure_tools CMD:PACKAGE...: installs the packages whose commands are missing (Debian).
ensure_tools() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]} with apt-get"
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    # Keep the packages' service scripts from starting a system nginx (policy-rc.d 101 = "not now").
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod +x "$policy"
        made_policy=1
    fi
    local rc=0
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || rc=$?
    ((made_policy)) && "${sudo[@]}" rm -f "$policy"
    ((rc == 0)) || die "apt-get install ${missing[*]} failed"
}

# Raises the open-file limit of this shell (and so of everything it starts) to the hard limit.
raise_nofile() {
    local hard
    hard=$(ulimit -Hn)
    [[ $hard == unlimited ]] && hard=1048576
    ulimit -n "$hard" 2>/dev/null || log "warning: could not raise ulimit -n (now $(ulimit -n))"
}

# cpu_ticks PID: user+system clock ticks used so far by PID and its child processes (nginx's
# workers are children of its master; sluice is one process), from /proc. Processes may vanish
# while it reads: cat skips them.
cpu_ticks() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
        {
            pid = $1; line = $0; sub(/^[0-9]+ \(.*\) /, "", line); split(line, f, " ")
            if (pid == root || f[2] == root) total += f[12] + f[13]
        }
        END { print total + 0 }'
}
