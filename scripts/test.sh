#!/usr/bin/env bash
# Installs what the tests need and runs every test (unit, end to end over loopback, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
swift build --build-tests
swift test --skip-build
