#!/usr/bin/env bash
# e2e.browser: the web UI in a real browser (issue 5). Installs Debian's
# chromium (scripts/install-deps test) and playwright-core (npm ci, pinned by
# package-lock.json, into tests/e2e/node_modules), seeds a fresh data folder
# with the demo users and conversation, starts `cruddur serve` on a free
# port, and runs the test files (format, messages, live, ddb_cors) one after
# another with node's test runner (ddb_cors starts `cruddur dynamodb`
# servers of its own).
#
# Screenshots go to $CRUDDUR_SCREENSHOTS (default: <build>/e2e-screenshots);
# refresh the README's with CRUDDUR_SCREENSHOTS=$PWD/docs/screenshots.
set -euo pipefail

src=${CRUDDUR_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${CRUDDUR_BUILD:-$src/build}
bin=${CRUDDUR_BIN:-$build/cruddur}
here=$src/tests/e2e

fail() { echo "e2e.browser: $*" >&2; exit 1; }
. "$src/tests/lib/listening.sh"

"$src/scripts/install-deps" test
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (Node.js 20 or newer)"
chromium=${CHROMIUM:-$(command -v chromium || true)}
[ -x "$chromium" ] || fail "chromium is not installed (scripts/install-deps test)"
[ -x "$bin" ] || fail "no cruddur binary at $bin"

# playwright-core, exactly as locked; reinstalled only when the lock changes.
stamp=$here/node_modules/.cruddur-lock
if ! cmp -s "$here/package-lock.json" "$stamp"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed"
  cp "$here/package-lock.json" "$stamp"
fi

data=$(mktemp -d /tmp/cruddur-e2e.XXXXXX)
log=$data/serve.log
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

mkdir -p "$data/store"
"$bin" db setup --data "$data/store" >/dev/null || fail "cruddur db setup failed"
"$bin" ddb setup --data "$data/store" >/dev/null || fail "cruddur ddb setup failed"

CRUDDUR_WEB=$src/web "$bin" serve --port 0 --data "$data/store" --quiet >"$log" 2>&1 &
pid=$!
port=$(wait_listening "$log" "$pid") || { cat "$log" >&2; fail "cruddur serve did not start"; }
base=http://127.0.0.1:$port

page=$(curl -s -o /dev/null -w '%{http_code}' "$base/signin" || true)
[ "$page" = 200 ] || fail "cruddur serve answers $page for /signin: the web UI is not mounted (static_site_handle)"

shots=${CRUDDUR_SCREENSHOTS:-$build/e2e-screenshots}
cd "$here"
status=0
BASE_URL=$base SCREENSHOT_DIR=$shots CHROMIUM=$chromium CRUDDUR_BIN=$bin \
  node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
    format.test.mjs messages.test.mjs live.test.mjs ddb_cors.test.mjs || status=$?
# A leak or a sanitizer report in the server fails the suite too.
. "$src/tests/lib/stop_clean.sh"
stop_clean "$pid" "$log" "cruddur serve" || status=1
pid=
if [ $status -ne 0 ]; then
  echo "--- cruddur serve log (last 50 lines)" >&2
  tail -n 50 "$log" >&2
fi
echo "e2e.browser: screenshots in $shots"
exit $status
