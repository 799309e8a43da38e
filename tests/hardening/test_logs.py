"""What a client sends cannot forge a log line or reach the operator's
terminal (issue 11.4), for both servers: the request line of the log
escapes control characters of the (decoded) path, and libmicrohttpd's own
messages go through the same log."""
import re

from conftest import exchange

FORGED = b"2026-01-01T00:00:00.000Z ERROR forged"


def log_bytes(proc):
    with proc.cond:
        return "\n".join(proc.lines).encode(errors="surrogateescape")


def test_path_controls_are_escaped(server):
    cmd, proc, port = server
    path = b"/x%0a" + FORGED.replace(b" ", b"%20") + b"%0d%1b[31mred%1b[0m%c2%9b%07"
    exchange(port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    line = proc.wait_line(lambda l: "forged" in l)
    assert "/x\\x0a2026-01-01T00:00:00.000Z ERROR forged\\x0d\\x1b[31mred" in line, line
    assert "\\xc2\\x9b\\x07" in line, line
    text = log_bytes(proc)
    assert not any(l.startswith(FORGED) for l in text.split(b"\n")), text
    assert b"\x1b" not in text and b"\r" not in text and b"\x07" not in text


def test_library_messages_are_log_lines(server):
    cmd, proc, port = server
    exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n{}")
    line = proc.wait_line(lambda l: "Content-Length" in l and "parse" in l)
    assert re.match(r"\d{4}-\d\d-\d\dT\S+Z WARN ", line), line
