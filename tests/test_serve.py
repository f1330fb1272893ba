"""The portal under real gunicorn on loopback, as the README's first command serves it."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from sherloc.settings import Settings
from tests.servers import gunicorn


def _raw_get(port: int, target: bytes) -> tuple[int, bytes]:
    """Send a request line exactly as given (curl sends non-ASCII URLs unencoded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    return int(head.split()[1]), body


def _dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


@pytest.fixture(scope="module")
def gunicorn_port(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with gunicorn(demo_settings, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log") as port:
        yield port


def test_raw_utf8_query_as_curl_sends_it(gunicorn_port: int) -> None:
    status, body = _raw_get(gunicorn_port, "/api/v1/search?q=洗钱".encode())
    assert status == 200, body[:300]
    hits = json.loads(body)["hits"]
    assert hits[0]["id"] == "cn-law-刑法-art-191"


def test_percent_encoded_query_and_a_bad_one(gunicorn_port: int) -> None:
    status, body = _raw_get(gunicorn_port, b"/api/v1/search?q=blanchiment")
    assert status == 200 and b"art-324-1" in body
    status, body = _raw_get(gunicorn_port, b"/api/v1/search?q=%22unclosed")
    assert status == 400 and json.loads(body)["error"]["status"] == 400
