#!/usr/bin/python3
"""`cruddur stream-worker` against a DynamoDB endpoint (`cruddur dynamodb`).

Messages are written through the wire protocol with boto3, as a
`cruddur serve` on the remote driver would write them; the worker, on the
remote driver too, reads the table's stream and applies the fanout:
  - usage, missing credentials, a missing table and a table without a
    stream fail clearly;
  - `--once` moves each conversation's group items to its latest message;
  - run again it reads no message twice and changes nothing (its
    checkpoint is honoured); a new message is then applied alone;
  - as a service it applies a message written while it runs and stops
    cleanly on SIGTERM.
The data and the expected group items are the Lambda scenario's.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lambda_scenario import (G1, G2, T, USERS, check, clients, create_table, groups,  # noqa: E402
                             message_item, scan, write_history, FAILURES)


def worker_env(args, table, creds=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"DDB_MESSAGE_TABLE": table, "CRUDDUR_LOG": "info", "HOME": args.workdir,
                "AWS_REGION": "us-east-1"})
    if creds:
        env.update({"AWS_ENDPOINT_URL_DYNAMODB": args.endpoint, "AWS_ACCESS_KEY_ID": args.key,
                    "AWS_SECRET_ACCESS_KEY": args.secret})
    return env


def run(args, argv, env, timeout=120):
    p = subprocess.run([args.bin, "stream-worker"] + argv, env=env, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def clean(text, what):
    bad = [l for l in text.splitlines() if "Sanitizer" in l or "runtime error:" in l]
    check(not bad, "%s: no sanitizer reports %s" % (what, bad[:3]))


def stats(err):
    """The numbers of the worker's last stats line."""
    m = re.findall(r"(\d+) records read, (\d+) new messages, (\d+) fanout writes", err)
    return tuple(int(x) for x in m[-1]) if m else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--endpoint", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--key", default="workerkey")
    p.add_argument("--secret", default="workersecret")
    args = p.parse_args()
    creds = {"aws_access_key_id": args.key, "aws_secret_access_key": args.secret}
    ddb, _ = clients(args.endpoint, creds)
    table = "worker-messages"

    # ---- usage and setup errors
    rc, out, err = run(args, ["--help"], worker_env(args, table))
    check(rc == 0 and "--once" in out and "AWS_ENDPOINT_URL_DYNAMODB" in out, "--help")
    rc, out, err = run(args, ["--bogus"], worker_env(args, table))
    check(rc == 2 and "unknown option" in err, "an unknown option is a usage error (2)")
    rc, out, err = run(args, ["--once"], worker_env(args, table, creds=False))
    check(rc == 1 and "AWS_ACCESS_KEY_ID" in err and "AWS_ENDPOINT_URL_DYNAMODB" in err,
          "without credentials: exit 1 naming the variables (%r)" % err[-300:])
    rc, out, err = run(args, ["--once"], worker_env(args, "worker-missing"))
    check(rc == 1 and "worker-missing does not exist" in err, "a missing table: exit 1 (%r)" % err[-300:])
    ddb.create_table(TableName="worker-nostream", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    rc, out, err = run(args, ["--once"], worker_env(args, "worker-nostream"))
    check(rc == 1 and "no stream with new images" in err, "a table without a stream: exit 1 (%r)" % err[-300:])
    bad = worker_env(args, table)
    bad["AWS_SECRET_ACCESS_KEY"] = "wrong"
    create_table(ddb, table)
    rc, out, err = run(args, ["--once"], bad)
    check(rc == 1 and "Signature" in err, "a wrong secret is refused by the server (%r)" % err[-300:])

    # ---- --once applies the fanout
    write_history(ddb, table)
    before = scan(ddb, table)
    rc, out, err = run(args, ["--once"], worker_env(args, table))
    clean(err, "first run")
    check(rc == 0, "first run: exit 0 (%r)" % err[-500:])
    first = stats(err)
    # One write per conversation: G1's two newer messages arrive in one batch,
    # and only the newest moves the group items (the older is superseded).
    check(first is not None and first[1] >= 5 and first[2] == 2,
          "first run: 2 fanout writes, one per conversation with newer messages (%s)" % (first,))
    after = scan(ddb, table)
    want = sorted([
        ("GRP#" + USERS["a"][0], G1, T[2], "busy, the fanout is moving"),
        ("GRP#" + USERS["b"][0], G1, T[2], "busy, the fanout is moving"),
        ("GRP#" + USERS["a"][0], G2, T[3], "the Lambda reads every record now"),
        ("GRP#" + USERS["c"][0], G2, T[3], "the Lambda reads every record now"),
    ])
    check(groups(after) == want, "first run: group items at each conversation's latest message (%s)"
          % groups(after))
    msgs = lambda items: [i for i in items if not i["pk"]["S"].startswith("GRP#")]
    check(msgs(after) == msgs(before), "first run: message items untouched")

    # ---- run twice: the checkpoint is honoured
    rc, out, err = run(args, ["--once"], worker_env(args, table))
    clean(err, "second run")
    second = stats(err)
    check(rc == 0 and second is not None and second[1] == 0 and second[2] == 0,
          "second run: no message read again, no writes (%s)" % (second,))
    check(scan(ddb, table) == after, "second run: the table is unchanged")

    ddb.put_item(TableName=table, Item=message_item("b", G1, T[4], "one more"))
    rc, out, err = run(args, ["--once"], worker_env(args, table))
    third = stats(err)
    check(rc == 0 and third is not None and third[1] == 1 and third[2] == 1,
          "third run: only the new message is applied (%s)" % (third,))
    check([g for g in groups(scan(ddb, table)) if g[1] == G1] ==
          sorted([("GRP#" + USERS["a"][0], G1, T[4], "one more"), ("GRP#" + USERS["b"][0], G1, T[4], "one more")]),
          "third run: conversation 1 moved to the new message")

    # ---- as a service
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen([args.bin, "stream-worker"], env=worker_env(args, table), stdout=log,
                                stderr=subprocess.STDOUT, text=True)
        # A message written once the service runs (said by its log; a write
        # before would be read by its first poll, which proves less).
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            log.seek(0)
            if "stream-worker: running" in log.read():
                break
            time.sleep(0.02)
        ddb.put_item(TableName=table, Item=message_item("c", G2, T[5], "while it runs"))
        moved = False
        while time.monotonic() < deadline + 60:
            if [g[2] for g in groups(scan(ddb, table)) if g[1] == G2] == [T[5], T[5]]:
                moved = True
                break
            time.sleep(0.2)
        check(moved, "service: a message written while it runs is applied")
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "timeout"
        log.seek(0)
        text = log.read()
        check(rc == 0 and "stopped" in text, "service: SIGTERM stops it cleanly (exit %s)" % rc)
        clean(text, "service")
        if FAILURES:
            print(text[-2000:])

    print("stream-worker: %s" % ("FAILED: %d checks" % len(FAILURES) if FAILURES else "ok"))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
