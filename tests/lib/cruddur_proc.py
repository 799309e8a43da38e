"""cruddur_proc: a cruddur command started by a pytest suite, its stdout
and stderr read line by line, so that a test can wait for a line (or for
the process to block its stop signals) and then act, and stop it checking
that it exits 0 with no sanitizer report. Used by tests/signals and
tests/hardening (they put tests/lib on sys.path)."""
import os
import re
import signal
import subprocess
import threading
import time

import pytest

BIN = os.environ.get("CRUDDUR_BIN", "cruddur")
SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:")
LISTEN = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")
SIGTERM_BIT = 1 << (signal.SIGTERM - 1)
SIGINT_BIT = 1 << (signal.SIGINT - 1)


def base_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("CRUDDUR_DATA", "CONNECTION_URL")}
    env.update({"CRUDDUR_LOG": "info", "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.update(extra or {})
    return env


class Proc:
    """A command under test, its stdout and stderr read line by line."""

    def __init__(self, argv, env):
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        self.lines = []
        self.cond = threading.Condition()
        self.readers = [threading.Thread(target=self._read, args=(f,), daemon=True)
                        for f in (self.p.stdout, self.p.stderr)]
        for t in self.readers:
            t.start()

    def _read(self, f):
        for raw in iter(f.readline, b""):
            with self.cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def text(self):
        with self.cond:
            return "\n".join(self.lines)

    def wait_line(self, pred, timeout=120):
        """The first line pred accepts (waiting for it); fails if the process ends first."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if pred(line):
                        return line
                if self.p.poll() is not None and not any(t.is_alive() for t in self.readers):
                    pytest.fail("exited with %s before the expected line:\n%s"
                                % (self.p.returncode, "\n".join(self.lines)[-4000:]))
                if time.monotonic() > deadline:
                    pytest.fail("no expected line within %ds:\n%s"
                                % (timeout, "\n".join(self.lines)[-4000:]))
                self.cond.wait(0.05)

    def wait_lines(self, n, timeout=120):
        return self.wait_line(lambda _l, c=[0]: (c.__setitem__(0, c[0] + 1) or c[0]) >= n, timeout)

    def wait_blocked(self, timeout=60):
        """Until the main thread has SIGINT and SIGTERM blocked (/proc/PID/status)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/status" % self.p.pid) as f:
                    blk = next(int(l.split()[1], 16) for l in f if l.startswith("SigBlk:"))
            except (OSError, StopIteration):
                blk = 0
            if blk & SIGTERM_BIT and blk & SIGINT_BIT:
                return
            # sigwait unblocks the signals it waits for while it waits: a
            # process already past start-up is waiting for them.
            if any(LISTEN.search(l) or "running" in l for l in self.lines):
                return
            if self.p.poll() is not None:
                pytest.fail("exited with %s before blocking its signals:\n%s"
                            % (self.p.returncode, self.text()[-4000:]))
            time.sleep(0.0002)
        pytest.fail("signals never blocked")

    def terminate(self, timeout=120):
        """SIGTERM, then the exit status; asserts a clean stop."""
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            pytest.fail("did not stop within %ds of SIGTERM:\n%s" % (timeout, self.text()[-4000:]))
        for t in self.readers:
            t.join()
        text = self.text()
        assert rc == 0, "exit status %s after SIGTERM:\n%s" % (rc, text[-4000:])
        assert not SANITIZER.search(text), text[-8000:]
        return text

    def url(self):
        return LISTEN.search(self.wait_line(LISTEN.search)).group(1)
