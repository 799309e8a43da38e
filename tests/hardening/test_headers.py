"""An oversized Authorization header (issue 11.9): up to libmicrohttpd's
per-connection memory (32 KB of headers) it is a token problem like any
other, `401 {}`; beyond it the library answers 431 before any handler
runs and closes the connection, as the README says."""
import pytest

from conftest import exchange, start, statuses

DEV_SERVER = "serve"


@pytest.fixture(scope="module")
def serve():
    p, port = start("serve")
    yield port
    p.terminate()


def request(path, token_len):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Authorization: Bearer " + b"a" * token_len + b"\r\n\r\n")


@pytest.mark.parametrize("token_len", [1000, 8000, 24000])
def test_a_large_token_is_401_empty_object(serve, token_len):
    data, closed = exchange(serve, request(b"/api/message_groups", token_len))
    assert statuses(data) == [401], data[:200]
    assert data.endswith(b"\r\n\r\n{}"), data[-200:]


@pytest.mark.parametrize("token_len", [40000, 200000])
def test_headers_over_the_limit_are_431(server, token_len):
    cmd, proc, port = server
    path = b"/api/message_groups" if cmd == DEV_SERVER else b"/"
    data, closed = exchange(port, request(path, token_len))
    assert statuses(data) == [431], data[:200]
    assert closed
