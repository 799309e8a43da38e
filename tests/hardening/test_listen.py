"""A port in use is an error for both servers (issue 11.2): a second server
on the same port says so and exits non-zero, instead of sharing the port
through SO_REUSEPORT; and a restart right after a kill -9 still binds at
once (SO_REUSEADDR) although the dead server's connections linger."""
import signal
import socket
import subprocess

import pytest

from conftest import BIN, SERVERS, base_env, start


@pytest.mark.parametrize("cmd", SERVERS)
def test_a_port_in_use_is_an_error(cmd):
    first, port = start(cmd)
    try:
        for second in SERVERS:
            r = subprocess.run([BIN, second, "--in-memory", "--port", str(port)],
                               env=base_env(), capture_output=True, text=True, timeout=120)
            assert r.returncode != 0, r.stderr
            assert "cannot listen on 127.0.0.1:%d: address already in use" % port in r.stderr, \
                r.stderr
        # The first one still has the port to itself and answers.
        data = socket.create_connection(("127.0.0.1", port), timeout=10)
        data.sendall(b"GET /api/config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert data.recv(100).startswith(b"HTTP/1.1 ")
        data.close()
    finally:
        first.terminate()


@pytest.mark.parametrize("cmd", SERVERS)
def test_restart_after_kill_binds_at_once(cmd):
    first, port = start(cmd)
    # A connection the client keeps open: when the server dies, its end
    # stays behind (FIN_WAIT) on the server's port.
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(b"GET /api/config HTTP/1.1\r\nHost: x\r\n\r\n")
    assert c.recv(100).startswith(b"HTTP/1.1 ")
    first.p.send_signal(signal.SIGKILL)
    first.p.wait()
    try:
        second, again = start(cmd, "--port", str(port))
        assert again == port
        second.terminate()
    finally:
        c.close()
