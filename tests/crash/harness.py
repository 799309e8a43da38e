"""Process and HTTP helpers shared by the crash test (crash_driver.py) and
the soak (tests/soak/soak.py): standard library only, so Debian's python3
runs them as they are.

- Proc: one cruddur process that prints `... listening on http://H:P` on
  stdout (serve, dynamodb); start, SIGKILL, clean stop, RSS from /proc.
  Its stderr goes to a log file per start, kept for the sanitizer check.
- sanitizer_findings(): lines of those logs that report an ASan, LSan or
  UBSan error, which must fail a suite even when every request succeeded.
- Api: a small JSON client for the Cruddur API over one keep-alive
  connection (http.client), which raises ConnectionLost when the server
  went away mid-request (the caller decides whether to retry).
- make_data(): a seeded data folder (`db setup`, `ddb setup`) with extra
  users, and dev tokens for them (`cruddur token`).
"""
import http.client
import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import threading
import time
import uuid

LISTEN_RE = re.compile(rb"listening on http://([0-9.]+):(\d+)")
# What ASan, LeakSanitizer and UBSan print when they find something.
SANITIZER_RE = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer")
BACKEND_URL = "http://localhost:4567"  # the dev tokens' issuer; servers get the same


def cruddur_env(extra=None):
    """The environment for cruddur processes: dev identity (no Cognito),
    one BACKEND_URL for tokens and server, leak detection on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_COGNITO")}
    for k in ("CRUDDUR_DATA", "CONNECTION_URL", "AWS_ENDPOINT_URL",
              "AWS_ENDPOINT_URL_DYNAMODB"):
        env.pop(k, None)
    env["BACKEND_URL"] = BACKEND_URL
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("CRUDDUR_LOG", "warn")
    env.update(extra or {})
    return env


class Proc:
    """One cruddur process (`serve` or `dynamodb`) on a free port."""

    def __init__(self, binary, args, log_dir, name, env=None):
        self.cmd = [binary] + list(args) + ["--port", "0"]
        self.log_dir = log_dir
        self.name = name
        self.env = cruddur_env(env)
        self.proc = None
        self.url = None
        self.logs = []  # one stderr file per start

    def start(self, timeout=60.0):
        """Starts the process and waits for its listening line; the URL."""
        path = os.path.join(self.log_dir, "%s-%03d.log" % (self.name, len(self.logs)))
        self.logs.append(path)
        log = open(path, "wb")
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=log,
                                     env=self.env)
        log.close()
        line = self._first_line(timeout)
        m = LISTEN_RE.search(line or b"")
        if not m:
            self.kill9()
            raise RuntimeError("%s did not start: %r\n%s" % (self.name, line, self.tail()))
        self.url = "http://%s:%s" % (m.group(1).decode(), m.group(2).decode())
        # Nothing else is expected on stdout; drain it so the process never blocks.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        return self.url

    def _first_line(self, timeout):
        """The first stdout line, or None when it does not come in time (or
        the process dies first)."""
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                return buf or None
            buf += chunk
        return buf

    def spawn_only(self):
        """Starts the process without waiting for it (to kill it during start-up)."""
        path = os.path.join(self.log_dir, "%s-%03d.log" % (self.name, len(self.logs)))
        self.logs.append(path)
        with open(path, "wb") as log:
            self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=log,
                                         env=self.env)
        self.url = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()
        self.url = None

    def stop(self, timeout=60.0):
        """SIGTERM and wait: the exit status (negative: killed by a signal)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "timeout"
        self.url = None
        return self.proc.returncode

    def rss_kb(self):
        """Resident set size from /proc/<pid>/status, in KiB (None when gone)."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, ValueError, AttributeError):
            return None
        return None

    def tail(self, n=3000):
        if not self.logs:
            return ""
        with open(self.logs[-1], "rb") as f:
            return f.read().decode(errors="replace")[-n:]


def sanitizer_findings(paths, context=12):
    """Sanitizer reports in log files: a list of (path, excerpt)."""
    found = []
    for p in paths:
        try:
            with open(p, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
        except OSError:
            continue
        for i, line in enumerate(lines):
            if SANITIZER_RE.search(line):
                found.append((p, "\n".join(lines[i:i + context])))
                break
    return found


class ConnectionLost(Exception):
    """The server went away (refused, reset, closed) before answering."""


class Api:
    """JSON over one keep-alive HTTP connection to the Cruddur API."""

    def __init__(self, timeout=30.0):
        self.timeout = timeout
        self.conn = None
        self.base = None

    def close(self):
        if self.conn:
            self.conn.close()
        self.conn = None

    def request(self, base, method, path, token=None, body=None):
        """(status, headers dict with lower-case names, decoded JSON or text)."""
        if self.conn is None or self.base != base:
            self.close()
            host, port = base[len("http://"):].split(":")
            self.conn = http.client.HTTPConnection(host, int(port), timeout=self.timeout)
            self.base = base
        headers = {}
        data = None
        if token:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            raw = r.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise ConnectionLost(repr(e)) from None
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return r.status, hdrs, payload

    def pages(self, base, path, token):
        """Every item of a paged list route (newest page first from the
        server), returned oldest first; follows X-Next-Cursor."""
        pages, cursor = [], None
        while True:
            p = path + ("?before=" + cursor if cursor else "")
            status, hdrs, payload = self.request(base, "GET", p, token)
            if status != 200:
                raise AssertionError("GET %s: %s %r" % (p, status, payload))
            pages.insert(0, payload)
            cursor = hdrs.get("x-next-cursor")
            if not cursor:
                return [x for page in pages for x in page]


def run_tool(binary, *args):
    r = subprocess.run([binary] + list(args), capture_output=True, env=cruddur_env(),
                       timeout=120)
    if r.returncode != 0:
        raise RuntimeError("cruddur %s failed (%d): %s" % (" ".join(args), r.returncode,
                                                          r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def make_data(binary, data, extra_handles=()):
    """Seeds a data folder: the demo users and conversation, then extra
    users (straight into users.sqlite, as the API suite does)."""
    run_tool(binary, "db", "setup", "--data", data)
    run_tool(binary, "ddb", "setup", "--data", data)
    db = sqlite3.connect(os.path.join(data, "users.sqlite"), timeout=10)
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())
    for h in extra_handles:
        db.execute("INSERT INTO users(uuid, display_name, handle, email, created_at)"
                   " VALUES (?, ?, ?, ?, ?)",
                   (str(uuid.uuid4()), h.title(), h, h + "@example.com", now))
    db.commit()
    db.close()


def tokens_for(binary, data, handles):
    return {h: run_tool(binary, "token", h, "--data", data).strip() for h in handles}
