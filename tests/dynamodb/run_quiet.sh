#!/usr/bin/env bash
# run_quiet.sh: `cruddur dynamodb` logs one line per request, and none with
# --quiet (benchmarks and busy development loops do not want a write per
# request); both still log their start.
# Needs CRUDDUR_BIN (set by ctest) and curl.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tools/lib.sh"
. "$here/../lib/stop_clean.sh"

tmp=$(mktemp -d /tmp/cruddur-quiet.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

run dynamodb --help
expect_out "--quiet" "--help documents --quiet"

# Starts the server with extra options, sends three ListTables, stops it;
# leaves its stderr in $tmp/err.log.
serve_three() {
    CRUDDUR_LOG=info "$bin" dynamodb --in-memory --port 0 "$@" >"$tmp/out.log" 2>"$tmp/err.log" &
    local pid=$! port="" i
    for _ in $(seq 1 100); do
        port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$tmp/out.log" | grep -oE '[0-9]+$')
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { fail "cruddur dynamodb $* did not start"; kill "$pid"; return; }
    for i in 1 2 3; do
        curl -s -o /dev/null -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
            -H 'Content-Type: application/x-amz-json-1.0' -d '{}' "http://127.0.0.1:$port/"
    done
    stop_clean "$pid" "$tmp/err.log" "cruddur dynamodb $*" && pass || fail "cruddur dynamodb $* stops cleanly"
}

serve_three
n=$(grep -c 'dynamodb POST / 200' "$tmp/err.log")
[ "$n" -eq 3 ] && pass || fail "without --quiet: 3 request lines, found $n: $(cat "$tmp/err.log")"

serve_three --quiet
n=$(grep -c 'dynamodb POST /' "$tmp/err.log")
[ "$n" -eq 0 ] && pass || fail "with --quiet: no request lines, found $n: $(cat "$tmp/err.log")"
grep -q 'stopped' "$tmp/err.log" && pass || fail "with --quiet: start and stop are still logged"

finish "dynamodb.quiet"
