#!/usr/bin/env bash
# Cost of one rate-limit decision, measured two ways, for the API-wide bucket (TokenBucket.take) and for
# the per-client path (SipHash-2-4 of a 16-byte address + KeyedLimiter lookup + GCRA take, alone and
# with the cluster's per-cell counters):
#   1. instructions per decision: callgrind on a -O build, (Ir(N2) - Ir(N1)) / (N2 - N1) so that
#      process start-up cancels out;
#   2. heap allocations per decision: valgrind memcheck's count at N and N + 100,000 (must not grow);
#   3. wall-clock ns per decision with 1 and 2 threads sharing one bucket, beside a naive
#      Mutex-guarded bucket as the baseline.
# Builds loadtest/build/limiter-bench from Sources/Limiter/{,Cluster/}*.swift + loadtest/bench/LimiterBench.swift (and Crypto)
# with plain swiftc -O -wmo, as a SwiftPM release build compiles (no Package.swift change). Knobs: N (decisions for timing, default 20000000).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/loadtest/build
mkdir -p "$build"
N=${N:-20000000}

command -v valgrind >/dev/null || {
    echo "limiter-cost: installing valgrind" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
}

echo "== building $build/limiter-bench (swiftc -O)"
# Run swiftc inside build/: with -g it leaves module files in the current directory.
# Crypto (the Limiter's one dependency: MurmurHash3's finaliser) as a static library first.
(cd "$build" && swiftc -O -wmo -swift-version 6 -parse-as-library -module-name Crypto -emit-module \
    -emit-module-path Crypto.swiftmodule -emit-library -static -o libCrypto.a "$root"/Sources/Crypto/*.swift &&
    swiftc -O -wmo -g -swift-version 6 -parse-as-library -module-name LimiterBench -I . -L . -lCrypto \
    "$root"/Sources/Limiter/*.swift "$root"/Sources/Limiter/Cluster/*.swift "$root/loadtest/bench/LimiterBench.swift" \
    -o limiter-bench)

instructions() {  # total Ir of `limiter-bench MODE N`
    local out=$build/callgrind.$1.$2.out
    valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$out" \
        "$build/limiter-bench" "$1" "$2" >/dev/null 2>&1
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

n1=100000
n2=1100000
for mode in count count-keyed count-keyed-cluster; do
    echo "== callgrind $mode: $n1 and $n2 decisions (half admitted, half rejected)"
    ir1=$(instructions $mode $n1)
    ir2=$(instructions $mode $n2)
    python3 -c "print(f'$mode: instructions per decision: {($ir2 - $ir1) / ($n2 - $n1):.1f}  (Ir {$ir1} -> {$ir2})')"
done

allocs() {  # heap allocations of `limiter-bench MODE N` (valgrind memcheck's heap summary)
    valgrind --tool=memcheck "$build/limiter-bench" "$1" "$2" 2>&1 >/dev/null |
        awk '/total heap usage:/ { gsub(",", "", $5); print $5; exit }'
}
for mode in count count-keyed count-keyed-cluster; do
    a1=$(allocs $mode 1000)
    a2=$(allocs $mode 101000)
    echo "$mode: heap allocations for 1,000 and 101,000 decisions: $a1 and $a2 ($((a2 - a1)) for the extra 100,000)"
done

echo "== wall clock, $N decisions per thread, one shared bucket / one shared table"
"$build/limiter-bench" time "$N" 1
"$build/limiter-bench" time "$N" 2
