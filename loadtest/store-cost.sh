#!/usr/bin/env bash
# Cost of the Store on this machine, with -O builds:
#   1. RedisStore commands/s against a local redis-server: one at a time, pipelined (1,000 in
#      flight), beside redis-benchmark (hiredis's own C benchmark) with the same pipelining as the
#      baseline;
#   2. ns per quota decision: QuotaLeaser spending leased blocks vs one store increment per request.
# Builds loadtest/build/store-bench from Sources/Posix, Sources/Store and loadtest/bench/StoreBench.swift
# with plain swiftc -O -wmo (no Package.swift change). Knobs: N (quota decisions, default 10000000).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/loadtest/build/store
mkdir -p "$build"
N=${N:-10000000}
bash scripts/setup.sh test

echo "== building $build/store-bench (swiftc -O)"
cat > "$build/module.modulemap" <<MAP
module CLinux { header "$root/Sources/CLinux/include/CLinux.h" export * }
MAP
(
    cd "$build"
    clang -O2 -c "$root/Sources/CLinux/shims.c" -I "$root/Sources/CLinux/include" -o shims.o
    swiftc -O -wmo -swift-version 6 -parse-as-library -module-name Posix -I . -emit-module \
        -emit-module-path Posix.swiftmodule -emit-library -static -o libPosix.a "$root"/Sources/Posix/*.swift
    swiftc -O -wmo -swift-version 6 -parse-as-library -module-name Store -I . -I "$root/Sources/CHiredis" \
        -emit-module -emit-module-path Store.swiftmodule -emit-library -static -o libStore.a \
        "$root"/Sources/Store/*.swift
    swiftc -O -swift-version 6 -parse-as-library -I . -I "$root/Sources/CHiredis" -L . -lStore -lPosix \
        shims.o -lhiredis "$root/loadtest/bench/StoreBench.swift" -o store-bench
)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --logfile "$dir/log" &
redis=$!
trap 'kill $redis 2>/dev/null; rm -rf "$dir"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done

echo "== RedisStore on 127.0.0.1:$port (one connection, one loop)"
"$build/store-bench" redis "$port"
echo "== baseline: redis-benchmark, one connection, 256-byte values"
redis-benchmark -p "$port" -c 1 -n 20000 -d 256 -t set -q | tr '\r' '\n' | grep 'requests per second' | sed 's/^/one at a time: /'
redis-benchmark -p "$port" -c 1 -n 500000 -P 1000 -d 256 -t set,get -q | tr '\r' '\n' | grep 'requests per second' | sed 's/^/pipelined 1,000: /'
echo "== quota decisions ($N)"
"$build/store-bench" quota "$N"
