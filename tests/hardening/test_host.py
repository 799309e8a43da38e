"""--host for both servers (issue 11.8): documented in --help, and `serve`
with the dev identity (no Cognito) warns when it listens on an address
other than loopback, since anyone who reaches it can sign in as anyone."""
import re
import socket
import subprocess

import pytest

from conftest import BIN, SERVERS, Proc, base_env

WARNING = "dev identity mode on 0.0.0.0, which is not a loopback address"
ANY_LISTEN = re.compile(r"listening on http://[0-9.]+:(\d+)$")


@pytest.mark.parametrize("cmd", SERVERS)
def test_help_documents_host(cmd):
    r = subprocess.run([BIN, cmd, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert "--host ADDR" in r.stdout and "0.0.0.0 listens on every interface" in r.stdout


def run_until_listening(cmd, host, env=None):
    """Starts the server on host, makes one request to it (through 127.0.0.1
    for 0.0.0.0), stops it; returns everything it wrote."""
    p = Proc([BIN, cmd, "--in-memory", "--port", "0", "--host", host], base_env(env))
    port = int(ANY_LISTEN.search(p.wait_line(ANY_LISTEN.search)).group(1))
    c = socket.create_connection(("127.0.0.1" if host == "0.0.0.0" else host, port), timeout=30)
    c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert c.recv(20).startswith(b"HTTP/1.1 ")
    c.close()
    return p.terminate()


def test_dev_identity_on_every_interface_warns():
    text = run_until_listening("serve", "0.0.0.0")
    assert WARNING in text and "sign in as any user" in text, text


def test_dev_identity_on_loopback_does_not_warn():
    assert "not a loopback address" not in run_until_listening("serve", "127.0.0.1")
    assert "not a loopback address" not in run_until_listening("serve", "127.0.0.2")


def test_cognito_on_every_interface_does_not_warn():
    env = {"AWS_COGNITO_USER_POOL_ID": "us-east-1_hardening",
           "AWS_COGNITO_USER_POOL_CLIENT_ID": "hardeningclient", "AWS_REGION": "us-east-1",
           # Nothing answers there: the keys are fetched later, on demand.
           "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://127.0.0.1:9"}
    text = run_until_listening("serve", "0.0.0.0", env)
    assert "sign-in with Cognito" in text and "not a loopback address" not in text, text


def test_dynamodb_listens_on_every_interface():
    assert "listening on http://0.0.0.0:" in run_until_listening("dynamodb", "0.0.0.0")
