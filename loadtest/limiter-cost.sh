#!/usr/bin/env bash
# Cost of one rate-limit decision (TokenBucket.take), measured two ways:
#   1. instructions per decision: callgrind on a -O build, (Ir(N2) - Ir(N1)) / (N2 - N1) so that
#      process start-up cancels out;
#   2. wall-clock ns per decision with 1 and 2 threads sharing one bucket, beside a naive
#      Mutex-guarded bucket as the baseline.
# Builds loadtest/build/limiter-bench from Sources/Limiter/*.swift + loadtest/bench/LimiterBench.swift
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
(cd "$build" && swiftc -O -wmo -g -swift-version 6 -parse-as-library -module-name LimiterBench \
    "$root"/Sources/Limiter/*.swift "$root/loadtest/bench/LimiterBench.swift" -o limiter-bench)

instructions() {  # total Ir of `limiter-bench count $1`
    local out=$build/callgrind.$1.out
    valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$out" \
        "$build/limiter-bench" count "$1" >/dev/null 2>&1
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

n1=100000
n2=1100000
echo "== callgrind: $n1 and $n2 decisions (half admitted, half rejected)"
ir1=$(instructions $n1)
ir2=$(instructions $n2)
python3 -c "print(f'instructions per decision: {($ir2 - $ir1) / ($n2 - $n1):.1f}  (Ir {$ir1} -> {$ir2})')"

echo "== wall clock, $N decisions per thread, one shared bucket"
"$build/limiter-bench" time "$N" 1
"$build/limiter-bench" time "$N" 2
