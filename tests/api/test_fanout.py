"""The fanout as the API shows it (spec 5 and 8.5): the group lists follow
new messages within a short poll, concurrent writers end with one group
item each holding the latest message, and a crash between a message and
its fanout is healed by the next start."""
import signal
import threading
import time
import uuid

import requests

from conftest import Server, wait_for


def group_of(server, token, group):
    return [g for g in server.groups(token) if g["uuid"] == group]


def test_group_list_follows_new_messages(server, tokens):
    a, b = tokens["andrewbrown"], tokens["bayko"]
    group = server.send(a, "first", handle="bayko").json()["message_group_uuid"]
    latencies = []
    for i in range(20):
        sender = a if i % 2 else b
        reply = server.send(sender, "update %d" % i, group=group).json()
        t0 = time.monotonic()
        for who in (a, b):
            wait_for(lambda: any(g["message"] == "update %d" % i and
                                 g["created_at"] == reply["created_at"]
                                 for g in group_of(server, who, group)), timeout=5)
        latencies.append(time.monotonic() - t0)
    assert max(latencies) < 5


def test_two_users_posting_at_once(server, tokens):
    a, b = tokens["andrewbrown"], tokens["bayko"]
    # A fresh pair for this test: londo and bayko.
    c = tokens["londo"]
    group = server.send(c, "race start", handle="bayko").json()["message_group_uuid"]
    replies, errors = [], []
    lock = threading.Lock()

    def post(token, who, n):
        sess = requests.Session()  # one connection per thread
        for i in range(n):
            r = sess.post(server.url + "/api/messages",
                          json={"message": "%s %d" % (who, i), "message_group_uuid": group},
                          headers={"Authorization": "Bearer " + token}, timeout=60)
            with lock:
                (replies if r.status_code == 200 else errors).append(
                    r.json() if r.status_code == 200 else (r.status_code, r.text))
        sess.close()

    threads = [threading.Thread(target=post, args=(t, w, 100))
               for t, w in ((c, "londo"), (c, "londo"), (b, "bayko"), (b, "bayko"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(replies) == 400

    everything = server.all_messages(c, group)
    uuids = [m["uuid"] for m in everything]
    assert len(uuids) == len(set(uuids)) == 401
    assert {r["uuid"] for r in replies} <= set(uuids)
    times = [m["created_at"] for m in everything]
    assert times == sorted(times) and len(set(times)) == 401

    latest = max(replies, key=lambda r: r["created_at"])
    for who in (b, c):
        wait_for(lambda: [(g["created_at"], g["message"]) for g in group_of(server, who, group)]
                 == [(latest["created_at"], latest["message"])], timeout=15)
    # Once the consumer is past every record above: still exactly one group
    # item each, at the latest message.
    settle(server, a)
    for who in (b, c):
        items = group_of(server, who, group)
        assert len(items) == 1
        assert items[0]["message"] == latest["message"]
    assert group_of(server, a, group) == []


def settle(server, token):
    """Returns once the fanout has applied every record written so far: it
    reads the stream in order, so once a new message in another
    conversation (token's with londo) reaches the list, all before it have
    been applied. A check that nothing more happens needs this, not a
    pause."""
    marker = "settle %s" % uuid.uuid4()
    r = server.send(token, marker, handle="londo")
    assert r.status_code == 200, r.text
    wait_group_message(server, token, r.json()["message_group_uuid"], marker)


def wait_group_message(server, token, group, text, timeout=20):
    wait_for(lambda: [g["message"] for g in group_of(server, token, group)] == [text],
             timeout=timeout)


def test_kill9_before_the_fanout_is_healed(data_dir):
    s = Server(data=data_dir).start()
    a, b = s.signin("andrewbrown"), s.signin("bayko")
    group = s.send(a, "before the crash", handle="bayko").json()["message_group_uuid"]
    wait_group_message(s, b, group, "before the crash")
    assert s.stop() == 0

    # A server without its consumer takes a message, then dies hard: the
    # message is stored, its fanout never ran.
    s = Server("--no-fanout", data=data_dir).start()
    r = s.send(b, "written, then kill -9", group=group)
    assert r.status_code == 200
    assert [g["message"] for g in group_of(s, a, group)] == ["before the crash"]
    s.kill9()

    s = Server(data=data_dir).start()
    wait_group_message(s, a, group, "written, then kill -9")
    wait_group_message(s, b, group, "written, then kill -9")
    assert len(s.all_messages(a, group)) == 2

    # And a kill -9 racing the consumer, right after the answer.
    r = s.send(a, "racing the consumer", group=group)
    assert r.status_code == 200
    s.kill9()
    s = Server(data=data_dir).start()
    wait_group_message(s, a, group, "racing the consumer")
    wait_group_message(s, b, group, "racing the consumer")
    settle(s, a)
    for t in (a, b):
        assert len(group_of(s, t, group)) == 1
    assert [m["message"] for m in s.all_messages(b, group)] == [
        "before the crash", "written, then kill -9", "racing the consumer"]
    assert s.stop() == 0


def test_restart_keeps_everything(data_dir):
    s = Server(data=data_dir).start()
    a = s.signin("andrewbrown")
    group = s.send(a, "persisted", handle="londo").json()["message_group_uuid"]
    assert s.stop(signal.SIGINT) == 0
    s = Server(data=data_dir).start()
    a2 = s.signin("andrewbrown")
    assert [g["uuid"] for g in s.groups(a2)] == [group]
    assert s.get("/api/messages/" + group, a).status_code == 200, "old tokens still valid"
    assert s.stop() == 0
