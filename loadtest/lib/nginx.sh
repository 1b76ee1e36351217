# nginx configurations of the load tests: a fixed-answer upstream and a reverse proxy.
# Each instance gets its own prefix directory (config, pid, logs, temp paths): the system nginx
# configuration is never read.

# The upstream's answer: 100 bytes.
UPSTREAM_BODY='sluice-loadtest-upstream-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwx'

_nginx_common() {  # _nginx_common PREFIX WORKERS [MASTER_PROCESS on|off]
    cat <<CONF
daemon off;
master_process ${3:-on};
worker_processes $2;
worker_rlimit_nofile 65536;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 16384; multi_accept on; }
CONF
}

_nginx_http_common() {  # _nginx_http_common PREFIX
    cat <<CONF
    access_log off;
    client_body_temp_path $1/client_body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
CONF
}

# start_nginx_upstream PREFIX PORT: one worker answering every request with 200 and UPSTREAM_BODY,
# but /nginx-status: its stub_status (the requests it counted, for limits-ab.sh).
start_nginx_upstream() {
    local prefix=$1 port=$2
    mkdir -p "$prefix"
    {
        _nginx_common "$prefix" 1
        echo "http {"
        _nginx_http_common "$prefix"
        cat <<CONF
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            default_type text/plain;
            return 200 "$UPSTREAM_BODY";
        }
        location = /nginx-status { stub_status; }
    }
}
CONF
    } >"$prefix/nginx.conf"
    start_owned "$prefix/stdout.log" "${CLIENT_WRAPPER[@]}" nginx -p "$prefix" -e "$prefix/error.log" -c "$prefix/nginx.conf"
}

# start_nginx_proxy PREFIX PORT WORKERS UPSTREAM_PORT [MASTER_PROCESS]: a reverse proxy with a
# keep-alive pool. MASTER_PROCESS off runs one single process (for per-process measurements).
# Prefixes the command with WRAPPER (an array: valgrind, env LD_PRELOAD=...), empty by default.
start_nginx_proxy() {
    local prefix=$1 port=$2 workers=$3 upstream=$4 master=${5:-on}
    mkdir -p "$prefix"
    {
        _nginx_common "$prefix" "$workers" "$master"
        echo "http {"
        _nginx_http_common "$prefix"
        cat <<CONF
    upstream backend {
        server 127.0.0.1:$upstream;
        keepalive 512;
        keepalive_requests 1000000;
        keepalive_timeout 300s;
    }
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
    } >"$prefix/nginx.conf"
    start_owned "$prefix/stdout.log" "${WRAPPER[@]}" nginx -p "$prefix" -e "$prefix/error.log" -c "$prefix/nginx.conf"
}
