"""Paging with ?before= (spec 8.6): every item exactly once, in order, and
the first page is what the reference answered (the latest 20)."""
import pytest

from conftest import Server, add_user, wait_for


@pytest.fixture(scope="module")
def data_server(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("paging-data"))
    s = Server(data=data).start()
    s.data = data
    yield s
    assert s.stop() == 0


def test_45_messages_page_back_exactly_once(server, tokens):
    a, b = tokens["andrewbrown"], tokens["bayko"]
    first = server.send(a, "message 0", handle="bayko").json()
    group = first["message_group_uuid"]
    sent = [first]
    for i in range(1, 45):
        r = server.send(a if i % 2 else b, "message %d" % i, group=group)
        assert r.status_code == 200
        sent.append(r.json())

    r = server.get("/api/messages/" + group, a)
    page = r.json()
    assert len(page) == 20
    assert [m["uuid"] for m in page] == [m["uuid"] for m in sent[-20:]]
    cursor = r.headers["X-Next-Cursor"]

    r = server.get("/api/messages/%s?before=%s" % (group, cursor), a)
    assert r.status_code == 200
    assert [m["uuid"] for m in r.json()] == [m["uuid"] for m in sent[5:25]]
    cursor = r.headers["X-Next-Cursor"]
    r = server.get("/api/messages/%s?before=%s" % (group, cursor), a)
    assert [m["uuid"] for m in r.json()] == [m["uuid"] for m in sent[:5]]
    assert "X-Next-Cursor" not in r.headers

    everything = server.all_messages(b, group)
    assert [m["uuid"] for m in everything] == [m["uuid"] for m in sent]
    assert len({m["uuid"] for m in everything}) == 45
    # An empty cursor is the first page.
    assert server.get("/api/messages/%s?before=" % group, a).json() == page


def test_conversation_list_pages(data_server):
    s = data_server
    me = s.signin("londo")
    started = []
    for i in range(25):
        handle = "pager%02d" % i
        add_user(s.data, handle)
        t = s.signin(handle)
        r = s.send(t, "hi londo from %d" % i, handle="londo")
        assert r.status_code == 200, r.text
        started.append(r.json()["message_group_uuid"])

    r = s.get("/api/message_groups", me)
    first = r.json()
    assert len(first) == 20
    assert [g["uuid"] for g in first] == started[::-1][:20], "newest first"
    r2 = s.get("/api/message_groups?before=" + r.headers["X-Next-Cursor"], me)
    rest = r2.json()
    assert [g["uuid"] for g in rest] == started[::-1][20:]
    assert "X-Next-Cursor" not in r2.headers

    # A new message moves its conversation to the front (after the fanout).
    r = s.send(me, "replying to the oldest", group=started[0])
    assert r.status_code == 200
    wait_for(lambda: s.get("/api/message_groups", me).json()[0]["uuid"] == started[0])
    front = s.get("/api/message_groups", me).json()[0]
    assert front["message"] == "replying to the oldest"
