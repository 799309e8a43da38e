#!/usr/bin/env bash
# `cruddur stream-worker` on the remote driver against `cruddur dynamodb`
# (signatures checked): setup errors, --once applying the fanout, a second
# run changing nothing (checkpoint honoured), the service mode and SIGTERM.
# The checks are in worker_scenario.py. Needs CRUDDUR_BIN (ctest sets it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur program}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

dir=$(mktemp -d /tmp/cruddur-worker.XXXXXX)
ddb_pid=""
cleanup() {
    [ -n "$ddb_pid" ] && kill "$ddb_pid" 2>/dev/null && wait "$ddb_pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$here/../lib/listening.sh"

CRUDDUR_LOG=info "$bin" dynamodb --in-memory --port 0 --credentials workerkey:workersecret \
    >"$dir/dynamodb.log" 2>&1 &
ddb_pid=$!
port=$(wait_listening "$dir/dynamodb.log" "$ddb_pid") || true
[ -n "$port" ] ||
    { cat "$dir/dynamodb.log" >&2; echo "run_stream_worker: cruddur dynamodb did not start" >&2; exit 1; }

status=0
/usr/bin/python3 "$here/worker_scenario.py" --bin "$bin" --endpoint "http://127.0.0.1:$port" \
    --workdir "$dir" || status=$?
. "$here/../lib/stop_clean.sh"
stop_clean "$ddb_pid" "$dir/dynamodb.log" "cruddur dynamodb" || status=1
ddb_pid=""
exit "$status"
