"""Search benchmark over all of ../shared/corpora: the bare engine, the backend, the service and the HTTP API.

    .venv/bin/python benchmarks/search_corpora.py [--data /tmp/sherloc-bench-corpora] [--rounds 10]
        [--duration 20] [--clients 8] [--quick] [--skip-http]

The data folder (SHERLOC_DATA_DIR layout: sherloc.db and index/) is reused when it holds a store and an
index; when not, all of ../shared/corpora is ingested into it first (benchmarks/ingest_corpora.py), so the
first run takes a few minutes and later ones start at once. An index of another schema version is rebuilt
from the store.

The fixed queries of benchmarks/search_queries.txt (every corpus language; plain, phrase, field-filtered,
facet-filtered, prefix, article number, boolean) each run --rounds times after one warm-up round, the
rounds interleaved, through each layer, all in one run:

  bare     the tantivy query the backend compiles for the request (compiled before the clock starts), run
           as the backend runs it: searcher.search(query, 10, count=True) and the facet aggregation(s)
           (searcher.aggregate; one more per selected facet, as multi-select facets need). No stored
           documents read, no hits built, no snippets, no parsing or compiling.
  backend  backend.search(SearchRequest(parsed query, filters, 5 facets, 10 hits, highlight)): compiling
           (analysis), search, facets, ten stored hits read and highlighted. Parsing is before the clock.
  service  sherloc.services.search.run_search as the API calls it: parsing, validation, cross-language
           expansion (on, as the API's default), the backend call.
  wsgi     GET /api/v1/search through the Flask app in this process (test client): the whole app, no
           socket, no gunicorn.
  http     the same GET from one client, one request at a time, to gunicorn started as `sherloc serve`
           starts it (2 sync workers; the access log written as serve writes it).
  load     the same URLs from --clients concurrent connections for --duration seconds against gunicorn in
           a few set-ups (workers, worker class, threads): requests/s, errors, latency under load. The load
           generator is a small Node.js program (one process, one event loop) on the same two cores; its
           CPU use is printed beside the figures.

Prints p50/p95/p99 per layer, the ratios backend/bare and http/backend, a breakdown by category and by
language, the slowest queries, the corpus (records, index size), the machine, and how much CPU other
processes on the machine took during each phase (a shared machine skews figures; --wait-quiet waits for
it to calm down first).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import inspect
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flask import Flask  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from benchmarks.demo_corpus import percentile, report  # noqa: E402
from sherloc.app import Portal, create_app  # noqa: E402
from sherloc.db import make_session_factory  # noqa: E402
from sherloc.models import Record  # noqa: E402
from sherloc.schemas.search import URL_FILTERS, SearchArgsSchema  # noqa: E402
from sherloc.search import indexer  # noqa: E402
from sherloc.search.base import FACET_SIZE, SearchRequest  # noqa: E402
from sherloc.search.facets import facet_buckets  # noqa: E402
from sherloc.search.query import parse_query  # noqa: E402
from sherloc.services.search import SearchParams, run_search  # noqa: E402
from sherloc.settings import Settings  # noqa: E402

QUERIES_FILE = Path(__file__).with_name("search_queries.txt")
CATEGORIES = ("plain", "phrase", "field", "facet", "prefix", "article", "boolean")
LANGUAGES = ("zh", "fr", "es", "ru", "ar", "en")
NO_LANGUAGE = "-"
EXPECTED_ERROR = "!error"
FACETS = ("country", "language", "kind", "crime_type", "year")
PAGE_SIZE = 10
DEFAULT_DATA = Path(tempfile.gettempdir()) / "sherloc-bench-corpora"
DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
# gunicorn set-ups under load: (workers, worker class, threads). `sherloc serve` defaults to one sync
# worker per core; the others are for comparison.
LATENCY_SERVER = (2, "sync", 1)
SERVER_CONFIGS = (LATENCY_SERVER, (5, "sync", 1), (2, "gthread", 4), (3, "gthread", 2))
QUICK_EVERY = 8  # --quick: every 8th query
QUIET_CORES = 0.25  # --wait-quiet: other processes below this many cores count as quiet


# -- the query set -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BenchQuery:
    line: int
    category: str
    language: str
    text: str
    filters: dict[str, tuple[str, ...]]
    expect_error: bool = False

    @property
    def label(self) -> str:
        shown = self.text or "(no words)"
        if self.filters:
            shown += " | " + urlencode([(k, v) for k, vs in self.filters.items() for v in vs])
        return shown

    def request(self) -> SearchRequest:
        return SearchRequest(
            query=parse_query(self.text), filters=self.filters, facets=FACETS, page_size=PAGE_SIZE
        )

    def params(self) -> SearchParams:
        """What the API's schema makes of `url()`: the service's input."""
        loaded: SearchParams = SearchArgsSchema().load(self.url_args())
        return loaded

    def url_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"q": self.text, "facet": list(FACETS), "page_size": str(PAGE_SIZE)}
        args.update({name: list(values) for name, values in self.filters.items()})
        if "cross_language" in SearchArgsSchema().fields:
            args["cross_language"] = "true"  # the default; said so that the figure does not hang on it
        return args

    def url(self) -> str:
        pairs = [(k, x) for k, v in self.url_args().items() for x in (v if isinstance(v, list) else [v])]
        return "/api/v1/search?" + urlencode(pairs)


def load_queries(path: Path = QUERIES_FILE) -> list[BenchQuery]:
    """The query set; ValueError naming the line when a line is malformed."""
    out: list[BenchQuery] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path.name}:{number}"
        parts = [p.strip() for p in line.split("|")]
        expect_error = parts[-1] == EXPECTED_ERROR
        if expect_error:
            parts.pop()
        if len(parts) not in (3, 4):
            raise ValueError(f"{where}: want 'category | language | query [| filters]'")
        category, language, text = parts[:3]
        if category not in CATEGORIES:
            raise ValueError(f"{where}: unknown category {category!r}")
        if language not in (*LANGUAGES, NO_LANGUAGE):
            raise ValueError(f"{where}: unknown language {language!r}")
        filters: dict[str, tuple[str, ...]] = {}
        if len(parts) == 4:
            for name, value in parse_qsl(parts[3], strict_parsing=True):
                if name not in URL_FILTERS:
                    raise ValueError(f"{where}: {name!r} is not a URL facet filter")
                filters[name] = (*filters.get(name, ()), value)
        out.append(BenchQuery(number, category, language, text, filters, expect_error))
    return out


# -- data and facts -------------------------------------------------------------------------------------


def prepare_data(settings: Settings, corpora: Path) -> None:
    """Ingest the corpora unless the data folder holds a store and an index; rebuild an outdated index."""
    data = settings.data_dir
    if not (data / "sherloc.db").exists() or not (settings.index_dir / "CURRENT").exists():
        from benchmarks.ingest_corpora import ingest  # language detectors load slowly: only when ingesting

        print(f"ingesting {corpora} into {data} (once; later runs reuse it)", flush=True)
        data.mkdir(parents=True, exist_ok=True)
        ingest(corpora, data)
    portal = open_portal(settings).extensions["sherloc"]
    state = portal.search.state()
    if state != "current":
        print(f"the index in {data} is {state}: rebuilding it from the store", flush=True)
        started = time.perf_counter()
        with make_session_factory(portal.engine)() as session:
            n = indexer.rebuild(session, portal.search)
        print(f"indexed {n} records in {time.perf_counter() - started:.0f} s", flush=True)
    portal.search.close()
    portal.engine.dispose()


def open_portal(settings: Settings) -> Flask:
    return create_app(settings)


def corpus_facts(portal: Portal) -> list[str]:
    with portal.engine.connect() as conn:
        by_kind = {k: n for k, n in conn.execute(select(Record.kind, func.count()).group_by(Record.kind))}
        by_lang = {
            k: n for k, n in conn.execute(select(Record.language, func.count()).group_by(Record.language))
        }
    index_dir = portal.settings.index_dir
    build = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    index_mb = sum(f.stat().st_size for f in (index_dir / build).rglob("*") if f.is_file()) / 2**20
    db_mb = sum(f.stat().st_size for f in portal.settings.data_dir.glob("sherloc.db*")) / 2**20
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))
    languages = ", ".join(f"{k} {v}" for k, v in sorted(by_lang.items(), key=lambda kv: -kv[1]))
    return [
        f"corpus: {sum(by_kind.values())} records ({kinds}); by language: {languages}; "
        f"{portal.search.count()} index documents",
        f"index on disk: {index_mb:.0f} MB (build {build}); store (SQLite): {db_mb:.0f} MB; "
        f"data folder {portal.settings.data_dir}",
    ]


def machine_facts() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = []
    for name in ("tantivy", "flask", "gunicorn"):
        with contextlib.suppress(PackageNotFoundError):
            versions.append(f"{name} {version(name)}")
    node = shutil.which("node")
    if node:
        versions.append(
            "node " + subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
        )
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"machine: {os.cpu_count()} cores ({model or platform.machine()}), {mem_gb:.0f} GiB; "
        f"Python {platform.python_version()}; " + ", ".join(versions)
    )


# -- CPU accounting: what this benchmark used, what other processes on the machine used -----------------


def machine_busy_seconds() -> float:
    """CPU seconds all cores have been busy since boot (/proc/stat: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (the load generator)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclasses.dataclass
class Phase:
    """Wall time and CPU of one phase; `others` is what processes not of this benchmark took."""

    name: str
    server: Server | None = None
    wall: float = 0.0
    others: float = 0.0
    server_cpu: float = 0.0

    @contextlib.contextmanager
    def measure(self) -> Iterator[Phase]:
        busy, own, srv, t0 = machine_busy_seconds(), own_seconds(), self._server(), time.perf_counter()
        yield self
        self.wall = time.perf_counter() - t0
        self.server_cpu = self._server() - srv
        self.others = max(0.0, machine_busy_seconds() - busy - (own_seconds() - own) - self.server_cpu)

    def _server(self) -> float:
        return self.server.cpu_seconds() if self.server else 0.0

    def note(self) -> str:
        return f"other processes {self.others / self.wall:.2f} cores" if self.wall else ""


def wait_for_quiet(limit: float) -> str:
    """Wait up to `limit` seconds for other processes to use less than QUIET_CORES; say what was found."""
    deadline = time.monotonic() + limit
    while True:
        busy, own = machine_busy_seconds(), own_seconds()
        time.sleep(1.0)
        others = max(0.0, machine_busy_seconds() - busy - (own_seconds() - own))
        if others < QUIET_CORES or time.monotonic() >= deadline:
            return f"other processes used {others:.2f} cores just before"
        print(f"  waiting: other processes use {others:.2f} cores", flush=True)


# -- timing ---------------------------------------------------------------------------------------------

Samples = dict[int, list[float]]  # query line -> milliseconds


@dataclasses.dataclass
class Timing:
    wall: Samples
    cpu: Samples  # CPU time of this process (all its threads) per call: what other processes cannot skew
    calls: int  # warm-up included


def time_rounds(queries: Sequence[BenchQuery], call: Callable[[BenchQuery], object], rounds: int) -> Timing:
    """One untimed warm-up round, then `rounds` rounds over all queries (rounds interleaved)."""
    for q in queries:
        call(q)
    wall: Samples = defaultdict(list)
    cpu: Samples = defaultdict(list)
    for _ in range(rounds):
        for q in queries:
            c0, t0 = time.process_time(), time.perf_counter()
            call(q)
            wall[q.line].append((time.perf_counter() - t0) * 1000)
            cpu[q.line].append((time.process_time() - c0) * 1000)
    return Timing(wall, cpu, len(queries) * (rounds + 1))


def flat(samples: Samples, lines: set[int] | None = None) -> list[float]:
    return [ms for line, values in samples.items() if lines is None or line in lines for ms in values]


def bare_engine(backend: Any, queries: Sequence[BenchQuery]) -> Callable[[BenchQuery], object]:
    """The engine calls the embedded backend makes for each query, the queries compiled in advance."""
    compiler = backend._compiler
    index = backend._reader()
    plans: dict[int, tuple[Any, list[tuple[Any, dict[str, Any]]]]] = {}
    for q in queries:
        request = q.request()
        text_query = compiler.compile(request.query)
        aggregations: list[tuple[Any, dict[str, Any]]] = []

        def plan_aggregation(query: Any, names: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
            aggregations.append((query, {n: {"terms": {"field": n, "size": FACET_SIZE}} for n in names}))  # noqa: B023
            return {}

        # The same aggregations the backend asks for: facet_buckets decides them from the request.
        facet_buckets(request, lambda filters: compiler.with_filters(text_query, filters), plan_aggregation)  # noqa: B023
        plans[q.line] = (compiler.with_filters(text_query, request.filters), aggregations)

    def run(q: BenchQuery) -> object:
        query, aggregations = plans[q.line]
        searcher = index.searcher()
        result = searcher.search(query, PAGE_SIZE, count=True)
        for agg_query, spec in aggregations:
            searcher.aggregate(agg_query, spec)
        return result

    return run


def service_call(portal: Portal) -> Callable[[SearchParams], Any]:
    """run_search as the API calls it: with the portal's tagger when the service takes one."""
    if "tagger" in inspect.signature(run_search).parameters:
        tagger = portal.tagger  # type: ignore[attr-defined]
        return lambda params: run_search(portal.search, params, tagger)  # type: ignore[call-arg]
    return lambda params: run_search(portal.search, params)


# -- HTTP -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclasses.dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    config: tuple[int, str, int]

    @property
    def name(self) -> str:
        workers, worker_class, threads = self.config
        return f"{workers} {worker_class} workers" + (f" x {threads} threads" if threads > 1 else "")

    def cpu_seconds(self) -> float:
        """CPU seconds of the gunicorn master and its live workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if self.process.pid in (int(stat.parent.name), int(fields[1])):
                    total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total


@contextlib.contextmanager
def gunicorn(data: Path, config: tuple[int, str, int], log: Path) -> Iterator[Server]:
    """`sherloc serve` on a free loopback port; worker class and threads through GUNICORN_CMD_ARGS."""
    workers, worker_class, threads = config
    port = free_port()
    sherloc = shutil.which("sherloc", path=str(Path(sys.executable).parent))
    command = [sherloc] if sherloc else [sys.executable, "-m", "sherloc.cli"]
    env = {
        **os.environ,
        "SHERLOC_DATA_DIR": str(data),
        "SHERLOC_SECRET_KEY": "bench",
    }
    # `sherloc serve --threads 1` runs sync workers, more threads gthread workers.
    assert (worker_class == "gthread") == (threads > 1), (worker_class, threads)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
            + ["--threads", str(threads)],
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}: {log.read_text()[-2000:]}")
            answer = None
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/search?q=")
                response = conn.getresponse()
                answer = response.status, response.read()
                conn.close()
            if answer is not None and answer[0] == 200:
                break
            if answer is not None:  # up but refusing, e.g. 503 for an index of another schema version
                raise RuntimeError(f"gunicorn answers HTTP {answer[0]}: {answer[1].decode(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield Server(port, process, config)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """One HTTP client, one request at a time; http.client reconnects when the server closes."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes]:
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


# The load generator, in Node.js: one process, `concurrency` keep-alive connections, each sending the next
# URL as soon as the answer to its last one is read in full, until `duration` seconds have passed.
LOAD_JS = r"""
const http = require('http');
const fs = require('fs');
const [host, port, duration, concurrency, urlsFile] = process.argv.slice(2);
const urls = JSON.parse(fs.readFileSync(urlsFile, 'utf8'));
const n = Number(concurrency);
const agent = new http.Agent({ keepAlive: true, maxSockets: n });
const latencies = []; const statuses = {}; let errors = 0; let active = 0;
const cpu0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
const end = Date.now() + Number(duration) * 1000;
function next(i) {
  if (Date.now() >= end) { if (--active === 0) finish(); return; }
  const start = process.hrtime.bigint();
  const req = http.get({ host, port: Number(port), path: urls[i % urls.length], agent }, (res) => {
    res.on('data', () => {});
    res.on('end', () => {
      statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
      if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      else errors++;
      next(i + n);
    });
  });
  req.setTimeout(30000, () => req.destroy(new Error('timeout')));
  req.on('error', () => { errors++; next(i + n); });
}
function finish() {
  const cpu = process.cpuUsage(cpu0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ latencies, errors, statuses, seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6 }));
  agent.destroy();
}
for (let c = 0; c < n; c++) { active++; next(c * 37); }
"""


@dataclasses.dataclass
class LoadResult:
    server: str
    latencies: list[float]
    errors: int
    seconds: float
    client_cpu: float
    phase: Phase

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds


def run_load(server: Server, urls: list[str], duration: float, clients: int, work: Path) -> LoadResult:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node (Node.js) is not installed: it is the load generator")
    script, urls_file = work / "load.js", work / "urls.json"
    script.write_text(LOAD_JS, encoding="utf-8")
    urls_file.write_text(json.dumps(urls), encoding="utf-8")
    command = [node, str(script), "127.0.0.1", str(server.port), str(duration), str(clients), str(urls_file)]
    with Phase(f"load {server.name}", server).measure() as phase:
        out = subprocess.run(command, capture_output=True, check=True, timeout=duration + 120)
    result = json.loads(out.stdout)
    return LoadResult(
        server.name,
        result["latencies"],
        int(result["errors"]),
        float(result["seconds"]),
        float(result["cpu_seconds"]),
        phase,
    )


# -- the run --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Layer:
    name: str
    title: str
    timing: Timing
    phase: Phase

    @property
    def samples(self) -> Samples:
        return self.timing.wall


def run_http(
    data: Path,
    queries: Sequence[BenchQuery],
    totals: dict[int, int],
    args: argparse.Namespace,
    layers: dict[str, Layer],
) -> list[LoadResult]:
    urls = {q.line: q.url() for q in queries}
    loads: list[LoadResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        log = work / "gunicorn.log"
        with gunicorn(data, LATENCY_SERVER, log) as server:
            client = Client(server.port)
            mismatches = []
            for q in queries:  # the API answers what the service answers
                status, body = client.get(urls[q.line])
                total = json.loads(body).get("total") if status == 200 else None
                if total != totals[q.line]:
                    mismatches.append((q.label, status, total, totals[q.line]))
            if mismatches:
                print(f"API and service disagree on {len(mismatches)} queries, e.g. {mismatches[:3]}")

            def fetch(q: BenchQuery) -> None:
                status, _ = client.get(urls[q.line])
                if status != 200:
                    raise RuntimeError(f"HTTP {status} for {urls[q.line]}")

            print(f"http: {wait_for_quiet(args.wait_quiet)}", flush=True)
            with Phase("http", server).measure() as phase:
                timing = time_rounds(queries, fetch, args.rounds)
            layers["http"] = Layer("http", f"HTTP API, 1 client ({server.name})", timing, phase)
            client.close()
        for config in SERVER_CONFIGS:
            with gunicorn(data, config, log) as server:
                warm = Client(server.port)
                for q in queries:  # each worker opens the index on its first search
                    warm.get(urls[q.line])
                warm.close()
                print(f"load {server.name}: {wait_for_quiet(args.wait_quiet)}", flush=True)
                loads.append(run_load(server, list(urls.values()), args.duration, args.clients, work))
    return loads


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder, reused when ingested")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--queries", type=Path, default=QUERIES_FILE)
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds over the query set per layer")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per server set-up")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections under load")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=60.0,
        help="before each phase, wait up to this many seconds for other processes to calm down",
    )
    parser.add_argument("--quick", action="store_true", help=f"every {QUICK_EVERY}th query, 2 rounds, 5 s")
    parser.add_argument(
        "--skip-http", action="store_true", help="no gunicorn: engine, backend, service, wsgi"
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration = min(args.rounds, 2), min(args.duration, 5.0)

    print("command: " + " ".join([os.path.relpath(sys.executable, Path.cwd()), *sys.argv]))
    print(machine_facts())
    settings = Settings(data_dir=args.data.resolve(), secret_key="bench")
    prepare_data(settings, args.corpora)
    app = open_portal(settings)
    portal: Portal = app.extensions["sherloc"]
    backend = portal.search
    for line in corpus_facts(portal):
        print(line)

    queries = [q for q in load_queries(args.queries) if not q.expect_error]
    if args.quick:
        queries = queries[::QUICK_EVERY]
    per_category = ", ".join(f"{c} {sum(q.category == c for q in queries)}" for c in CATEGORIES)
    per_language = ", ".join(
        f"{x} {sum(q.language == x for q in queries)}" for x in (*LANGUAGES, NO_LANGUAGE)
    )
    print(
        f"queries: {len(queries)} from {args.queries.name} ({per_category}; {per_language}); "
        f"facets {', '.join(FACETS)}; {PAGE_SIZE} hits highlighted; {args.rounds} rounds after a warm-up"
    )
    params = {q.line: q.params() for q in queries}
    xlang = sorted({str(getattr(p, "cross_language", "not offered")) for p in params.values()})
    print(f"service and API: cross-language expansion {'/'.join(xlang)}")

    requests = {q.line: q.request() for q in queries}
    search_service = service_call(portal)
    client = app.test_client()

    def wsgi(q: BenchQuery) -> None:
        response = client.get(q.url())
        if response.status_code != 200:
            raise RuntimeError(
                f"HTTP {response.status_code} for {q.url()}: {response.get_data(as_text=True)}"
            )

    calls: list[tuple[str, str, Callable[[BenchQuery], object]]] = [
        ("bare", "bare engine (search + aggregations)", bare_engine(backend, queries)),
        ("backend", "backend.search (5 facets, 10 hl)", lambda q: backend.search(requests[q.line])),
        ("service", "service run_search", lambda q: search_service(params[q.line])),
        ("wsgi", "API in-process (Flask test client)", wsgi),
    ]
    layers: dict[str, Layer] = {}
    for name, title, call in calls:
        print(f"{name}: {wait_for_quiet(args.wait_quiet)}", flush=True)
        with Phase(name).measure() as phase:
            timing = time_rounds(queries, call, args.rounds)
        layers[name] = Layer(name, title, timing, phase)
    totals = {q.line: search_service(params[q.line]).result.total for q in queries}
    loads: list[LoadResult] = []
    if not args.skip_http:
        try:
            loads = run_http(settings.data_dir, queries, totals, args, layers)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            print(f"the HTTP part stopped: {exc}", flush=True)
    backend.close()

    print_results(queries, layers, loads, totals, args)


# -- printing -------------------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    return percentile(list(values), q) if values else float("nan")


def print_results(
    queries: Sequence[BenchQuery],
    layers: dict[str, Layer],
    loads: list[LoadResult],
    totals: dict[int, int],
    args: argparse.Namespace,
) -> None:
    print(f"\nlatency per layer, {len(queries)} queries x {args.rounds} rounds (ms):")
    for layer in layers.values():
        report(layer.title, flat(layer.samples))
    ratios = [
        ("backend/bare", "backend", "bare"),
        ("service/backend", "service", "backend"),
        ("wsgi/service", "wsgi", "service"),
        ("http/backend", "http", "backend"),
    ]
    cells = []
    for label, a, b in ratios:
        if a in layers and b in layers:
            xa, xb = flat(layers[a].samples), flat(layers[b].samples)
            cells.append(f"{label} {pct(xa, 50) / pct(xb, 50):.2f}x / {pct(xa, 95) / pct(xb, 95):.2f}x")
    print("ratios, p50 / p95: " + "; ".join(cells))
    print(
        "CPU of other processes during each phase: "
        + "; ".join(
            f"{layer.name} {layer.phase.others / layer.phase.wall:.2f} cores" for layer in layers.values()
        )
    )
    print("CPU time per call, which other processes' load does not inflate (ms):")
    for layer in layers.values():
        if layer.phase.server is None:
            cpu = flat(layer.timing.cpu)
            print(
                f"  {layer.name:<8} p50 {pct(cpu, 50):6.2f}  p95 {pct(cpu, 95):6.2f}  p99 {pct(cpu, 99):6.2f}"
                f"  mean {statistics.fmean(cpu):6.2f}  (this process)"
            )
        else:
            per_request = layer.phase.server_cpu * 1000 / layer.timing.calls
            print(f"  {layer.name:<8} mean {per_request:6.2f}  (gunicorn master and workers, per request)")

    print(f"\np50 / p95 ms by category and by language ({', '.join(layers)}):")
    print(f"{'':<10} {'n':>4}  " + "  ".join(f"{n:>15}" for n in layers))
    groups: dict[str, set[int]] = defaultdict(set)
    for q in queries:
        groups[q.category].add(q.line)
        groups[f"lang {q.language}"].add(q.line)
    for group in [*CATEGORIES, *(f"lang {x}" for x in (*LANGUAGES, NO_LANGUAGE))]:
        if group in groups:
            values = [flat(layer.samples, groups[group]) for layer in layers.values()]
            row = "  ".join(f"{pct(v, 50):6.2f} / {pct(v, 95):6.2f}" for v in values)
            print(f"{group:<10} {len(groups[group]):>4}  {row}")

    by_line = {q.line: q for q in queries}
    slowest = sorted(
        ((statistics.median(v), line) for line, v in layers["backend"].samples.items()), reverse=True
    )
    print("\nslowest queries by median backend time (ms), with the bare engine's:")
    for median, line in slowest[:10]:
        q = by_line[line]
        bare = statistics.median(layers["bare"].samples[line])
        print(f"  {median:7.2f}  bare {bare:6.2f}  {q.category:<8} {q.language:<2} {q.label}")
    zero = [q.label for q in queries if totals[q.line] == 0]
    print(f"queries with no hits: {len(zero)}" + (f" ({'; '.join(zero)})" if zero else ""))

    if loads:
        print(
            f"\nthroughput: {args.clients} keep-alive connections from one Node.js process, "
            f"{args.duration:.0f} s per set-up, cycling through the {len(queries)} URLs; load generator and "
            f"server share the {os.cpu_count()} cores"
        )
        cores = os.cpu_count() or 1
        for load in loads:
            lat, wall = load.latencies, load.phase.wall
            cpu = (
                f"server {load.phase.server_cpu / wall:.2f}, load generator {load.client_cpu / wall:.2f}, "
                f"other processes {load.phase.others / wall:.2f} cores"
            )
            per_request = (load.phase.server_cpu + load.client_cpu) * 1000 / max(1, len(lat) + load.errors)
            print(
                f"  {load.server:<28} {load.rps:7.1f} req/s  errors {load.errors}  "
                f"p50 {pct(lat, 50):6.1f}  p95 {pct(lat, 95):6.1f}  p99 {pct(lat, 99):6.1f} ms"
            )
            print(
                f"  {'':<28} CPU: {cpu}; {per_request:.1f} ms CPU a request (server and load generator): "
                f"at most {cores * 1000 / per_request:.0f} req/s on {cores} otherwise idle cores"
            )
        best = max(loads, key=lambda load: load.rps)
        print(f"best: {best.server}, {best.rps:.1f} req/s")


if __name__ == "__main__":
    main()
