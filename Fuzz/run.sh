#!/bin/sh
# Builds the HTTP target and Fuzz/FuzzHTTP.swift with plain swiftc under libFuzzer + ASan (a
# SwiftPM build instruments less; see SWIFT-HOWTO.md) and fuzzes for [seconds] (default 60).
# Build output goes to Fuzz/build/, crash artifacts to Fuzz/crashes/ (both gitignored).
set -eu
SECONDS_TO_RUN=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/Fuzz/build"
CRASHES="$ROOT/Fuzz/crashes"
mkdir -p "$B" "$CRASHES" "$B/corpus"
SAN="-sanitize=fuzzer,address -use-ld=lld"
rm -f "$B/libHTTP.a"  # swiftc adds to an existing archive: a removed source file would linger
swiftc $SAN -parse-as-library -O -g -module-name HTTP -emit-module -emit-module-path "$B/HTTP.swiftmodule" \
    -emit-library -static -o "$B/libHTTP.a" "$ROOT"/Sources/HTTP/*.swift
swiftc $SAN -parse-as-library -O -g -I "$B" -L "$B" -lHTTP "$ROOT/Fuzz/FuzzHTTP.swift" -o "$B/fuzz-http"
# New inputs go to Fuzz/build/corpus; the committed seeds in Fuzz/corpus-http are only read.
SWIFT_BACKTRACE=enable=no "$B/fuzz-http" "$B/corpus" "$ROOT/Fuzz/corpus-http" \
    -max_total_time="$SECONDS_TO_RUN" -artifact_prefix="$CRASHES/" -print_final_stats=1
