#!/usr/bin/python3
"""The stream Lambda's bootstrap against a stand-in for Lambda's Runtime API.

1. Writes a small messages table on DynamoDB Local (two conversations,
   messages, an update and a delete) and records the table's stream with
   GetRecords, raw, as Lambda would receive it (plus eventSourceARN).
2. Prepares the store the bootstrap writes to: the same table on
   `cruddur dynamodb` (the same writes replayed), or DynamoDB Local itself.
3. Serves the Runtime API on loopback with these invocations:
   - the recorded records with two poisoned ones mixed in: a message whose
     text makes the group item too large to write (the store refuses it)
     and an INSERT whose image lacks the table's key;
   - the same recorded records again (a replay);
   - an event that is not a stream batch, and a body that is not JSON.
4. Runs the bootstrap, waits for every answer, stops it with SIGTERM.
Then checks the answers (partial batch failures naming exactly the two
poisoned sequence numbers; an empty list for the replay; invocation errors
for the bad events) and the store (group items moved to each
conversation's latest message, nothing else changed, the replay a no-op).

`--init-error` instead runs the bootstrap without credentials and checks
that it reports an init error and exits 1.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.config

PREFIX = "/2018-06-01/runtime"
FAILURES = []


def check(cond, what):
    if cond:
        print("ok   %s" % what)
    else:
        print("FAIL %s" % what)
        FAILURES.append(what)


# ---------------------------------------------------------------- Runtime API


class RuntimeApi:
    """Lambda's Runtime API, enough of it: queued events, recorded answers."""

    def __init__(self, events):
        # An event is a body, or (body, milliseconds left before its deadline).
        events = [e if isinstance(e, tuple) else (e, 60000) for e in events]
        self.pending = [(str(uuid.uuid4()), body, left) for body, left in events]
        self.ids = [rid for rid, _, _ in self.pending]
        self.answers = {}  # request id -> {"kind", "body", "headers"}
        self.init_errors = []
        self.cond = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def reply(self, status, body, headers=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    return self.reply(404, {"errorType": "NotFound", "errorMessage": self.path})
                with api.cond:
                    while not api.pending:
                        api.cond.wait(0.5)  # Lambda freezes the caller here
                    rid, body, left = api.pending.pop(0)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", rid)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + left))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 "arn:aws:lambda:us-east-1:123456789012:function:cruddur-messaging-stream")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"unparsable": raw.decode(errors="replace")}
                parts = self.path[len(PREFIX):].strip("/").split("/")
                with api.cond:
                    if parts == ["init", "error"]:
                        api.init_errors.append({"body": body, "headers": dict(self.headers)})
                    elif (len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error")
                          and parts[1] in api.ids and parts[1] not in api.answers):
                        api.answers[parts[1]] = {"kind": parts[2], "body": body, "headers": dict(self.headers)}
                    else:
                        return self.reply(400, {"errorType": "InvalidRequestID", "errorMessage": self.path})
                    api.cond.notify_all()
                self.reply(202, {"status": "OK"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server.server_address[1]

    def wait(self, pred, timeout):
        end = time.time() + timeout
        with self.cond:
            while not pred() and time.time() < end:
                self.cond.wait(0.2)
            return pred()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------- tables


def clients(endpoint, creds):
    cfg = botocore.config.Config(retries={"max_attempts": 2})
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", config=cfg, **creds)
    return boto3.client("dynamodb", **kw), boto3.client("dynamodbstreams", **kw)


def create_table(ddb, table):
    ddb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "message_group_uuid")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "message-group-sk-index",
            "KeySchema": [{"AttributeName": "message_group_uuid", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})


def S(v):
    return {"S": v}


USERS = {
    "a": ("0c9bcfcb-8b2e-4c7a-9d43-0f2f1b0c0a01", "andrewbrown", "Andrew Brown"),
    "b": ("0c9bcfcb-8b2e-4c7a-9d43-0f2f1b0c0a02", "bayko", "Andrew Bayko"),
    "c": ("0c9bcfcb-8b2e-4c7a-9d43-0f2f1b0c0a03", "londo", "Londo Mollari"),
}
G1 = "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"
G2 = "7e1f3c55-1d4a-4c2b-8f6e-2a9b3c4d5e6f"
T = ["2024-05-0%dT10:00:00.000000+00:00" % d for d in range(1, 9)]
T2_START = "2024-05-01T11:30:00.250000+00:00"  # an owner's group items need distinct sort keys


def group_item(owner, other, group, sk, text):
    uid, handle, name = USERS[other]
    return {"pk": S("GRP#" + USERS[owner][0]), "sk": S(sk), "message_group_uuid": S(group),
            "message": S(text), "user_uuid": S(uid), "user_handle": S(handle),
            "user_display_name": S(name)}


def message_item(sender, group, sk, text):
    uid, handle, name = USERS[sender]
    return {"pk": S("MSG#" + group), "sk": S(sk), "message_uuid": S(str(uuid.uuid5(uuid.NAMESPACE_URL, sk + group))),
            "message": S(text), "user_uuid": S(uid), "user_handle": S(handle), "user_display_name": S(name)}


def write_history(ddb, table):
    """What the API would have written: two conversations and their messages."""
    put = lambda item: ddb.put_item(TableName=table, Item=item)
    put(group_item("a", "b", G1, T[0], "hello bayko"))
    put(group_item("b", "a", G1, T[0], "hello bayko"))
    put(message_item("a", G1, T[0], "hello bayko"))
    put(group_item("a", "c", G2, T2_START, "hi londo"))
    put(group_item("c", "a", G2, T2_START, "hi londo"))
    put(message_item("a", G2, T2_START, "hi londo"))
    put(message_item("b", G1, T[1], "hi andrew, how are things?"))
    put(message_item("a", G1, T[2], "busy, the fanout is moving"))
    put(message_item("c", G2, T[3], "the Lambda reads every record now"))
    ddb.update_item(TableName=table, Key={"pk": S("MSG#" + G1), "sk": S(T[1])},
                    UpdateExpression="SET message = :m", ExpressionAttributeValues={":m": S("hi andrew!")})
    put({"pk": S("TMP#scratch"), "sk": S(T[0])})
    ddb.delete_item(TableName=table, Key={"pk": S("TMP#scratch"), "sk": S(T[0])})


def record_stream(ddb, streams, table):
    """The table's stream records, as GetRecords returned them on the wire."""
    raw = []

    def keep_raw(http_response, **kwargs):
        raw.append(json.loads(http_response.content))

    streams.meta.events.register("after-call.dynamodbstreams.GetRecords", keep_raw)
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            raw.clear()
            res = streams.get_records(ShardIterator=it, Limit=1000)
            got = raw[0]["Records"]
            for r in got:
                r["eventSourceARN"] = arn  # Lambda adds it to each record
            records.extend(got)
            it = res.get("NextShardIterator") if got else None
    return records


def scan(ddb, table):
    items = []
    kw = {"TableName": table, "ConsistentRead": True}
    while True:
        res = ddb.scan(**kw)
        items.extend(res["Items"])
        if "LastEvaluatedKey" not in res:
            break
        kw["ExclusiveStartKey"] = res["LastEvaluatedKey"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def groups(items):
    return sorted((i["pk"]["S"], i["message_group_uuid"]["S"], i["sk"]["S"], i["message"]["S"])
                  for i in items if i["pk"]["S"].startswith("GRP#"))


# ------------------------------------------------------------------ running


def start_bootstrap(bootstrap, env, log):
    return subprocess.Popen([bootstrap], env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_bootstrap(proc, what):
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, "%s: the bootstrap exits 0 on SIGTERM (got %s)" % (what, rc))


def sanitizer_clean(log_path, what):
    text = open(log_path, errors="replace").read()
    bad = [l for l in text.splitlines() if "AddressSanitizer" in l or "LeakSanitizer" in l or "runtime error:" in l]
    check(not bad, "%s: no sanitizer reports %s" % (what, bad[:3]))


def base_env(args, creds):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": creds["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": creds["aws_secret_access_key"],
        "AWS_SESSION_TOKEN": creds["aws_session_token"],
        "AWS_LAMBDA_FUNCTION_NAME": "cruddur-messaging-stream",
        "DDB_MESSAGE_TABLE": args.table,
        "CRUDDUR_LOG": "info",
        "HOME": args.workdir,
    })
    return env


def run_init_error(args):
    api = RuntimeApi([])
    env = base_env(args, {"aws_access_key_id": "x", "aws_secret_access_key": "x", "aws_session_token": "x"})
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(k)
    env["AWS_LAMBDA_RUNTIME_API"] = api.address
    log_path = os.path.join(args.workdir, "bootstrap-init.log")
    with open(log_path, "w") as log:
        proc = start_bootstrap(args.bootstrap, env, log)
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "timeout"
    api.close()
    check(rc == 1, "init error: the bootstrap exits 1 (got %s)" % rc)
    check(len(api.init_errors) == 1, "init error: one POST /runtime/init/error")
    if api.init_errors:
        e = api.init_errors[0]
        check(e["body"].get("errorType") == "Cruddur.InitError", "init error: errorType Cruddur.InitError")
        check("credentials" in e["body"].get("errorMessage", ""), "init error: the message names the credentials")
        check(e["headers"].get("Lambda-Runtime-Function-Error-Type") == "Cruddur.InitError",
              "init error: Lambda-Runtime-Function-Error-Type header")
    sanitizer_clean(log_path, "init error")


def run_batches(args):
    creds = {"aws_access_key_id": args.key, "aws_secret_access_key": args.secret,
             "aws_session_token": "test-session-token"}
    rec_ddb, rec_streams = clients(args.record_endpoint, creds)
    create_table(rec_ddb, args.table)
    write_history(rec_ddb, args.table)
    records = record_stream(rec_ddb, rec_streams, args.table)
    names = [r["eventName"] for r in records]
    check(names.count("INSERT") == 10 and names.count("MODIFY") == 1 and names.count("REMOVE") == 1,
          "recorded 10 INSERT, 1 MODIFY, 1 REMOVE records from DynamoDB Local (%s)" % names)
    check(all(set(r) >= {"eventID", "eventName", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"}
              and "SequenceNumber" in r["dynamodb"] for r in records), "records have Lambda's event shape")
    with open(os.path.join(args.workdir, "recorded-records.json"), "w") as f:
        json.dump(records, f, indent=1)

    if args.store_endpoint != args.record_endpoint:
        ddb, _ = clients(args.store_endpoint, creds)
        create_table(ddb, args.table)
        write_history(ddb, args.table)
    else:
        ddb = rec_ddb
    before = scan(ddb, args.table)

    # The poisoned records: a message too large to copy into a group item,
    # and an INSERT whose image has no sort key.
    top = max(int(r["dynamodb"]["SequenceNumber"]) for r in records)
    big = json.loads(json.dumps(next(r for r in records if r["eventName"] == "INSERT"
                                     and r["dynamodb"]["Keys"]["pk"]["S"] == "MSG#" + G2)))
    big["dynamodb"]["SequenceNumber"] = "%021d" % (top + 100)
    big["dynamodb"]["Keys"]["sk"] = S(T[6])
    big["dynamodb"]["NewImage"]["sk"] = S(T[6])
    big["dynamodb"]["NewImage"]["message"] = S("x" * 410000)
    bad = json.loads(json.dumps(big))
    bad["dynamodb"]["SequenceNumber"] = "%021d" % (top + 101)
    del bad["dynamodb"]["NewImage"]["sk"]
    bad["dynamodb"]["NewImage"]["message"] = S("no sort key")
    batch = records[:3] + [big] + records[3:] + [bad]
    # The last one comes too close to its deadline to start on any record.
    events = [{"Records": batch}, {"Records": records}, {"hello": "not a stream batch"}, b"{not json",
              ({"Records": records[:2]}, 1000)]

    api = RuntimeApi(events)
    env = base_env(args, creds)
    env["AWS_LAMBDA_RUNTIME_API"] = api.address
    env["AWS_ENDPOINT_URL_DYNAMODB"] = args.store_endpoint
    log_path = os.path.join(args.workdir, "bootstrap-%s.log" % args.name)
    with open(log_path, "w") as log:
        proc = start_bootstrap(args.bootstrap, env, log)
        ok = api.wait(lambda: len(api.answers) == len(events) or proc.poll() is not None, 120)
        check(ok and len(api.answers) == len(events), "every invocation was answered")
        if proc.poll() is None:
            stop_bootstrap(proc, args.name)
        else:
            check(False, "the bootstrap stopped early (exit %s)" % proc.returncode)
    api.close()
    print(open(log_path, errors="replace").read()[-3000:])
    sanitizer_clean(log_path, args.name)

    a = [api.answers.get(rid, {}) for rid in api.ids]
    check(a[0].get("kind") == "response", "batch with poison: answered with a response")
    want = [{"itemIdentifier": big["dynamodb"]["SequenceNumber"]},
            {"itemIdentifier": bad["dynamodb"]["SequenceNumber"]}]
    check(a[0].get("body") == {"batchItemFailures": want},
          "batch with poison: exactly the two poisoned records are batch item failures (%s)" % a[0].get("body"))
    after = scan(ddb, args.table)
    want_groups = sorted([
        ("GRP#" + USERS["a"][0], G1, T[2], "busy, the fanout is moving"),
        ("GRP#" + USERS["b"][0], G1, T[2], "busy, the fanout is moving"),
        ("GRP#" + USERS["a"][0], G2, T[3], "the Lambda reads every record now"),
        ("GRP#" + USERS["c"][0], G2, T[3], "the Lambda reads every record now"),
    ])
    check(groups(after) == want_groups, "group items moved to each conversation's latest message: %s"
          % groups(after))
    others = lambda items: [i for i in items if not i["pk"]["S"].startswith("GRP#")]
    check(others(after) == others(before), "message items untouched")
    moved = [i for i in after if i["pk"]["S"] == "GRP#" + USERS["b"][0]]
    check(len(moved) == 1 and moved[0]["user_handle"] == S("andrewbrown"),
          "a moved group item keeps its other attributes")

    check(a[1].get("body") == {"batchItemFailures": []}, "replay: no failures (%s)" % a[1].get("body"))
    check(scan(ddb, args.table) == after, "replay: the table is unchanged")

    late = [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records[:2]]
    check(a[4].get("body") == {"batchItemFailures": late},
          "near the deadline: the records not started are reported for retry (%s)" % a[4].get("body"))

    for i, what in ((2, "an event without Records"), (3, "a body that is not JSON")):
        check(a[i].get("kind") == "error", "%s: an invocation error" % what)
        check(a[i].get("body", {}).get("errorType") == "Cruddur.InvalidEvent", "%s: errorType" % what)
        check(a[i].get("headers", {}).get("Lambda-Runtime-Function-Error-Type") == "Cruddur.InvalidEvent",
              "%s: Lambda-Runtime-Function-Error-Type header" % what)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--name", default="run")
    p.add_argument("--record-endpoint")
    p.add_argument("--store-endpoint")
    p.add_argument("--table", default="lambda-cruddur-messages")
    p.add_argument("--key", default="lambdakey")
    p.add_argument("--secret", default="lambdasecret")
    p.add_argument("--init-error", action="store_true")
    args = p.parse_args()
    if args.init_error:
        run_init_error(args)
    else:
        run_batches(args)
    print("%s: %s" % (args.name, "FAILED: %d checks" % len(FAILURES) if FAILURES else "ok"))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
