#!/usr/bin/env bash
# run_private_files.sh: everything cruddur creates under --data is private
# to its owner (issue 11, item 7): folders 0700 and files 0600 exactly,
# under a permissive umask (000) - the users database, the embedded
# engine's database with its -wal and -shm files (checked while the servers
# hold them open), the dev issuer's key, and the missing parent folders of
# --data. Commands: db setup, ddb schema-load, token, serve, dynamodb.
# Needs CRUDDUR_BIN (set by ctest) and curl.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/../lib/stop_clean.sh"

root=$(mktemp -d /tmp/cruddur-private.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$root"' EXIT
umask 000
unset CONNECTION_URL AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB AWS_COGNITO_USER_POOL_ID || true

# expect_private DIR WHAT NAME...: every folder under DIR (DIR included) is
# 0700, every file 0600, and each NAME exists in DIR (so the check cannot
# pass on an empty folder).
expect_private() {
    local dir=$1 what=$2 name bad
    shift 2
    for name in "$@"; do
        [ -e "$dir/$name" ] && pass || fail "$what: $dir/$name was not created"
    done
    bad=$(find "$dir" \( \( -type d ! -perm 0700 \) -o \( ! -type d ! -perm 0600 \) \) -printf '%m %p\n')
    [ -z "$bad" ] && pass || fail "$what: not private under umask 000: $bad"
}

# start NAME ARGS...: starts `cruddur ARGS...` in the background and waits
# for its "cruddur NAME: listening on" line; sets $pid and $port.
start() {
    local name=$1 log=$root/$1.log _
    shift
    CRUDDUR_LOG=info "$bin" "$@" >"$log" 2>&1 &
    pid=$!
    port=""
    for _ in $(seq 1 300); do
        port=$(sed -n "s/^cruddur $name: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p" "$log")
        [ -n "$port" ] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    fail "cruddur $* did not start: $(cat "$log")"
    return 1
}

stop() {
    stop_clean "$pid" "$root/$1.log" "cruddur $1" && pass || fail "cruddur $1 stops cleanly"
    pid=""
}

# ---- one-shot commands, each on a new folder whose parents are missing too
run db setup --data "$root/db/a/b"
expect_rc 0 "db setup"
expect_private "$root/db" "db setup" a/b/users.sqlite

run ddb schema-load --data "$root/ddb/c"
expect_rc 0 "ddb schema-load"
expect_private "$root/ddb" "ddb schema-load" c/ddb.sqlite

run db setup --data "$root/token"
run token andrewbrown --data "$root/token"
expect_rc 0 "token"
expect_private "$root/token" "token" users.sqlite dev-issuer-key.jwk

# ---- serve on a fresh folder: users, table and key, with the WAL files open
if start serve serve --port 0 --data "$root/serve/d"; then
    curl -s -o /dev/null "http://127.0.0.1:$port/api/message_groups"
    expect_private "$root/serve" "serve (running)" d/users.sqlite d/users.sqlite-wal \
        d/users.sqlite-shm d/ddb.sqlite d/ddb.sqlite-wal d/ddb.sqlite-shm d/dev-issuer-key.jwk
    stop serve
    expect_private "$root/serve" "serve (stopped)" d/users.sqlite d/ddb.sqlite
fi

# ---- dynamodb, with a table and an item written through the wire protocol
if start dynamodb dynamodb --port 0 --data "$root/dynamodb/e/f"; then
    call() {
        curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/" \
            -H "X-Amz-Target: DynamoDB_20120810.$1" -H 'Content-Type: application/x-amz-json-1.0' \
            -d "$2"
    }
    code=$(call CreateTable '{"TableName":"private","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}')
    [ "$code" = 200 ] && pass || fail "dynamodb: CreateTable answered $code"
    code=$(call PutItem '{"TableName":"private","Item":{"pk":{"S":"secret message"}}}')
    [ "$code" = 200 ] && pass || fail "dynamodb: PutItem answered $code"
    expect_private "$root/dynamodb" "dynamodb (running)" e/f/ddb.sqlite e/f/ddb.sqlite-wal \
        e/f/ddb.sqlite-shm
    stop dynamodb
fi

# ---- what exists already is left as it is
mkdir -m 0755 "$root/existing"
run db setup --data "$root/existing"
expect_rc 0 "db setup in an existing folder"
[ "$(stat -c %a "$root/existing")" = 755 ] && pass || fail "an existing folder keeps its mode"
[ "$(stat -c %a "$root/existing/users.sqlite")" = 600 ] && pass ||
    fail "a new file in an existing folder is 0600"

finish "tools.private_files"
