#!/usr/bin/env bash
# Setup never destroys data (issue 11 item 1). Against real servers that
# already hold data: a throwaway PostgreSQL whose users table has a real
# user (linked to Cognito), and two `cruddur dynamodb` processes standing in
# for remote DynamoDB, one whose messages table holds an item of its own and
# one that is empty. `db setup`, `ddb setup`, what `make run` runs
# (scripts/run) and `serve` must keep every row, create only what is
# missing and seed only an empty store; `db reset`, `ddb reset` and
# `ddb drop` must say what they would delete and where (never the
# password) and refuse without --yes when stdin is not a terminal.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
. "$here/lib.sh"
. "$src/tests/lib/pg.sh"
. "$src/tests/lib/cruddur_dynamodb.sh"
pg_ensure_installed "$src" || exit 1

pgdir=$(mktemp -d /tmp/cruddur-setup-pg.XXXXXX)
tmp=$(mktemp -d /tmp/cruddur-setup.XXXXXX)
mkdir "$tmp/kept" "$tmp/empty"
cleanup() {
    [ -n "${serve_pid:-}" ] && kill -TERM "$serve_pid" 2>/dev/null
    cddb_stop "$tmp/kept" >/dev/null 2>&1
    cddb_stop "$tmp/empty" >/dev/null 2>&1
    pg_stop "$pgdir"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
unset DDB_MESSAGE_TABLE AWS_COGNITO_USER_POOL_ID AWS_COGNITO_USER_POOL_CLIENT_ID \
    AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB AWS_ENDPOINT_URL_DYNAMODB_STREAMS \
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER AWS_PROFILE AWS_SESSION_TOKEN CONNECTION_URL
export AWS_ACCESS_KEY_ID=setupkey AWS_SECRET_ACCESS_KEY=setupsecret AWS_REGION=us-east-1
export CRUDDUR_DATA=$tmp/data

pg_start "$pgdir" || exit 1
pg_createdb "$pgdir" cruddur || exit 1
pg_url=$(pg_url "$pgdir" cruddur)
password=$(cat "$pgdir/password")
pgport=$(cat "$pgdir/port")
psql() { "$(pg_bindir)/psql" -X -q -At -v ON_ERROR_STOP=1 "$pg_url" "$@"; }

# A users table as a deployed Cruddur has it: one real user, linked to Cognito.
real_row="8d1f6a3e-2c4b-4f7a-9e5d-0b6c7a8f9e10|Maria Lopez|mlopez|maria@example.org|3f7e2a10-55b1-4c8e-a0d2-9b1c4e6f8a27"
psql -c "CREATE TABLE users (uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
           display_name text NOT NULL, handle text NOT NULL UNIQUE, email text,
           cognito_user_id text UNIQUE, created_at timestamptz NOT NULL DEFAULT now())" \
    -c "INSERT INTO users VALUES ('8d1f6a3e-2c4b-4f7a-9e5d-0b6c7a8f9e10', 'Maria Lopez', 'mlopez',
           'maria@example.org', '3f7e2a10-55b1-4c8e-a0d2-9b1c4e6f8a27', '2023-02-11 09:30:00+00')" ||
    exit 1
users_rows() { psql -c "SELECT uuid, display_name, handle, email, cognito_user_id FROM users ORDER BY handle"; }
expect_real_user_kept() {
    local rows
    rows=$(users_rows)
    if [ "$rows" = "$real_row" ]; then pass; else fail "$1: the users table is now: $rows"; fi
}
expect_no_password() {
    if grep -qF -- "$password" <<<"$out$err"; then fail "$1 prints the password"; else pass; fi
}
pg_where="PostgreSQL database cruddur on 127\.0\.0\.1:$pgport as postgres"

# The two DynamoDB endpoints.
cddb_start "$tmp/kept" || exit 1
cddb_start "$tmp/empty" || exit 1
kept_url=http://127.0.0.1:$(cat "$tmp/kept/cddb.port")
empty_url=http://127.0.0.1:$(cat "$tmp/empty/cddb.port")
AWS_ENDPOINT_URL=$kept_url run ddb schema-load
expect_rc 0 "schema-load on the endpoint that keeps data"
# An item of the deployed service's own (not the demo conversation).
AWS_DEFAULT_REGION=us-east-1 $py - "$kept_url" <<'EOF' || fail "could not write the kept item"
import sys, boto3
c = boto3.client("dynamodb", endpoint_url=sys.argv[1])
c.put_item(TableName="cruddur-messages", Item={
    "pk": {"S": "MSG#0c9f3d2e-7b1a-4e5f-8a6b-1d2c3e4f5a6b"},
    "sk": {"S": "2023-02-11T09:31:00.000000+00:00"},
    "message_group_uuid": {"S": "0c9f3d2e-7b1a-4e5f-8a6b-1d2c3e4f5a6b"},
    "message": {"S": "see you at the standup"}, "user_handle": {"S": "mlopez"}})
EOF
kept_item='{"message": "see you at the standup", "message_group_uuid": "0c9f3d2e-7b1a-4e5f-8a6b-1d2c3e4f5a6b", "pk": "MSG#0c9f3d2e-7b1a-4e5f-8a6b-1d2c3e4f5a6b", "sk": "2023-02-11T09:31:00.000000+00:00", "user_handle": "mlopez"}'
expect_kept_table() {
    AWS_ENDPOINT_URL=$kept_url run ddb scan
    if [ "$rc" -eq 0 ] && [ "$out" = "$kept_item" ]; then pass; else fail "$1: the remote table changed"; fi
}

# ---- db: the PostgreSQL users table with a real user ------------------------
export CONNECTION_URL=$pg_url
run db setup
expect_rc 0 "db setup on a users table with a real user"
expect_out "^users table: already in the $pg_where \(1 users, kept\)$" "db setup says it keeps the table"
expect_out "^demo users: not added" "db setup adds no demo users to a table with users"
expect_no_password "db setup"
expect_real_user_kept "db setup"
run db schema-load
expect_rc 0 "db schema-load on an existing table"
expect_real_user_kept "db schema-load"

run db reset </dev/null
expect_rc 1 "db reset without --yes, stdin not a terminal"
expect_err "^cruddur db reset: this deletes the users table and its 1 users \(Cognito links included\) from the $pg_where; stdin is not a terminal, so nothing was deleted \(add --yes to go on\)$" \
    "db reset says what and where, and refuses"
expect_one_line_err "db reset refusal"
expect_no_password "db reset refusal"
expect_real_user_kept "db reset without --yes"

# ---- ddb: a remote table that holds an item ----------------------------------
AWS_ENDPOINT_URL=$kept_url run ddb setup
expect_rc 0 "ddb setup on a remote table with an item"
expect_out "^table cruddur-messages: already in the remote DynamoDB at $kept_url \(region us-east-1\) \(kept\)$" \
    "ddb setup says it keeps the remote table"
expect_out "^not seeded: table cruddur-messages has items" "ddb setup does not seed a table with items"
expect_kept_table "ddb setup"
AWS_ENDPOINT_URL=$kept_url run ddb seed
expect_rc 1 "ddb seed without the demo users in the directory"
expect_err "user 'andrewbrown' is not in the users directory \($pg_where\); \`cruddur db seed\` adds the demo users" \
    "the missing-user hint names the safe command and where"
expect_one_line_err "ddb seed without the demo users"
expect_kept_table "ddb seed"
run ddb patterns list-conversations UNKNOWN
expect_rc 1 "list-conversations of an unknown user"
expect_err "user 'UNKNOWN' is not in the users directory \($pg_where\); \`cruddur db seed\` adds the demo users andrewbrown, bayko and londo and deletes nothing$" \
    "list-conversations UNKNOWN names the safe command"
expect_no_password "list-conversations UNKNOWN"

for cmd in "ddb reset" "ddb drop cruddur-messages"; do
    # shellcheck disable=SC2086
    AWS_ENDPOINT_URL=$kept_url run $cmd </dev/null
    expect_rc 1 "$cmd without --yes"
    expect_err "^cruddur ${cmd% cruddur-messages}: this deletes table cruddur-messages and every item in it from the remote DynamoDB at $kept_url \(region us-east-1\); stdin is not a terminal, so nothing was deleted \(add --yes to go on\)$" \
        "$cmd says what and where, and refuses"
    expect_one_line_err "$cmd refusal"
    expect_kept_table "$cmd without --yes"
done

# ---- what `make run` runs, and serve, against all of it ----------------------
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Starts scripts/run (what `make run` runs after the build) with the extra
# environment given as NAME=VALUE arguments (DATA=... too); waits for serve
# to listen.
start_run() {
    port=$(free_port)
    env DATA="$tmp/run-data" PORT="$port" CRUDDUR_LOG=info "$@" \
        "$src/scripts/run" "$bin" >"$tmp/run.out" 2>"$tmp/run.log" &
    serve_pid=$!
    local _
    for _ in $(seq 1 300); do
        grep -q "^cruddur serve: listening on http://127.0.0.1:$port$" "$tmp/run.out" && return 0
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.05
    done
    fail "scripts/run did not start serving: $(cat "$tmp/run.out" "$tmp/run.log")"
    return 1
}
stop_run() {
    stop_clean "$serve_pid" "$tmp/run.log" "cruddur serve (scripts/run)" && pass ||
        fail "serve started by scripts/run stops cleanly"
    serve_pid=""
}

if start_run AWS_ENDPOINT_URL="$kept_url"; then
    grep -q "^make run: setting up what is missing (nothing is deleted)$" "$tmp/run.out" && pass ||
        fail "make run says it deletes nothing"
    grep -q "STREAM_WORKER=1" "$tmp/run.out" && pass ||
        fail "make run against a remote table names STREAM_WORKER=1"
    stop_run
fi
expect_real_user_kept "make run (scripts/run) with CONNECTION_URL"
expect_kept_table "make run (scripts/run) with AWS_ENDPOINT_URL"

# Cognito sign-in (an unreachable pool: serve starts and fetches keys later).
if start_run AWS_ENDPOINT_URL="$kept_url" AWS_COGNITO_USER_POOL_ID=us-east-1_setupPool \
    AWS_COGNITO_USER_POOL_CLIENT_ID=setupclient AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:1; then
    grep -q "sign in with a user of Cognito pool us-east-1_setupPool" "$tmp/run.out" && pass ||
        fail "make run with Cognito says so"
    stop_run
fi
expect_real_user_kept "make run with Cognito"
expect_kept_table "make run with Cognito"

# serve on its own.
port=$(free_port)
AWS_ENDPOINT_URL=$kept_url "$bin" serve --port "$port" --data "$tmp/serve-data" \
    >"$tmp/serve.out" 2>"$tmp/serve.log" &
serve_pid=$!
for _ in $(seq 1 300); do
    grep -q "listening on" "$tmp/serve.out" && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.05
done
grep -q "listening on" "$tmp/serve.out" && pass || fail "serve did not start: $(cat "$tmp/serve.log")"
stop_clean "$serve_pid" "$tmp/serve.log" "cruddur serve" && pass || fail "serve stops cleanly"
serve_pid=""
expect_real_user_kept "serve start with CONNECTION_URL"
expect_kept_table "serve start with AWS_ENDPOINT_URL"

# ---- an empty store is seeded, once ------------------------------------------
# The users in SQLite this time (a fresh data folder), the table on the empty endpoint.
unset CONNECTION_URL
export CRUDDUR_DATA=$tmp/fresh
run db setup
expect_rc 0 "db setup on a fresh data folder"
expect_out "^users table: created in the SQLite file $tmp/fresh/users.sqlite$" "db setup creates the table"
expect_out "^demo users: 3 inserted, 0 already present$" "db setup seeds an empty table"
run db setup
expect_out "^users table: already in the SQLite file .* \(3 users, kept\)$" "db setup again keeps the table"
expect_out "^demo users: not added" "db setup again adds nothing"

AWS_ENDPOINT_URL=$empty_url run ddb setup
expect_rc 0 "ddb setup on an empty endpoint"
expect_out "^created table: cruddur-messages \(remote DynamoDB at $empty_url \(region us-east-1\)\)$" \
    "ddb setup creates the missing table"
expect_out "^seeded [0-9]+ messages between andrewbrown and bayko" "ddb setup seeds the empty table"
AWS_ENDPOINT_URL=$empty_url run ddb scan --json
seeded=$out
AWS_ENDPOINT_URL=$empty_url run ddb setup
expect_rc 0 "ddb setup again"
expect_out "^not seeded: table cruddur-messages has items" "ddb setup again does not seed"
AWS_ENDPOINT_URL=$empty_url run ddb seed
expect_rc 0 "ddb seed with the conversation there"
expect_out "^the demo conversation 5ae290ed-55d1-47a0-bc6d-fe2bc2700399 is already there: left as it is$" \
    "ddb seed leaves the conversation"
AWS_ENDPOINT_URL=$empty_url run ddb scan --json
[ "$out" = "$seeded" ] && pass || fail "setup and seed again change no item"

# `make run STREAM_WORKER=1`: the fanout runs in serve against the remote table.
if start_run AWS_ENDPOINT_URL="$empty_url" STREAM_WORKER=1 DATA="$tmp/fresh"; then
    grep -q "STREAM_WORKER=1" "$tmp/run.out" && fail "STREAM_WORKER=1 still suggests STREAM_WORKER=1" || pass
    BACKEND_URL=http://localhost:$port $py - "$bin" "$tmp/fresh" "$port" <<'EOF' && pass ||
import json, subprocess, sys, time, urllib.request
bin, data, port = sys.argv[1], sys.argv[2], sys.argv[3]
group = "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"
def token(handle):
    return subprocess.run([bin, "token", handle, "--data", data], check=True,
                          capture_output=True, text=True).stdout.strip()
def call(method, path, handle, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token(handle),
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)
text = "fanout through make run STREAM_WORKER=1"
call("POST", "/api/messages", "andrewbrown", {"message": text, "message_group_uuid": group})
deadline = time.time() + 30
while time.time() < deadline:
    groups = call("GET", "/api/message_groups", "bayko")
    if any(g["uuid"] == group and g["message"] == text for g in groups):
        sys.exit(0)
    time.sleep(0.1)
sys.exit("bayko's conversation list never showed the new message: %r" % groups)
EOF
        fail "make run STREAM_WORKER=1 runs the fanout against the remote table"
    stop_run
fi

# ---- a terminal: reset asks, and only "yes" deletes ---------------------------
if command -v script >/dev/null; then
    printf 'no\n' | script -qec "$bin db reset" "$tmp/tty-no.log" >/dev/null 2>&1
    grep -aq "this deletes the users table and its 3 users (Cognito links included) from the SQLite file" \
        "$tmp/tty-no.log" && grep -aq "Type yes to go on:" "$tmp/tty-no.log" && pass ||
        fail "db reset on a terminal says what it deletes and asks: $(cat "$tmp/tty-no.log")"
    grep -aq "not confirmed; nothing was deleted" "$tmp/tty-no.log" && pass ||
        fail "db reset on a terminal: anything but yes deletes nothing"
    run db setup
    expect_out "\(3 users, kept\)" "the users are still there after answering no"
    printf 'yes\n' | script -qec "$bin db reset" "$tmp/tty-yes.log" >/dev/null 2>&1
    grep -aq "deleting the users table (3 users) from the SQLite file" "$tmp/tty-yes.log" && pass ||
        fail "db reset on a terminal deletes after yes: $(cat "$tmp/tty-yes.log")"
fi
run db reset --yes </dev/null
expect_rc 0 "db reset --yes"
expect_out "^deleting the users table \(3 users\) from the SQLite file $tmp/fresh/users.sqlite$" "db reset --yes says so"
expect_out "^demo users: 3 inserted" "db reset seeds again"
AWS_ENDPOINT_URL=$empty_url run ddb reset --yes </dev/null
expect_rc 0 "ddb reset --yes"
expect_out "^deleting table: cruddur-messages \(remote DynamoDB at $empty_url" "ddb reset --yes says where"
expect_out "^seeded " "ddb reset seeds again"
AWS_ENDPOINT_URL=$empty_url run ddb drop cruddur-messages --yes </dev/null
expect_rc 0 "ddb drop --yes"
AWS_ENDPOINT_URL=$empty_url run ddb list-tables
[ -z "$(grep -x cruddur-messages <<<"$out")" ] && pass || fail "ddb drop --yes deletes the table"
AWS_ENDPOINT_URL=$empty_url run ddb drop cruddur-messages --yes </dev/null
expect_rc 1 "ddb drop of a missing table"
expect_err "table cruddur-messages does not exist" "ddb drop of a missing table"
# With no table there is nothing to lose: reset creates and seeds without asking.
AWS_ENDPOINT_URL=$empty_url run ddb reset </dev/null
expect_rc 0 "ddb reset of a missing table without --yes"
expect_out "^created table: cruddur-messages" "ddb reset of a missing table creates it"
expect_out "^seeded " "ddb reset of a missing table seeds it"

cddb_stop "$tmp/kept" && pass || fail "the endpoint that kept data stops cleanly"
cddb_stop "$tmp/empty" && pass || fail "the empty endpoint stops cleanly"
finish run_setup
