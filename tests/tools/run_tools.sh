#!/usr/bin/env bash
# The operator commands (`cruddur ddb`, `cruddur db`, `cruddur cognito`) on
# the embedded store: output and exit code of each, from a fresh data folder
# (no table, no users) through seed and the access patterns, including the
# exact get-conversation line format, and every failure a user can meet.
# The Cognito side against cognito-local is run_cognito.sh.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/../lib/stop_clean.sh"
. "$here/../lib/listening.sh"

data=$(mktemp -d /tmp/cruddur-tools.XXXXXX)
trap 'rm -rf "$data"' EXIT
export CRUDDUR_DATA=$data/data
unset CONNECTION_URL DDB_MESSAGE_TABLE AWS_COGNITO_USER_POOL_ID \
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER
group=5ae290ed-55d1-47a0-bc6d-fe2bc2700399

# --help everywhere: exit 0 and a usage line naming the command.
for cmd in "ddb schema-load" "ddb drop" "ddb list-tables" "ddb describe-table" "ddb scan" \
    "ddb seed" "ddb setup" "ddb reset" "ddb patterns get-conversation" \
    "ddb patterns list-conversations" "db schema-load" "db seed" "db setup" "db reset" \
    "db update-cognito-user-ids" "cognito list-users"; do
    # shellcheck disable=SC2086
    run $cmd --help
    expect_rc 0 "$cmd --help"
    expect_out "^usage: cruddur $cmd" "$cmd --help"
    expect_out "--data DIR" "$cmd --help lists --data"
done
for group_cmd in ddb db cognito "ddb patterns"; do
    # shellcheck disable=SC2086
    run $group_cmd --help
    expect_rc 0 "$group_cmd --help"
    expect_out "^usage: cruddur $group_cmd <command>" "$group_cmd --help"
done

# Usage errors.
run ddb nosuch
expect_rc 2 "unknown subcommand"
expect_err "unknown command 'nosuch'" "unknown subcommand"
run ddb scan --bogus
expect_rc 2 "unknown option"
expect_err "^cruddur ddb scan: unknown option '--bogus'" "unknown option"
run ddb drop
expect_rc 1 "drop without TABLE"
expect_err "^usage: cruddur ddb drop TABLE \[prod\] \[--yes\]$" "drop without TABLE prints the usage line"
expect_empty_out "drop without TABLE"
run cognito list-users --limit 0
expect_rc 2 "--limit 0"
run ddb patterns get-conversation not-a-uuid
expect_rc 1 "get-conversation with a bad uuid"
expect_one_line_err "get-conversation with a bad uuid"

# prod means Amazon DynamoDB itself: without credentials it fails before any
# request is sent (no test here talks to AWS), with a one-line reason.
(
    unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_PROFILE
    export AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
    for cmd in "ddb schema-load prod" "ddb list-tables prod" "ddb scan prod" "ddb drop x prod" \
        "ddb describe-table prod" "ddb setup prod" "ddb seed prod" "ddb reset prod --yes"; do
        # shellcheck disable=SC2086
        run $cmd
        expect_rc 1 "$cmd"
        expect_err "no AWS credentials" "$cmd"
        expect_one_line_err "$cmd"
    done
    [ "$failures" -eq 0 ]
) || fail "prod without credentials"

# A fresh data folder: no table, no users.
run ddb list-tables
expect_rc 0 "list-tables with no tables"
expect_empty_out "list-tables with no tables"
run ddb scan
expect_rc 1 "scan of a missing table"
expect_err "table cruddur-messages does not exist" "scan of a missing table"
expect_one_line_err "scan of a missing table"
run ddb describe-table
expect_rc 1 "describe-table of a missing table"
expect_one_line_err "describe-table of a missing table"
run ddb drop cruddur-messages --yes
expect_rc 1 "drop of a missing table"
expect_empty_out "drop of a missing table deletes nothing"
expect_err "does not exist" "drop of a missing table"
run ddb seed
expect_rc 1 "seed without a table"
expect_err "does not exist" "seed without a table"
run ddb patterns get-conversation
expect_rc 1 "get-conversation without a table"
expect_one_line_err "get-conversation without a table"

# The table: created once, described, empty.
run ddb schema-load
expect_rc 0 "schema-load"
$py - "$out" <<'EOF' || fail "schema-load prints the table description"
import json, sys
d = json.loads(sys.argv[1])["TableDescription"]
assert d["TableName"] == "cruddur-messages", d["TableName"]
assert {k["AttributeName"]: k["KeyType"] for k in d["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
assert sorted(a["AttributeName"] for a in d["AttributeDefinitions"]) == ["message_group_uuid", "pk", "sk"]
(gsi,) = d["GlobalSecondaryIndexes"]
assert gsi["IndexName"] == "message-group-sk-index"
assert gsi["Projection"]["ProjectionType"] == "ALL"
assert d["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
EOF
run ddb schema-load
expect_rc 1 "schema-load of an existing table"
expect_err "ResourceInUseException" "schema-load of an existing table"
run ddb list-tables
expect_rc 0 "list-tables"
[ "$out" = "cruddur-messages" ] && pass || fail "list-tables prints the one table"
run ddb describe-table
expect_rc 0 "describe-table"
expect_out '"TableName": "cruddur-messages"' "describe-table"
run ddb describe-table nosuch
expect_rc 1 "describe-table of another missing table"
expect_err "table nosuch does not exist" "describe-table nosuch"
run ddb scan
expect_rc 0 "scan of an empty table"
expect_empty_out "scan of an empty table"
run ddb patterns get-conversation
expect_rc 0 "get-conversation of an empty table"
expect_out '"CapacityUnits"' "get-conversation prints the consumed capacity"

# Seeding needs the users: a missing users table names `cruddur db setup`.
run ddb seed
expect_rc 1 "seed without the users table"
expect_err "\`cruddur db setup\` creates it and deletes nothing" "seed without the users table"
expect_one_line_err "seed without the users table"
run db schema-load
expect_rc 0 "db schema-load"
expect_out "^users table: created in the SQLite file $CRUDDUR_DATA/users.sqlite$" "db schema-load"
run db schema-load
expect_rc 0 "db schema-load again"
expect_out "^users table: already in the SQLite file $CRUDDUR_DATA/users.sqlite \(0 users, kept\)$" \
    "db schema-load again"
run ddb seed
expect_rc 1 "seed without the demo users"
expect_err "user 'andrewbrown' is not in the users directory \(SQLite file $CRUDDUR_DATA/users.sqlite\); \`cruddur db seed\` adds the demo users andrewbrown, bayko and londo and deletes nothing$" \
    "seed without the demo users"
expect_one_line_err "seed without the demo users"
run ddb patterns list-conversations
expect_rc 1 "list-conversations of a missing user"
expect_err "user 'andrewbrown' is not in the users directory" "list-conversations of a missing user"
run db seed
expect_rc 0 "db seed"
expect_out "3 inserted, 0 already present" "db seed"
run db seed
expect_out "0 inserted, 3 already present" "db seed again"
run db setup
expect_rc 0 "db setup"
expect_out "^demo users: not added, the table has users already" "db setup keeps a table with users"

# The seed.
run ddb seed
expect_rc 0 "ddb seed"
expect_out "^seeded [0-9]+ messages between andrewbrown and bayko in conversation $group$" "ddb seed"
[ -z "$err" ] && pass || fail "no progress output when stderr is not a terminal"
run ddb seed
expect_rc 0 "ddb seed again"
expect_out "^the demo conversation $group is already there: left as it is$" "ddb seed again adds nothing"
run ddb scan --json
expect_rc 0 "scan --json"
printf '%s\n' "$out" >"$data/scan.jsonl"
run ddb scan
expect_rc 0 "scan"
printf '%s\n' "$out" >"$data/plain.jsonl"
run ddb patterns get-conversation
expect_rc 0 "get-conversation"
printf '%s\n' "$out" >"$data/conversation.txt"
run ddb patterns get-conversation "$group" --json
expect_rc 0 "get-conversation --json"
printf '%s\n' "$out" >"$data/conversation.json"
run ddb patterns list-conversations
expect_rc 0 "list-conversations"
printf '%s\n' "$out" >"$data/andrew.txt"
run ddb patterns list-conversations bayko --json
expect_rc 0 "list-conversations bayko --json"
printf '%s\n' "$out" >"$data/bayko.txt"
run ddb patterns list-conversations londo
expect_rc 0 "list-conversations of a user without conversations"
expect_out "^my-uuid: [0-9a-f-]{36}$" "list-conversations londo"
[ "$(wc -l <<<"$out")" -eq 1 ] && pass || fail "londo has no conversations"

$py - "$data" "$group" <<'EOF' && pass || fail "seed layout and pattern output"
import datetime, json, sys, time
data, group = sys.argv[1], sys.argv[2]
items = [json.loads(l) for l in open(f"{data}/scan.jsonl") if l.strip()]
plain = [json.loads(l) for l in open(f"{data}/plain.jsonl") if l.strip()]
assert len(plain) == len(items), (len(plain), len(items))
s = lambda i, k: i[k]["S"]
msgs = sorted((i for i in items if s(i, "pk") == "MSG#" + group), key=lambda i: s(i, "sk"))
groups = [i for i in items if s(i, "pk").startswith("GRP#")]
assert len(items) == len(msgs) + 2, "seeding again must not add: %d items" % len(items)
assert 90 <= len(msgs) <= 110, len(msgs)
# Alternating senders, andrewbrown first, one minute apart, ending now, never in the future.
for n, m in enumerate(msgs):
    assert s(m, "user_handle") == ("andrewbrown", "bayko")[n % 2], n
    assert s(m, "user_display_name") == ("Andrew Brown", "Andrew Bayko")[n % 2], n
times = [datetime.datetime.fromisoformat(s(m, "sk")) for m in msgs]
assert all(len(s(m, "sk")) == 32 for m in msgs)
assert all((b - a).total_seconds() == 60 for a, b in zip(times, times[1:]))
now = datetime.datetime.now(datetime.timezone.utc)
assert times[-1] <= now and (now - times[-1]).total_seconds() < 120, times[-1]
assert len({s(m, "message") for m in msgs}) == len(msgs), "every line is different"
assert len({s(m, "message_uuid") for m in msgs}) == len(msgs)
# Both group items point at the last message and name the other participant.
assert len(groups) == 2
by_handle = {s(g, "user_handle"): g for g in groups}
assert set(by_handle) == {"andrewbrown", "bayko"}
for g in groups:
    assert s(g, "sk") == s(msgs[-1], "sk") and s(g, "message") == s(msgs[-1], "message")
    assert s(g, "message_group_uuid") == group
uuid = {s(m, "user_handle"): s(m, "user_uuid") for m in msgs}
assert s(by_handle["bayko"], "pk") == "GRP#" + uuid["andrewbrown"]
assert s(by_handle["andrewbrown"], "pk") == "GRP#" + uuid["bayko"]

# get-conversation: the latest 20, oldest first, in the exact format.
def when(sk):
    return datetime.datetime.fromisoformat(sk).strftime("%Y-%m-%d %I:%M %p")
expected = [f"{s(m, 'user_handle'):<12}{when(s(m, 'sk')):<22}{s(m, 'message')[:40]}..." for m in msgs[-20:]]
lines = open(f"{data}/conversation.txt").read().split("\n")
assert lines[:20] == expected, "\n".join(a + " | " + b for a, b in zip(lines, expected) if a != b)
cap = json.loads("\n".join(lines[20:]))
assert cap["TableName"] == "cruddur-messages" and cap["CapacityUnits"] > 0, cap
raw = json.load(open(f"{data}/conversation.json"))
assert [s(i, "sk") for i in raw["Items"]] == [s(m, "sk") for m in reversed(msgs[-20:])]
assert "ConsumedCapacity" in raw

# list-conversations: my-uuid, then the conversation with the other user.
lines = open(f"{data}/andrew.txt").read().strip().split("\n")
assert lines[0] == "my-uuid: " + uuid["andrewbrown"], lines[0]
assert lines[1] == f"{'bayko':<12}{when(s(msgs[-1], 'sk')):<22}{group} {s(msgs[-1], 'message')[:40]}...", lines[1]
assert len(lines) == 2
text = open(f"{data}/bayko.txt").read()
first, rest = text.split("\n", 1)
assert first == "my-uuid: " + uuid["bayko"]
(item,) = json.loads(rest)
assert s(item, "user_handle") == "andrewbrown"
EOF

# Progress on a terminal (when util-linux's `script` can give us one).
if command -v script >/dev/null; then
    log=$data/tty.log
    script -qec "$bin ddb reset --yes" "$log" >/dev/null 2>&1
    grep -aq "seeding messages [0-9]*/[0-9]*" "$log" && pass || fail "seed shows progress on a terminal"
fi

# Old and odd data never crash the patterns: no microseconds, no offset, short text.
$py - "$data" <<'EOF'
import json, sys
items = [
    {"pk": {"S": "MSG#11111111-2222-4333-8444-555555555555"}, "sk": {"S": "2023-03-20T22:52:11+00:00"},
     "message": {"S": "short"}, "user_handle": {"S": "londo"}},
    {"pk": {"S": "MSG#11111111-2222-4333-8444-555555555555"}, "sk": {"S": "2023-03-21T09:05:00"},
     "message": {"S": "line\nbreak and \u00e9\u00e8 accents that go on for more than forty characters"},
     "user_handle": {"S": "a-rather-long-handle"}},
    {"pk": {"S": "MSG#11111111-2222-4333-8444-555555555555"}, "sk": {"S": "garbage"}},
]
open(sys.argv[1] + "/odd.json", "w").write(json.dumps(items))
EOF
# The odd items go in through `cruddur dynamodb` on the same data folder.
if port_out=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'); then
    "$bin" dynamodb --port "$port_out" --data "$CRUDDUR_DATA" >"$data/dynamodb.log" 2>&1 &
    ddb_pid=$!
    if AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 "$py" - "$data" "$port_out" <<'EOF'; then
import json, sys, time, boto3
c = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[2]}")
deadline = time.monotonic() + 120  # a sanitizer build on a loaded machine starts slowly
while True:
    try:
        c.list_tables(); break
    except Exception:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.1)
for item in json.load(open(sys.argv[1] + "/odd.json")):
    c.put_item(TableName="cruddur-messages", Item=item)
EOF
        run ddb patterns get-conversation 11111111-2222-4333-8444-555555555555
        expect_rc 0 "get-conversation of older timestamp forms"
        expect_out "^londo       2023-03-20 10:52 PM   short\.\.\.$" "a key without microseconds"
        expect_out "^a-rather-long-handle2023-03-21 09:05 AM   line break and éè accents that go on for\.\.\.$" \
            "a key without offset, a line break and multi-byte characters"
        expect_out "^\?           garbage               \.\.\.$" "an unparsable key is printed as it is"
    else
        fail "could not write the odd items through cruddur dynamodb"
    fi
    stop_clean "$ddb_pid" "$data/dynamodb.log" "cruddur dynamodb" && pass ||
        fail "cruddur dynamodb on the data folder stops cleanly"
fi

# setup keeps a table that holds items (the odd ones too); reset starts over.
run ddb scan
before=$out
run ddb setup
expect_rc 0 "ddb setup"
expect_out "^table cruddur-messages: already in the embedded store in $CRUDDUR_DATA \(kept\)$" \
    "ddb setup keeps the table"
expect_out "^not seeded: table cruddur-messages has items" "ddb setup does not seed a table with items"
run ddb scan
[ "$out" = "$before" ] && pass || fail "ddb setup changes no item"
run ddb reset </dev/null
expect_rc 1 "ddb reset without --yes"
expect_err "this deletes table cruddur-messages and every item in it from the embedded store in $CRUDDUR_DATA; stdin is not a terminal" \
    "ddb reset says what and where"
run ddb reset --yes
expect_rc 0 "ddb reset --yes"
expect_out "^deleting table: cruddur-messages \(embedded store in $CRUDDUR_DATA\)$" "ddb reset drops the old table"
expect_out "^created table: cruddur-messages \(embedded store in $CRUDDUR_DATA\)$" "ddb reset creates it"
expect_out "^seeded " "ddb reset seeds it"
run ddb scan
[ "$(wc -l <<<"$out")" -ge 92 ] && [ "$(wc -l <<<"$out")" -le 112 ] && pass || fail "reset leaves one conversation"

# A table name from the environment.
DDB_MESSAGE_TABLE=other-messages run ddb schema-load
expect_rc 0 "schema-load with DDB_MESSAGE_TABLE"
expect_out '"TableName": "other-messages"' "schema-load with DDB_MESSAGE_TABLE"

# drop: refuses without --yes off a terminal; with it, prints the line and deletes.
run ddb drop other-messages </dev/null
expect_rc 1 "drop without --yes"
expect_one_line_err "drop without --yes"
run ddb list-tables
[ "$out" = "$(printf 'cruddur-messages\nother-messages')" ] && pass || fail "drop without --yes deletes nothing"
run ddb drop other-messages --yes
expect_rc 0 "drop"
[ "$out" = "deleting table: other-messages (embedded store in $CRUDDUR_DATA)" ] && pass ||
    fail "drop prints exactly the deleting line"
run ddb list-tables
[ "$out" = "cruddur-messages" ] && pass || fail "the dropped table is gone"

# --data wins over CRUDDUR_DATA.
run ddb list-tables --data "$data/elsewhere"
expect_rc 0 "list-tables --data"
expect_empty_out "list-tables --data uses the other folder"

# Cognito without configuration, or unreachable: one-line reasons.
run cognito list-users
expect_rc 1 "list-users without a pool"
expect_err "AWS_COGNITO_USER_POOL_ID is not set" "list-users without a pool"
expect_one_line_err "list-users without a pool"
AWS_COGNITO_USER_POOL_ID=us-east-1_abc AWS_ACCESS_KEY_ID= run cognito list-users
expect_rc 1 "list-users without credentials"
expect_err "AWS_ACCESS_KEY_ID is not set" "list-users without credentials"
AWS_COGNITO_USER_POOL_ID=us-east-1_abc AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:1 run cognito list-users
expect_rc 1 "list-users with an unreachable endpoint"
expect_err "cannot reach Cognito at http://127.0.0.1:1" "list-users with an unreachable endpoint"
expect_one_line_err "list-users with an unreachable endpoint"
AWS_COGNITO_USER_POOL_ID=us-east-1_abc AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:1 run db update-cognito-user-ids
expect_rc 1 "update-cognito-user-ids with an unreachable endpoint"
expect_one_line_err "update-cognito-user-ids with an unreachable endpoint"

# The same tools on the remote driver: AWS_ENDPOINT_URL points them at a
# DynamoDB endpoint (here `cruddur dynamodb` on loopback) instead of the
# embedded store.
"$bin" dynamodb --in-memory --port 0 >"$data/ddbserver.log" 2>&1 &
ddb_pid=$!
port=$(wait_listening "$data/ddbserver.log" "$ddb_pid")
if [ -z "$port" ]; then
    fail "cruddur dynamodb did not start: $(cat "$data/ddbserver.log")"
    kill "$ddb_pid" 2>/dev/null
else
    export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x
    run ddb list-tables --data "$data/remote"
    expect_rc 0 "list-tables on the remote driver"
    expect_empty_out "the remote endpoint starts empty"
    run db setup --data "$data/remote"
    expect_rc 0 "db setup beside the remote driver (users stay embedded)"
    run ddb setup --data "$data/remote"
    expect_rc 0 "ddb setup on the remote driver"
    run ddb list-tables --data "$data/remote"
    [ "$out" = "cruddur-messages" ] && pass || fail "the table was created on the remote endpoint"
    run ddb patterns get-conversation --data "$data/remote"
    expect_rc 0 "get-conversation on the remote driver"
    [ "$(grep -cE '^(andrewbrown|bayko) ' <<<"$out")" -eq 20 ] && pass ||
        fail "get-conversation on the remote driver prints 20 messages"
    [ ! -e "$data/remote/ddb.sqlite" ] && pass || fail "nothing was written to the embedded store"
    stop_clean "$ddb_pid" "$data/ddbserver.log" "cruddur dynamodb" && pass ||
        fail "cruddur dynamodb --in-memory stops cleanly"
    AWS_ENDPOINT_URL=http://127.0.0.1:$port run ddb list-tables --data "$data/remote"
    expect_rc 1 "list-tables with the endpoint down"
    expect_err "cannot reach" "list-tables with the endpoint down"
    expect_one_line_err "list-tables with the endpoint down"
    unset AWS_ENDPOINT_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
fi
wait "$ddb_pid" 2>/dev/null

finish run_tools
