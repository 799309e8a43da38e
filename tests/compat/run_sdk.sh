#!/usr/bin/env bash
# compat.sdk: the JavaScript clients (issue 13). The AWS SDK for JavaScript
# v3 (@aws-sdk/client-dynamodb, client-dynamodb-streams, the document client
# of @aws-sdk/lib-dynamodb)
# and two libraries built on it (dynamodb-toolbox v2, electrodb) run the
# same scenarios against `cruddur dynamodb --in-memory` and DynamoDB Local
# 3.3.1, and every answer must be identical (tests/compat/sdk/harness.mjs).
# The npm packages are installed by `npm ci` from tests/compat/sdk's
# package-lock.json into tests/compat/sdk/node_modules (again only when the
# lock changes). Both servers are started here on free loopback ports and
# stopped at the end; cruddur must exit 0 with no sanitizer report.
# The test files run side by side (each uses tables of its own); the
# scenarios of one file run one after another.
# Environment (set by ctest): CRUDDUR_BIN, CRUDDUR_BUILD, CRUDDUR_SRC.
# Arguments: test files to run (default: all of tests/compat/sdk/*.test.mjs).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
build=${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}
bin=${CRUDDUR_BIN:-$build/cruddur}
sdk=$here/sdk

fail() { echo "compat.sdk: $*" >&2; exit 1; }
. "$src/tests/lib/listening.sh"
. "$src/tests/lib/stop_clean.sh"
. "$src/tests/lib/ddblocal.sh"

"$src/scripts/install-deps" test
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (Node.js 20 or newer)"
[ -x "$bin" ] || fail "no cruddur binary at $bin"
ddblocal_ensure_installed || fail "DynamoDB Local $DDBLOCAL_RELEASE could not be installed"

# The SDK and the libraries, exactly as locked.
stamp=$sdk/node_modules/.cruddur-lock
if ! cmp -s "$sdk/package-lock.json" "$stamp"; then
  (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed"
  cp "$sdk/package-lock.json" "$stamp"
fi

work=$(mktemp -d /tmp/cruddur-compat-sdk.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  ddblocal_stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT

log=$work/cruddur.log
: >"$log"
"$bin" dynamodb --in-memory --port 0 --host 127.0.0.1 --region us-east-1 --quiet >"$log" 2>&1 &
pid=$!
port=$(wait_listening "$log" "$pid") || { cat "$log" >&2; fail "cruddur dynamodb did not start"; }
ddblocal_start "$work" || fail "DynamoDB Local did not start"

export CRUDDUR_ENDPOINT=http://127.0.0.1:$port
export DDBLOCAL_ENDPOINT=http://127.0.0.1:$(cat "$work/ddblocal.port")
# The SDK must not pick up a profile, an endpoint or a region from outside.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB || true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_REGION=us-east-1

files=()
for f in "$@"; do files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
if [ ${#files[@]} -eq 0 ]; then
  files=("$sdk"/*.test.mjs)
fi
start=$SECONDS
status=0
(cd "$sdk" && node --test --test-concurrency=4 --test-reporter=spec --test-reporter-destination=stdout \
  "${files[@]}") || status=$?
echo "compat.sdk: tests took $((SECONDS - start)) s"
stop_clean "$pid" "$log" "cruddur dynamodb" || status=1
pid=
exit $status
