"""Benchmark of usage counting: what counting page views costs a request, and what a flush costs.

    .venv/bin/python benchmarks/usage_counting.py [--corpus corpus] [--rounds 300]

Ingests the demo corpus into a temporary data folder, then requests quick pages and API reads through the
Flask test client (the full HTTP stack minus the socket) with counting off, buffered (the default,
SHERLOC_USAGE_FLUSH_SECONDS=5) and written at once (0), the three taking turns on each request (and at
going first); prints median times, and the counting hook's own cost timed alone (whole requests vary
from one to the next by more than counting adds). Then times flushes of buffers of several sizes into
the SQLite store.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flask import Flask, Response  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from sherloc.app import create_app  # noqa: E402
from sherloc.db import make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.ingest.pipeline import Ingester, corpus_sources  # noqa: E402
from sherloc.models import UsageCount  # noqa: E402
from sherloc.search.backends import make_backend  # noqa: E402
from sherloc.services.usage import UsageCounter  # noqa: E402
from sherloc.settings import Settings  # noqa: E402
from sherloc.tagging.store import RecordTagging  # noqa: E402
from sherloc.web.usage import count_response, counter, note_view  # noqa: E402

PROVISION = "cn-law-刑法-art-191"  # a provision of the demo corpus

URLS = [  # quick pages and API reads, where the cost of counting shows most
    "/about",
    "/countries",
    f"/api/v1/records/{quote(PROVISION)}",
    "/api/v1/countries/FR",
]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
MODES = {
    "without counting": None,
    "buffered (flush every 5 s)": 5,
    "written at once (0)": 0,
}


def without_counting(app: Flask) -> Flask:
    """The app with its usage hook taken out: the baseline."""
    hooks = app.after_request_funcs[None]
    hooks[:] = [hook for hook in hooks if hook.__name__ != "_count"]
    return app


def request_times(clients: dict[str, FlaskClient], rounds: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per request, per mode and URL; the modes take turns on each URL, so drift hits all alike."""
    times: dict[str, dict[str, list[float]]] = {name: {url: [] for url in URLS} for name in clients}
    names = list(clients)
    for n in range(rounds):
        for url in URLS:
            for name in names[n % len(names) :] + names[: n % len(names)]:  # each goes first in turn
                client = clients[name]
                started = time.perf_counter()
                response = client.get(url, headers={"User-Agent": BROWSER})
                response.close()  # what a server does once the answer is sent (a due flush runs then)
                times[name][url].append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
    return times


def hook_cost(app: Flask, repeat: int) -> float:
    """Seconds the after-request hook takes for one counted view of a record page."""
    usage = counter(app)
    with app.test_request_context(f"/records/{quote(PROVISION)}", headers={"User-Agent": BROWSER}):
        note_view("provision", "CN")
        response = Response("page")
        started = time.perf_counter()
        for _ in range(repeat):
            count_response(usage, response)
        return (time.perf_counter() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench")
        engine = make_engine(settings.database_url)
        upgrade(engine)
        started = time.perf_counter()
        Ingester(
            make_session_factory(engine), make_backend(settings), tagging=RecordTagging(settings.vocab_dir)
        ).run(corpus_sources(args.corpus))
        print(f"demo store built in {time.perf_counter() - started:.1f} s")

        apps = {}
        for name, seconds in MODES.items():
            app = create_app(replace(settings, usage_flush_seconds=seconds or 0))
            apps[name] = without_counting(app) if seconds is None else app
        clients = {name: app.test_client() for name, app in apps.items()}
        request_times(clients, 5)  # warm up: caches, vocabulary, index readers
        gc.collect()
        times = request_times(clients, args.rounds)
        print(
            f"{args.rounds} requests per URL and mode through the test client, median ms per request "
            f"({', '.join(URLS)}):"
        )
        base = sum(statistics.median(times["without counting"][url]) for url in URLS) / len(URLS)
        for name, by_url in times.items():
            medians = [statistics.median(by_url[url]) for url in URLS]
            mean = sum(medians) / len(medians)
            print(
                f"  {name:28} {' '.join(f'{m * 1000:7.2f}' for m in medians)}   "
                f"{1 / mean:6.0f} requests/s   overhead {(mean - base) * 1e6:+6.0f} µs/request"
            )
        for name, seconds in MODES.items():
            if seconds is not None:
                counter(apps[name]).flush()
                repeat = 20_000 if seconds else 500
                cost = hook_cost(apps[name], repeat)
                print(f"  the counting hook alone, {name}: {cost * 1e6:.1f} µs per counted view")
                counter(apps[name]).flush()

        sessions = make_session_factory(engine)
        with sessions() as session, session.begin():
            session.execute(delete(UsageCount))
        print("flush (one transaction, one upsert statement) of a buffer of:")
        for keys in (10, 100, 1000):
            usage = UsageCounter(sessions, flush_seconds=3600)
            costs = []
            for _ in range(20):
                for i in range(keys):
                    usage.count("view", f"kind{i % 20}", _country(i // 20))
                t0 = time.perf_counter()
                written = usage.flush()
                costs.append(time.perf_counter() - t0)
                assert written == keys
            print(
                f"  {keys:5} keys: median {statistics.median(costs) * 1000:6.2f} ms "
                f"(max {max(costs) * 1000:.2f} ms over {len(costs)} flushes)"
            )
        for app in apps.values():
            app.extensions["sherloc"].engine.dispose()
        engine.dispose()


def _country(n: int) -> str:
    return chr(ord("A") + n // 26 % 26) + chr(ord("A") + n % 26)


if __name__ == "__main__":
    main()
