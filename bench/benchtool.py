#!/usr/bin/python3
"""Helpers of bench/run that need more than a shell line (Debian's python3,
standard library only).

  benchtool.py start PORT LOG -- CMD...   start a DynamoDB-protocol server,
        print "PID MS": its pid and the milliseconds from spawning it to the
        first answered request (a ListTables POST, any HTTP status counts).
  benchtool.py idle PID                   wait (up to 10 s) until process PID
        stops using the CPU: a closed-loop run leaves requests queued in a
        slow server, and the next measurement must not pay for them.
  benchtool.py prep PORT                  create table "bench" (key pk/sk, GSI
        message-group-sk-index) and load the items ddb.lua reads.
  benchtool.py group PORT TOKEN           print the uuid of the newest
        conversation of the token's user (GET /api/message_groups).
  benchtool.py fanout PORT SENDER READER GROUP N
  benchtool.py push PORT SENDER READER GROUP N
      POST acknowledged -> the reader's event stream (GET /api/events)
      carries the message; prints RESULT n p50_us p99_us max_us
  benchtool.py streams PORT TOKEN N SERVER_PID
      opens N idle event streams, prints READY with the server's RSS
      before and after, holds them until a line arrives on stdin, then
      prints RESULT with how many were still open
        N times: POST a message to GROUP as SENDER, then poll READER's
        GET /api/message_groups until GROUP's entry shows it; print
        "RESULT n=N p50_us=U p99_us=U max_us=U".
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

GROUPS = 64  # must match ddb.lua
PER = 40
AUTH = ("AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=00")


def ddb(conn, target, body):
    """One DynamoDB call; returns (status, decoded body)."""
    conn.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810." + target,
        "X-Amz-Date": "20260101T000000Z",
        "Authorization": AUTH,
    })
    res = conn.getresponse()
    data = res.read()
    return res.status, (json.loads(data) if data else {})


def start(port, log, cmd):
    t0 = time.monotonic()
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = t0 + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("benchtool: %s exited with %s (see %s)" % (cmd[0], proc.returncode, log))
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            ddb(conn, "ListTables", {})
            conn.close()
            print(proc.pid, "%.1f" % ((time.monotonic() - t0) * 1000))
            return
        except (ConnectionError, socket.timeout, http.client.HTTPException, OSError):
            time.sleep(0.0005)
    proc.kill()
    sys.exit("benchtool: %s did not answer within 120 s" % cmd[0])


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def idle(pid):
    """Two 100 ms windows in a row with under 10% of a core used."""
    hz = os.sysconf("SC_CLK_TCK")
    quiet, last = 0, cpu_ticks(pid)
    deadline = time.monotonic() + 10
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        now = cpu_ticks(pid)
        quiet = quiet + 1 if (now - last) < 0.01 * hz else 0
        last = now


def prep(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    s, r = ddb(conn, "CreateTable", {
        "TableName": "bench",
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "message_group_uuid", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "message-group-sk-index",
            "KeySchema": [{"AttributeName": "message_group_uuid", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    })
    if s != 200:
        sys.exit("benchtool: CreateTable: %s %s" % (s, r))
    for _ in range(600):
        s, r = ddb(conn, "DescribeTable", {"TableName": "bench"})
        t = r.get("Table", {})
        if t.get("TableStatus") == "ACTIVE" and all(
                g.get("IndexStatus", "ACTIVE") == "ACTIVE"
                for g in t.get("GlobalSecondaryIndexes", [])):
            break
        time.sleep(0.1)
    items = []
    for g in range(GROUPS):
        for j in range(PER):
            items.append({"PutRequest": {"Item": {
                "pk": {"S": "MSG#group-%d" % g},
                "sk": {"S": "2026-01-01T00:00:00.%06d" % j},
                "message_group_uuid": {"S": "group-%d" % g},
                "message_uuid": {"S": "m-%d-%d" % (g, j)},
                "message": {"S": "hello there, this is a benchmark message body"},
                "user_handle": {"S": "andrewbrown"}}}})
    for i in range(0, len(items), 25):
        pending = {"bench": items[i:i + 25]}
        while pending:
            s, r = ddb(conn, "BatchWriteItem", {"RequestItems": pending})
            if s != 200:
                sys.exit("benchtool: BatchWriteItem: %s %s" % (s, r))
            pending = r.get("UnprocessedItems") or None


def api(conn, method, path, token, body=None):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, path, body, headers)
    res = conn.getresponse()
    data = res.read()
    if res.status // 100 != 2:
        sys.exit("benchtool: %s %s: %s %s" % (method, path, res.status, data[:200]))
    return json.loads(data)


def group(port, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    groups = api(conn, "GET", "/api/message_groups", token)
    if not groups:
        sys.exit("benchtool: the user has no conversation")
    print(groups[0]["uuid"])


def pct(sorted_us, p):
    return sorted_us[min(len(sorted_us) - 1, int(len(sorted_us) * p / 100))]


def fanout(port, sender, reader, grp, n):
    post = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    poll = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    lags = []
    for i in range(n):
        text = "fanout probe %d %d" % (i, time.monotonic_ns())
        api(post, "POST", "/api/messages", sender, {"message": text, "message_group_uuid": grp})
        acked = time.monotonic()
        while True:
            entries = api(poll, "GET", "/api/message_groups", reader)
            if any(e.get("uuid") == grp and e.get("message") == text for e in entries):
                break
            if time.monotonic() - acked > 30:
                sys.exit("benchtool: message %d never showed in the group list" % i)
        lags.append(int((time.monotonic() - acked) * 1e6))
    lags.sort()
    print("RESULT n=%d p50_us=%d p99_us=%d max_us=%d" % (n, pct(lags, 50), pct(lags, 99), lags[-1]))


def sse_request(port, token):
    return ("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n"
            "Authorization: Bearer %s\r\n\r\n" % (port, token)).encode()


def push(port, sender, reader, grp, n):
    """Delivery latency: from the POST's answer to the event's arrival (the
    reader thread stamps each event as it is read)."""
    import socket
    import threading
    arrived = {}  # message uuid -> monotonic time
    cond = threading.Condition()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(sse_request(port, reader))

    def read():
        buf = b""
        while True:
            data = sock.recv(65536)
            if not data:
                return
            now = time.monotonic()
            buf += data
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if line.startswith(b"data: {") and b'"uuid"' in line:
                        try:
                            uuid = json.loads(line[6:]).get("uuid")
                        except ValueError:
                            continue
                        with cond:
                            arrived.setdefault(uuid, now)
                            cond.notify_all()
                    elif line.startswith(b"event: ready"):
                        with cond:
                            arrived.setdefault("ready", now)
                            cond.notify_all()

    threading.Thread(target=read, daemon=True).start()
    with cond:
        if not cond.wait_for(lambda: "ready" in arrived, 30):
            sys.exit("benchtool: the event stream did not become ready")
    post = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    lags = []
    for i in range(n):
        text = "push probe %d %d" % (i, time.monotonic_ns())
        sent = api(post, "POST", "/api/messages", sender,
                   {"message": text, "message_group_uuid": grp})
        acked = time.monotonic()
        with cond:
            if not cond.wait_for(lambda: sent["uuid"] in arrived, 30):
                sys.exit("benchtool: message %d never came on the event stream" % i)
            got = arrived[sent["uuid"]]
        lags.append(max(0, int((got - acked) * 1e6)))
    sock.close()
    lags.sort()
    print("RESULT n=%d p50_us=%d p99_us=%d max_us=%d" % (n, pct(lags, 50), pct(lags, 99), lags[-1]))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def streams(port, token, n, pid):
    """Opens n event streams and waits until each is ready; holds them open
    until a line arrives on stdin."""
    import resource
    import selectors
    import socket
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if n + 64 > hard:
        sys.exit("benchtool: %d streams need more open files than %d" % (n, hard))
    before = rss_kb(pid)
    sel = selectors.DefaultSelector()
    pending = {}
    req = sse_request(port, token)
    t0 = time.monotonic()
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(req)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        pending[s] = b""
        socks.append(s)
    while pending:
        if time.monotonic() - t0 > 120:
            sys.exit("benchtool: %d streams not ready after 120 s" % len(pending))
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            data = s.recv(65536)
            if not data:
                sys.exit("benchtool: a stream was closed before it was ready")
            if s in pending:
                pending[s] += data
                if b"event: ready" in pending[s]:
                    del pending[s]
    for s in socks:
        sel.unregister(s)
    opened = time.monotonic() - t0
    after = rss_kb(pid)
    print("READY n=%d open_s=%.2f rss_before_kb=%d rss_after_kb=%d per_stream_kb=%.2f"
          % (n, opened, before, after, (after - before) / n), flush=True)
    sys.stdin.readline()
    # Still open: a zero-byte peek would say the server closed it.
    alive = 0
    for s in socks:
        try:
            alive += s.recv(65536, socket.MSG_PEEK) != b""
        except BlockingIOError:
            alive += 1
        s.close()
    print("RESULT n=%d open_s=%.2f rss_before_kb=%d rss_after_kb=%d per_stream_kb=%.2f alive=%d"
          % (n, opened, before, after, (after - before) / n, alive), flush=True)


def main(argv):
    if len(argv) >= 4 and argv[1] == "start" and "--" in argv:
        k = argv.index("--")
        start(int(argv[2]), argv[3], argv[k + 1:])
    elif len(argv) == 3 and argv[1] == "idle":
        idle(int(argv[2]))
    elif len(argv) == 3 and argv[1] == "prep":
        prep(int(argv[2]))
    elif len(argv) == 4 and argv[1] == "group":
        group(int(argv[2]), argv[3])
    elif len(argv) == 7 and argv[1] == "push":
        push(int(argv[2]), argv[3], argv[4], argv[5], int(argv[6]))
    elif len(argv) == 6 and argv[1] == "streams":
        streams(int(argv[2]), argv[3], int(argv[4]), int(argv[5]))
    elif len(argv) == 7 and argv[1] == "fanout":
        fanout(int(argv[2]), argv[3], argv[4], argv[5], int(argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
