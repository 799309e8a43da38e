#!/usr/bin/env bash
# The API suite with every `cruddur serve` on the remote driver against
# `cruddur dynamodb` (in memory, checking signatures: --credentials), and a
# separate `cruddur stream-worker` process doing the fanout beside each
# server. The same pytest files as run_api.sh; see remote_run.sh.
# Environment (set by ctest): CRUDDUR_BIN.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
: "${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur binary}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

. "$src/tests/lib/cruddur_dynamodb.sh"
. "$here/remote_run.sh"
dir=$(mktemp -d /tmp/cruddur-api-remote.XXXXXX)
cleanup() {
    cddb_stop "$dir" || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM # so the EXIT trap runs when ctest times us out

key=apiremote secret=api-remote-secret
cddb_start "$dir" --credentials "$key:$secret"
status=0
remote_api_run "http://127.0.0.1:$(cat "$dir/cddb.port")" separate "$key" "$secret" "$@" || status=$?
# cruddur dynamodb must have served the whole run and stop cleanly.
cddb_stop "$dir" || status=1
exit "$status"
