"""The portal under real faults: the search index gone or damaged, Elasticsearch unreachable, the store's
connections killed, the store locked or its server down.

Search-backed pages and API answer 503 with a clear message (no traceback, no internal address) while
record pages, served from the store, keep answering; and everything works again once the fault is gone,
without restarting the app. Nothing is mocked: files are really removed or overwritten, connections go to
a closed port, PostgreSQL backends are killed with pg_terminate_backend, SQLite is locked by another
connection.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from sherloc.app import create_app
from sherloc.db import make_engine, make_session_factory
from sherloc.search.indexer import rebuild
from sherloc.services import accounts
from sherloc.settings import Settings
from tests.conftest import (
    CORPUS,
    PASSWORD,
    TEST_DATABASE_URL,
    fresh_database,
    ingest_into,
    log_in,
    store_session,
)
from tests.servers import free_port

SOURCES = [
    CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-1971-1178.md",
    CORPUS / "zh-cn-laws-lawrefbook" / "经济法",
]
DECISION = "cn-decision-test_query-720"  # the first line of the lecardv2 sample: a case record too


def _sources(root: Path) -> list[Path]:
    """Two laws and two decisions (with case records): enough for every kind of page."""
    decisions = root / "zh-cn-decisions-lecardv2" / "test_query.json"
    decisions.parent.mkdir(parents=True, exist_ok=True)
    with (CORPUS / "zh-cn-decisions-lecardv2" / "query" / "test_query.json").open(encoding="utf-8") as f:
        decisions.write_text(next(f) + next(f), encoding="utf-8")
    return [*SOURCES, decisions.parent]


SEARCH_PAGES = ["/search?q=ley", "/fr/search?q=ley", "/map"]
SEARCH_API = ["/api/v1/search?q=ley", "/api/v1/facets?facet=country", "/api/v1/export?q=ley&format=csv"]
STORE_PAGES = [
    "/",
    f"/records/{DECISION}",
    f"/fr/records/{DECISION}",
    f"/api/v1/records/{DECISION}",
    f"/api/v1/records/{DECISION}/citation",
    "/countries/ES",
    "/api/v1/countries/ES/profile",
    "/crime-types",
    "/directory",
    "/about",
]


def assert_clean(body: str, *secrets: str) -> None:
    """No traceback, no internal path, address or password in what a visitor sees."""
    assert "Traceback" not in body and 'File "' not in body
    for secret in secrets:
        assert secret not in body, secret


def assert_search_down(client: FlaskClient, *secrets: str) -> None:
    for url in SEARCH_PAGES:
        r = client.get(url)
        assert r.status_code == 503, (url, r.status_code)
        assert_clean(r.text, *secrets)
        if url.startswith("/fr/"):
            assert '<html lang="fr"' in r.text
    for url in SEARCH_API:
        r = client.get(url)
        assert r.status_code == 503, (url, r.status_code)
        assert r.is_json, url
        error = r.get_json()["error"]
        assert error["status"] == 503 and "search" in error["message"].lower(), (url, error)
        assert_clean(r.text, *secrets)


def assert_store_pages_answer(client: FlaskClient) -> None:
    for url in STORE_PAGES:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])


def assert_search_works(client: FlaskClient) -> None:
    for url in SEARCH_PAGES + SEARCH_API:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])


# -- the embedded index gone or damaged ----------------------------------------------------------------


@pytest.fixture(scope="module")
def small_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Settings]]:
    root = tmp_path_factory.mktemp("portal")
    settings = Settings(data_dir=root / "data", secret_key="t", usage_flush_seconds=3600)
    report = ingest_into(settings, _sources(root / "in"))
    assert report.count("failed") == 0, report.problems
    with store_session(settings) as session:
        accounts.create_user(session, "reader@example.org", PASSWORD, "contributor")
    app = create_app(settings)
    yield app, settings
    app.extensions["sherloc"].engine.dispose()


def _remove_index(index: Path) -> Callable[[], None]:
    shutil.move(index, index.with_name("index.away"))
    return lambda: shutil.move(index.with_name("index.away"), index)


def _overwrite(files: list[Path], junk: Callable[[bytes], bytes]) -> Callable[[], None]:
    saved = {path: path.read_bytes() for path in files}
    for path, data in saved.items():
        path.write_bytes(junk(data))

    def restore() -> None:
        for path, data in saved.items():
            path.write_bytes(data)

    return restore


def _build(index: Path) -> Path:
    return index / (index / "CURRENT").read_text(encoding="utf-8").strip()


BREAKAGES: dict[str, Callable[[Path], Callable[[], None]]] = {
    "index folder removed": _remove_index,
    "meta.json corrupt": lambda index: _overwrite([_build(index) / "meta.json"], lambda _d: b"{not json"),
    "segment files zeroed": lambda index: _overwrite(
        [p for p in _build(index).iterdir() if p.suffix in (".store", ".idx", ".term", ".pos")],
        lambda d: bytes(len(d)),
    ),
    "build folder removed": lambda index: _remove_index(_build(index)),
}


# Segment files are memory-mapped: an index already open may read on from the old pages (or find nothing in
# zeroed ones, without an error); a process opening it afterwards is refused.
OPEN_INDEX_UNAFFECTED = {"segment files zeroed"}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_broken_index_gives_503_on_search_while_record_pages_answer(
    breakage: str, small_portal: tuple[Flask, Settings]
) -> None:
    app, settings = small_portal
    client = app.test_client()
    assert_search_works(client)  # opened and cached before the files go
    restore = BREAKAGES[breakage](settings.index_dir)
    if breakage in OPEN_INDEX_UNAFFECTED:
        app = create_app(settings)  # a worker started after the damage
        client = app.test_client()
    try:
        assert_search_down(client, str(settings.data_dir))
        assert_store_pages_answer(client)
        if "removed" in breakage:  # (readiness checks that the index is there, not every file in it)
            assert client.get("/readyz").status_code == 503
    finally:
        restore()
    assert_search_works(client)  # back without a restart
    assert client.get("/readyz").status_code == 200
    if app is not small_portal[0]:  # its pooled connections would hold the store's file (see below)
        app.extensions["sherloc"].engine.dispose()


def test_a_removed_index_works_again_once_rebuilt(small_portal: tuple[Flask, Settings]) -> None:
    app, settings = small_portal
    client = app.test_client()
    restore = _remove_index(settings.index_dir)
    try:
        assert_search_down(client)
        engine = make_engine(settings.database_url)
        with make_session_factory(engine)() as session:
            rebuild(session, app.extensions["sherloc"].search)  # what `sherloc index rebuild` does
        engine.dispose()
        assert_search_works(client)
    finally:
        shutil.rmtree(settings.index_dir)
        restore()
    assert_search_works(client)


# -- Elasticsearch unreachable --------------------------------------------------------------------------


def test_elasticsearch_refusing_connections_gives_503_on_search_only(
    small_portal: tuple[Flask, Settings],
) -> None:
    _app, settings = small_portal
    url = f"http://elastic:s3cret-pw@127.0.0.1:{free_port()}"
    app = create_app(
        Settings(
            data_dir=settings.data_dir,
            secret_key="t",
            search_backend="elasticsearch",
            es_url=url,
            usage_flush_seconds=3600,
        )
    )
    client = app.test_client()
    started = time.monotonic()
    assert_search_down(client, "s3cret-pw", "127.0.0.1", url.rsplit(":", 1)[1])
    assert time.monotonic() - started < 30  # refused at once, not waited on
    assert_store_pages_answer(client)
    app.extensions["sherloc"].engine.dispose()


# -- the store -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Settings]]:
    if not TEST_DATABASE_URL:
        pytest.skip("SHERLOC_TEST_DATABASE_URL is not set")
    root = tmp_path_factory.mktemp("pg")
    with fresh_database("postgresql", root) as url:
        settings = Settings(
            data_dir=root / "data", secret_key="t", database_url=url, usage_flush_seconds=3600
        )
        ingest_into(settings, _sources(root / "in"))
        app = create_app(settings)
        yield app, settings
        app.extensions["sherloc"].engine.dispose()


def _terminate(url: str, where: str = "true") -> int:
    """pg_terminate_backend on the other connections to `url`'s database; how many were ended."""
    engine = make_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        ended = conn.execute(
            text(
                "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity "
                f"where datname = current_database() and pid <> pg_backend_pid() and {where}"
            )
        ).scalar_one()
    engine.dispose()
    return int(ended)


def test_postgresql_connections_killed_between_requests_reconnect(
    pg_portal: tuple[Flask, Settings],
) -> None:
    app, settings = pg_portal
    client = app.test_client()
    for _ in range(3):
        assert_store_pages_answer(client)
        assert _terminate(settings.database_url) >= 1  # the app's pooled connections
        assert client.get(f"/records/{DECISION}").status_code == 200


def test_a_postgresql_connection_killed_mid_request_fails_cleanly_then_recovers(
    pg_portal: tuple[Flask, Settings],
) -> None:
    """The record page's query waits on a lock another connection holds; its backend is killed meanwhile:
    that request fails (cleanly) and the next one succeeds."""
    app, settings = pg_portal
    client = app.test_client()
    assert client.get(f"/records/{DECISION}").status_code == 200
    locker = make_engine(settings.database_url, poolclass=NullPool)
    answers: list[tuple[int, str]] = []
    with locker.connect() as conn:
        conn.execute(text("lock table records in access exclusive mode"))
        request = threading.Thread(
            target=lambda: answers.append(
                (lambda r: (r.status_code, r.text))(app.test_client().get(f"/records/{DECISION}"))
            )
        )
        request.start()
        deadline = time.monotonic() + 20
        while not _terminate(settings.database_url, "wait_event_type = 'Lock'"):
            assert time.monotonic() < deadline, "the request never waited on the lock"
            time.sleep(0.05)
        request.join(timeout=30)
        conn.rollback()
    locker.dispose()
    [(status, body)] = answers
    assert status == 503
    assert_clean(body, settings.database_url)
    assert client.get(f"/records/{DECISION}").status_code == 200
    assert_store_pages_answer(client)


def test_a_postgresql_server_down_gives_503_not_a_traceback(small_portal: tuple[Flask, Settings]) -> None:
    _app, settings = small_portal
    url = f"postgresql+psycopg://sherloc:s3cret-pw@127.0.0.1:{free_port()}/sherloc"
    app = create_app(Settings(data_dir=settings.data_dir, secret_key="t", database_url=url))
    client = app.test_client()
    for page in [f"/records/{DECISION}", "/crime-types", f"/api/v1/records/{DECISION}"]:
        r = client.get(page)
        assert r.status_code == 503, page
        assert r.headers["Retry-After"] == "30"
        assert_clean(r.text, "s3cret-pw", "127.0.0.1", url.rsplit("/", 1)[0].rsplit(":", 1)[1])
        if page.startswith("/api/"):
            assert r.get_json()["error"]["status"] == 503
        else:
            assert "The database is unavailable at the moment" in r.text
    app.extensions["sherloc"].engine.dispose()


def test_sqlite_locked_by_another_writer_still_serves_reads(small_portal: tuple[Flask, Settings]) -> None:
    """WAL: a writer holding the lock (an ingest's transaction) does not stop readers."""
    app, settings = small_portal
    client = app.test_client()
    other = sqlite3.connect(settings.data_dir / "sherloc.db", isolation_level=None, timeout=1)
    try:
        other.execute("begin exclusive")
        other.execute("update records set title = title || ' (being rewritten)'")
        started = time.monotonic()
        assert_store_pages_answer(client)
        assert_search_works(client)
        assert time.monotonic() - started < 20
        assert "(being rewritten)" not in client.get(f"/records/{DECISION}").text  # not committed
    finally:
        other.execute("rollback")
        other.close()
    assert_store_pages_answer(client)


def test_sqlite_locked_against_readers_gives_503_after_a_bounded_wait_then_recovers(
    small_portal: tuple[Flask, Settings],
) -> None:
    """A connection in exclusive locking mode shuts readers out too: pages wait the busy timeout (1 s
    here, from the URL), fail cleanly, and answer again once the lock goes."""
    shared_app, settings = small_portal
    shared_app.extensions["sherloc"].engine.dispose()  # WAL connections hold the file: none may be open
    db = settings.data_dir / "sherloc.db"
    app = create_app(
        Settings(
            data_dir=settings.data_dir,
            secret_key="t",
            database_url=f"sqlite:///{db}?timeout=1",
            usage_flush_seconds=3600,
        )
    )
    client = app.test_client()
    logged_in = app.test_client()
    assert log_in(logged_in, "reader@example.org").status_code == 302
    app.extensions["sherloc"].engine.dispose()  # the login's pooled connection would hold the file too
    other = sqlite3.connect(db, isolation_level=None, timeout=5)
    try:
        other.execute("pragma locking_mode = exclusive")
        other.execute("begin exclusive")
        other.execute("update records set title = title")
        started = time.monotonic()
        r = client.get(f"/records/{DECISION}")
        waited = time.monotonic() - started
        assert r.status_code == 503
        assert_clean(r.text, str(db))
        assert waited < 10
        # A logged-in visitor gets the same page: it does not ask the store who is logged in again.
        mine = logged_in.get(f"/records/{DECISION}")
        assert mine.status_code == 503 and "The database is unavailable at the moment" in mine.text
        assert mine.headers["Retry-After"] == "30" and "Content-Security-Policy" in mine.headers
    finally:
        other.execute("rollback")
        other.execute("pragma locking_mode = normal")
        other.execute("select count(*) from records")  # drops the exclusive lock
        other.close()
    assert_store_pages_answer(client)
    app.extensions["sherloc"].engine.dispose()
