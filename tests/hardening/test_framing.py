"""HTTP framing as RFC 9112 section 6 requires, for both servers (issue
11.3), over raw sockets: a request framed two ways (Content-Length with
Transfer-Encoding, or two different Content-Lengths) is answered 400 and
the connection closed, so that a request hidden in its body is never
answered; a transfer coding other than chunked is answered 501 at once
instead of hanging."""
import time

import pytest

from conftest import exchange, statuses

HEAD = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
        b"X-Amz-Target: DynamoDB_20120810.ListTables\r\n")
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

REFUSED = {
    "content-length and chunked":
        (HEAD + b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"2\r\n{}\r\n0\r\n\r\n" + SMUGGLED, 400),
    "chunked and content-length":
        (HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n"
         b"2\r\n{}\r\n0\r\n\r\n" + SMUGGLED, 400),
    "two content-lengths":
        (HEAD + b"Content-Length: 2\r\nContent-Length: 45\r\n\r\n{}" + SMUGGLED, 400),
    "chunked twice":
        (HEAD + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"2\r\n{}\r\n0\r\n\r\n" + SMUGGLED, 400),
    "transfer-encoding in HTTP/1.0":
        (HEAD.replace(b"HTTP/1.1", b"HTTP/1.0") + b"Transfer-Encoding: chunked\r\n\r\n"
         b"2\r\n{}\r\n0\r\n\r\n", 400),
    "gzip": (HEAD + b"Transfer-Encoding: gzip\r\n\r\n{}", 501),
    "gzip then chunked": (HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501),
    "unknown coding": (HEAD + b"Transfer-Encoding: identity\r\n\r\n", 501),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_ambiguous_framing_is_refused_and_the_connection_closed(server, case):
    cmd, proc, port = server
    raw, status = REFUSED[case]
    t0 = time.monotonic()
    data, closed = exchange(port, raw, timeout=20)
    assert statuses(data) == [status], data
    assert closed, "the connection stays open after %r" % data
    assert time.monotonic() - t0 < 15
    assert b"/smuggled" not in data


ACCEPTED = {
    "chunked": HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "Chunked, any case": HEAD + b"Transfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    "the same content-length twice": HEAD + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    "content-length": HEAD + b"Content-Length: 2\r\n\r\n{}",
}


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_sound_framing_is_served(server, case):
    cmd, proc, port = server
    data, _ = exchange(port, ACCEPTED[case].replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
    got = statuses(data)
    assert len(got) == 1 and got[0] not in (400, 501), data
