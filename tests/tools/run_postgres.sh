#!/usr/bin/env bash
# The `db` tools and the seed with the users directory on PostgreSQL
# (CONNECTION_URL), as the reference ran them: a throwaway server from
# tests/lib/pg.sh, then db setup / seed, ddb seed taking its users from
# PostgreSQL, and a clear one-line failure when the server is unreachable.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
. "$here/lib.sh"
. "$src/tests/lib/pg.sh"
pg_ensure_installed "$src" || exit 1

dir=$(mktemp -d /tmp/cruddur-tools-pg.XXXXXX)
data=$(mktemp -d /tmp/cruddur-tools-data.XXXXXX)
trap 'pg_stop "$dir"; rm -rf "$data"' EXIT
trap 'exit 1' INT TERM
pg_start "$dir" || exit 1
pg_createdb "$dir" cruddur || exit 1
export CRUDDUR_DATA=$data
export CONNECTION_URL
CONNECTION_URL=$(pg_url "$dir" cruddur)
unset DDB_MESSAGE_TABLE AWS_COGNITO_USER_POOL_ID

run ddb setup
expect_rc 1 "ddb setup before db setup"
expect_err "cruddur db setup" "ddb setup before db setup names db setup"
run db schema-load
expect_rc 0 "db schema-load on PostgreSQL"
expect_out "^users table: created in the PostgreSQL database cruddur on 127\.0\.0\.1:$(cat "$dir/port") as postgres$" \
    "db schema-load says where"
run db seed
expect_out "3 inserted, 0 already present" "db seed on PostgreSQL"
run db setup
expect_rc 0 "db setup on PostgreSQL"
expect_out "\(3 users, kept\)$" "db setup keeps the users"
run db reset --yes
expect_rc 0 "db reset --yes on PostgreSQL"
expect_out "3 inserted, 0 already present" "db reset starts over"
[ ! -e "$data/users.sqlite" ] && pass || fail "no SQLite users file when CONNECTION_URL is set"
run ddb setup
expect_rc 0 "ddb setup with users from PostgreSQL"
uuid=$("$(pg_bindir)/psql" -X -At "$CONNECTION_URL" -c "select uuid from users where handle='andrewbrown'")
run ddb patterns list-conversations
expect_rc 0 "list-conversations with users from PostgreSQL"
expect_out "^my-uuid: $uuid$" "my-uuid is the PostgreSQL user's"
expect_out "^bayko       " "andrewbrown talks with bayko"

CONNECTION_URL="postgresql://postgres:x@127.0.0.1:1/cruddur" run db setup
expect_rc 1 "db setup with an unreachable server"
expect_err "cannot open the users directory \(CONNECTION_URL\)" "unreachable server"
expect_one_line_err "unreachable server"

finish run_postgres
