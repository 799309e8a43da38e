"""The soak (`make soak`, issue 7 item 4): mixed traffic against both
servers for SOAK_SECONDS (default 600), then a report.

- `cruddur serve` on a seeded data folder: reads (conversation lists and
  messages, with paging), posts to known conversations, new conversations
  with users that are added to the directory while it runs (signed in
  through POST /api/dev/signin).
- `cruddur dynamodb` on a data folder of its own, through boto3: PutItem,
  GetItem, Query (table and GSI), UpdateItem, TransactWriteItems, and
  DeleteItem over a bounded key space, so its data stops growing and a
  growing RSS means a leak rather than more data.

Every answer that is not the expected one is an error. RSS of both
processes is sampled from /proc every SOAK_SAMPLE seconds (default 3).
After a warm-up (the first 40% of the run, at least 20 s in runs of 80 s
or more), RSS is flat
when the median of the last third of the samples is within 10% of the
median of the first third. The warm-up is that long because the engine's
memo of decoded items (src/ddb/item_cache.c: at most 8192 items, about
30 MiB of jansson objects at this traffic) fills over the first minutes:
with the memo switched off, RSS of both servers stayed within 5% from the
20th second of a 200 s run, and with it on both grow until it is full. The run fails (exit 1) when there was any
error, when RSS is not flat, or when a server does not stop cleanly.

Environment: CRUDDUR_BIN (default: build/cruddur of the source tree),
SOAK_SECONDS, SOAK_SAMPLE, SOAK_API_THREADS and SOAK_DDB_THREADS (default
3 each), SOAK_RATE (requests per second per thread, default 40; 0: as fast
as possible), SOAK_SEED.
"""
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "crash"))
from harness import Api, ConnectionLost, Proc, make_data, sanitizer_findings  # noqa: E402

SEED_GROUP = "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"
DEMO = ["andrewbrown", "bayko", "londo"]
TABLE = "soak-items"
PARTITIONS = 200  # DynamoDB key space: PARTITIONS x SORT_KEYS items at most
SORT_KEYS = 40


class Run:
    """Counters and errors shared by the traffic threads."""

    def __init__(self, seconds):
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.deadline = time.monotonic() + seconds
        self.ops = {}
        self.errors = []

    def count(self, op):
        with self.lock:
            self.ops[op] = self.ops.get(op, 0) + 1

    def error(self, what):
        with self.lock:
            self.errors.append((round(time.monotonic(), 1), what))

    def total(self, prefix):
        with self.lock:
            return sum(n for op, n in self.ops.items() if op.startswith(prefix))


def paced(run, rate):
    """Yields until the run ends, `rate` times per second (0: no pause)."""
    period = 1.0 / rate if rate > 0 else 0.0
    nxt = time.monotonic()
    while not run.stop.is_set() and time.monotonic() < run.deadline:
        yield
        if period:
            nxt += period
            pause = nxt - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                nxt = time.monotonic()  # behind: do not burst to catch up


# ---- the API side ----

class Directory:
    """The users the API threads write as: handle -> token, and which
    conversations each is in."""

    def __init__(self, data):
        self.data = data
        self.lock = threading.Lock()
        self.tokens = {}
        self.groups = {SEED_GROUP: ("andrewbrown", "bayko")}

    def add_user(self, handle):
        """Inserts a user into the directory the server reads (as a
        post-confirmation hook would)."""
        db = sqlite3.connect(os.path.join(self.data, "users.sqlite"), timeout=30)
        try:
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())
            db.execute("INSERT INTO users(uuid, display_name, handle, email, created_at)"
                       " VALUES (?, ?, ?, ?, ?)",
                       (str(uuid.uuid4()), handle.title(), handle, handle + "@example.com", now))
            db.commit()
        finally:
            db.close()


def api_call(run, api, base, op, method, path, token=None, body=None, want=200):
    """One request; an unexpected status or a lost connection is an error."""
    try:
        status, hdrs, payload = api.request(base, method, path, token, body)
    except ConnectionLost as e:
        run.error("%s %s: connection lost: %s" % (method, path, e))
        return None, None
    run.count("api." + op)
    if status != want:
        run.error("%s %s: %s %r" % (method, path, status, payload))
        return None, None
    return hdrs, payload


def api_thread(run, d, base, rng, rate):
    """Mixed API traffic: lists, paging, posts, new conversations."""
    api = Api(timeout=60)
    n = 0
    for _ in paced(run, rate):
        with d.lock:
            handles = list(d.tokens)
            me = rng.choice(handles)
            token = d.tokens[me]
            mine = [g for g, pair in d.groups.items() if me in pair]
        r = rng.random()
        if r < 0.30:
            hdrs, groups = api_call(run, api, base, "groups", "GET", "/api/message_groups", token)
            if hdrs and hdrs.get("x-next-cursor") and rng.random() < 0.5:
                api_call(run, api, base, "groups", "GET",
                         "/api/message_groups?before=" + hdrs["x-next-cursor"], token)
        elif r < 0.60 and mine:
            g = rng.choice(mine)
            hdrs, msgs = api_call(run, api, base, "messages", "GET", "/api/messages/" + g, token)
            if hdrs and hdrs.get("x-next-cursor") and rng.random() < 0.5:
                api_call(run, api, base, "messages", "GET",
                         "/api/messages/%s?before=%s" % (g, hdrs["x-next-cursor"]), token)
        elif r < 0.90 and mine:
            n += 1
            api_call(run, api, base, "post", "POST", "/api/messages", token,
                     {"message": "soak %s %d" % (me, n), "message_group_uuid": rng.choice(mine)})
        else:
            other = rng.choice([h for h in handles if h != me])
            n += 1
            _, reply = api_call(run, api, base, "start", "POST", "/api/messages", token,
                                {"message": "soak hello %s %d" % (other, n), "handle": other})
            if reply:
                with d.lock:
                    d.groups.setdefault(reply["message_group_uuid"], (me, other))
    api.close()


def user_thread(run, d, base, every):
    """Adds a user every `every` seconds and signs them in through the API,
    so that new conversations keep being started."""
    api = Api(timeout=60)
    i = 0
    while not run.stop.wait(every) and time.monotonic() < run.deadline:
        i += 1
        handle = "soak%04d" % i
        try:
            d.add_user(handle)
        except sqlite3.Error as e:
            run.error("adding user %s: %s" % (handle, e))
            continue
        _, reply = api_call(run, api, base, "signin", "POST", "/api/dev/signin",
                            body={"handle": handle})
        if reply:
            with d.lock:
                d.tokens[handle] = reply["access_token"]
    api.close()


# ---- the DynamoDB side ----

def ddb_client(url):
    import boto3
    from botocore.config import Config
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="soak",
        aws_secret_access_key="soak",
        config=Config(retries={"max_attempts": 1}, connect_timeout=10, read_timeout=60))


def ddb_create_table(url):
    c = ddb_client(url)
    c.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in ("pk", "sk", "gpk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-gpk",
            "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    c.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.2})


def ddb_key(rng):
    return "p%03d" % rng.randrange(PARTITIONS), "s%02d" % rng.randrange(SORT_KEYS)


def ddb_thread(run, url, rng, rate, me, n_threads):
    """Mixed DynamoDB traffic over the bounded key space. Only thread `me`
    deletes in the partitions p with p % n_threads == me, so it can check
    that it reads its own puts there."""
    from botocore.exceptions import BotoCoreError, ClientError
    c = ddb_client(url)
    S = lambda s: {"S": s}  # noqa: E731
    for _ in paced(run, rate):
        r = rng.random()
        pk, sk = ddb_key(rng)
        op = None
        try:
            if r < 0.25:
                op = "put"
                item = {"pk": S(pk), "sk": S(sk), "gpk": S("g%02d" % rng.randrange(20)),
                        "n": {"N": str(rng.randrange(10**6))},
                        "body": S(uuid.uuid4().hex * rng.randrange(1, 8)),
                        "tags": {"SS": ["a", "b", uuid.uuid4().hex[:6]]}}
                c.put_item(TableName=TABLE, Item=item)
                if int(pk[1:]) % n_threads != me:
                    run.count("ddb." + op)
                    continue
                got = c.get_item(TableName=TABLE, Key={"pk": S(pk), "sk": S(sk)},
                                 ConsistentRead=True).get("Item")
                run.count("ddb.get")
                if not got:
                    run.error("GetItem after PutItem found nothing (%s, %s)" % (pk, sk))
            elif r < 0.50:
                op = "query"
                kw = dict(TableName=TABLE, KeyConditionExpression="pk = :p AND sk > :s",
                          ExpressionAttributeValues={":p": S(pk),
                                                     ":s": S("s%02d" % rng.randrange(10))},
                          ScanIndexForward=rng.random() < 0.5, Limit=20)
                res = c.query(**kw)
                if len(res["Items"]) > 20:
                    run.error("Query returned %d items with Limit 20" % len(res["Items"]))
            elif r < 0.60:
                op = "gsi"
                c.query(TableName=TABLE, IndexName="by-gpk",
                        KeyConditionExpression="gpk = :g",
                        ExpressionAttributeValues={":g": S("g%02d" % rng.randrange(20))},
                        ScanIndexForward=False, Limit=20)
            elif r < 0.80:
                op = "update"
                c.update_item(TableName=TABLE, Key={"pk": S(pk), "sk": S(sk)},
                              UpdateExpression="ADD hits :one"
                                               " SET touched = :t, gpk = if_not_exists(gpk, :g)",
                              ExpressionAttributeValues={":one": {"N": "1"}, ":t": S(time.ctime()),
                                                         ":g": S("g00")},
                              ReturnValues="UPDATED_NEW")
            elif r < 0.95:
                op = "txn"
                keys = set()
                while len(keys) < 3:
                    keys.add(ddb_key(rng))
                k1, k2, k3 = sorted(keys)
                c.transact_write_items(TransactItems=[
                    {"Put": {"TableName": TABLE,
                             "Item": {"pk": S(k1[0]), "sk": S(k1[1]), "gpk": S("g01"),
                                      "body": S("txn")}}},
                    {"Update": {"TableName": TABLE,
                                "Key": {"pk": S(k2[0]), "sk": S(k2[1])},
                                "UpdateExpression": "ADD txns :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                    {"ConditionCheck": {"TableName": TABLE,
                                        "Key": {"pk": S(k3[0]), "sk": S(k3[1])},
                                        "ConditionExpression": "attribute_not_exists(nothere)"}},
                ])
            else:
                op = "delete"
                pk = "p%03d" % (rng.randrange(PARTITIONS // n_threads) * n_threads + me)
                c.delete_item(TableName=TABLE, Key={"pk": S(pk), "sk": S(sk)})
            run.count("ddb." + op)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            if op == "txn" and code == "TransactionCanceledException":
                # Two transactions on one key at once: DynamoDB refuses one too.
                reasons = [r.get("Code") for r in e.response.get("CancellationReasons", [])]
                if "TransactionConflict" in reasons:
                    run.count("ddb.txn_conflict")
                    continue
            run.error("ddb %s: %s" % (op, e))
        except BotoCoreError as e:
            run.error("ddb %s: %s" % (op, e))


# ---- RSS and the report ----

def flatness(samples, warmup_s):
    """(first-third median, last-third median, ratio) of the samples after
    the warm-up, or None when there are too few."""
    xs = [kb for t, kb in samples if t >= warmup_s and kb]
    if len(xs) < 6:
        return None
    k = len(xs) // 3
    first, last = statistics.median(xs[:k]), statistics.median(xs[-k:])
    return first, last, last / first


def main():
    src = os.path.abspath(os.path.join(HERE, "..", ".."))
    binary = os.environ.get("CRUDDUR_BIN") or os.path.join(src, "build", "cruddur")
    seconds = float(os.environ.get("SOAK_SECONDS", "600"))
    sample_s = float(os.environ.get("SOAK_SAMPLE", "3"))
    n_api = int(os.environ.get("SOAK_API_THREADS", "3"))
    n_ddb = int(os.environ.get("SOAK_DDB_THREADS", "3"))
    rate = float(os.environ.get("SOAK_RATE", "40"))
    seed = int(os.environ.get("SOAK_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    warmup = max(min(20.0, seconds * 0.25), seconds * 0.4)
    work = tempfile.mkdtemp(prefix="cruddur-soak-")
    api_data, ddb_data = os.path.join(work, "api"), os.path.join(work, "ddb")
    os.mkdir(api_data)
    os.mkdir(ddb_data)
    print("soak: %s for %.0f s, %d API + %d DynamoDB threads at %s req/s each, seed %d, folder %s"
          % (binary, seconds, n_api, n_ddb, rate or "max", seed, work), flush=True)

    make_data(binary, api_data)
    serve = Proc(binary, ["serve", "--data", api_data, "--quiet"], work, "serve")
    dynamodb = Proc(binary, ["dynamodb", "--data", ddb_data], work, "dynamodb")
    ok = False
    try:
        base = serve.start()
        ddb_url = dynamodb.start()
        ddb_create_table(ddb_url)
        d = Directory(api_data)
        api = Api()
        for h in DEMO:
            d.tokens[h] = api.request(base, "POST", "/api/dev/signin", None,
                                      {"handle": h})[2]["access_token"]
        api.close()

        run = Run(seconds)
        threads = [threading.Thread(target=api_thread,
                                    args=(run, d, base, random.Random(rng.random()), rate))
                   for _ in range(n_api)]
        threads += [threading.Thread(target=ddb_thread,
                                     args=(run, ddb_url, random.Random(rng.random()), rate, i,
                                           n_ddb))
                    for i in range(n_ddb)]
        threads.append(threading.Thread(target=user_thread, args=(run, d, base, 2.0)))
        t0 = time.monotonic()
        for t in threads:
            t.start()

        samples = {"serve": [], "dynamodb": []}
        print("soak: %7s %11s %14s %9s %9s %6s" % ("time s", "serve MiB", "dynamodb MiB",
                                                   "API req", "DDB req", "errors"), flush=True)
        last_print = -1e9
        while time.monotonic() < run.deadline:
            time.sleep(min(sample_s, max(0.0, run.deadline - time.monotonic())))
            t = time.monotonic() - t0
            for name, p in (("serve", serve), ("dynamodb", dynamodb)):
                samples[name].append((t, p.rss_kb()))
                if not p.alive():
                    run.error("%s exited with %s" % (name, p.proc.returncode))
                    run.stop.set()
            if t - last_print >= max(sample_s, seconds / 20) or time.monotonic() >= run.deadline:
                last_print = t
                print("soak: %7.0f %11.1f %14.1f %9d %9d %6d"
                      % (t, (samples["serve"][-1][1] or 0) / 1024,
                         (samples["dynamodb"][-1][1] or 0) / 1024, run.total("api."),
                         run.total("ddb."), len(run.errors)), flush=True)
            if run.stop.is_set():
                break
        run.stop.set()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0

        problems = []
        for name, p in (("serve", serve), ("dynamodb", dynamodb)):
            rc = p.stop()
            if rc != 0:
                problems.append("%s did not stop cleanly: exit %r\n%s" % (name, rc, p.tail()))
        for path, excerpt in sanitizer_findings(serve.logs + dynamodb.logs):
            problems.append("sanitizer report in %s:\n%s" % (path, excerpt))

        print("soak: %.0f s, %d users added, %d conversations known"
              % (elapsed, len(d.tokens) - len(DEMO), len(d.groups)))
        print("soak: requests: " + ", ".join("%s %d (%.1f/s)" % (op, n, n / elapsed)
                                            for op, n in sorted(run.ops.items())))
        print("soak: RSS after a %.0f s warm-up (median of the first and last third of the"
              " samples):" % warmup)
        for name in ("serve", "dynamodb"):
            xs = [kb for _, kb in samples[name] if kb]
            f = flatness(samples[name], warmup)
            if not f:
                problems.append("%s: too few RSS samples after the warm-up" % name)
                continue
            first, last, ratio = f
            flat = abs(ratio - 1.0) <= 0.10
            print("soak:   %-9s first third %7.1f MiB, last third %7.1f MiB, %+5.1f%%,"
                  " peak %7.1f MiB: %s"
                  % (name, first / 1024, last / 1024, (ratio - 1) * 100, max(xs) / 1024,
                     "flat" if flat else "NOT FLAT"))
            if not flat:
                problems.append("%s RSS is not flat: %.1f -> %.1f MiB" % (name, first / 1024,
                                                                         last / 1024))
        print("soak: %d errors" % len(run.errors))
        for when, e in run.errors[:30]:
            print("soak: ERROR at %.0f s: %s" % (when - t0, e))
        if len(run.errors) > 30:
            print("soak: ... and %d more errors" % (len(run.errors) - 30))
        problems += ["%d errors" % len(run.errors)] if run.errors else []
        for p in problems:
            print("soak: FAIL: " + p)
        ok = not problems
        print("soak: %s" % ("OK" if ok else "FAILED"))
    finally:
        serve.kill9()
        dynamodb.kill9()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("soak: data and logs kept in %s" % work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
