"""Benchmark on the demo corpus: ingest speed, index size, and search latency (backend and HTTP API).

    .venv/bin/python benchmarks/demo_corpus.py [--corpus corpus] [--rounds 20]

Ingests the corpus into a fresh temporary data folder, then runs a fixed set of queries in the corpus's
languages (plain, phrase, filtered, faceted) against the backend and through the Flask app's test client
(the full HTTP stack minus the socket), and prints p50/p95/p99 latencies.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sherloc.app import create_app  # noqa: E402
from sherloc.db import make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.ingest.pipeline import Ingester, corpus_sources, iter_files  # noqa: E402
from sherloc.search.backends import make_backend  # noqa: E402
from sherloc.search.base import SearchRequest  # noqa: E402
from sherloc.search.query import parse_query  # noqa: E402
from sherloc.settings import Settings  # noqa: E402

QUERIES = [
    "洗钱",
    "毒品",
    "走私 毒品",
    "黑社会性质的组织",
    "贩卖毒品",
    "第一百九十一条",
    "第191条",
    "洗钱 country:CN",
    "恐怖活动",
    "掩饰、隐瞒",
    "非法持有毒品",
    "拐卖妇女",
    "枪支",
    "贿赂",
    "文物",
    "国家工作人员",
    "blanchiment",
    "stupéfiants",
    "traite des êtres humains",
    '"bande organisée"',
    "324-1",
    "corruption",
    "blanchiment country:FR",
    "association de malfaiteurs",
    "contrebande",
    "armes",
    "proxénétisme",
    "blanqueo",
    "blanqueo de capitales",
    "tráfico de drogas",
    '"organización criminal"',
    "trata de seres humanos",
    "cohecho",
    "blanqueo country:ES",
    "301",
    "financiación del terrorismo",
    "sujetos obligados",
    "blanch*",
    "stupéf* OR drogas",
    "money laundering",
    "kind:law",
    "language:zh kind:provision",
    "date:2020..2026",
    "blanchiment NOT financement",
    "(blanqueo OR blanchiment) kind:provision",
]
FACETS = ("country", "language", "kind")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def report(name: str, samples_ms: list[float]) -> None:
    print(
        f"{name:<34} n={len(samples_ms):<6} p50={percentile(samples_ms, 50):7.2f} ms  "
        f"p95={percentile(samples_ms, 95):7.2f} ms  p99={percentile(samples_ms, 99):7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench")
        sources = corpus_sources(args.corpus)
        files = list(iter_files(sources))
        megabytes = sum(f.stat().st_size for f in files) / 2**20
        engine = make_engine(settings.database_url)
        upgrade(engine)
        backend = make_backend(settings)
        started = time.perf_counter()
        result = Ingester(make_session_factory(engine), backend).run(sources)
        seconds = time.perf_counter() - started
        index_mb = sum(f.stat().st_size for f in settings.index_dir.rglob("*") if f.is_file()) / 2**20
        print(
            f"ingest: {len(files)} files, {megabytes:.1f} MB, {result.records} records in {seconds:.1f} s "
            f"({len(files) / seconds:.1f} files/s, {megabytes / seconds:.2f} MB/s, "
            f"{result.records / seconds:.0f} records/s); index {index_mb:.1f} MB"
        )

        rerun_started = time.perf_counter()
        Ingester(make_session_factory(engine), backend).run(sources)
        print(f"re-ingest (unchanged): {time.perf_counter() - rerun_started:.2f} s")

        backend_ms: list[float] = []
        for _ in range(args.rounds):
            for q in QUERIES:
                request = SearchRequest(query=parse_query(q), facets=FACETS, page_size=10)
                t0 = time.perf_counter()
                backend.search(request)
                backend_ms.append((time.perf_counter() - t0) * 1000)
        report("backend search (3 facets, 10 hits)", backend_ms)

        app = create_app(settings)
        client = app.test_client()
        api_ms: list[float] = []
        for _ in range(args.rounds):
            for q in QUERIES:
                t0 = time.perf_counter()
                response = client.get("/api/v1/search", query_string={"q": q})
                api_ms.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (q, response.get_json())
        report("API /api/v1/search (in-process)", api_ms)
        engine.dispose()


if __name__ == "__main__":
    main()
