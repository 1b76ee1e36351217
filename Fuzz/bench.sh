#!/bin/sh
# Builds the HTTP target (-O, whole module, as a separate module like in the gateway) and
# Fuzz/bench/ParseBench.swift with plain swiftc, then counts instructions per parse under
# callgrind for three heads: a wrk request, an nginx response, a browser request with 12 fields.
# Only the benchmark's measure* functions are collected, so a malloc in the loop would appear in
# their profile; the script fails if one does. Build output goes to Fuzz/build/bench (gitignored).
# Usage: Fuzz/bench.sh [iterations] [--profile]   (--profile prints the top functions per case)
set -eu
N=${1:-20000}
PROFILE=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/Fuzz/build/bench"
mkdir -p "$B"
rm -f "$B/libHTTP.a"  # swiftc adds to an existing archive: a removed source file would linger
swiftc -O -wmo -g -parse-as-library -module-name HTTP -emit-module -emit-module-path "$B/HTTP.swiftmodule" \
    -emit-library -static -o "$B/libHTTP.a" "$ROOT"/Sources/HTTP/*.swift
swiftc -O -g -parse-as-library -I "$B" -L "$B" -lHTTP "$ROOT/Fuzz/bench/ParseBench.swift" -o "$B/parse-bench"
status=0
for c in request response browser; do
    out="$B/callgrind.$c.out"
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*measure*' \
        "$B/parse-bench" "$c" "$N" > "$B/$c.log" 2>&1 || { cat "$B/$c.log"; exit 1; }
    total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out")
    report=$(callgrind_annotate --inclusive=no "$out" 2>/dev/null)
    mallocs=$(printf '%s\n' "$report" | grep -c -E '(malloc|swift_allocObject|swift_slowAlloc)' || true)
    printf '%-9s %6d instructions/parse' "$c" $((total / N))
    if [ "$mallocs" -gt 0 ]; then printf '  ALLOCATES'; status=1; else printf '  no malloc'; fi
    printf '\n'
    if [ "$PROFILE" = "--profile" ]; then
        printf '%s\n' "$report" | sed -n '/^Ir/,$p' | sed -n '3,16p' | cut -c1-150
    fi
done
exit $status
