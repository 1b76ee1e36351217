#!/usr/bin/env bash
# Installs the Debian packages the given purpose needs, only those missing. Usage:
#   scripts/setup.sh run|test|loadtest
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
want() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || need+=("$1"); }

purpose=${1:-run}
case "$purpose" in
  run) want curl; want libhiredis-dev ;;
  test)
    want curl; want libhiredis-dev; want redis-server
    command -v python3 >/dev/null || want python3
    python3 -m venv --help >/dev/null 2>&1 || want python3-venv ;;
  loadtest) want curl; want libhiredis-dev; want redis-server; want wrk; want nginx; want python3; want python3-matplotlib; want valgrind; want strace ;;
  *) echo "usage: $0 run|test|loadtest" >&2; exit 2 ;;
esac

if ! command -v swift >/dev/null; then
  echo "setup: the Swift toolchain (6.x) must be on PATH" >&2
  exit 1
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The schema-driven tester of the control API (docs/control-api.json), from PyPI, in a venv of the
# build folder: ControlAPISchemaTests runs it against a real node.
if [ "$purpose" = test ]; then
  venv=.build/tools-venv
  if [ ! -x "$venv/bin/st" ]; then
    echo "setup: installing schemathesis into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5"
  fi
fi
