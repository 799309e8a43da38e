"""Crash safety of the API under load (issue 7, item 2).

Writer threads, one per user, post messages through the API: to
conversations they know (the seeded one and those their posts started or
joined) and to other users by handle (which starts a conversation or
reuses the pair's). Meanwhile the server is killed with SIGKILL at random
moments, now and then during its start-up, and restarted on the same data
folder. Writers retry after connection errors with a new body (so that a
retried message is still told apart from its lost first attempt); every
200 answer is recorded as acknowledged.

At the end, with the server up and the fanout given time to catch up
(polled, with a deadline):
  - every acknowledged message exists exactly once, in its conversation,
    with its body, and no body appears twice (each attempt had its own);
  - every message is a seeded one or one of the writers' attempts;
  - each user has exactly one group item per conversation, one
    conversation per pair of users, and the item of each member shows the
    conversation's latest message;
  - the last server stops cleanly (exit 0) and no server log holds a
    sanitizer report (ASan, LeakSanitizer, UBSan).

Then a few servers are killed during their very first start on an empty
data folder (while the users schema, the demo users, the dev key and the
messages table are being made); each must start again there, take a
message and list it, and stop cleanly.

Environment: CRUDDUR_BIN (the binary), CRASH_KILLS (default 24),
CRASH_WRITERS (default 6), CRASH_FRESH (empty-folder rounds, default 8),
CRASH_SEED (default: random, printed),
CRASH_KEEP=1 keeps the data folder and logs.
"""
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Api, ConnectionLost, Proc, make_data, sanitizer_findings,  # noqa: E402
                     tokens_for)

SEED_GROUP = "5ae290ed-55d1-47a0-bc6d-fe2bc2700399"
SEED_PAIR = ("andrewbrown", "bayko")
DEMO = ["andrewbrown", "bayko", "londo"]
EXTRA = ["crashuser%d" % i for i in range(1, 6)]
PREFIX = "crash "
CATCH_UP_S = 120.0  # polled: only a failing run waits this long


class State:
    """What the writers share with the controller and the checks."""

    def __init__(self):
        self.lock = threading.Lock()
        self.url = None  # the live server, None while it is down
        self.stop = threading.Event()
        self.attempts = {}  # body -> (sender, target) for every POST sent
        self.acks = {}  # message uuid -> reply (+ sender)
        self.lost = 0  # attempts that ended in a connection error
        self.errors = []  # non-200 answers
        self.groups = {SEED_GROUP: SEED_PAIR}  # known conversation -> its pair
        self.acks_per_gen = []


def writer(st, rng, me, token, everyone):
    """Posts until told to stop; see the file comment."""
    api = Api(timeout=60)
    others = [h for h in everyone if h != me]
    n = 0
    retry = None  # the action to repeat after a connection error
    while not st.stop.is_set():
        base = st.url
        if base is None:
            time.sleep(0.005)
            continue
        if retry:
            action = retry
        else:
            with st.lock:
                mine = [g for g, pair in st.groups.items() if me in pair]
            if mine and rng.random() < 0.65:
                g = rng.choice(mine)
                action = ("group", g)
            else:
                action = ("handle", rng.choice(others))
        text = "%s%s %d %s" % (PREFIX, me, n, uuid.uuid4().hex[:12])
        n += 1
        body = {"message": text}
        body["message_group_uuid" if action[0] == "group" else "handle"] = action[1]
        with st.lock:
            st.attempts[text] = (me, action)
        try:
            status, _, reply = api.request(base, "POST", "/api/messages", token, body)
        except ConnectionLost:
            with st.lock:
                st.lost += 1
            retry = action
            time.sleep(0.002)
            continue
        retry = None
        with st.lock:
            if status != 200:
                st.errors.append((me, body, status, reply))
                continue
            reply = dict(reply, sender=me, sent=text)
            st.acks[reply["uuid"]] = reply
            g = reply["message_group_uuid"]
            if g not in st.groups:
                pair = st.groups.get(g) or (me, action[1])
                st.groups[g] = pair
    api.close()


def run_kills(st, srv, rng, kills):
    """Starts and SIGKILLs the server `kills` times under load (plus some
    kills during start-up); leaves a fresh server running. Returns the
    number of start-up kills."""
    startup_kills = 0
    done = 0
    while done < kills:
        if rng.random() < 0.15:
            srv.spawn_only()
            time.sleep(rng.uniform(0.0, 0.3))
            srv.kill9()
            startup_kills += 1
            continue
        with st.lock:
            before = len(st.acks)
        st.url = srv.start()
        time.sleep(rng.uniform(0.15, 1.0))
        st.url = None
        srv.kill9()
        done += 1
        with st.lock:
            st.acks_per_gen.append(len(st.acks) - before)
    st.url = srv.start()
    return startup_kills


def fresh_folder_kills(binary, work, rng, rounds):
    """Kills `cruddur serve` during its first start on an empty data folder
    (users schema, demo users, dev key, messages table being created), then
    starts it again there: it must come up and work. Returns (problems,
    server logs)."""
    problems, logs = [], []
    probe = Proc(binary, ["serve", "--data", os.path.join(work, "fresh-probe"), "--quiet"],
                 work, "fresh-probe")
    os.mkdir(os.path.join(work, "fresh-probe"))
    t0 = time.monotonic()
    probe.start()
    first_start = time.monotonic() - t0
    probe.kill9()
    logs += probe.logs
    for i in range(rounds):
        data = os.path.join(work, "fresh-%02d" % i)
        os.mkdir(data)
        srv = Proc(binary, ["serve", "--data", data, "--quiet"], work, "fresh-%02d" % i)
        srv.spawn_only()
        time.sleep(rng.uniform(0.0, first_start * 1.2))
        srv.kill9()
        try:
            base = srv.start()
        except RuntimeError as e:
            problems.append("fresh folder %d: no restart after a kill during the first start: %s"
                            % (i, e))
            logs += srv.logs
            continue
        api = Api()
        try:
            status, _, reply = api.request(base, "POST", "/api/dev/signin", None,
                                           {"handle": "andrewbrown"})
            token = reply["access_token"] if status == 200 else None
            status, _, reply = api.request(base, "POST", "/api/messages", token,
                                           {"message": "after the crash", "handle": "bayko"})
            if status != 200:
                raise AssertionError("POST /api/messages: %s %r" % (status, reply))
            group = reply["message_group_uuid"]
            deadline = time.monotonic() + CATCH_UP_S
            while not any(g["uuid"] == group and g["message"] == "after the crash"
                          for g in api.pages(base, "/api/message_groups", token)):
                if time.monotonic() > deadline:
                    raise AssertionError("the new conversation never shows in the list")
                time.sleep(0.05)
        except (AssertionError, ConnectionLost, KeyError, TypeError) as e:
            problems.append("fresh folder %d after a kill during the first start: %s\n%s"
                            % (i, e, srv.tail()))
        api.close()
        rc = srv.stop()
        if rc != 0:
            problems.append("fresh folder %d: exit %r on SIGTERM\n%s" % (i, rc, srv.tail()))
        logs += srv.logs
    return problems, logs


def list_groups(api, base, tokens):
    """Each user's group items (all pages)."""
    return {h: api.pages(base, "/api/message_groups", t) for h, t in tokens.items()}


def group_problems(groups_by_user, latest, handles):
    """What is wrong with the group items (empty when all is right):
    duplicates, missing members, stale latest message, two conversations
    for one pair."""
    bad = []
    members = {}
    for h, items in groups_by_user.items():
        seen, peers = {}, {}
        for it in items:
            g = it["uuid"]
            if g in seen:
                bad.append("%s has two group items for %s" % (h, g))
            seen[g] = it
            if it["handle"] in peers and peers[it["handle"]] != g:
                bad.append("%s has two conversations with %s: %s and %s"
                           % (h, it["handle"], peers[it["handle"]], g))
            peers[it["handle"]] = g
            members.setdefault(g, []).append((h, it))
    for g, msg in latest.items():
        mem = members.get(g, [])
        if len(mem) != 2:
            bad.append("conversation %s has group items for %s (want 2 members)"
                       % (g, [m[0] for m in mem]))
        for h, it in mem:
            if it["message"] != msg["message"] or it["created_at"] < msg["created_at"]:
                bad.append("%s's group item of %s shows %r at %s, latest is %r at %s"
                           % (h, g, it["message"], it["created_at"], msg["message"],
                              msg["created_at"]))
        if len(mem) == 2 and {mem[0][1]["handle"], mem[1][1]["handle"]} != {mem[0][0], mem[1][0]}:
            bad.append("conversation %s: members %s do not point at each other"
                       % (g, [(h, it["handle"]) for h, it in mem]))
    for g in members:
        if g not in latest:
            bad.append("group item for %s, which has no messages" % g)
    return bad


def verify(st, base, tokens, seed_uuids):
    """The end checks of the file comment; returns (problems, stats)."""
    api = Api(timeout=60)
    problems = []
    groups = list_groups(api, base, tokens)
    conversations = set(st.groups) | {it["uuid"] for items in groups.values() for it in items}
    messages = {}
    for g in sorted(conversations):
        for h, t in tokens.items():  # any member can read it
            status, _, _ = api.request(base, "GET", "/api/messages/" + g, t)
            if status == 200:
                messages[g] = api.pages(base, "/api/messages/" + g, t)
                break
        else:
            problems.append("conversation %s: no user can read it" % g)

    where = {}  # uuid -> list of (group, message)
    bodies = {}  # body -> count
    for g, msgs in messages.items():
        for m in msgs:
            where.setdefault(m["uuid"], []).append((g, m))
            bodies[m["message"]] = bodies.get(m["message"], 0) + 1
    for u, places in where.items():
        if len(places) > 1:
            problems.append("message %s stored %d times" % (u, len(places)))
    for u, ack in st.acks.items():
        places = where.get(u, [])
        if len(places) != 1:
            problems.append("acknowledged message %s (%r) found %d times"
                            % (u, ack["sent"], len(places)))
            continue
        g, m = places[0]
        if g != ack["message_group_uuid"] or m["message"] != ack["sent"] \
                or m["created_at"] != ack["created_at"] or m["handle"] != ack["sender"]:
            problems.append("acknowledged message %s differs: stored %r in %s, acked %r"
                            % (u, m, g, ack))
    for body, n in bodies.items():
        if n > 1:
            problems.append("body %r appears %d times" % (body, n))
    unacked_found = 0
    for u, places in where.items():
        g, m = places[0]
        if u in seed_uuids or u in st.acks:
            continue
        if m["message"] in st.attempts:
            unacked_found += 1  # written, answer lost in the crash: fine, once
        else:
            problems.append("message %s (%r) was never sent" % (u, m["message"]))

    latest = {g: msgs[-1] for g, msgs in messages.items() if msgs}
    deadline = time.monotonic() + CATCH_UP_S
    t0 = time.monotonic()
    while True:
        bad = group_problems(groups, latest, tokens)
        if not bad or time.monotonic() > deadline:
            break
        time.sleep(0.2)
        groups = list_groups(api, base, tokens)
    problems += bad
    api.close()
    stats = {
        "conversations": len(messages),
        "stored": len(where),
        "unacked_found": unacked_found,
        "catch_up_s": time.monotonic() - t0,
    }
    return problems, stats


def main():
    binary = os.environ["CRUDDUR_BIN"]
    kills = int(os.environ.get("CRASH_KILLS", "24"))
    n_writers = int(os.environ.get("CRASH_WRITERS", "6"))
    fresh_rounds = int(os.environ.get("CRASH_FRESH", "8"))
    seed = int(os.environ.get("CRASH_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="cruddur-crash-")
    data = os.path.join(work, "data")
    os.mkdir(data)
    print("crash: seed %d, %d kills, %d writers, folder %s" % (seed, kills, n_writers, work))
    t_start = time.monotonic()

    make_data(binary, data, EXTRA)
    everyone = DEMO + EXTRA
    tokens = tokens_for(binary, data, everyone)
    srv = Proc(binary, ["serve", "--data", data, "--quiet"], work, "serve")
    st = State()

    base = srv.start()
    api = Api()
    seed_uuids = {m["uuid"] for m in api.pages(base, "/api/messages/" + SEED_GROUP,
                                               tokens["andrewbrown"])}
    api.close()
    srv.kill9()

    writers = [threading.Thread(target=writer,
                                args=(st, random.Random(rng.random()), everyone[i % len(everyone)],
                                      tokens[everyone[i % len(everyone)]], everyone))
               for i in range(n_writers)]
    for w in writers:
        w.start()
    ok = False
    try:
        startup_kills = run_kills(st, srv, rng, kills)
        time.sleep(0.5)  # the last server takes writes too
        st.stop.set()
        for w in writers:
            w.join()
        t_load = time.monotonic() - t_start
        problems, stats = verify(st, srv.url, tokens, seed_uuids)
        if st.errors:
            problems += ["non-200 answer: %r" % (e,) for e in st.errors[:20]]
        rc = srv.stop()
        if rc != 0:
            problems.append("the last server did not stop cleanly: exit %r\n%s" % (rc, srv.tail()))
        fresh_problems, fresh_logs = fresh_folder_kills(binary, work, rng, fresh_rounds)
        problems += fresh_problems
        for path, excerpt in sanitizer_findings(srv.logs + fresh_logs):
            problems.append("sanitizer report in %s:\n%s" % (path, excerpt))

        gens = sorted(st.acks_per_gen)
        print("crash: %d kills under load + %d during start-up, %d server starts;"
              " %d kills during the first start on an empty folder"
              % (kills, startup_kills, len(srv.logs), fresh_rounds))
        print("crash: %d attempts, %d acknowledged, %d connection errors (retried),"
              " %d unacknowledged attempts found written once, %d non-200 answers"
              % (len(st.attempts), len(st.acks), st.lost, stats["unacked_found"],
                 len(st.errors)))
        print("crash: acknowledged per server life: min %d, median %d, max %d"
              % (gens[0], gens[len(gens) // 2], gens[-1]))
        print("crash: %d conversations, %d messages stored; group items caught up in %.2f s;"
              " load phase %.1f s, total %.1f s"
              % (stats["conversations"], stats["stored"], stats["catch_up_s"], t_load,
                 time.monotonic() - t_start))
        for p in problems[:50]:
            print("crash: FAIL: " + p)
        if len(problems) > 50:
            print("crash: ... and %d more problems" % (len(problems) - 50))
        ok = not problems
        print("crash: %s (lost acknowledged: %d, duplicated: %d)"
              % ("OK" if ok else "FAILED",
                 sum(1 for p in problems if p.startswith("acknowledged") and "found 0" in p),
                 sum(1 for p in problems if "times" in p and "found 0" not in p)))
    finally:
        st.stop.set()
        srv.kill9()
        if ok and os.environ.get("CRASH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("crash: data and server logs kept in %s" % work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
