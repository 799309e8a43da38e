"""Fixtures for the API suite: real `cruddur serve` processes on free ports,
driven over HTTP with `requests`.

The binary comes from CRUDDUR_BIN (ctest sets it). Every server runs in dev
identity mode (no Cognito variables), so tokens come from POST
/api/dev/signin, and with FRONTEND_URL/BACKEND_URL set for the CORS tests.
When CONNECTION_URL is set (run_api_postgres.sh), users live in PostgreSQL.

Remote mode (run_api_remote_*.sh): with AWS_ENDPOINT_URL or
AWS_ENDPOINT_URL_DYNAMODB set, every server keeps its messages in that
DynamoDB endpoint, in a table of its own (one per data folder, so that a
restart finds its messages again), and API_STREAM_WORKER says who does the
fanout: `in-process` (serve --stream-worker) or `separate` (a `cruddur
stream-worker` beside each server, started, stopped and killed with it).
`--no-fanout` means neither. Every test applies to both kinds of store.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid

import pytest
import requests

BIN = os.environ.get("CRUDDUR_BIN", "cruddur")
FRONTEND = "http://localhost:3000"
BACKEND = "http://localhost:4567"
LISTEN_RE = re.compile(r"listening on (http://[0-9.]+:(\d+))")
REMOTE = bool(os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL"))
STREAM_WORKER = os.environ.get("API_STREAM_WORKER", "in-process")
_log_dir = []
_workers = []  # every stream worker started, killed at the end if still running


def log_dir():
    """Where server logs go: one folder per session, made on first use."""
    if not _log_dir:
        _log_dir.append(tempfile.mkdtemp(prefix="cruddur-api-logs-"))
    return _log_dir[0]


def pytest_sessionfinish(session, exitstatus):
    """Server logs are kept only when something failed."""
    for w in _workers:
        if w.poll() is None:  # a failed test never stopped its server
            w.kill()
            w.wait()
    if _log_dir and exitstatus == 0:
        shutil.rmtree(_log_dir[0], ignore_errors=True)
    elif _log_dir:
        print("\nserver logs: %s" % _log_dir[0])


def pytest_configure(config):
    if REMOTE and STREAM_WORKER not in ("in-process", "separate"):
        raise pytest.UsageError("API_STREAM_WORKER must be in-process or separate")


def messages_table(data):
    """Remote mode: the messages table of a server; one per data folder."""
    if data:
        return "api-" + hashlib.sha1(os.path.abspath(data).encode()).hexdigest()[:16]
    return "api-" + uuid.uuid4().hex[:16]


def server_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_COGNITO")}
    env.pop("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", None)
    env.pop("CRUDDUR_DATA", None)
    env["FRONTEND_URL"] = FRONTEND
    env["BACKEND_URL"] = BACKEND
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("CRUDDUR_LOG", "info")
    env.update(extra or {})
    return env


class Server:
    """One `cruddur serve` process."""

    def __init__(self, *args, data=None, env=None):
        self.data = data
        self.args = list(args)
        if data:
            self.args += ["--data", data]
        else:
            self.args += ["--in-memory"]
        self.env = server_env(env)
        self.worker = None  # remote mode, API_STREAM_WORKER=separate: its Popen
        self.fanout = "--no-fanout" not in self.args
        if REMOTE:
            self.env["DDB_MESSAGE_TABLE"] = messages_table(data)
            if self.fanout and STREAM_WORKER == "in-process":
                self.args.append("--stream-worker")
        self.proc = None
        self.url = None
        self.session = requests.Session()

    # Start-up on a remote store creates tables there (DynamoDB Local is slow
    # to), and several sanitizer builds may share two cores: a short limit
    # fails a whole module at random (seen at 30 s with load average 20).
    def start(self, timeout=180):
        self.log_path = os.path.join(log_dir(), "server-%d.log" % time.monotonic_ns())
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--port", "0"] + self.args,
            stdout=subprocess.PIPE, stderr=self.log, env=self.env)
        line = self._read_line(timeout)
        m = LISTEN_RE.search(line or "")
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("server did not start: %r\n%s" % (line, self.log_text()))
        self.url = m.group(1)
        self.port = int(m.group(2))
        if REMOTE and self.fanout and STREAM_WORKER == "separate":
            # After serve: it creates the table the worker checks for.
            self.worker_log = open(self.log_path + ".worker", "wb")
            self.worker = subprocess.Popen([BIN, "stream-worker"], stdin=subprocess.DEVNULL,
                                           stdout=self.worker_log, stderr=self.worker_log,
                                           env=self.env)
            _workers.append(self.worker)
            self._wait_worker_running(timeout)
        return self

    def _wait_worker_running(self, timeout):
        """Until the worker says it runs, so that the tests talk to a worker
        that reads the stream (a stop signal before that is safe too)."""
        deadline = time.monotonic() + timeout
        while "stream-worker: running" not in self.worker_log_text():
            if self.worker.poll() is not None or time.monotonic() > deadline:
                self.stop(signal.SIGKILL)
                raise RuntimeError("stream-worker did not start:\n" + self.worker_log_text())
            time.sleep(0.01)

    def _read_line(self, timeout):
        out = []
        t = threading.Thread(target=lambda: out.append(self.proc.stdout.readline().decode()))
        t.daemon = True
        t.start()
        t.join(timeout)
        return out[0] if out else None

    def log_text(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def worker_log_text(self):
        if not self.worker:
            return ""
        with open(self.log_path + ".worker", "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=120):
        """Stops the server (and its stream worker); the first nonzero status, else 0."""
        rc = self._stop_server(sig, timeout)
        if self.worker and self.worker.returncode is None:
            self.worker.send_signal(sig)
            try:
                wrc = self.worker.wait(timeout)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                wrc = self.worker.wait()
            self.worker_log.close()
            if rc == 0 and wrc != 0:
                print("stream-worker exited with %s:\n%s" % (wrc, self.worker_log_text()[-4000:]))
                rc = wrc
        return rc

    def _stop_server(self, sig, timeout):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        self.session.close()
        return rc

    def kill9(self):
        """SIGKILL to the server and to its stream worker: both die mid-work."""
        self.proc.kill()  # SIGKILL
        if self.worker:
            self.worker.kill()
            self.worker.wait()
            self.worker_log.close()
        self.proc.wait()
        self.log.close()

    # ---- HTTP helpers ----
    def request(self, method, path, token=None, headers=None, **kw):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        return self.session.request(method, self.url + path, headers=h, timeout=30, **kw)

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token, **kw)

    def post(self, path, body=None, token=None, **kw):
        if body is not None and "data" not in kw:
            kw["json"] = body
        return self.request("POST", path, token, **kw)

    def signin(self, handle):
        r = self.post("/api/dev/signin", {"handle": handle})
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def send(self, token, message, group=None, handle=None):
        body = {"message": message}
        if group is not None:
            body["message_group_uuid"] = group
        if handle is not None:
            body["handle"] = handle
        return self.post("/api/messages", body, token)

    def groups(self, token):
        r = self.get("/api/message_groups", token)
        assert r.status_code == 200, r.text
        return r.json()

    def all_messages(self, token, group):
        """Every message of a conversation, oldest first, following cursors."""
        pages, cursor = [], None
        while True:
            path = "/api/messages/" + group + ("?before=" + cursor if cursor else "")
            r = self.get(path, token)
            assert r.status_code == 200, r.text
            pages.insert(0, r.json())
            cursor = r.headers.get("X-Next-Cursor")
            if not cursor:
                break
        return [m for page in pages for m in page]


def wait_for(fn, timeout=10.0, interval=0.005):
    """Polls fn() until it returns something truthy; returns it (or fails)."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            pytest.fail("condition not met within %.1fs" % timeout)
        time.sleep(interval)


@pytest.fixture(scope="module")
def server():
    """A fresh in-memory server shared by the tests of one module."""
    s = Server().start()
    yield s
    rc = s.stop()
    assert rc == 0, s.log_text()[-4000:]


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="cruddur-api-data-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def tokens(server):
    return {h: server.signin(h) for h in ("andrewbrown", "bayko", "londo")}


def add_user(data, handle, display_name=None):
    """Adds a user to the directory behind a server (SQLite in the data
    folder, or PostgreSQL when CONNECTION_URL is set)."""
    uid = str(uuid.uuid4())
    name = display_name or handle.title()
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())
    url = os.environ.get("CONNECTION_URL")
    if url:
        psql = shutil.which("psql") or sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
        sql = ("INSERT INTO users(uuid, display_name, handle, email, created_at) "
               "VALUES ('%s', '%s', '%s', '%s@example.com', now())" % (uid, name, handle, handle))
        subprocess.run([psql, url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)
    else:
        db = sqlite3.connect(os.path.join(data, "users.sqlite"), timeout=10)
        db.execute("INSERT INTO users(uuid, display_name, handle, email, created_at) "
                   "VALUES (?, ?, ?, ?, ?)", (uid, name, handle, handle + "@example.com", now))
        db.commit()
        db.close()
    return uid


def dev_key(data):
    with open(os.path.join(data, "dev-issuer-key.jwk")) as f:
        return json.load(f)
