"""Unread state: GET /api/message_groups counts each conversation's
messages from others after the member's read position; POST
/api/message_groups/<uuid>/read moves it (only forward), with the same
authorization as reading the conversation; the member's event stream hears
of it."""
import uuid

from conftest import Server, wait_for
from test_events import EventStream, of_type

import pytest


@pytest.fixture(scope="module")
def srv():
    s = Server().start()
    yield s
    assert s.stop() == 0, s.log_text()[-4000:]


@pytest.fixture(scope="module")
def tok(srv):
    return {h: srv.signin(h) for h in ("andrewbrown", "bayko", "londo")}


def row(srv, token, group):
    return next(g for g in srv.groups(token) if g["uuid"] == group)


def fresh_conversation(srv, tok, sender="andrewbrown", to="londo"):
    """The pair's conversation (earlier tests may have written in it), with
    both members' read positions moved to now."""
    r = srv.send(tok[sender], "hello %s" % uuid.uuid4(), handle=to)
    assert r.status_code == 200, r.text
    group = r.json()["message_group_uuid"]
    assert srv.post("/api/message_groups/%s/read" % group, None, tok[to]).status_code == 200
    assert srv.post("/api/message_groups/%s/read" % group, None, tok[sender]).status_code == 200
    return group


def test_messages_from_others_are_unread_until_read(srv, tok):
    group = fresh_conversation(srv, tok)
    assert row(srv, tok["londo"], group)["unread"] == 0
    for i in range(3):
        srv.send(tok["andrewbrown"], "unread %d" % i, group=group)
    srv.send(tok["londo"], "my own does not count", group=group)
    srv.send(tok["andrewbrown"], "one more", group=group)
    # The list row moves with the fanout; the count is there at once.
    assert wait_for(lambda: row(srv, tok["londo"], group)["message"] == "one more")
    assert row(srv, tok["londo"], group)["unread"] == 4
    assert row(srv, tok["andrewbrown"], group)["unread"] == 1  # londo's

    r = srv.post("/api/message_groups/%s/read" % group, None, tok["londo"])
    assert r.status_code == 200, r.text
    assert r.json()["message_group_uuid"] == group
    assert row(srv, tok["londo"], group)["unread"] == 0
    assert row(srv, tok["andrewbrown"], group)["unread"] == 1  # each member has their own


def test_read_up_to_a_message_and_only_forward(srv, tok):
    group = fresh_conversation(srv, tok)
    first = srv.send(tok["andrewbrown"], "first", group=group).json()
    second = srv.send(tok["andrewbrown"], "second", group=group).json()
    assert wait_for(lambda: row(srv, tok["londo"], group)["message"] == "second")
    path = "/api/message_groups/%s/read" % group
    r = srv.post(path, {"created_at": first["created_at"]}, tok["londo"])
    assert r.status_code == 200 and r.json()["read_at"] == first["created_at"]
    assert row(srv, tok["londo"], group)["unread"] == 1
    r = srv.post(path, {"created_at": second["created_at"]}, tok["londo"])
    assert r.json()["read_at"] == second["created_at"]
    # Back to an older position: refused quietly, the newer one is kept.
    r = srv.post(path, {"created_at": first["created_at"]}, tok["londo"])
    assert r.status_code == 200 and r.json()["read_at"] == second["created_at"]
    assert row(srv, tok["londo"], group)["unread"] == 0


def test_counts_stop_at_100(srv, tok):
    group = fresh_conversation(srv, tok, "bayko", "londo")
    for i in range(101):
        assert srv.send(tok["bayko"], "n%d" % i, group=group).status_code == 200
    assert wait_for(lambda: row(srv, tok["londo"], group)["message"] == "n100")
    assert row(srv, tok["londo"], group)["unread"] == 100


def test_the_same_rules_as_reading_the_conversation(srv, tok):
    group = fresh_conversation(srv, tok)  # andrewbrown and londo
    path = "/api/message_groups/%s/read" % group
    assert srv.post(path, None, tok["bayko"]).status_code == 404  # not a member
    assert srv.get("/api/messages/" + group, tok["bayko"]).status_code == 404
    r = srv.post("/api/message_groups/%s/read" % uuid.uuid4(), None, tok["londo"])
    assert r.status_code == 404
    assert srv.post("/api/message_groups/not-a-uuid/read", None, tok["londo"]).status_code == 404
    r = srv.post(path, None, None)
    assert r.status_code == 401 and r.json() == {}
    r = srv.post(path, {"created_at": "yesterday"}, tok["londo"])
    assert r.status_code == 400 and "timestamp" in r.json()["error"]
    r = srv.post(path, {"created_at": 5}, tok["londo"])
    assert r.status_code == 400
    r = srv.post(path, None, tok["londo"], data="{not json")
    assert r.status_code == 400
    assert srv.get(path, tok["londo"]).status_code == 405


def test_the_member_hears_of_a_read(srv, tok):
    group = fresh_conversation(srv, tok)
    st = EventStream(srv, tok["londo"])
    st.until(of_type("ready"))
    sent = srv.send(tok["andrewbrown"], "read me", group=group).json()
    r = srv.post("/api/message_groups/%s/read" % group, {"created_at": sent["created_at"]},
                 tok["londo"])
    assert r.status_code == 200
    # (With a remote table the relay polls, so the read of fresh_conversation
    # may come first.)
    got = st.until(lambda e: e.get("event") == "read"
                   and e["data"]["read_at"] == sent["created_at"])
    assert got["data"] == {"message_group_uuid": group, "read_at": sent["created_at"]}
    st.close()
