"""Fixtures of the hardening suite: `cruddur serve` and `cruddur dynamodb`
started in memory on a free port (tests/lib/cruddur_proc.py), and raw
socket helpers for requests that `requests` would never send."""
import os
import socket
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cruddur_proc import BIN, LISTEN, Proc, base_env  # noqa: E402,F401

SERVERS = ("serve", "dynamodb")


def start(cmd, *args, env=None):
    """`cruddur CMD --in-memory --port 0 ARGS`; returns (proc, port)."""
    argv = [BIN, cmd, "--in-memory"] + (["--port", "0"] if "--port" not in args else []) + list(args)
    p = Proc(argv, base_env(env))
    port = int(LISTEN.search(p.wait_line(LISTEN.search)).group(2))
    return p, port


@pytest.fixture(params=SERVERS)
def server(request):
    """Each test using it runs against both servers: (command, proc, port)."""
    p, port = start(request.param)
    yield request.param, p, port
    p.terminate()


def exchange(port, raw, timeout=10):
    """Sends raw bytes, then reads until the server closes the connection
    or `timeout` passes with nothing more; returns (bytes, closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(raw)
        data, closed = b"", False
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
        return data, closed
    finally:
        s.close()


def statuses(data):
    """The status codes of the responses in `data`, in order."""
    return [int(line.split()[1]) for line in data.split(b"\r\n")
            if line.startswith(b"HTTP/1.1 ") or line.startswith(b"HTTP/1.0 ")]
