"""A scripted aws cli session (Debian's awscli) run step by step against
both servers, whose outputs must be identical once what differs by nature
is normalised (times, ARNs, table ids, stream labels, request ids).

The session is what a user types: create-table with a GSI and an LSI and a
stream, put/get/update/delete-item with return values and conditions,
query and scan with --projection-expression, --filter-expression,
--select COUNT, --index-name, --no-scan-index-forward, the cli's own
pagination (--max-items, --page-size, --starting-token), parallel scan
segments, batch-write/batch-get-item, transact-write-items (a token, then
a failed condition) and transact-get-items, execute-statement,
update/describe-time-to-live, describe-continuous-backups, describe-limits,
list-tables with --max-items, the streams cli (list-streams,
describe-stream), and delete-table. Errors are compared by exit status
and message.
"""
import json
import os
import re
import subprocess
import uuid

import pytest
from conftest import SERVERS

AWS = "/usr/bin/aws"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1",
           AWS_PAGER="", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
# Values that differ between any two servers by nature (times, ARNs).
VOLATILE = {"CreationDateTime", "TableArn", "IndexArn", "LatestStreamArn", "LatestStreamLabel", "StreamArn",
            "StreamLabel", "LastUpdateToPayPerRequestDateTime", "CreationRequestDateTime",
            "EarliestRestorableDateTime", "LatestRestorableDateTime"}
# Members where cruddur follows DynamoDB and DynamoDB Local 3.3.1 does not
# (tests/compat/FINDINGS.md): a TableDescription's TableId (3.3.1 leaves it
# out), an on-demand table's ProvisionedThroughput (3.3.1 adds
# LastIncreaseDateTime and LastDecreaseDateTime of 0; DynamoDB leaves them
# out, and gives a GSI's zeros, which 3.3.1 leaves out).
DOCUMENTED = {"TableId", "LastIncreaseDateTime", "LastDecreaseDateTime"}


# Errors whose message DynamoDB Local 3.3.1 words its own way (FINDINGS.md):
# only the error code is compared.
CODE_ONLY = {"ResourceNotFoundException", "IdempotentParameterMismatchException"}


def cli(endpoint, *args, service="dynamodb"):
    """Runs one aws cli command; returns (exit status, parsed output or the error)."""
    p = subprocess.run([AWS, service, *args, "--endpoint-url", endpoint, "--output", "json"],
                       capture_output=True, text=True, env=ENV, timeout=120)
    if p.returncode != 0:
        m = re.search(r"An error occurred \((\w+)\) when calling the (\w+) operation(?: \([^)]*\))?: ?(.*)",
                      p.stderr, re.S)
        if not m:
            return p.returncode, p.stderr.strip()
        code, op, message = m.groups()
        return p.returncode, {"error": code, "operation": op,
                              "message": None if code in CODE_ONLY else message.strip()}
    return 0, json.loads(p.stdout) if p.stdout.strip() else {}


def normalise(x):
    if isinstance(x, dict):
        drop = set(DOCUMENTED)
        if "IndexName" in x and x.get("ProvisionedThroughput", {}).get("ReadCapacityUnits") == 0:
            drop.add("ProvisionedThroughput")
        return {k: ("<%s>" % k if k in VOLATILE else normalise(v)) for k, v in x.items() if k not in drop}
    if isinstance(x, list):
        return [normalise(v) for v in x]
    return x


def session(endpoint, name):
    """Yields (step, normalised output) for the whole scripted session."""
    t = name
    items = [{"pk": {"S": "p%d" % (i % 3)}, "sk": {"N": str(i)}, "g": {"S": "g%d" % (i % 2)},
              "l": {"N": str(20 - i)}, "v": {"S": "v%d" % i}, "c": {"N": "1"},
              "m": {"M": {"a": {"S": "x%d" % i}, "b": {"L": [{"N": "1"}, {"S": "y"}]}}}}
             for i in range(24)]

    def run(step, *args, service="dynamodb"):
        status, out = cli(endpoint, *args, service=service)
        return step, status, normalise(out)

    yield run("create-table", "create-table", "--table-name", t,
              "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
              "AttributeName=g,AttributeType=S", "AttributeName=l,AttributeType=N",
              "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
              "--global-secondary-indexes", json.dumps([{
                  "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                    {"AttributeName": "sk", "KeyType": "RANGE"}],
                  "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}]),
              "--local-secondary-indexes", json.dumps([{
                  "IndexName": "byl", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                    {"AttributeName": "l", "KeyType": "RANGE"}],
                  "Projection": {"ProjectionType": "ALL"}}]),
              "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
              "--billing-mode", "PAY_PER_REQUEST")
    yield run("wait-table-exists", "wait", "table-exists", "--table-name", t)
    yield run("describe-table", "describe-table", "--table-name", t)
    for it in items[:4]:
        yield run("put-item", "put-item", "--table-name", t, "--item", json.dumps(it),
                  "--return-values", "ALL_OLD", "--return-consumed-capacity", "INDEXES",
                  "--return-item-collection-metrics", "SIZE")
    yield run("put-item-overwrite", "put-item", "--table-name", t, "--item", json.dumps(items[0]),
              "--return-values", "ALL_OLD", "--return-consumed-capacity", "TOTAL")
    yield run("batch-write-item", "batch-write-item", "--request-items", json.dumps(
        {t: [{"PutRequest": {"Item": it}} for it in items[4:24]]}),
        "--return-consumed-capacity", "INDEXES", "--return-item-collection-metrics", "SIZE")
    yield run("get-item", "get-item", "--table-name", t, "--key", json.dumps({"pk": {"S": "p1"}, "sk": {"N": "4"}}),
              "--projection-expression", "v, m.a, #b[1]", "--expression-attribute-names", '{"#b": "m.b"}',
              "--consistent-read", "--return-consumed-capacity", "INDEXES")
    yield run("get-item-nested", "get-item", "--table-name", t,
              "--key", json.dumps({"pk": {"S": "p1"}, "sk": {"N": "4"}}),
              "--projection-expression", "v, m.a, m.b[1]")
    yield run("get-item-missing", "get-item", "--table-name", t,
              "--key", json.dumps({"pk": {"S": "nope"}, "sk": {"N": "4"}}))
    q = ["--table-name", t, "--key-condition-expression", "pk = :p AND sk > :s",
         "--expression-attribute-values", json.dumps({":p": {"S": "p0"}, ":s": {"N": "0"}})]
    yield run("query", "query", *q, "--projection-expression", "sk, v, m.a")
    yield run("query-filter", "query", "--table-name", t, "--key-condition-expression", "pk = :p",
              "--filter-expression", "l < :l AND begins_with(v, :v)",
              "--expression-attribute-values", json.dumps({":p": {"S": "p2"}, ":l": {"N": "15"},
                                                           ":v": {"S": "v1"}}),
              "--return-consumed-capacity", "INDEXES")
    yield run("query-max-items", "query", *q, "--max-items", "3", "--page-size", "2")
    _, status, first = cli_step(endpoint, "query", *q, "--max-items", "3", "--page-size", "2")
    yield "query-starting-token", status, normalise(
        cli(endpoint, "query", *q, "--starting-token", first.get("NextToken", ""), "--page-size", "2")[1])
    yield run("query-count", "query", *q, "--select", "COUNT", "--filter-expression", "c = :c",
              "--expression-attribute-values", json.dumps({":p": {"S": "p0"}, ":s": {"N": "0"},
                                                           ":c": {"N": "1"}}))
    yield run("query-limit-count", "query", *q, "--select", "COUNT", "--limit", "3", "--no-paginate")
    yield run("query-lsi-backward", "query", "--table-name", t, "--index-name", "byl",
              "--key-condition-expression", "pk = :p AND l BETWEEN :a AND :b",
              "--expression-attribute-values", json.dumps({":p": {"S": "p1"}, ":a": {"N": "3"},
                                                           ":b": {"N": "17"}}),
              "--no-scan-index-forward", "--return-consumed-capacity", "INDEXES")
    yield run("query-lsi-limit", "query", "--table-name", t, "--index-name", "byl",
              "--key-condition-expression", "pk = :p", "--expression-attribute-values",
              json.dumps({":p": {"S": "p2"}}), "--limit", "2", "--no-paginate", "--select", "ALL_ATTRIBUTES")
    yield run("query-gsi", "query", "--table-name", t, "--index-name", "byg",
              "--key-condition-expression", "g = :g AND sk >= :s",
              "--expression-attribute-values", json.dumps({":g": {"S": "g1"}, ":s": {"N": "9"}}),
              "--return-consumed-capacity", "INDEXES")
    yield run("query-gsi-select-all", "query", "--table-name", t, "--index-name", "byg",
              "--key-condition-expression", "g = :g", "--expression-attribute-values",
              json.dumps({":g": {"S": "g1"}}), "--select", "ALL_ATTRIBUTES")
    yield run("scan-filter", "scan", "--table-name", t, "--filter-expression", "attribute_exists(m.b) AND l > :l",
              "--expression-attribute-values", json.dumps({":l": {"N": "10"}}),
              "--projection-expression", "pk, sk, l")
    yield run("scan-max-items", "scan", "--table-name", t, "--max-items", "5", "--page-size", "4")
    _, status, first = cli_step(endpoint, "scan", "--table-name", t, "--max-items", "5", "--page-size", "4")
    yield "scan-starting-token", status, normalise(
        cli(endpoint, "scan", "--table-name", t, "--max-items", "7", "--page-size", "4",
            "--starting-token", first.get("NextToken", ""))[1])
    yield run("scan-segment", "scan", "--table-name", t, "--segment", "1", "--total-segments", "3",
              "--return-consumed-capacity", "INDEXES")
    yield run("scan-gsi", "scan", "--table-name", t, "--index-name", "byg", "--limit", "5", "--no-paginate")
    yield run("scan-count", "scan", "--table-name", t, "--select", "COUNT", "--filter-expression", "sk < :s",
              "--expression-attribute-values", json.dumps({":s": {"N": "10"}}), "--limit", "7")
    key = json.dumps({"pk": {"S": "p0"}, "sk": {"N": "3"}})
    yield run("update-item", "update-item", "--table-name", t, "--key", key,
              "--update-expression", "SET v = :v, m.b[5] = :x ADD c :one REMOVE l",
              "--expression-attribute-values", json.dumps({":v": {"S": "new"}, ":one": {"N": "2"},
                                                           ":x": {"S": "end"}}),
              "--return-values", "UPDATED_NEW", "--return-consumed-capacity", "INDEXES",
              "--return-item-collection-metrics", "SIZE")
    yield run("update-item-all-old", "update-item", "--table-name", t, "--key", key,
              "--update-expression", "SET l = :l", "--expression-attribute-values", json.dumps({":l": {"N": "99"}}),
              "--return-values", "ALL_OLD")
    yield run("update-item-failed", "update-item", "--table-name", t, "--key", key,
              "--update-expression", "SET v = :v", "--condition-expression", "v = :old",
              "--expression-attribute-values", json.dumps({":v": {"S": "z"}, ":old": {"S": "no"}}),
              "--return-values-on-condition-check-failure", "ALL_OLD")
    yield run("delete-item", "delete-item", "--table-name", t,
              "--key", json.dumps({"pk": {"S": "p1"}, "sk": {"N": "1"}}),
              "--condition-expression", "attribute_exists(v)", "--return-values", "ALL_OLD",
              "--return-item-collection-metrics", "SIZE")
    yield run("delete-item-failed", "delete-item", "--table-name", t,
              "--key", json.dumps({"pk": {"S": "p1"}, "sk": {"N": "1"}}),
              "--condition-expression", "attribute_exists(v)")
    # (Actions of different costs: 3.3.1 counts actions of equal cost once,
    # test_batch_txn.py::test_transact_write_capacity_sums_equal_actions.)
    txn = [{"Put": {"TableName": t, "Item": {"pk": {"S": "t"}, "sk": {"N": "1"}, "g": {"S": "g0"}, "v": {"S": "a"}}}},
           {"Update": {"TableName": t, "Key": {"pk": {"S": "p0"}, "sk": {"N": "6"}},
                       "UpdateExpression": "SET c = :v", "ExpressionAttributeValues": {":v": {"N": "7"}}}},
           {"Delete": {"TableName": t, "Key": {"pk": {"S": "p2"}, "sk": {"N": "2"}}}},
           {"ConditionCheck": {"TableName": t, "Key": {"pk": {"S": "p0"}, "sk": {"N": "9"}},
                               "ConditionExpression": "attribute_exists(pk)"}}]
    token = "cli-session-" + name
    yield run("transact-write-items", "transact-write-items", "--transact-items", json.dumps(txn),
              "--client-request-token", token, "--return-consumed-capacity", "INDEXES",
              "--return-item-collection-metrics", "SIZE")
    yield run("transact-write-items-repeat", "transact-write-items", "--transact-items", json.dumps(txn),
              "--client-request-token", token)
    yield run("transact-write-items-mismatch", "transact-write-items", "--transact-items", json.dumps(txn[:2]),
              "--client-request-token", token)
    bad = [{"Put": {"TableName": t, "Item": {"pk": {"S": "t"}, "sk": {"N": "2"}}}},
           {"ConditionCheck": {"TableName": t, "Key": {"pk": {"S": "p0"}, "sk": {"N": "9"}},
                               "ConditionExpression": "v = :x", "ExpressionAttributeValues": {":x": {"S": "-"}},
                               "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]
    yield run("transact-write-items-failed", "transact-write-items", "--transact-items", json.dumps(bad))
    yield run("transact-get-items", "transact-get-items", "--transact-items", json.dumps([
        {"Get": {"TableName": t, "Key": {"pk": {"S": "t"}, "sk": {"N": "1"}}}},
        {"Get": {"TableName": t, "Key": {"pk": {"S": "p0"}, "sk": {"N": "6"}}, "ProjectionExpression": "v, sk"}},
        {"Get": {"TableName": t, "Key": {"pk": {"S": "p2"}, "sk": {"N": "2"}}}}]),
        "--return-consumed-capacity", "INDEXES")
    yield run("batch-get-item", "batch-get-item", "--request-items", json.dumps(
        {t: {"Keys": [{"pk": {"S": "p0"}, "sk": {"N": "0"}}], "ProjectionExpression": "v, #m.a",
             "ExpressionAttributeNames": {"#m": "m"}, "ConsistentRead": True}}),
        "--return-consumed-capacity", "INDEXES")
    q = '"%s"' % t
    yield run("execute-statement-insert", "execute-statement", "--statement",
              "INSERT INTO %s VALUE {'pk': 'q', 'sk': 1, 'g': 'g0', 'v': ?}" % q,
              "--parameters", json.dumps([{"S": "pq"}]))
    yield run("execute-statement-update", "execute-statement", "--statement",
              "UPDATE %s SET v = 'pq2' SET c = 5 WHERE pk = 'q' AND sk = 1 RETURNING ALL_NEW *" % q)
    yield run("execute-statement-select", "execute-statement", "--statement",
              "SELECT pk, sk, v FROM %s WHERE pk = 'p0' AND sk > 10" % q)
    status, page = cli(endpoint, "execute-statement", "--statement", "SELECT * FROM %s WHERE pk = 'p0'" % q,
                       "--limit", "2")
    next_token = page.pop("NextToken", None) if isinstance(page, dict) else None
    yield "execute-statement-select-limit", status, [normalise(page), next_token is not None]
    status, page = cli(endpoint, "execute-statement", "--statement", "SELECT * FROM %s WHERE pk = 'p0'" % q,
                       "--limit", "2", "--next-token", next_token or "")
    more = page.pop("NextToken", None) if isinstance(page, dict) else None
    yield "execute-statement-next-token", status, [normalise(page), more is not None]
    yield run("execute-statement-index", "execute-statement", "--statement",
              'SELECT sk, v FROM %s."byg" WHERE g = \'g0\' AND sk < 6' % q)
    yield run("update-time-to-live", "update-time-to-live", "--table-name", t,
              "--time-to-live-specification", "Enabled=true,AttributeName=ttl")
    yield run("describe-time-to-live", "describe-time-to-live", "--table-name", t)
    yield run("update-time-to-live-again", "update-time-to-live", "--table-name", t,
              "--time-to-live-specification", "Enabled=true,AttributeName=ttl")
    yield run("describe-continuous-backups", "describe-continuous-backups", "--table-name", t)
    yield run("describe-limits", "describe-limits")
    step, status, out = run("list-streams", "list-streams", "--table-name", t, service="dynamodbstreams")
    yield step, status, out
    _, arn = cli(endpoint, "describe-table", "--table-name", t)
    arn = arn["Table"]["LatestStreamArn"] if isinstance(arn, dict) else ""
    _, desc = cli(endpoint, "describe-stream", "--stream-arn", arn, service="dynamodbstreams")
    if isinstance(desc, dict):
        for shard in desc.get("StreamDescription", {}).get("Shards", []):
            shard["ShardId"] = "<ShardId>"
            shard.get("SequenceNumberRange", {}).pop("StartingSequenceNumber", None)
    yield "describe-stream", 0, normalise(desc)
    others = ["zzz-cli-%s-%d" % (name[-8:], i) for i in range(3)]
    for o in others:
        cli(endpoint, "create-table", "--table-name", o, "--attribute-definitions", "AttributeName=k,AttributeType=S",
            "--key-schema", "AttributeName=k,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
    start = "zzz-cli-%s" % name[-8:]
    _, status, first = cli_step(endpoint, "list-tables", "--exclusive-start-table-name", start, "--max-items", "2")
    yield "list-tables-max-items", status, first
    yield run("list-tables-starting-token", "list-tables", "--exclusive-start-table-name", start,
              "--starting-token", first.get("NextToken", ""))
    for o in others:
        cli(endpoint, "delete-table", "--table-name", o)
    # DeleteTable's TableStatus is DELETING in DynamoDB, ACTIVE in 3.3.1.
    status, out = cli(endpoint, "delete-table", "--table-name", t)
    deleting = out.get("TableDescription", {}).pop("TableStatus", None) if isinstance(out, dict) else None
    yield "delete-table", status, normalise(out)
    yield "delete-table-status", 0, deleting
    yield run("describe-deleted", "describe-table", "--table-name", t)


def cli_step(endpoint, *args):
    status, out = cli(endpoint, *args)
    return None, status, out if isinstance(out, dict) else {}


def test_cli_session(servers):
    if not {"cruddur", "ddblocal"} <= set(SERVERS):
        pytest.skip("needs both servers")
    name = "compat-clis-" + uuid.uuid4().hex[:8]
    runs = {n: list(session(servers(n).endpoint, name)) for n in ("cruddur", "ddblocal")}
    steps = {n: [r[0] for r in runs[n]] for n in runs}
    assert steps["cruddur"] == steps["ddblocal"]
    # Where cruddur follows DynamoDB's documentation and 3.3.1 does not.
    mine = {r[0]: r for r in runs["cruddur"]}
    assert mine["delete-table-status"][2] == "DELETING" and runs["ddblocal"][-2][2] == "ACTIVE"
    diffs = []
    for a, b in zip(runs["cruddur"], runs["ddblocal"]):
        if a[0] == "delete-table-status":
            continue
        if a != b:
            diffs.append("%s\n  cruddur:  %s\n  ddblocal: %s" % (a[0], json.dumps(a[1:], sort_keys=True),
                                                                  json.dumps(b[1:], sort_keys=True)))
    assert not diffs, "%d of %d steps differ:\n%s" % (len(diffs), len(runs["cruddur"]), "\n".join(diffs))
