"""Every route of spec section 4: statuses, JSON shapes, validation codes,
the limits (400, 413, 404, 405) and CORS."""
import json
import os
import re
import socket
import uuid

import pytest

from conftest import BACKEND, FRONTEND, REMOTE, STREAM_WORKER

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")
REPLY_KEYS = {"message_group_uuid", "uuid", "display_name", "handle", "message", "created_at"}
ITEM_KEYS = {"uuid", "display_name", "handle", "message", "created_at"}


@pytest.fixture(scope="module")
def convo(server, tokens):
    """andrewbrown and bayko's conversation: (group uuid, first reply)."""
    r = server.send(tokens["andrewbrown"], "hello bayko", handle="bayko")
    assert r.status_code == 200, r.text
    return r.json()["message_group_uuid"], r.json()


def test_start_reply_shape(convo):
    group, reply = convo
    assert set(reply) == REPLY_KEYS
    assert uuid.UUID(group) and uuid.UUID(reply["uuid"])
    assert reply["uuid"] != group
    assert reply["handle"] == "andrewbrown"
    assert reply["display_name"] == "Andrew Brown"
    assert reply["message"] == "hello bayko"
    assert TIME_RE.match(reply["created_at"])


def test_append_reply_uuid_is_the_message_uuid(server, tokens, convo):
    group, _ = convo
    r = server.send(tokens["bayko"], "hi andrew", group=group)
    assert r.status_code == 200, r.text
    reply = r.json()
    assert set(reply) == REPLY_KEYS
    assert reply["message_group_uuid"] == group
    assert reply["handle"] == "bayko"
    messages = server.get("/api/messages/" + group, tokens["andrewbrown"]).json()
    mine = [m for m in messages if m["uuid"] == reply["uuid"]]
    assert len(mine) == 1
    assert mine[0]["message"] == "hi andrew"
    assert mine[0]["created_at"] == reply["created_at"]
    # The reference answered the sender's user uuid here: it must not be that.
    me = server.get("/api/users/@bayko/short").json()
    assert reply["uuid"] != me["uuid"]


def test_messages_list_shape_and_order(server, tokens, convo):
    group, _ = convo
    r = server.get("/api/messages/" + group, tokens["bayko"])
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    items = r.json()
    assert len(items) >= 2
    for m in items:
        assert set(m) == ITEM_KEYS
        assert TIME_RE.match(m["created_at"])
    times = [m["created_at"] for m in items]
    assert times == sorted(times), "oldest first"
    assert "X-Next-Cursor" not in r.headers


def test_group_list_shape(server, tokens, convo):
    group, _ = convo
    for me, other, name in (("andrewbrown", "bayko", "Andrew Bayko"),
                            ("bayko", "andrewbrown", "Andrew Brown")):
        items = server.groups(tokens[me])
        assert len(items) == 1
        g = items[0]
        assert set(g) == ITEM_KEYS | {"unread"}  # test_unread.py
        assert g["unread"] >= 0
        assert g["uuid"] == group
        assert g["handle"] == other and g["display_name"] == name
        assert TIME_RE.match(g["created_at"])


def test_starting_twice_reuses_the_conversation(server, tokens, convo):
    group, _ = convo
    for who, to in (("andrewbrown", "bayko"), ("bayko", "andrewbrown")):
        r = server.send(tokens[who], "again", handle=to)
        assert r.status_code == 200, r.text
        assert r.json()["message_group_uuid"] == group
    assert [g["uuid"] for g in server.groups(tokens["andrewbrown"])] == [group]


def test_messaging_yourself_is_422(server, tokens):
    r = server.send(tokens["londo"], "me, myself", handle="londo")
    assert r.status_code == 422
    assert isinstance(r.json(), list) and len(r.json()) == 1
    assert r.json()[0].startswith("user_receiver")
    assert server.groups(tokens["londo"]) == []


def test_unknown_handle_is_404(server, tokens):
    r = server.send(tokens["londo"], "anyone there?", handle="nobody_here")
    assert r.status_code == 404
    assert r.json() == {"error": "not found"}


@pytest.mark.parametrize("body,codes", [
    ({}, ["user_receiver_handle_blank", "message_blank"]),
    ({"message": "x"}, ["user_receiver_handle_blank"]),
    ({"message": "x", "handle": ""}, ["user_receiver_handle_blank"]),
    ({"message": "x", "handle": None}, ["user_receiver_handle_blank"]),
    ({"message": "x", "message_group_uuid": ""}, ["message_group_uuid_blank"]),
    ({"message": "x", "message_group_uuid": "  "}, ["message_group_uuid_blank"]),
    ({"message": "", "handle": "bayko"}, ["message_blank"]),
    ({"message": " \n\t", "handle": "bayko"}, ["message_blank"]),
    ({"handle": "bayko"}, ["message_blank"]),
    ({"message": None, "message_group_uuid": ""}, ["message_group_uuid_blank", "message_blank"]),
    ({"message": "x" * 1025, "handle": "bayko"}, ["message_exceed_max_chars"]),
    ({"message": "\u00e9" * 1025, "handle": "bayko"}, ["message_exceed_max_chars"]),
])
def test_validation_codes(server, tokens, body, codes):
    r = server.post("/api/messages", body, tokens["andrewbrown"])
    assert r.status_code == 422, r.text
    assert r.json() == codes


@pytest.mark.parametrize("text", ["x" * 1024, "\u00e9" * 1024, "\u20ac" * 1024,
                                  "\U0001F600" * 1024])
def test_1024_code_points_are_allowed(server, tokens, convo, text):
    group, _ = convo
    r = server.send(tokens["andrewbrown"], text, group=group)
    assert r.status_code == 200, r.text
    assert r.json()["message"] == text
    last = server.get("/api/messages/" + group, tokens["andrewbrown"]).json()[-1]
    assert last["message"] == text


@pytest.mark.parametrize("data", [
    b"{", b"not json", b"[1, 2]", b'"text"', b"", b"null", b'{"message": "x"} trailing',
    b'{"message": "\xff\xfe"}',
])
def test_malformed_bodies_are_400(server, tokens, data):
    r = server.post("/api/messages", data=data, token=tokens["andrewbrown"],
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert isinstance(r.json()["error"], str) and r.json()["error"]


@pytest.mark.parametrize("body", [
    {"message": 5, "handle": "bayko"},
    {"message": ["x"], "handle": "bayko"},
    {"message": "x", "handle": 7},
    {"message": "x", "handle": {"h": "bayko"}},
    {"message": "x", "message_group_uuid": True},
])
def test_wrong_types_are_400(server, tokens, body):
    r = server.post("/api/messages", body, tokens["andrewbrown"])
    assert r.status_code == 400, r.text
    assert "must be a string" in r.json()["error"]


def test_body_over_64k_is_413(server, tokens):
    big = b'{"message": "' + b"x" * (65 * 1024) + b'", "handle": "bayko"}'
    r = server.post("/api/messages", data=big, token=tokens["andrewbrown"])
    assert r.status_code == 413
    assert "error" in r.json()
    # Chunked, without a Content-Length.
    r = server.post("/api/messages", data=iter([big[:40000], big[40000:]]),
                    token=tokens["andrewbrown"])
    assert r.status_code == 413


def test_unknown_or_foreign_group_uuid_is_404(server, tokens):
    for g in (str(uuid.uuid4()), "not-a-uuid", "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"):
        r = server.get("/api/messages/" + g, tokens["andrewbrown"])
        assert r.status_code == 404 and r.json() == {"error": "not found"}
        r = server.send(tokens["andrewbrown"], "hello?", group=g)
        assert r.status_code == 404 and r.json() == {"error": "not found"}


def test_bad_cursor_is_400(server, tokens, convo):
    group, _ = convo
    for path in ("/api/messages/" + group, "/api/message_groups"):
        r = server.get(path + "?before=%%%garbage", tokens["andrewbrown"])
        assert r.status_code == 400, r.text
        assert r.json()["error"]


def test_user_short_is_public(server):
    r = server.get("/api/users/@bayko/short")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"uuid", "handle", "display_name"}
    assert body["handle"] == "bayko" and body["display_name"] == "Andrew Bayko"
    uuid.UUID(body["uuid"])
    assert server.get("/api/users/%40bayko/short").json() == body


def test_user_short_unknown_is_404(server):
    for path in ("/api/users/@nobody/short", "/api/users/bayko/short", "/api/users/@/short",
                 "/api/users/@bayko/long"):
        r = server.get(path)
        assert r.status_code == 404, path
        assert r.json() == {"error": "not found"}


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/nope", "/api/messages/a/b",
                                  "/api/message_groups/x", "/api/dev", "/api/messages/"])
def test_unknown_routes_are_404(server, tokens, path):
    r = server.get(path, tokens["andrewbrown"])
    assert r.status_code == 404
    assert r.json() == {"error": "not found"}


@pytest.mark.parametrize("method,path,allowed", [
    ("POST", "/api/message_groups", {"GET", "HEAD", "OPTIONS"}),
    ("DELETE", "/api/message_groups", {"GET", "HEAD", "OPTIONS"}),
    ("GET", "/api/messages", {"POST", "OPTIONS"}),
    ("PUT", "/api/messages", {"POST", "OPTIONS"}),
    ("POST", "/api/users/@bayko/short", {"GET", "HEAD", "OPTIONS"}),
    ("GET", "/api/dev/signin", {"POST", "OPTIONS"}),
    ("POST", "/.well-known/jwks.json", {"GET", "HEAD"}),
])
def test_wrong_methods_are_405(server, tokens, method, path, allowed):
    r = server.request(method, path, tokens["andrewbrown"])
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["Allow"].split(",")} == allowed
    assert r.json()["error"]


def test_method_that_is_not_utf8_is_405_with_a_json_error(server):
    """The 405 message quotes the method; one that is not UTF-8 must still
    get a JSON error body (found by fuzz_api: the body was null)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"G\xf3T /api/message_groups HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405"), head
    assert json.loads(body) == {"error": "invalid request"}


def test_head(server, tokens):
    r = server.request("HEAD", "/api/message_groups", tokens["andrewbrown"])
    assert r.status_code == 200
    assert r.content == b""
    assert server.request("HEAD", "/api/message_groups").status_code == 401


def test_cors_preflight(server):
    for origin in (FRONTEND, BACKEND):
        r = server.request("OPTIONS", "/api/messages", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization"})
        assert r.status_code in (200, 204)
        assert r.headers["Access-Control-Allow-Origin"] == origin
        methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
        assert methods == {"OPTIONS", "GET", "HEAD", "POST"}
        headers = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
        assert headers == {"content-type", "authorization", "last-event-id"}  # /api/events
    r = server.request("OPTIONS", "/api/message_groups", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_on_answers(server, tokens):
    r = server.get("/api/message_groups", tokens["bayko"], headers={"Origin": FRONTEND})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "X-Next-Cursor" in r.headers["Access-Control-Expose-Headers"]
    r = server.get("/api/message_groups", headers={"Origin": FRONTEND})
    assert r.status_code == 401
    assert r.headers["Access-Control-Allow-Origin"] == FRONTEND
    r = server.get("/api/users/@bayko/short", headers={"Origin": "http://evil.example"})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers


def test_dev_signin(server):
    r = server.post("/api/dev/signin", {"handle": "londo"})
    assert r.status_code == 200
    body = r.json()
    assert body["access_token"].count(".") == 2
    assert server.get("/api/message_groups", body["access_token"]).status_code == 200
    assert server.post("/api/dev/signin", {"handle": "nobody"}).status_code == 404
    for bad in ({}, {"handle": ""}, {"handle": 5}):
        assert server.post("/api/dev/signin", bad).status_code == 400
    assert server.post("/api/dev/signin", data=b"{oops").status_code == 400


def test_config_in_dev_mode(server):
    # The browser's sign-in page reads it: dev mode, and the users to pick from.
    r = server.get("/api/config")
    assert r.status_code == 200
    body = r.json()
    assert body["auth"] == "dev"
    handles = {u["handle"] for u in body["dev_users"]}
    assert {"andrewbrown", "bayko", "londo"} <= handles
    assert all(set(u) == {"handle", "display_name"} for u in body["dev_users"])


def test_dev_jwks(server):
    r = server.get("/.well-known/jwks.json")
    assert r.status_code == 200
    keys = r.json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["kid"]
    assert "d" not in keys[0], "private parts must never be served"


def test_users_driver(server):
    # The run with CONNECTION_URL (run_api_postgres.sh) must really use PostgreSQL.
    want = "users: postgres" if os.environ.get("CONNECTION_URL") else "users: sqlite"
    assert want in server.log_text()


def test_store_driver(server):
    # The remote runs (run_api_remote_*.sh) must really keep the messages in
    # the DynamoDB endpoint, with the fanout where the run says it is.
    log = server.log_text()
    if not REMOTE:
        assert "messages in the embedded store in memory" in log
        return
    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ["AWS_ENDPOINT_URL"]
    assert "messages in the remote DynamoDB at %s " % endpoint in log
    assert ("run `cruddur stream-worker`" in log) == (STREAM_WORKER == "separate")
