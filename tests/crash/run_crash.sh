#!/usr/bin/env bash
# Crash safety under load (crash_driver.py): writers post through the API
# while `cruddur serve` is killed with SIGKILL and restarted on its data
# folder; then no acknowledged message may be lost or duplicated and the
# conversation lists must show the latest messages. ctest sets CRUDDUR_BIN.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur binary}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
exec /usr/bin/python3 "$here/crash_driver.py" "$@"
