"""Fixtures that explain themselves: a store and index built from the real demo corpus, once per session."""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from werkzeug.test import TestResponse

from sherloc.app import create_app
from sherloc.db import make_engine, make_session_factory, upgrade
from sherloc.ingest.pipeline import Ingester, IngestReport, corpus_sources
from sherloc.search.backends import make_backend
from sherloc.settings import REPO_ROOT, Settings
from sherloc.tagging.store import RecordTagging

CORPUS = REPO_ROOT / "corpus"
SHARED_CORPORA = REPO_ROOT.parent / "shared" / "corpora"
PASSWORD = "correct horse battery staple"  # every test account's

# The store tests (every test taking the `settings` or `store_url` fixture: a fresh, empty store) run on
# SQLite always and on PostgreSQL too when SHERLOC_TEST_DATABASE_URL names a server, as
# postgresql+psycopg://user@host:port/postgres: each test gets a new database there, dropped after it.
# .ci/run starts a real PostgreSQL and sets it.
TEST_DATABASE_URL = os.environ.get("SHERLOC_TEST_DATABASE_URL", "")
STORES = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


def demo_sources() -> list[Path]:
    return corpus_sources(CORPUS)


@contextmanager
def store_session(settings: Settings) -> Iterator[Session]:
    """A transaction on the store of `settings`, migrated first; committed on leaving the block."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        with make_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of `client`'s session, read from a page's form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, **extra: str) -> TestResponse:
    """Post the login form as a browser would (its CSRF token included)."""
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client), **extra}
    )


def copy_sqlite(source: Path, target: Path) -> None:
    """A copy of the SQLite store `source` at `target`, through SQLite's backup API. Never copy a live store
    as a file (shutil): closing any file handle on it drops every SQLite lock this process holds on it, and
    another process may then take itself for the last one and remove the WAL under this one's feet."""
    source_db, target_db = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_db.backup(target_db)
    finally:
        source_db.close()
        target_db.close()


def ingest_into(settings: Settings, paths: list[Path]) -> IngestReport:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        tagging = RecordTagging(settings.vocab_dir)
        return Ingester(make_session_factory(engine), make_backend(settings), tagging=tagging).run(paths)
    finally:
        engine.dispose()


@contextmanager
def fresh_database(store: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty store of kind `store` ("sqlite": a file in `folder`; "postgresql": a new
    database on the SHERLOC_TEST_DATABASE_URL server, dropped on leaving the block)."""
    if store == "sqlite":
        yield f"sqlite:///{folder / 'sherloc.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("SHERLOC_TEST_DATABASE_URL is not set")
    server = make_url(TEST_DATABASE_URL)
    name = f"sherloc_test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty store: SQLite, and PostgreSQL when SHERLOC_TEST_DATABASE_URL is set."""
    (tmp_path / "data").mkdir(exist_ok=True)
    with fresh_database(request.param, tmp_path / "data") as url:
        yield url


def store_env(data_dir: Path, store_url: str) -> dict[str, str]:
    """The environment that points the `sherloc` command at this data folder and store."""
    return {"SHERLOC_DATA_DIR": str(data_dir), "SHERLOC_DATABASE_URL": store_url}


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    """Settings for an empty store (on each store kind, see STORES) and index in a temporary folder."""
    return Settings(data_dir=tmp_path / "data", secret_key="test", database_url=store_url)


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled demo corpus ingested and indexed once for the whole session (read-only for tests)."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    # No rate limits: hundreds of tests share this app from one address; tests/test_http_hardening.py
    # checks the limits on apps of its own.
    settings = Settings(data_dir=data_dir, secret_key="test", rate_limits=False)
    report = ingest_into(settings, demo_sources())
    assert report.count("failed") == 0, report.problems
    return settings


@pytest.fixture(scope="session")
def demo_app(demo_settings: Settings) -> Iterator[Flask]:
    app = create_app(demo_settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()
