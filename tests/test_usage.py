"""Usage figures: what is counted (per day, page kind, country), what is not (static files, errors, bots,
POST, admin pages), that nothing personal is stored, who may see the figures, and that counting never
breaks a page."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, inspect, select
from sqlalchemy.dialects import postgresql

from sherloc.app import create_app
from sherloc.db import make_engine, make_session_factory
from sherloc.models import UsageCount
from sherloc.services import accounts
from sherloc.services.usage import (
    UsageCounter,
    add_counts,
    today,
    upsert,
    usage_figures,
    usage_key,
)
from sherloc.settings import Settings
from sherloc.web.usage import counter
from tests.conftest import PASSWORD, copy_sqlite, log_in

LAW = "cn-law-刑法"  # a law of the demo corpus, in China
PROVISION = "cn-law-刑法-art-191"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(scope="module")
def usage_settings(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo store copied (its search index shared, read-only), with one user per role; counts are
    written at once."""
    target = tmp_path_factory.mktemp("usage") / "sherloc.db"
    copy_sqlite(demo_settings.data_dir / "sherloc.db", target)
    settings = replace(demo_settings, database_url=f"sqlite:///{target}", usage_flush_seconds=0)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session, session.begin():
        for role in ("contributor", "reviewer", "administrator"):
            accounts.create_user(session, f"{role}@example.org", PASSWORD, role, display_name=role.title())
    engine.dispose()
    return settings


@pytest.fixture
def app(usage_settings: Settings) -> Iterator[Flask]:
    app = create_app(usage_settings)
    app.config["TESTING"] = True
    with _sessions(app)() as session, session.begin():
        session.execute(delete(UsageCount))
    yield app
    app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    return app.test_client()


def _sessions(app: Flask) -> Any:
    return app.extensions["sherloc"].sessions


def _rows(app: Flask) -> list[tuple[str, str, str, int]]:
    """What is stored, as (event, page_kind, country, count), all of today."""
    with _sessions(app)() as session:
        found = session.scalars(select(UsageCount)).all()
    assert all(row.day == today() for row in found)
    return sorted((row.event, row.page_kind, row.country, row.count) for row in found)


def _login(client: FlaskClient, role: str) -> None:
    answer = log_in(client, f"{role}@example.org")
    assert answer.status_code == 302, answer.text


# -- what is counted --------------------------------------------------------------------------------------


def test_views_and_searches_are_counted_per_kind_and_country(app: Flask, web: FlaskClient) -> None:
    for url in (
        "/",
        "/fr/",
        f"/records/{quote(LAW)}",
        f"/records/{quote(PROVISION)}",
        f"/fr/records/{quote(PROVISION)}",
        "/countries/FR",
        "/map",
        "/search",  # the page, no search
        "/search?q=洗钱",
        "/search?country=FR",  # a filter alone is a search
        "/api/v1/search?q=blanchiment",
        f"/api/v1/records/{quote(LAW)}",
    ):
        assert web.get(url, headers={"User-Agent": BROWSER}).status_code == 200, url
    assert _rows(app) == [
        ("search", "api", "", 1),
        ("search", "search", "", 2),
        ("view", "api", "", 2),
        ("view", "country", "FR", 1),
        ("view", "home", "", 2),
        ("view", "law", "CN", 1),
        ("view", "map", "", 1),
        ("view", "provision", "CN", 2),
        ("view", "search", "", 3),
    ]
    with _sessions(app)() as session:
        figures = usage_figures(session, today() - dt.timedelta(days=6), today())
    assert (figures.views, figures.searches) == (12, 3)
    assert [(d.views, d.searches) for d in figures.days] == [(0, 0)] * 6 + [(12, 3)]
    assert [(c.country, c.views) for c in figures.countries] == [("CN", 3), ("FR", 1)]
    assert figures.views_without_country == 8
    assert [(k.page_kind, k.views, k.searches) for k in figures.page_kinds][:3] == [
        ("search", 3, 2),
        ("api", 2, 1),
        ("home", 2, 0),
    ]


def test_what_is_not_counted(app: Flask, web: FlaskClient) -> None:
    with web.get("/static/style.css") as static:
        assert static.status_code == 200
    assert web.get("/no/such/page").status_code == 404
    assert web.get("/records/no-such-record").status_code == 404
    assert web.get("/api/v1/search?page=0").status_code == 400
    assert web.get("/countries/fr").status_code == 301  # a redirect
    assert web.head("/").status_code == 200
    assert web.post("/api/v1/tag", json={"id": 1, "text": "洗钱"}).status_code == 200
    for bot in (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "Baiduspider+(+http://www.baidu.com/search/spider.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php) crawler",
    ):
        assert web.get("/", headers={"User-Agent": bot}).status_code == 200
    assert web.get("/login").status_code == 200
    _login(web, "administrator")
    assert web.get("/admin/usage").status_code == 200
    assert web.get("/admin/usage.csv").status_code == 200
    assert web.get("/api/v1/usage").status_code == 200
    assert _rows(app) == []


def test_nothing_about_the_visitor_is_stored(app: Flask, web: FlaskClient) -> None:
    columns = {c["name"] for c in inspect(app.extensions["sherloc"].engine).get_columns("usage_counts")}
    assert columns == {"day", "event", "page_kind", "country", "count"}
    _login(web, "contributor")  # a logged-in visitor: their account is not stored either
    personal = {
        "User-Agent": "Mozilla/5.0 UniqueAgent-7f3a",
        "Referer": "https://example.org/secret-referrer",
        "X-Forwarded-For": "203.0.113.77",
        "Cookie": "tracker=abc123",
    }
    assert web.get(
        "/search?q=very+secret+words", headers=personal, environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert web.get(f"/records/{quote(LAW)}", headers=personal).status_code == 200
    stored = _rows(app)
    assert stored == [("search", "search", "", 1), ("view", "law", "CN", 1), ("view", "search", "", 1)]
    text = repr(stored)
    for value in ("UniqueAgent", "secret", "203.0.113", "198.51.100", "abc123", "contributor", "example.org"):
        assert value not in text
    with _sessions(app)() as session:
        raw = session.execute(select(UsageCount.__table__)).all()
    assert all(len(row) == 5 for row in raw)


# -- who sees the figures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page", "api"),
    [(None, 302, 401), ("contributor", 403, 403), ("reviewer", 403, 403), ("administrator", 200, 200)],
)
def test_only_administrators_see_the_figures(web: FlaskClient, who: str | None, page: int, api: int) -> None:
    if who:
        _login(web, who)
    answer = web.get("/admin/usage")
    assert answer.status_code == page
    if page == 302:
        assert answer.headers["Location"] == "/login?next=/admin/usage"
    assert web.get("/admin/usage.csv").status_code == page
    response = web.get("/api/v1/usage")
    assert response.status_code == api
    if api != 200:
        assert response.json and response.json["error"]["status"] == api
    menu = web.get("/").text
    assert ('href="/admin/usage"' in menu) == (who == "administrator")


def test_the_figures_page_csv_and_json(app: Flask, web: FlaskClient) -> None:
    for url in ("/", "/", f"/records/{quote(LAW)}", "/countries/FR", "/search?q=洗钱"):
        assert web.get(url).status_code == 200
    _login(web, "administrator")
    page = web.get("/admin/usage")
    assert page.status_code == 200
    assert "Usage figures" in page.text and "China" in page.text and "France" in page.text
    assert "Home page" in page.text and "Law" in page.text
    assert f'value="{today().isoformat()}"' in page.text
    assert f'value="{(today() - dt.timedelta(days=29)).isoformat()}"' in page.text
    body = web.get("/api/v1/usage?lang=fr").get_json()
    assert body["to"] == today().isoformat() and len(body["days"]) == 30
    assert (body["views"], body["searches"]) == (5, 1)
    assert body["countries"] == [
        {"country": "CN", "name": "Chine", "views": 1},
        {"country": "FR", "name": "France", "views": 1},
    ]
    csv = web.get(f"/admin/usage.csv?from={today()}&to={today()}")
    assert csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"].startswith('attachment; filename="sherloc-usage-')
    lines = csv.text.splitlines()
    assert lines[0] == "day,event,page_kind,country,count"
    assert f"{today()},view,home,,2" in lines and f"{today()},search,search,,1" in lines
    assert len(lines) == 6


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01", "YYYY-MM-DD"),
        ("to=yesterday", "YYYY-MM-DD"),
        ("from=2026-03-02&to=2026-03-01", "must not be after"),
        ("from=2020-01-01&to=2026-01-01", "at most 366 days"),
        ("from=2020-01-01", "at most 366 days"),
        ("top=0", "from 1 to 250"),
        ("colour=red", "not valid"),
    ],
)
def test_a_bad_range_is_a_400_with_a_message(web: FlaskClient, query: str, message: str) -> None:
    _login(web, "administrator")
    page = web.get(f"/admin/usage?{query}")
    assert page.status_code == 400 and message in page.text
    api = web.get(f"/api/v1/usage?{query}")
    assert api.status_code == 400 and api.json and api.json["error"]["details"]


def test_a_range_of_the_past(app: Flask, web: FlaskClient) -> None:
    with _sessions(app)() as session, session.begin():
        add_counts(session, {usage_key("view", "law", "ES", dt.date(2025, 2, 28)): 4})
    _login(web, "administrator")
    body = web.get("/api/v1/usage?from=2025-02-27&to=2025-03-01").get_json()
    assert [(d["day"], d["views"]) for d in body["days"]] == [
        ("2025-02-27", 0),
        ("2025-02-28", 4),
        ("2025-03-01", 0),
    ]
    assert body["page_kinds"] == [{"page_kind": "law", "views": 4, "searches": 0}]
    assert web.get("/api/v1/usage?to=2025-03-01").get_json()["from"] == "2025-01-31"


# -- counting never breaks a page -------------------------------------------------------------------------


def test_a_failure_to_count_does_not_break_the_page(
    app: Flask, web: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    engine = app.extensions["sherloc"].engine
    UsageCount.__table__.drop(engine)
    try:
        with caplog.at_level(logging.ERROR, logger="sherloc.services.usage"):
            assert web.get("/").status_code == 200
            assert web.get(f"/records/{quote(LAW)}").status_code == 200
        assert "could not write 1 usage counts" in caplog.text
    finally:
        UsageCount.__table__.create(engine)
    assert web.get("/").status_code == 200
    assert _rows(app) == [("view", "home", "", 1)]


def test_buffered_counts_are_kept_on_failure_and_written_later(usage_settings: Settings) -> None:
    engine = make_engine(usage_settings.database_url)
    usage = UsageCounter(make_session_factory(engine), flush_seconds=60)
    try:
        with make_session_factory(engine)() as session, session.begin():
            session.execute(delete(UsageCount))
        usage.count("view", "home")
        usage.count("view", "home")
        UsageCount.__table__.drop(engine)
        try:
            assert usage.flush() == 0
        finally:
            UsageCount.__table__.create(engine)
        assert usage.pending == 2
        assert usage.flush() == 2 and usage.pending == 0
        with make_session_factory(engine)() as session:
            assert session.scalar(select(UsageCount.count)) == 2
    finally:
        engine.dispose()


# -- buffering and the upsert -----------------------------------------------------------------------------


def test_buffered_counts_are_written_in_one_go_when_due(usage_settings: Settings) -> None:
    app = create_app(replace(usage_settings, usage_flush_seconds=5))
    app.config["TESTING"] = True
    try:
        usage = counter(app)
        clock = [1000.0]
        usage._clock = lambda: clock[0]
        usage.flush()
        with _sessions(app)() as session, session.begin():
            session.execute(delete(UsageCount))
        web = app.test_client()
        for _ in range(3):
            web.get("/").close()
        assert usage.pending == 3 and _rows(app) == []  # not due yet
        clock[0] += 5
        web.get("/map").close()  # due: written once the answer is closed (sent)
        assert usage.pending == 0
        assert _rows(app) == [("view", "home", "", 3), ("view", "map", "", 1)]
        web.get("/").close()
        _login(web, "administrator")
        assert web.get("/api/v1/usage").get_json()["views"] == 5  # the page writes what is waiting
    finally:
        app.extensions["sherloc"].engine.dispose()


def test_concurrent_increments_add_up(usage_settings: Settings) -> None:
    engine = make_engine(usage_settings.database_url)
    sessions = make_session_factory(engine)
    with sessions() as session, session.begin():
        session.execute(delete(UsageCount))
    key = usage_key("view", "provision", "FR")
    other = usage_key("search", "search")
    errors: list[BaseException] = []

    def add_many() -> None:
        try:
            for _ in range(25):
                with sessions() as session, session.begin():
                    add_counts(session, {key: 1, other: 2})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    buffered = UsageCounter(sessions, flush_seconds=60)

    def count_many() -> None:
        for _ in range(100):
            buffered.count("view", "provision", "fr")

    threads = [threading.Thread(target=add_many) for _ in range(6)]
    threads += [threading.Thread(target=count_many) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert buffered.flush() == 400
        with sessions() as session:
            stored = {
                (row.event, row.page_kind, row.country): row.count
                for row in session.scalars(select(UsageCount))
            }
        assert stored == {("view", "provision", "FR"): 6 * 25 + 400, ("search", "search", ""): 6 * 25 * 2}
    finally:
        engine.dispose()


def test_the_postgresql_upsert_adds_to_the_count() -> None:
    sql = str(upsert("postgresql").compile(dialect=postgresql.dialect()))
    assert "ON CONFLICT (day, event, page_kind, country) DO UPDATE SET count = " in sql
    assert "usage_counts.count + excluded.count" in sql


def test_keys_are_normalised() -> None:
    day = dt.date(2026, 1, 1)
    assert usage_key("view", "Law", "fr", day) == (day, "view", "law", "FR")
    assert usage_key("view", "policy_document", "EUR", day) == (day, "view", "policy_document", "")
    assert usage_key("view", "", None, day) == (day, "view", "other", "")
    assert usage_key("view", "x" * 50, "", day)[2] == "x" * 32
    with pytest.raises(ValueError, match="unknown usage event"):
        usage_key("click", "home")


def test_the_flush_interval_is_a_setting(tmp_path: Path) -> None:
    assert Settings.from_env({"SHERLOC_USAGE_FLUSH_SECONDS": "0"}).usage_flush_seconds == 0
    assert Settings(data_dir=tmp_path).usage_flush_seconds == 5
    with pytest.raises(ValueError, match="SHERLOC_USAGE_FLUSH_SECONDS"):
        Settings(data_dir=tmp_path, usage_flush_seconds=-1)
