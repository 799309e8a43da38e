#!/usr/bin/env bash
# run_quiet.sh: `cruddur dynamodb` logs one line per request, and none with
# --quiet (benchmarks and busy development loops do not want a write per
# request); both still log their start and stop.
# Needs CRUDDUR_BIN (set by ctest) and curl.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tools/lib.sh"
. "$here/../lib/cruddur_dynamodb.sh"

tmp=$(mktemp -d /tmp/cruddur-quiet.XXXXXX)
trap 'cddb_stop "$tmp" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

run dynamodb --help
expect_out "--quiet" "--help documents --quiet"

# Starts the server with extra options, sends three ListTables, stops it;
# leaves its log in $tmp/cddb.log.
serve_three() {
    CRUDDUR_LOG=info cddb_start "$tmp" "$@" || { fail "cruddur dynamodb $* did not start"; return; }
    local port i
    port=$(cat "$tmp/cddb.port")
    for i in 1 2 3; do
        curl -s -o /dev/null -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
            -H 'Content-Type: application/x-amz-json-1.0' -d '{}' "http://127.0.0.1:$port/"
    done
    cddb_stop "$tmp" && pass || fail "cruddur dynamodb $* stops cleanly"
}

serve_three
n=$(grep -c 'dynamodb POST / 200' "$tmp/cddb.log")
[ "$n" -eq 3 ] && pass || fail "without --quiet: 3 request lines, found $n: $(cat "$tmp/cddb.log")"

serve_three --quiet
n=$(grep -c 'dynamodb POST /' "$tmp/cddb.log")
[ "$n" -eq 0 ] && pass || fail "with --quiet: no request lines, found $n: $(cat "$tmp/cddb.log")"
grep -q 'stopped' "$tmp/cddb.log" && pass || fail "with --quiet: start and stop are still logged"

finish "dynamodb.quiet"
