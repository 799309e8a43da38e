#!/usr/bin/env bash
# run_cors.sh: `cruddur dynamodb` sends CORS headers only when started with
# --cors ORIGINS (a comma list, or *), as DynamoDB Local 3.3.1 does with
# -cors; without it no Access-Control-* header is sent to anyone, so a web
# page from another site cannot read or change the local tables. Preflights
# are answered 200 either way. Malformed lists are refused at start.
# Needs CRUDDUR_BIN (set by ctest) and curl.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tools/lib.sh"
. "$here/../lib/cruddur_dynamodb.sh"

tmp=$(mktemp -d /tmp/cruddur-cors.XXXXXX)
trap 'cddb_stop "$tmp" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

good=http://localhost:3000 other=https://app.example evil=http://evil.example

# preflight ORIGIN / post ORIGIN: the answer's status line and headers,
# lower-cased, in $tmp/h (curl -D), for the running server.
preflight() {
    curl -s -o /dev/null -D "$tmp/h" -X OPTIONS "http://127.0.0.1:$(cat "$tmp/cddb.port")/" \
        -H "Origin: $1" -H 'Access-Control-Request-Method: POST' \
        -H 'Access-Control-Request-Headers: content-type,x-amz-target,x-amz-date,authorization'
    tr -d '\r' <"$tmp/h" | tr 'A-Z' 'a-z' >"$tmp/hl"
}
post() {
    curl -s -o "$tmp/body" -D "$tmp/h" -X POST "http://127.0.0.1:$(cat "$tmp/cddb.port")/" \
        ${1:+-H "Origin: $1"} -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
        -H 'Content-Type: application/x-amz-json-1.0' -d '{}'
    tr -d '\r' <"$tmp/h" | tr 'A-Z' 'a-z' >"$tmp/hl"
}
has() { grep -qxF -- "$1" "$tmp/hl"; }
no_cors() { ! grep -q '^access-control-' "$tmp/hl"; }
check() { if eval "$1"; then pass; else fail "$2: $(cat "$tmp/hl")"; fi; }

run dynamodb --help
expect_out "--cors ORIGINS" "--help documents --cors"

# ---- without --cors: nothing for anyone
cddb_start "$tmp" || fail "cruddur dynamodb did not start"
for o in "$good" "$evil"; do
    preflight "$o"
    check 'has "http/1.1 200 ok" && no_cors' "no --cors: preflight from $o is 200 with no Access-Control-*"
    post "$o"
    check 'has "http/1.1 200 ok" && no_cors' "no --cors: ListTables from $o has no Access-Control-*"
done
grep -q '"TableNames"' "$tmp/body" && pass || fail "no --cors: ListTables still answers"
cddb_stop "$tmp" && pass || fail "no --cors: stops cleanly"

# ---- --cors with two origins (spaces and a trailing slash are tolerated)
cddb_start "$tmp" --cors "$good, $other/" || fail "cruddur dynamodb --cors LIST did not start"
for o in "$good" "$other"; do
    preflight "$o"
    check 'has "http/1.1 200 ok" && has "access-control-allow-origin: $o" &&
           has "access-control-allow-headers: content-type,x-amz-target,x-amz-date,authorization" &&
           grep -q "^access-control-allow-methods: .*post" "$tmp/hl" && has "vary: origin"' \
        "--cors: preflight from $o is allowed with the headers it asked for"
    post "$o"
    check 'has "access-control-allow-origin: $o" && has "vary: origin" &&
           grep -q "^access-control-expose-headers: .*x-amz-crc32" "$tmp/hl"' \
        "--cors: ListTables from $o carries its origin"
done
preflight "$evil"
check 'has "http/1.1 200 ok" && no_cors' "--cors: preflight from an unlisted origin gets no Access-Control-*"
post "$evil"
check 'no_cors && has "vary: origin"' "--cors: an unlisted origin gets no Access-Control-*"
post ""
check 'no_cors' "--cors: a request without Origin gets no Access-Control-*"
cddb_stop "$tmp" && pass || fail "--cors LIST: stops cleanly"

# ---- --cors '*': every origin, with the same answer (no Vary)
cddb_start "$tmp" --cors '*' || fail "cruddur dynamodb --cors '*' did not start"
preflight "$evil"
check 'has "access-control-allow-origin: *"' "--cors '*': a preflight from any origin is allowed"
post "$evil"
check 'has "access-control-allow-origin: *" && ! grep -q "^vary:" "$tmp/hl"' \
    "--cors '*': any origin may read answers"
cddb_stop "$tmp" && pass || fail "--cors '*': stops cleanly"

# ---- malformed lists are refused before anything starts
for bad in "" "localhost:3000" "http://a.example/path" "$good,,$other" "http://a.example:" \
    "http://" "$good;$other"; do
    run dynamodb --in-memory --port 0 --cors "$bad"
    expect_rc 2 "--cors '$bad' is refused"
    expect_err "^cruddur dynamodb: --cors: .* is not an origin" "--cors '$bad' says why"
done

finish "dynamodb.cors"
