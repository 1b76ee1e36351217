#!/usr/bin/env bash
# Builds Sluice (release) and runs it on its embedded default: one node, a demo API at /demo/
# in front of the built-in upstream. Port 8080 unless SLUICE_LISTEN_PORT says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
swift build -c release
exec .build/release/sluice demo "$@"
