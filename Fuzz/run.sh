#!/bin/sh
# Builds a fuzz target with plain swiftc under libFuzzer + ASan (a SwiftPM build instruments less;
# see SWIFT-HOWTO.md) and fuzzes for [seconds] (default 60):
#   Fuzz/run.sh [seconds] [http|gossip]     (default http)
# http: the HTTP parsers (Fuzz/FuzzHTTP.swift). gossip: the gossip wire format and state machine
# (Fuzz/FuzzGossip.swift, compiled into the Gossip module so it can seal packets with the key).
# Build output goes to Fuzz/build/, crash artifacts to Fuzz/crashes/ (both gitignored).
set -eu
SECONDS_TO_RUN=${1:-60}
TARGET=${2:-http}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B="$ROOT/Fuzz/build"
CRASHES="$ROOT/Fuzz/crashes"
mkdir -p "$B" "$CRASHES" "$B/corpus"
SAN="-sanitize=fuzzer,address -use-ld=lld"
if [ "$TARGET" = gossip ]; then
    rm -f "$B/libCrypto.a"
    swiftc $SAN -parse-as-library -O -g -module-name Crypto -emit-module -emit-module-path "$B/Crypto.swiftmodule" \
        -emit-library -static -o "$B/libCrypto.a" "$ROOT"/Sources/Crypto/*.swift
    swiftc $SAN -parse-as-library -O -g -module-name Gossip -I "$B" -L "$B" -lCrypto \
        "$ROOT"/Sources/Gossip/*.swift "$ROOT/Fuzz/FuzzGossip.swift" -o "$B/fuzz-gossip"
    mkdir -p "$B/corpus-gossip"
    SWIFT_BACKTRACE=enable=no "$B/fuzz-gossip" "$B/corpus-gossip" "$ROOT/Fuzz/corpus-gossip" \
        -max_total_time="$SECONDS_TO_RUN" -artifact_prefix="$CRASHES/" -print_final_stats=1
    exit
fi
rm -f "$B/libHTTP.a"  # swiftc adds to an existing archive: a removed source file would linger
swiftc $SAN -parse-as-library -O -g -module-name HTTP -emit-module -emit-module-path "$B/HTTP.swiftmodule" \
    -emit-library -static -o "$B/libHTTP.a" "$ROOT"/Sources/HTTP/*.swift
swiftc $SAN -parse-as-library -O -g -I "$B" -L "$B" -lHTTP "$ROOT/Fuzz/FuzzHTTP.swift" -o "$B/fuzz-http"
# New inputs go to Fuzz/build/corpus; the committed seeds in Fuzz/corpus-http are only read.
SWIFT_BACKTRACE=enable=no "$B/fuzz-http" "$B/corpus" "$ROOT/Fuzz/corpus-http" \
    -max_total_time="$SECONDS_TO_RUN" -artifact_prefix="$CRASHES/" -print_final_stats=1
