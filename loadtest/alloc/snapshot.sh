#!/usr/bin/env bash
# snapshot.sh PID SIGNAL COUNT_FILE OUT: asks malloc-count in PID for its counts (it writes
# COUNT_FILE on SIGNAL) and copies them to OUT. Waits at most 5 s.
set -euo pipefail
pid=$1 sig=$2 file=$3 out=$4
rm -f "$file"
kill -s "$sig" "$pid"
for _ in $(seq 250); do
    if [[ -s $file ]]; then
        cp "$file" "$out"
        exit 0
    fi
    sleep 0.02
done
echo "snapshot: no counts from pid $pid after signal $sig" >&2
exit 1
