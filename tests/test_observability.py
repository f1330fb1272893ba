"""Probes, metrics and logs of the running portal: /healthz, /readyz, /metrics, request logs in JSON, the
gunicorn settings, and gunicorn itself with two workers adding up their metrics."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from gunicorn.app.base import Application
from prometheus_client import REGISTRY

from sherloc.app import create_app
from sherloc.observability.logs import JsonFormatter, logging_config
from sherloc.observability.readiness import Check, Readiness
from sherloc.settings import Settings
from sherloc.web.usage import counter
from tests.conftest import CORPUS, ingest_into
from tests.servers import gunicorn

LAW = CORPUS / "zh-cn-laws-lawrefbook" / "经济法" / "反洗钱法(2024-11-08).md"
TOKEN = "metrics-token-0123456789"


@contextmanager
def _app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    try:
        yield app
    finally:
        app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def empty_app(settings: Settings) -> Iterator[Flask]:
    """A fresh store (SQLite, and PostgreSQL when configured) whose search index was never built."""
    with _app(settings) as app:
        yield app


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _assert_probe_headers(answer: Any) -> None:
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers


# -- /healthz and /readyz ----------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_store_or_the_index(tmp_path: Path) -> None:
    # A store that cannot be opened (its "file" is a folder) and no index: the process is alive all the same.
    broken = Settings(data_dir=tmp_path / "data", secret_key="test", database_url=f"sqlite:///{tmp_path}")
    with _app(broken) as app:
        answer = app.test_client().get("/healthz")
        assert answer.status_code == 200 and answer.json == {"status": "ok"}
        _assert_probe_headers(answer)


def test_readyz_is_ready_when_the_store_and_the_index_answer(client: FlaskClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json
    assert answer.json == {"status": "ready", "checks": {"store": "ok", "search": "ok"}}
    _assert_probe_headers(answer)


def test_readyz_is_not_ready_before_the_index_is_built(empty_app: Flask) -> None:
    answer = empty_app.test_client().get("/readyz")
    assert answer.status_code == 503
    body = json.loads(answer.text)
    assert body["status"] == "not ready"
    assert body["checks"] == {"store": "ok", "search": "failed"}
    assert "not been built" in body["reasons"]["search"]
    _assert_probe_headers(answer)


def test_readyz_names_an_unreachable_store_and_search_server_without_their_addresses(tmp_path: Path) -> None:
    # Nothing listens on port 1: both servers refuse at once. Their URLs carry passwords.
    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="test",
        database_url="postgresql+psycopg://sherloc:pg-s3cret@127.0.0.1:1/sherloc",
        search_backend="elasticsearch",
        es_url="http://elastic:es-s3cret@127.0.0.1:1",
    )
    with _app(settings) as app:
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 503
        body = json.loads(answer.text)
        assert body["checks"] == {"store": "failed", "search": "failed"}
        assert body["reasons"]["store"] == "the store does not answer (OperationalError)"
        assert body["reasons"]["search"] == "the search server cannot be reached"
        for secret in ("s3cret", "127.0.0.1", "sherloc:", "Traceback", "psycopg"):
            assert secret not in answer.text


def test_a_hung_check_costs_the_probe_its_timeout_and_no_more_threads(settings: Settings) -> None:
    released = threading.Event()
    calls: list[int] = []

    def hang() -> str | None:
        calls.append(1)
        released.wait(10)
        return None

    with _app(settings) as app:
        portal = app.extensions["sherloc"]
        readiness = Readiness(portal.engine, portal.search, timeout=0.2)
        readiness.checks[1] = Check("search", hang)
        try:
            started = time.monotonic()
            first = readiness.run()
            second = readiness.run()
            assert time.monotonic() - started < 2
            assert first == second == {"store": None, "search": "no answer within 0.2 s"}
            assert len(calls) == 1  # the second probe waited on the first run, still hanging
        finally:
            released.set()


def test_probes_are_not_counted_as_usage(settings: Settings) -> None:
    with _app(dataclasses.replace(settings, usage_flush_seconds=3600)) as app:
        client = app.test_client()
        usage = counter(app)
        for path in ("/healthz", "/readyz", "/metrics"):
            client.get(path)
        assert usage.pending == 0
        assert client.get("/about").status_code == 200
        assert usage.pending == 1  # a page is


# -- /metrics ----------------------------------------------------------------------------------------


def test_metrics_count_requests_by_route_name_never_by_path(client: FlaskClient) -> None:
    healthz = _sample("sherloc_http_requests_total", method="GET", endpoint="health.healthz", status="200")
    unmatched = _sample("sherloc_http_requests_total", method="GET", endpoint="unmatched", status="404")
    record = _sample("sherloc_http_requests_total", method="GET", endpoint="pages.record", status="404")
    client.get("/healthz")
    client.get("/no/such/page/8f3a")
    client.get("/records/no-such-record-8f3a")
    client.open("/healthz", method="BREW")
    body = client.get("/metrics").text
    assert _sample("sherloc_http_requests_total", method="GET", endpoint="health.healthz", status="200") == (
        healthz + 1
    )
    assert _sample("sherloc_http_requests_total", method="GET", endpoint="unmatched", status="404") == (
        unmatched + 1
    )
    assert _sample("sherloc_http_requests_total", method="GET", endpoint="pages.record", status="404") == (
        record + 1
    )
    assert _sample("sherloc_http_requests_total", method="other", endpoint="unmatched", status="405") >= 1
    assert (
        _sample("sherloc_http_request_duration_seconds_count", method="GET", endpoint="health.healthz") >= 1
    )
    assert "8f3a" not in body and "BREW" not in body


def test_metrics_time_searches_by_backend(client: FlaskClient) -> None:
    before = _sample("sherloc_search_duration_seconds_count", backend="embedded")
    assert client.get("/api/v1/search?q=洗钱").status_code == 200
    assert _sample("sherloc_search_duration_seconds_count", backend="embedded") == before + 1
    assert "sherloc_search_duration_seconds_bucket" in client.get("/metrics").text


def test_a_failed_search_is_counted_by_kind(empty_app: Flask) -> None:
    before = _sample("sherloc_search_errors_total", backend="embedded", kind="unavailable")
    assert empty_app.test_client().get("/api/v1/search?q=洗钱").status_code == 503
    assert _sample("sherloc_search_errors_total", backend="embedded", kind="unavailable") == before + 1


def test_metrics_count_ingested_files_and_records_by_outcome(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "src" / LAW.name
    source.parent.mkdir()
    shutil.copy(LAW, source)
    new_files = _sample("sherloc_ingest_files_total", outcome="new")
    new_records = _sample("sherloc_ingest_records_total", outcome="new")
    unchanged = _sample("sherloc_ingest_files_total", outcome="unchanged")
    report = ingest_into(settings, [source])
    assert report.count("new") == 1 and report.records > 10
    assert _sample("sherloc_ingest_files_total", outcome="new") == new_files + 1
    assert _sample("sherloc_ingest_records_total", outcome="new") == new_records + report.records
    ingest_into(settings, [source])
    assert _sample("sherloc_ingest_files_total", outcome="unchanged") == unchanged + 1


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_metrics_answer_this_host_without_a_token(client: FlaskClient, address: str) -> None:
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 200
    assert answer.content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert "# TYPE sherloc_http_requests_total counter" in answer.text
    _assert_probe_headers(answer)


@pytest.mark.parametrize(
    ("address", "headers"),
    [
        ("10.0.0.7", {}),
        ("203.0.113.9", {}),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}),  # a proxy on this host
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}),
    ],
)
def test_metrics_are_not_found_from_elsewhere_without_a_token(
    client: FlaskClient, address: str, headers: dict[str, str]
) -> None:
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)
    assert answer.status_code == 404
    assert "sherloc_" not in answer.text


def test_metrics_with_a_token_need_it_from_anywhere(demo_settings: Settings) -> None:
    with _app(dataclasses.replace(demo_settings, metrics_token=TOKEN)) as app:
        client = app.test_client()
        far = {"REMOTE_ADDR": "203.0.113.9"}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
            answer = client.get("/metrics", environ_base=far, headers=headers)
            assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
            assert "sherloc_" not in answer.text
        # The token is required from this host too.
        assert client.get("/metrics").status_code == 401
        answer = client.get("/metrics", environ_base=far, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200 and "sherloc_http_requests_total" in answer.text


# -- request ids and logs ----------------------------------------------------------------------------


def test_a_safe_request_id_is_kept_and_another_replaced(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "edge-42.a"}).headers["X-Request-ID"] == "edge-42.a"
    )
    for unsafe in ("two words", "x" * 65, "<script>", ""):
        given = client.get("/healthz", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"]
        assert given != unsafe and len(given) == 32 and all(c in "0123456789abcdef" for c in given)


def _json_lines(records: list[logging.LogRecord]) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in records]
    assert all("\n" not in line for line in lines)
    return [json.loads(line) for line in lines]


def test_each_request_is_logged_with_its_path_but_not_its_query(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="sherloc.request"):
        answer = client.get(
            "/search?q=confidential-term",
            headers={"X-Request-ID": "req-1", "Cookie": "sherloc_session=cookie-value"},
        )
        client.get("/healthz")
    assert answer.status_code == 200
    page, probe = _json_lines([r for r in caplog.records if r.name == "sherloc.request"])
    assert page["ts"].endswith("Z") and page["ts"][:2] == "20"
    assert page["level"] == "INFO" and page["logger"] == "sherloc.request"
    assert page["method"] == "GET" and page["path"] == "/search" and page["status"] == 200
    assert page["query_length"] == len("q=confidential-term")
    assert page["endpoint"] == "pages.search" and page["request_id"] == "req-1"
    assert isinstance(page["duration_ms"], float)
    assert page["message"].startswith("GET /search 200 ")
    assert "confidential" not in json.dumps(page) and "cookie-value" not in json.dumps(page)
    assert probe["level"] == "DEBUG" and probe["path"] == "/healthz"  # probes are not news


def test_a_path_with_control_characters_stays_on_one_line(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sherloc.request"):
        client.get("/records/x%0Aforged%20line")
    (record,) = [r for r in caplog.records if r.name == "sherloc.request"]
    assert "\n" not in record.getMessage() and "\\n" in record.getMessage()


def test_an_exception_is_logged_as_one_json_object() -> None:
    try:
        raise ValueError("bad value")
    except ValueError:
        record = logging.getLogger("sherloc.test").makeRecord(
            "sherloc.test", logging.ERROR, __file__, 1, "failed on %s", ("x",), sys.exc_info()
        )
    (line,) = _json_lines([record])
    assert line["message"] == "failed on x" and line["level"] == "ERROR"
    assert line["exc"].startswith("Traceback") and "ValueError: bad value" in line["exc"]


def test_logging_config_is_for_dict_config() -> None:
    config = logging_config("json", "warning")
    assert config["formatters"]["sherloc"] == {"()": "sherloc.observability.logs.JsonFormatter"}
    assert config["root"] == {"level": "WARNING", "handlers": ["stderr"]}
    assert config["disable_existing_loggers"] is False
    assert "format" in logging_config("text")["formatters"]["sherloc"]
    with pytest.raises(ValueError, match="log format"):
        logging_config("xml")


# -- settings ----------------------------------------------------------------------------------------


def test_observability_settings_are_read_and_checked(tmp_path: Path) -> None:
    env = {
        "SHERLOC_LOG_FORMAT": "json",
        "SHERLOC_LOG_LEVEL": "debug",
        "SHERLOC_METRICS_TOKEN": TOKEN,
        "SHERLOC_WORKERS": "3",
        "SHERLOC_THREADS": "4",
        "SHERLOC_LISTEN": "0.0.0.0:9000",
    }
    settings = Settings.from_env(env, data_dir=tmp_path)
    assert (settings.log_format, settings.log_level, settings.metrics_token) == ("json", "DEBUG", TOKEN)
    assert (settings.workers, settings.threads, settings.listen) == (3, 4, "0.0.0.0:9000")
    for bad, message in (
        ({"log_format": "xml"}, "SHERLOC_LOG_FORMAT"),
        ({"log_level": "loud"}, "SHERLOC_LOG_LEVEL"),
        ({"metrics_token": "short"}, "SHERLOC_METRICS_TOKEN"),
        ({"workers": -1}, "SHERLOC_WORKERS"),
        ({"threads": 0}, "SHERLOC_THREADS"),
    ):
        with pytest.raises(ValueError, match=message):
            Settings(data_dir=tmp_path, **bad)


# -- gunicorn ----------------------------------------------------------------------------------------

CONFIG = "python:sherloc.gunicorn_conf"


class _ConfigOnly(Application):
    """gunicorn's own loading of a config module, without an app to run."""

    def load_config(self) -> None:
        self.load_config_from_module_name_or_filename(CONFIG)

    def load(self) -> Any:
        raise AssertionError("not run")


def _gunicorn_config(monkeypatch: pytest.MonkeyPatch, **env: str) -> Any:
    for name in ("SHERLOC_WORKERS", "SHERLOC_THREADS", "SHERLOC_LISTEN", "SHERLOC_LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("sherloc.gunicorn_conf", None)  # read the environment afresh
    try:
        return _ConfigOnly().cfg
    finally:
        sys.modules.pop("sherloc.gunicorn_conf", None)


def test_gunicorn_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _gunicorn_config(monkeypatch)
    assert cfg.workers == (os.cpu_count() or 1)
    assert cfg.worker_class_str == "sync" and cfg.threads == 1
    assert cfg.bind == ["127.0.0.1:8000"]
    assert (cfg.timeout, cfg.graceful_timeout, cfg.keepalive) == (60, 30, 5)
    assert cfg.max_requests == 0  # no recycling: every ended worker would leave its metrics files
    assert cfg.accesslog is None and cfg.errorlog == "-"
    assert cfg.logconfig_dict["formatters"]["sherloc"] == {
        "format": logging_config()["formatters"]["sherloc"]["format"]
    }
    assert cfg.on_starting.__module__ == cfg.child_exit.__module__ == "sherloc.gunicorn_conf"

    cfg = _gunicorn_config(
        monkeypatch,
        SHERLOC_WORKERS="3",
        SHERLOC_THREADS="4",
        SHERLOC_LISTEN="0.0.0.0:9000",
        SHERLOC_LOG_FORMAT="json",
    )
    assert cfg.workers == 3 and cfg.threads == 4 and cfg.worker_class_str == "gthread"
    assert cfg.bind == ["0.0.0.0:9000"]
    assert cfg.logconfig_dict["formatters"]["sherloc"]["()"].endswith("JsonFormatter")


def test_gunicorn_start_empties_the_metrics_folder_or_makes_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sherloc import gunicorn_conf

    class Server:
        log = logging.getLogger("test.gunicorn")

    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_old-123.db").write_bytes(b"")
    (folder / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    gunicorn_conf.on_starting(Server())
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    gunicorn_conf.on_starting(Server())
    made = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert made.is_dir() and made != folder
    gunicorn_conf.on_exit(Server())
    assert not made.exists()
    gunicorn_conf._made_metrics_dir.clear()


def _get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def _metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_gunicorn_with_two_workers_adds_up_their_metrics(demo_settings: Settings, tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"  # made by the config's on_starting
    log_path = tmp_path / "stderr.log"
    with gunicorn(
        demo_settings,
        log_path,
        workers=2,
        SHERLOC_LOG_FORMAT="json",
        SHERLOC_RATE_LIMITS="off",  # hundreds of searches from one address
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    ) as port:
        status, body, headers = _get(port, "/healthz")
        assert status == 200 and json.loads(body) == {"status": "ok"}
        assert headers["Cache-Control"] == "no-store"
        status, body, _ = _get(port, "/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"] == {"store": "ok", "search": "ok"}

        # Searches from four clients at once, so that both workers answer some.
        def search(_n: int) -> int:
            return _get(port, "/api/v1/search?q=blanchiment")[0]

        searches = 0
        while searches < 200:
            threads = [threading.Thread(target=search, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            searches += len(threads)
            if len(_pids_that_searched(log_path)) >= 2:
                break
        assert len(_pids_that_searched(log_path)) == 2

        status, body, headers = _get(port, "/metrics")
        assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = body.decode()
        name = 'sherloc_http_requests_total{endpoint="api.search",method="GET",status="200"}'
        assert _metric(text, name) == searches
        assert _metric(text, 'sherloc_search_duration_seconds_count{backend="embedded"}') == searches
        assert _metric(text, 'sherloc_http_requests_total{endpoint="health.readyz"') == 1
        assert len({p.name.split("_", 1)[1] for p in metrics_dir.glob("counter_*.db")}) == 2

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert not any("blanchiment" in json.dumps(line) for line in lines)


def _pids_that_searched(log_path: Path) -> set[int]:
    pids = set()
    for line in log_path.read_text(errors="replace").splitlines():
        if '"path": "/api/v1/search"' in line:
            pids.add(json.loads(line)["pid"])
    return pids
