#!/usr/bin/env bash
# Installs the Debian packages the given purpose needs, only those missing. Usage:
#   scripts/setup.sh run|test|loadtest
set -euo pipefail

need=()
want() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || need+=("$1"); }

case "${1:-run}" in
  run) want curl ;;
  test) want curl ;;
  loadtest) want curl; want wrk; want nginx; want python3; want python3-matplotlib; want valgrind; want strace ;;
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
