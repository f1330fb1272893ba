"""Fixtures that explain themselves: a store and index built from the real demo corpus, once per session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
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


def ingest_into(settings: Settings, paths: list[Path]) -> IngestReport:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        tagging = RecordTagging(settings.vocab_dir)
        return Ingester(make_session_factory(engine), make_backend(settings), tagging=tagging).run(paths)
    finally:
        engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for an empty store and index in a temporary folder."""
    return Settings(data_dir=tmp_path / "data", secret_key="test")


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled demo corpus ingested and indexed once for the whole session (read-only for tests)."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    settings = Settings(data_dir=data_dir, secret_key="test")
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
