"""Fixtures for the API suite: real `cruddur serve` processes on free ports,
driven over HTTP with `requests`.

The binary comes from CRUDDUR_BIN (ctest sets it). Every server runs in dev
identity mode (no Cognito variables), so tokens come from POST
/api/dev/signin, and with FRONTEND_URL/BACKEND_URL set for the CORS tests.
When CONNECTION_URL is set (run_api_postgres.sh), users live in PostgreSQL.
"""
import glob
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
_log_dir = []


def log_dir():
    """Where server logs go: one folder per session, made on first use."""
    if not _log_dir:
        _log_dir.append(tempfile.mkdtemp(prefix="cruddur-api-logs-"))
    return _log_dir[0]


def pytest_sessionfinish(session, exitstatus):
    """Server logs are kept only when something failed."""
    if _log_dir and exitstatus == 0:
        shutil.rmtree(_log_dir[0], ignore_errors=True)
    elif _log_dir:
        print("\nserver logs: %s" % _log_dir[0])


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
        self.proc = None
        self.url = None
        self.session = requests.Session()

    def start(self, timeout=30):
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
        return self

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

    def stop(self, sig=signal.SIGTERM, timeout=30):
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
        self.proc.kill()  # SIGKILL
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
