#!/usr/bin/env bash
# run_threads.sh: `cruddur dynamodb --threads N`. The option is documented,
# bad values are refused with exit 2 and one line on stderr, and a durable
# server with a small pool answers many concurrent boto3 PutItems (more
# clients than threads), all of which are then read back.
# Needs CRUDDUR_BIN (set by ctest) and Debian's python3 with boto3.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tools/lib.sh"
. "$here/../lib/stop_clean.sh"
. "$here/../lib/listening.sh"

tmp=$(mktemp -d /tmp/cruddur-threads.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

run dynamodb --help
expect_rc 0 "dynamodb --help"
expect_out "--threads N" "--help documents --threads"

for bad in 0 -1 1025 abc 4x ""; do
    run dynamodb --threads "$bad" --in-memory --port 0
    expect_rc 2 "--threads '$bad' is refused"
    expect_one_line_err "--threads '$bad'"
    expect_err "--threads: invalid value" "--threads '$bad' names the option"
done

"$bin" dynamodb --threads 3 --data "$tmp/data" --port 0 >"$tmp/out.log" 2>"$tmp/err.log" &
pid=$!
port=$(wait_listening "$tmp/out.log" "$pid")
if [ -z "$port" ]; then
    fail "cruddur dynamodb --threads 3 did not start: $(cat "$tmp/out.log" "$tmp/err.log")"
    kill "$pid" 2>/dev/null
    finish "dynamodb.threads"
fi

AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \
    /usr/bin/python3 - "$port" <<'PY' && pass || fail "48 concurrent PutItems through 3 threads"
import sys
from concurrent.futures import ThreadPoolExecutor
import boto3
from botocore.config import Config

ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}",
                   config=Config(max_pool_connections=16, retries={"max_attempts": 1}))
ddb.create_table(TableName="threads", BillingMode="PAY_PER_REQUEST",
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

def put(i):
    ddb.put_item(TableName="threads", Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)}})

with ThreadPoolExecutor(max_workers=16) as pool:
    list(pool.map(put, range(48)))
items = ddb.scan(TableName="threads")["Items"]
assert sorted(int(it["n"]["N"]) for it in items) == list(range(48)), items
PY

stop_clean "$pid" "$tmp/err.log" "cruddur dynamodb --threads 3" && pass ||
    fail "cruddur dynamodb --threads 3 stops cleanly"
finish "dynamodb.threads"
