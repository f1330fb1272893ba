"""HTTP hardening: security headers and the script nonce, per-client rate limits on search and login,
request size limits (up to a 200 MB upload to real gunicorn), and error pages that tell no internals."""

from __future__ import annotations

import dataclasses
import inspect
import io
import re
import select
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from sherloc.app import create_app
from sherloc.settings import Settings
from sherloc.web import security
from tests.conftest import PASSWORD, csrf_token, log_in, store_session
from tests.servers import free_port, gunicorn, wait_for_port

PAGES = [
    "/",
    "/search?q=blanchiment",
    "/fr/search?q=blanchiment",
    "/records/cn-law-刑法-art-191",
    "/map",
    "/countries/CN",
    "/about",
    "/login",
    "/api/v1/docs",
    "/ar/map",
]


def _app(demo_settings: Settings, **overrides: Any) -> Flask:
    """An app on the demo store with its own settings (rate limits on unless said otherwise)."""
    settings = Settings(data_dir=demo_settings.data_dir, secret_key="test", **overrides)
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


# -- headers ------------------------------------------------------------------------------------------


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.handlers += [name for name in found if name.startswith("on")]
        if tag == "script" and "src" not in found:
            self.inline.append(found)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (d.split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_security_headers_and_only_nonced_scripts(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, path
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["X-Frame-Options"] == "DENY"
    csp = _directives(answer.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    scripts = csp["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert all(s == "'self'" or s.startswith("'nonce-") for s in scripts), scripts
    (nonce,) = [s[len("'nonce-") : -1] for s in scripts if s.startswith("'nonce-")]
    assert len(nonce) >= 22  # 128 bits and more
    page = _Scripts()
    page.feed(answer.get_data(as_text=True))
    assert page.handlers == []  # no inline event handler: CSP would block it anyway
    for script in page.inline:  # JSON-LD is data, not run; every script that runs carries the nonce
        assert script.get("type") == "application/ld+json" or script.get("nonce") == nonce, script
    if path.endswith("/map"):
        assert any(s.get("nonce") == nonce for s in page.inline)


def test_the_nonce_is_new_for_every_answer(client: FlaskClient) -> None:
    nonces = {client.get("/map").headers["Content-Security-Policy"] for _ in range(3)}
    assert len(nonces) == 3


@pytest.mark.parametrize("path", ["/api/v1/search?q=x", "/static/style.css", "/no/such/page", "/healthz"])
def test_api_static_and_error_answers_carry_the_headers_too(client: FlaskClient, path: str) -> None:
    with client.get(path) as answer:  # a static file's answer holds the file open until closed
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


def test_hsts_is_sent_over_https_only(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://portal.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


# -- rate limits --------------------------------------------------------------------------------------


def test_searches_past_the_limit_get_a_clear_429_with_retry_after(demo_settings: Settings) -> None:
    app = _app(demo_settings, rate_limit_search="3/minute")
    client = app.test_client()
    # Pages, the API and the map spend one budget: a client cannot go around it by changing door.
    for path in ("/search?q=blanchiment", "/api/v1/search?q=x", "/map"):
        assert client.get(path).status_code == 200, path
    refused = client.get("/api/v1/search?q=x")
    assert refused.status_code == 429
    assert refused.json is not None
    error = refused.json["error"]
    assert error["status"] == 429
    assert "Too many searches" in error["message"] and "more than 3 in 60 seconds" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert str(int(refused.headers["Retry-After"])) in error["message"]
    page = client.get("/fr/search?q=blanchiment")
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "Trop de recherches" in page.get_data(as_text=True)
    # The rest of the portal still answers that client.
    assert client.get("/records/cn-law-刑法-art-191").status_code == 200
    assert client.get("/api/v1/facets?q=x").status_code == 429


def test_the_budget_comes_back_when_the_window_moves_on(demo_settings: Settings) -> None:
    client = _app(demo_settings, rate_limit_search="2/3 seconds").test_client()
    # Searches until refused: the third, unless a slow machine let a window go by in between.
    statuses = []
    while 429 not in statuses and len(statuses) < 8:
        statuses.append(client.get("/api/v1/search?q=x").status_code)
    assert statuses[:2] == [200, 200] and statuses[-1] == 429, statuses
    time.sleep(6.1)  # two whole windows: the sliding window weighs the last one in
    assert client.get("/api/v1/search?q=x").status_code == 200


def test_each_client_address_has_its_own_budget(demo_settings: Settings) -> None:
    client = _app(demo_settings, rate_limit_search="1/minute").test_client()

    def search(address: str, **headers: str) -> int:
        answer = client.get("/api/v1/search?q=x", environ_base={"REMOTE_ADDR": address}, headers=headers)
        return answer.status_code

    assert search("192.0.2.1") == 200
    assert search("192.0.2.2") == 200
    assert search("192.0.2.1") == 429
    # Without a trusted proxy, a client cannot choose its address by sending the header itself.
    assert search("192.0.2.1", **{"X-Forwarded-For": "198.51.100.7"}) == 429
    # An IPv6 host holds a whole /64: it is one client, whichever address of it it takes.
    assert search("2001:db8:1:2::1") == 200
    assert search("2001:db8:1:2::ffff") == 429
    assert search("2001:db8:1:3::1") == 200
    assert search("::ffff:192.0.2.2") == 429  # 192.0.2.2, written as IPv6


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(demo_settings: Settings) -> None:
    client = _app(demo_settings, rate_limit_search="1/minute", proxy_count=1).test_client()

    def search(forwarded: str) -> int:
        headers = {"X-Forwarded-For": forwarded}
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        return client.get("/api/v1/search?q=x", environ_base=proxy, headers=headers).status_code

    assert search("198.51.100.7") == 200
    assert search("198.51.100.8") == 200
    assert search("198.51.100.7") == 429
    # Only the hop our proxy added is believed: a forged first entry does not make a new client.
    assert search("203.0.113.9, 198.51.100.7") == 429


def test_login_attempts_past_the_limit_get_a_429_even_with_the_right_password(
    settings: Settings, tmp_path: Path
) -> None:
    from sherloc.services import accounts

    with store_session(settings) as session:
        accounts.create_user(session, "someone@example.org", PASSWORD, "contributor")
    app = create_app(dataclasses.replace(settings, rate_limit_login="2/minute"))
    try:
        _log_in_past_the_limit(app)
    finally:
        app.extensions["sherloc"].engine.dispose()


def _log_in_past_the_limit(app: Flask) -> None:
    client = app.test_client()
    for _ in range(2):
        assert log_in(client, "someone@example.org", "wrong password").status_code == 200
    refused = log_in(client, "someone@example.org")
    assert refused.status_code == 429
    assert "Too many login attempts" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"]
    assert client.get("/login").status_code == 200  # the form itself is not limited
    # Another address logs in normally.
    other = app.test_client()
    token = csrf_token(other)
    answer = other.post(
        "/login",
        data={"email": "someone@example.org", "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.50"},
    )
    assert answer.status_code == 302


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port, without persistence (.ci/run installs Debian's)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    log = folder / "redis.log"
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder), "--logfile", str(log)],
    )
    try:
        wait_for_port(port, proc, log)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_workers_counting_in_redis_share_one_budget(demo_settings: Settings, redis_url: str) -> None:
    # Two apps are two gunicorn workers (or two hosts): with memory:// each counts alone, with redis://
    # they count together.
    for storage, expected in (("memory://", 200), (redis_url, 429)):
        first, second = (
            _app(demo_settings, rate_limit_search="2/minute", rate_limit_storage=storage).test_client()
            for _ in range(2)
        )
        assert [first.get("/api/v1/search?q=x").status_code for _ in range(2)] == [200, 200]
        assert second.get("/api/v1/search?q=x").status_code == expected, storage


def test_a_limit_storage_that_is_down_lets_requests_through(
    demo_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    down = f"redis://127.0.0.1:{free_port()}"  # nothing listens there
    client = _app(demo_settings, rate_limit_search="1/minute", rate_limit_storage=down).test_client()
    assert [client.get("/api/v1/search?q=x").status_code for _ in range(2)] == [200, 200]
    assert caplog.text.count("rate limit storage redis failed (ConnectionError)") == 1  # not every request
    assert "127.0.0.1" not in caplog.text  # the storage's address is not logged


def test_limits_can_be_switched_off(demo_settings: Settings) -> None:
    client = _app(demo_settings, rate_limits=False, rate_limit_search="1/minute").test_client()
    assert {client.get("/api/v1/search?q=x").status_code for _ in range(5)} == {200}


def test_every_view_that_searches_is_rate_limited(demo_app: Flask) -> None:
    limited = security.rate_limited_views()
    searching = {
        name
        for name, view in demo_app.view_functions.items()
        if "run_search(" in inspect.getsource(inspect.unwrap(view))
    }
    assert searching, "no view runs a search?"
    for name in searching:
        assert limited.get(demo_app.view_functions[name]) == "search", name


def test_a_bad_limit_setting_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="SHERLOC_RATE_LIMIT_SEARCH"):
        Settings(rate_limit_search="lots")
    with pytest.raises(ValueError, match="SHERLOC_RATE_LIMIT_LOGIN"):
        Settings(rate_limit_login="5/second;100/hour")  # one rate per setting


# -- request sizes ------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_before_it_is_read(client: FlaskClient) -> None:
    big = b"x" * (3 * 2**20)
    answer = client.post("/api/v1/tag", data=big, content_type="application/json")
    assert answer.status_code == 413
    assert answer.json is not None and answer.json["error"]["status"] == 413
    assert answer.json["error"]["message"] == "The request is too large: this portal accepts at most 2 MB."
    page = client.post("/login", data={"email": "a" * (3 * 2**20)})
    assert page.status_code == 413 and page.mimetype == "text/html"


@pytest.mark.parametrize(("size", "status"), [(2 * 2**20, 400), (2 * 2**20 + 1, 413)])
def test_a_chunked_body_is_held_to_the_same_limit(demo_app: Flask, size: int, status: int) -> None:
    # As gunicorn hands over a chunked body: no Content-Length, and the stream ends where the body does.
    environ = EnvironBuilder(path="/api/v1/tag", method="POST", content_type="application/json").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(b"[" + b" " * (size - 1))  # not JSON: a 400 once read in full
    environ["wsgi.input_terminated"] = True
    statuses: list[str] = []
    body = b"".join(demo_app(environ, lambda status, _headers, _exc=None: statuses.append(status)))
    assert statuses[0].startswith(str(status)), (statuses, body[:200])


def test_too_many_form_parts_are_refused(client: FlaskClient) -> None:
    # A urlencoded form is bounded by the 2 MB body; a multipart one by its parts too (werkzeug: 1,000).
    parts = {f"f{n}": "x" for n in range(1500)}
    assert client.post("/login", data=parts, content_type="multipart/form-data").status_code == 413


# -- error pages --------------------------------------------------------------------------------------

INTERNALS = re.compile(
    r"Traceback|File \"|werkzeug|sqlalchemy|jinja2|site-packages|Werkzeug/|Python/3|gunicorn/\d|RuntimeError"
    r"|secret",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def failing_app(demo_settings: Settings) -> Flask:
    app = _app(demo_settings)
    app.config["TESTING"] = False  # errors go through the handlers, as in production
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken() -> str:
        raise RuntimeError("secret internal detail /srv/sherloc/db password=hunter2")

    app.add_url_rule("/broken", "broken", broken)
    app.add_url_rule("/api/v1/broken", "api_broken", broken)
    return app


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/broken", 500),
        ("GET", "/api/v1/broken", 500),
        ("GET", "/no/such/page", 404),
        ("GET", "/api/v1/no-such-thing", 404),
        ("DELETE", "/search", 405),
        ("POST", "/api/v1/search", 405),
        ("GET", "/api/v1/search?q=%22unclosed", 400),
        ("POST", "/login", 400),  # no CSRF token
    ],
)
def test_error_answers_tell_no_internals(failing_app: Flask, method: str, path: str, status: int) -> None:
    answer = failing_app.test_client().open(path, method=method)
    assert answer.status_code == status
    body = answer.get_data(as_text=True)
    assert not INTERNALS.search(body), body
    assert version("sherloc") not in body
    assert "Server" not in answer.headers  # the app adds none; gunicorn's is checked below


# -- under real gunicorn ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn_port(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with gunicorn(demo_settings, tmp_path_factory.mktemp("hardening") / "gunicorn.log") as port:
        yield port


def _exchange(port: int, head: bytes, body_chunks: Iterable[bytes] = ()) -> tuple[int, bytes, int]:
    """Send `head`, then body chunks until the server answers or stops reading; the status line's code,
    the answer, and how many body bytes were sent."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        for chunk in body_chunks:
            if select.select([conn], [], [], 0)[0]:  # an answer (or a close) came before the whole body
                break
            try:
                conn.sendall(chunk)
            except OSError:  # the server closed its side: it will not read the rest
                break
            sent += len(chunk)
        answer = b""
        try:
            while part := conn.recv(65536):
                answer += part
        except OSError:
            pass
    return int(answer.split()[1]), answer, sent


def _body(total: int, chunked: bool) -> Iterator[bytes]:
    block = b"{" + b"x" * (2**20 - 1)
    for _ in range(total // len(block)):
        yield (b"%x\r\n" % len(block) + block + b"\r\n") if chunked else block
    if chunked:
        yield b"0\r\n\r\n"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_200_mb_upload_is_refused_early_and_the_server_goes_on(gunicorn_port: int, chunked: bool) -> None:
    total = 200 * 2**20
    length = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % total
    head = b"POST /api/v1/tag HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + length
    head += b"\r\nConnection: close\r\n\r\n"
    status, answer, sent = _exchange(gunicorn_port, head, _body(total, chunked))
    assert status == 413, answer[:300]
    assert sent < 20 * 2**20, f"the server read {sent} bytes before refusing"
    assert b'"status":413' in answer
    probe = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert _exchange(gunicorn_port, probe)[0] == 200


def test_gunicorn_tells_no_version_and_refuses_huge_headers(gunicorn_port: int) -> None:
    status, answer, _ = _exchange(gunicorn_port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1")
    assert status == 200
    server = re.search(r"(?im)^server:\s*(.*)$", head)
    assert server is None or not re.search(r"\d", server.group(1)), head
    huge = b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    status, answer, _ = _exchange(gunicorn_port, huge)
    assert status in (400, 414) and not INTERNALS.search(answer.decode("latin-1"))
    cookie = b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 20_000 + b"\r\nConnection: close\r\n\r\n"
    status, answer, _ = _exchange(gunicorn_port, cookie)
    assert status in (400, 431) and not INTERNALS.search(answer.decode("latin-1"))
