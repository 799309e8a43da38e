"""The event stream, GET /api/events (Server-Sent Events): who gets which
events, authentication, the end of a stream at its token's expiry,
heartbeats, resuming with Last-Event-ID, and several servers reading one
table's stream.

Streams are read with http.client line by line on a thread of their own;
every wait is on an event arriving or the stream ending, with a deadline.
"""
import base64
import http.client
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

from conftest import BIN, Server, dev_key, server_env


class EventStream:
    """One open GET /api/events; its events queue up as dicts
    {"event", "id", "data"} and comments as {"comment"}."""

    def __init__(self, server, token, last_id=None):
        u = urllib.parse.urlparse(server.url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        headers = {"Accept": "text/event-stream"}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        if last_id is not None:
            headers["Last-Event-ID"] = last_id
        self.conn.request("GET", "/api/events", headers=headers)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.queue = queue.Queue()
        self.seen = []
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.resp.read()

    def _read(self):
        ev = {}
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line == "":
                    if ev:
                        self.queue.put(ev)
                    ev = {}
                elif line.startswith(":"):
                    self.queue.put({"comment": line[1:].strip()})
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "data":
                        ev["data"] = json.loads(value)
                    else:
                        ev[field] = value
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            # AttributeError: http.client's answer to reading after close()
            pass
        self.queue.put(None)  # the end of the stream

    def next(self, timeout=10):
        """The next event or comment; None at the end of the stream."""
        try:
            item = self.queue.get(timeout=timeout)
        except queue.Empty:
            pytest.fail("nothing on the event stream within %ss" % timeout)
        self.seen.append(item)
        return item

    def until(self, pred, timeout=10):
        """Reads until pred(event) holds; returns that event."""
        deadline = time.monotonic() + timeout
        while True:
            item = self.next(max(0.01, deadline - time.monotonic()))
            if item is None:
                pytest.fail("the stream ended before the expected event; saw %r" % self.seen)
            if pred(item):
                return item

    def close(self):
        self.conn.close()


def of_type(name):
    return lambda e: e.get("event") == name


@pytest.fixture(scope="module")
def data():
    d = tempfile.mkdtemp(prefix="cruddur-api-events-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def srv(data):
    s = Server("--heartbeat", "1", data=data).start()
    yield s
    assert s.stop() == 0, s.log_text()[-4000:]


@pytest.fixture(scope="module")
def tok(srv):
    return {h: srv.signin(h) for h in ("andrewbrown", "bayko", "londo")}


def b64url(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def resigned(data, token, **changes):
    """The token with changed claims, signed again with the dev issuer's key."""
    jwt = pytest.importorskip("jwt")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    h, p, _ = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(h + "=="))
    claims = dict(json.loads(base64.urlsafe_b64decode(p + "==")), **changes)
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(dev_key(data)))
    signing_input = (b64url(header) + "." + b64url(claims)).encode()
    sig = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return signing_input.decode() + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


def test_a_stream_starts_ready(srv, tok):
    st = EventStream(srv, tok["londo"])
    assert st.status == 200
    assert st.resp.getheader("Content-Type") == "text/event-stream"
    assert st.resp.getheader("Cache-Control") == "no-store"
    ready = st.until(of_type("ready"))
    assert ready["id"]
    st.close()


@pytest.mark.parametrize("authz", [None, "Bearer nonsense", "Basic abc"])
def test_a_bad_token_is_401(srv, authz):
    headers = {"Authorization": authz} if authz else {}
    r = srv.get("/api/events", headers=headers)
    assert r.status_code == 401
    assert r.json() == {}
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_is_401(srv, tok, data):
    now = int(time.time())
    old = resigned(data, tok["bayko"], exp=now - 3600, iat=now - 7200, auth_time=now - 7200)
    st = EventStream(srv, None)
    assert st.status == 401
    r = srv.get("/api/events", old)
    assert r.status_code == 401 and r.json() == {}


def test_members_get_a_new_message_and_others_nothing(srv, tok):
    bayko = EventStream(srv, tok["bayko"])
    londo = EventStream(srv, tok["londo"])
    brown = EventStream(srv, tok["andrewbrown"])
    for st in (bayko, londo, brown):
        st.until(of_type("ready"))
    r = srv.send(tok["andrewbrown"], "for bayko only", handle="bayko")
    assert r.status_code == 200, r.text
    sent = r.json()
    group = sent["message_group_uuid"]

    for st in (bayko, brown):
        got = st.until(lambda e: e.get("event") == "message"
                       and e["data"]["uuid"] == sent["uuid"])
        assert got["data"] == {k: sent[k] for k in ("message_group_uuid", "uuid", "handle",
                                                    "display_name", "message", "created_at")}
        assert got["id"]
    # Each member's list row comes too (written with the first message).
    def is_row(e):
        return e.get("event") == "group" and e["data"]["uuid"] == group
    row = next((e for e in bayko.seen if e and is_row(e)), None) or bayko.until(is_row)
    assert row["data"]["handle"] == "andrewbrown" and row["data"]["message"] == "for bayko only"

    # londo then hears of a conversation of his own: events come in stream
    # order, so anything of andrewbrown and bayko's would have come first.
    mine = srv.send(tok["londo"], "londo's own", handle="andrewbrown").json()
    londo.until(lambda e: e.get("event") == "message" and e["data"]["uuid"] == mine["uuid"])
    for e in londo.seen:
        assert group not in json.dumps(e.get("data", {})), e
    for st in (bayko, londo, brown):
        st.close()


def test_a_message_in_an_old_conversation_reaches_the_other_member(srv, tok):
    first = srv.send(tok["bayko"], "first", handle="londo").json()
    londo = EventStream(srv, tok["londo"])
    londo.until(of_type("ready"))
    second = srv.send(tok["bayko"], "second", group=first["message_group_uuid"]).json()
    got = londo.until(lambda e: e.get("event") == "message"
                      and e["data"]["uuid"] == second["uuid"])
    assert got["data"]["message_group_uuid"] == first["message_group_uuid"]
    londo.close()


def test_heartbeats_keep_an_idle_stream_alive(srv, tok):
    st = EventStream(srv, tok["londo"])
    st.until(of_type("ready"))
    st.until(lambda e: e.get("comment") == "ping", timeout=5)
    st.until(lambda e: e.get("comment") == "ping", timeout=5)
    st.close()


def test_the_stream_ends_when_its_token_expires(srv, tok, data):
    soon = resigned(data, tok["bayko"], exp=int(time.time()) + 3)
    st = EventStream(srv, soon)
    assert st.status == 200
    st.until(of_type("ready"))
    st.until(of_type("expired"), timeout=10)
    assert st.next(timeout=10) is None  # then the server ends it
    # The token is no good now for a new stream either (past the leeway it
    # would be 401; within it, a new stream ends at once).
    st.close()


def test_last_event_id_resumes_where_the_client_left(srv, tok):
    st = EventStream(srv, tok["londo"])
    last = st.until(of_type("ready"))["id"]
    st.close()
    missed = srv.send(tok["andrewbrown"], "while you were away", handle="londo").json()
    # Until the relay has seen it, a resume could not include it: wait on
    # the sender's own stream to know that it has.
    brown = EventStream(srv, tok["andrewbrown"], last_id=last)
    brown.until(lambda e: e.get("event") == "message" and e["data"]["uuid"] == missed["uuid"])
    brown.close()

    back = EventStream(srv, tok["londo"], last_id=last)
    got = back.until(lambda e: e.get("event") in ("message", "ready"))
    assert got["event"] == "message" and got["data"]["uuid"] == missed["uuid"]
    ready = back.until(of_type("ready"))
    assert ready["id"] != last
    back.close()


def test_an_unknown_last_event_id_asks_for_a_resync(srv, tok):
    st = EventStream(srv, tok["londo"], last_id="99999999999999999999999")
    first = st.until(lambda e: "event" in e)
    assert first["event"] == "resync"
    st.until(of_type("ready"))
    st.close()


def test_every_server_on_one_table_delivers(tmp_path):
    """Two `cruddur serve` on one remote table (a `cruddur dynamodb` of the
    test's own) each relay the table's stream: a message posted through one
    reaches a stream on the other and on itself."""
    log = open(tmp_path / "cddb.log", "wb")
    ddb = subprocess.Popen([BIN, "dynamodb", "--in-memory", "--port", "0"], stdout=subprocess.PIPE,
                           stderr=log, env=server_env())
    servers = []
    try:
        line = ddb.stdout.readline().decode()
        assert "listening on" in line, line
        endpoint = line.split("listening on ")[1].strip()
        env = {"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
               "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
               "DDB_MESSAGE_TABLE": "events-two-servers"}
        data = str(tmp_path / "data")
        os.mkdir(data)
        for _ in range(2):
            s = Server("--no-fanout", data=data, env=env)
            s.env.update(env)
            servers.append(s.start())
        a, b = servers
        brown, bayko = a.signin("andrewbrown"), b.signin("bayko")
        on_a = EventStream(a, bayko)
        on_b = EventStream(b, bayko)
        for st in (on_a, on_b):
            st.until(of_type("ready"))
        sent = a.send(brown, "to both servers", handle="bayko").json()
        ids = []
        for st in (on_a, on_b):
            got = st.until(lambda e: e.get("event") == "message"
                           and e["data"]["uuid"] == sent["uuid"])
            ids.append(got["id"])
            st.close()
        assert ids[0] == ids[1]  # the stream's sequence number on both
    finally:
        for s in servers:
            assert s.stop() == 0, s.log_text()[-4000:]
        ddb.terminate()
        ddb.wait(30)
        log.close()
