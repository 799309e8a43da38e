"""SIGTERM at every point of start-up (issue 16).

Each long-running command (`serve`, `dynamodb`, `stream-worker`, the
Lambda bootstrap) blocks SIGINT and SIGTERM before it starts a thread or
opens its port (src/base/stop_signal.h), so a stop signal at any later
moment leads to the same clean shutdown: exit status 0, no sanitizer
report, and every write the server acknowledged is there after a restart.

The points a signal is sent at are conditions the test waits for, never
delays: the moment /proc shows the signals blocked (the earliest a program
can promise anything), each line of the start-up log, the "listening"
line, the first answer, writes in flight, and the stream consumer's
catch-up on a data folder (or a remote table) with a backlog.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cruddur_proc import BIN, LISTEN, SANITIZER, Proc, base_env  # noqa: E402

BOOTSTRAP = os.path.join(os.environ.get("CRUDDUR_BUILD", ""), "lambda", "bootstrap")
BACKLOG = 1500  # messages waiting for the fanout in the catch-up cases
IN_FLIGHT_ACKS = 50  # answers the writers get before the SIGTERM that comes amid their writes


# ---- serve ----

def start_serve(data, *args, env=None):
    return Proc([BIN, "serve", "--port", "0", "--data", data] + list(args), base_env(env))


def signin(url, handle):
    r = requests.post(url + "/api/dev/signin", json={"handle": handle}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def send(sess, url, token, text, group=None, handle=None):
    body = {"message": text}
    if group:
        body["message_group_uuid"] = group
    else:
        body["handle"] = handle
    return sess.post(url + "/api/messages", json=body, timeout=60,
                     headers={"Authorization": "Bearer " + token})


def all_texts(url, token, group):
    texts, cursor = [], None
    while True:
        r = requests.get(url + "/api/messages/" + group + ("?before=" + cursor if cursor else ""),
                         headers={"Authorization": "Bearer " + token}, timeout=60)
        assert r.status_code == 200, r.text
        texts += [m["message"] for m in r.json()]
        cursor = r.headers.get("X-Next-Cursor")
        if not cursor:
            return set(texts)


@pytest.fixture
def data():
    d = tempfile.mkdtemp(prefix="cruddur-signals-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT")


def startup_lines(argv_env_factory):
    """How many log lines a start-up writes before its log says it listens
    (a reference run). stdout and stderr are read by two threads, so the
    stdout "listening" line may be read before log lines written earlier:
    only the log's own order counts."""
    p = argv_env_factory()
    p.wait_line(lambda l: LOG_LINE.match(l) and LISTEN.search(l))
    with p.cond:
        log = [l for l in p.lines if LOG_LINE.match(l)]
    n = next(i for i, l in enumerate(log) if LISTEN.search(l))
    p.terminate()
    return n


def test_serve_sigterm_at_every_point_of_startup(data):
    # A first start creates the data folder (users, key, table); the points
    # below are those of an ordinary restart, plus those of a fresh folder.
    fresh = tempfile.mkdtemp(prefix="cruddur-signals-fresh-")
    try:
        p = start_serve(fresh)
        p.wait_blocked()
        assert "SIGTERM received" in p.terminate()
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    n = startup_lines(lambda: start_serve(data))
    assert n >= 3, "expected several start-up log lines"
    for k in range(1, n + 1):
        p = start_serve(data)
        p.wait_lines(k)
        text = p.terminate()
        assert "SIGTERM received" in text and "serve: stopped" in text, text
    for when in ("blocked", "listening", "answered"):
        p = start_serve(data)
        if when == "blocked":
            p.wait_blocked()
        elif when == "listening":
            p.url()
        else:
            assert requests.get(p.url() + "/api/config", timeout=60).status_code == 200
        p.terminate()


def test_serve_sigterm_during_writes_loses_no_acknowledged_message(data):
    p = start_serve(data)
    url = p.url()
    token = signin(url, "andrewbrown")
    sess = requests.Session()
    group = send(sess, url, token, "first", handle="bayko").json()["message_group_uuid"]
    acked, stop = ["first"], threading.Event()
    enough = threading.Event()

    def writer():
        s = requests.Session()
        i = 0
        while not stop.is_set():
            try:
                r = send(s, url, token, "in flight %d" % i, group=group)
            except requests.RequestException:
                return  # the server stopped accepting
            if r.status_code == 200:
                acked.append("in flight %d" % i)
                if len(acked) > IN_FLIGHT_ACKS:
                    enough.set()
            i += 1

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    assert enough.wait(120), p.text()[-4000:]
    p.terminate()
    stop.set()
    for t in threads:
        t.join()
    p = start_serve(data)
    url = p.url()
    got = all_texts(url, signin(url, "andrewbrown"), group)
    missing = set(acked) - got
    p.terminate()
    assert not missing, "acknowledged but lost: %s" % sorted(missing)[:10]


def make_backlog(url, n):
    """n messages in two conversations; their texts by group."""
    token = signin(url, "andrewbrown")
    sess = requests.Session()
    texts = {}
    for other in ("bayko", "londo"):
        g = send(sess, url, token, "hello " + other, handle=other).json()["message_group_uuid"]
        texts[g] = ["hello " + other]
    groups = list(texts)
    for i in range(n):
        g = groups[i % 2]
        r = send(sess, url, token, "backlog %d" % i, group=g)
        assert r.status_code == 200, r.text
        texts[g].append("backlog %d" % i)
    return token, texts


def consumer_records(text):
    m = re.search(r"fanout consumer stopped after (\d+) stream records", text)
    assert m, text
    return int(m.group(1))


def wait_groups_current(url, token, texts, timeout=120):
    """Until both conversation lists show each group's last message."""
    deadline = time.monotonic() + timeout
    while True:
        r = requests.get(url + "/api/message_groups", timeout=60,
                         headers={"Authorization": "Bearer " + token})
        last = {g["uuid"]: g["message"] for g in r.json()}
        if all(last.get(g) == t[-1] for g, t in texts.items()):
            return
        assert time.monotonic() < deadline, "fanout did not catch up: %s" % last
        time.sleep(0.02)


def wait_fanout_began(url, token, texts, timeout=120):
    """Until a conversation list shows a message of the backlog."""
    deadline = time.monotonic() + timeout
    while True:
        r = requests.get(url + "/api/message_groups", timeout=60,
                         headers={"Authorization": "Bearer " + token})
        if any(g["message"].startswith("backlog ") for g in r.json()):
            return
        assert time.monotonic() < deadline, "the fanout never began: %s" % r.text
        time.sleep(0.002)


def test_serve_sigterm_during_fanout_catch_up(data):
    # The backlog: messages written while no consumer ran (--no-fanout).
    p = start_serve(data, "--no-fanout")
    url = p.url()
    token, texts = make_backlog(url, BACKLOG)
    p.terminate()
    # SIGTERM once the consumer is amid the backlog (a conversation list
    # shows a backlog message: the fanout has begun), then, with what is
    # left of it, at the start-up line that says the store is open (the
    # consumer has not started) and at "listening".
    for when in ("amid", "store", "listening"):
        p = start_serve(data)
        if when == "store":
            p.wait_line(lambda l: "serve: messages in the" in l)
        elif when == "listening":
            p.url()
        else:
            url = p.url()
            token = signin(url, "andrewbrown")
            wait_fanout_began(url, token, texts)
        records = consumer_records(p.terminate())
        if when == "amid":
            assert records > 0
    # Nothing lost: every message is there, and the fanout completes.
    p = start_serve(data)
    url = p.url()
    token = signin(url, "andrewbrown")
    wait_groups_current(url, token, texts)
    for g, t in texts.items():
        assert set(t) <= all_texts(url, token, g)
    p.terminate()


# ---- dynamodb ----

def ddb(url, op, body):
    return requests.post(url, data=json.dumps(body), timeout=60, headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810." + op})


def start_dynamodb(data):
    return Proc([BIN, "dynamodb", "--port", "0", "--data", data], base_env())


def test_dynamodb_sigterm_at_every_point_of_startup(data):
    p = start_dynamodb(data)
    url = p.url()
    r = ddb(url, "CreateTable", {
        "TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]})
    assert r.status_code == 200, r.text
    p.terminate()
    n = startup_lines(lambda: start_dynamodb(data))
    for k in range(1, n + 1):
        p = start_dynamodb(data)
        p.wait_lines(k)
        assert "SIGTERM received" in p.terminate()
    for when in ("blocked", "listening"):
        p = start_dynamodb(data)
        p.wait_blocked() if when == "blocked" else p.url()
        p.terminate()
    # Writes in flight: every acknowledged PutItem survives.
    p = start_dynamodb(data)
    url = p.url()
    acked, enough = [], threading.Event()

    def writer(w):
        for i in range(100000):
            try:
                r = ddb(url, "PutItem", {"TableName": "tbl", "Item": {"k": {"S": "%d-%d" % (w, i)}}})
            except requests.RequestException:
                return
            if r.status_code == 200:
                acked.append("%d-%d" % (w, i))
                if len(acked) > IN_FLIGHT_ACKS:
                    enough.set()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    assert enough.wait(120), p.text()[-4000:]
    p.terminate()
    for t in threads:
        t.join()
    p = start_dynamodb(data)
    url = p.url()
    keys, start = set(), None
    while True:
        body = {"TableName": "tbl"}
        if start:
            body["ExclusiveStartKey"] = start
        page = ddb(url, "Scan", body).json()
        keys |= {it["k"]["S"] for it in page["Items"]}
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    p.terminate()
    assert acked and not set(acked) - keys


# ---- stream-worker, against a `cruddur dynamodb` ----

@pytest.fixture
def remote(data):
    """A `cruddur dynamodb` and the environment that points serve and the worker at it."""
    p = start_dynamodb(data)
    url = p.url()
    env = {"AWS_ENDPOINT_URL": url, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "k",
           "AWS_SECRET_ACCESS_KEY": "s", "DDB_MESSAGE_TABLE": "signals-messages"}
    yield env
    p.terminate()


def checkpoints(url):
    """The consumer's saved positions (None before its table exists)."""
    r = ddb(url, "Scan", {"TableName": "cruddur-stream-checkpoints"})
    return r.json()["Items"] if r.status_code == 200 else None


def wait_checkpoint(url, before=None, timeout=120):
    """Until the consumer has saved a position other than `before`."""
    deadline = time.monotonic() + timeout
    while True:
        now = checkpoints(url)
        if now and now != before:
            return
        assert time.monotonic() < deadline, "no new position saved: %s" % now
        time.sleep(0.005)


def worker_stats(text):
    m = re.search(r"stream-worker: stopped: (\d+) records read", text)
    assert m, text
    return int(m.group(1))


def test_stream_worker_sigterm_at_every_point_of_startup(remote):
    users = tempfile.mkdtemp(prefix="cruddur-signals-users-")
    try:
        p = start_serve(users, "--no-fanout", env=remote)
        url = p.url()
        token, texts = make_backlog(url, BACKLOG // 3)
        p.terminate()

        def worker():
            return Proc([BIN, "stream-worker"], base_env(remote))

        p = worker()
        p.wait_blocked()
        assert "SIGTERM received" in p.terminate()
        lines = None
        # Amid the backlog: once this worker has saved a position (the one
        # stopped above may have applied some records before it stopped).
        before = checkpoints(remote["AWS_ENDPOINT_URL"])
        p = worker()
        p.wait_line(lambda l: "stream-worker: running" in l)
        with p.cond:
            lines = next(i for i, l in enumerate(p.lines) if "stream-worker: running" in l) + 1
        wait_checkpoint(remote["AWS_ENDPOINT_URL"], before)
        read = [worker_stats(p.terminate())]
        for k in range(1, lines):
            p = worker()
            p.wait_lines(k)
            text = p.terminate()
            assert "stopped" in text, text
        assert read[0] > 0, "the worker had not started on the backlog: %s" % read
        # A final run to the end of the stream: every message is there and
        # the conversation lists are current.
        r = subprocess.run([BIN, "stream-worker", "--once"], env=base_env(remote),
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0 and not SANITIZER.search(r.stderr), r.stderr[-4000:]
        p = start_serve(users, "--no-fanout", env=remote)
        url = p.url()
        token = signin(url, "andrewbrown")
        wait_groups_current(url, token, texts, timeout=5)
        for g, t in texts.items():
            assert set(t) <= all_texts(url, token, g)
        p.terminate()
    finally:
        shutil.rmtree(users, ignore_errors=True)


# ---- the Lambda bootstrap, with a Runtime API that never sends an event ----

def test_lambda_bootstrap_sigterm_before_and_during_the_long_poll(remote):
    import http.server
    polled = threading.Event()

    class Idle(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            polled.set()
            # Lambda answers /next only when an event comes: never, here.
            # Reading until the client hangs up keeps the request open.
            self.rfile.read()

    api = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Idle)
    api.daemon_threads = True
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env = dict(remote, AWS_LAMBDA_RUNTIME_API="127.0.0.1:%d" % api.server_address[1])
    env["AWS_ENDPOINT_URL_DYNAMODB"] = env.pop("AWS_ENDPOINT_URL")
    try:
        for when in ("blocked", "polling"):
            polled.clear()
            p = Proc([BOOTSTRAP], base_env(env))
            if when == "blocked":
                p.wait_blocked()
            else:
                assert polled.wait(60), p.text()
            assert "stop signal received" in p.terminate(timeout=30)
    finally:
        api.shutdown()
