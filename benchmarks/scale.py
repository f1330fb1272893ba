"""Scale benchmark of the embedded backend: the real corpora replicated to 1x, 10x and 100x their size.

    nice .venv/bin/python benchmarks/scale.py [--data /tmp/sherloc-bench-corpora] [--work /tmp/sherloc-scale]
        [--sizes 1,10,100] [--rounds 3] [--every 1] [--concurrent 2] [--workers-memory 1] [--keep]

No legal text is generated. For a factor k the record store of --data (all of ../shared/corpora, as
benchmarks/ingest_corpora.py or search_corpora.py ingest it) is streamed k times into one index: copy 0
keeps the real ids, copy r >= 1 gets ids `<id>~r<r>` and parent ids remapped the same way, so a provision
stays linked to its own copy of its law. Texts, titles, tags and dates are the real ones.

For each size, printed as it goes (a run stopped part-way still says something):

  build    `backend.rebuild(...)` in a fresh process, as `sherloc index rebuild` runs it (one process, one
           tantivy writer): documents, seconds, documents/s, the part spent reading the store and making
           documents, CPU seconds (all its threads), peak RSS of that process, index size on disk and
           records per GiB of index.
  open     a fresh app on the new index (page cache warm from the build): the first search, which opens
           the index, and the same search again.
  search   the fixed queries of benchmarks/search_queries.txt through sherloc.services.search.run_search
           as the API calls it (cross-language expansion, 5 facets, 10 hits highlighted): one warm-up
           round, then --rounds rounds, one client; p50/p95/p99.
  2 procs  the same query mix from --concurrent processes at once, each with its own app: latency and
           queries/s together.
  workers  (sizes in --workers-memory) gunicorn started as `sherloc serve --workers 2` starts it, warmed
           with the queries and record pages; RSS, PSS, USS, the file-backed part of PSS and anonymous
           memory (/proc/<pid>/smaps_rollup) of the master and each worker, before and after warming.

The store of --data is copied into --work and brought to the latest schema there (the shared data folder
is left as it is). Each size's index is deleted after it is measured unless --keep. Other processes' CPU
use during each phase is printed beside it: the machine is shared. Any factor works (--sizes 30).

The figures of docs/deploy.md ("Sizing") came from these two runs (about 6 and 18 minutes on 2 cores); 100x
(about an hour of build CPU alone, from the documents per CPU second these print) was extrapolated:

    nice .venv/bin/python benchmarks/scale.py --sizes 1,10 --rounds 2 --workers-memory 1,10
    nice .venv/bin/python benchmarks/scale.py --sizes 30 --rounds 2 --workers-memory 30
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import multiprocessing as mp
import os
import queue
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.search_corpora import (  # noqa: E402
    LATENCY_SERVER,
    QUERIES_FILE,
    BenchQuery,
    Client,
    Phase,
    Server,
    flat,
    gunicorn,
    load_queries,
    machine_busy_seconds,
    machine_facts,
    own_seconds,
    pct,
    service_call,
    time_rounds,
)
from sherloc.app import Portal, create_app  # noqa: E402
from sherloc.db import make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.models import Record  # noqa: E402
from sherloc.search.backends import make_backend  # noqa: E402
from sherloc.search.base import IndexDocument  # noqa: E402
from sherloc.search.indexer import iter_index_documents  # noqa: E402
from sherloc.settings import Settings  # noqa: E402

DEFAULT_DATA = Path(tempfile.gettempdir()) / "sherloc-bench-corpora"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "sherloc-scale"
PROGRESS_EVERY = 100_000  # documents between progress lines while building
RECORD_PAGES = 100  # records whose page and API record are fetched when warming gunicorn
GIB = 2**30


# -- replication ----------------------------------------------------------------------------------------


def copy_id(value: str | None, copy: int) -> str | None:
    """The id of a record (or of its parent) in copy `copy`; copy 0 is the real record."""
    if value is None or copy == 0:
        return value
    return f"{value}~r{copy}"


def replicated(store_url: str, factor: int) -> Iterator[IndexDocument]:
    """The store's index documents `factor` times, streamed (one store pass per copy, nothing held)."""
    engine = make_engine(store_url)
    try:
        for copy in range(factor):
            with make_session_factory(engine)() as session:
                for doc in iter_index_documents(session):
                    if copy:
                        doc = dataclasses.replace(
                            doc, id=f"{doc.id}~r{copy}", parent_id=copy_id(doc.parent_id, copy)
                        )
                    yield doc
    finally:
        engine.dispose()


# -- building (in a fresh process, so that its peak RSS is the build's) -----------------------------------


@dataclasses.dataclass
class Build:
    factor: int
    documents: int
    seconds: float
    producing: float  # of which reading the store and making documents
    cpu: float  # CPU seconds of the build process, all its threads: what other processes cannot skew
    peak_rss: int  # bytes
    index_bytes: int
    index_dir: str

    @property
    def rate(self) -> float:
        return self.documents / self.seconds

    @property
    def per_gib(self) -> float:
        return self.documents / (self.index_bytes / GIB)


def rss_bytes(field: str = "VmRSS") -> int:
    """This process's resident memory now (VmRSS) or at its peak (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_index(settings: Settings, factor: int, results: Any) -> None:
    """Rebuild settings' index from the store replicated `factor` times; put a Build on `results`."""
    label = f"{factor}x"
    producing = 0.0
    count = 0
    started, cpu0 = time.perf_counter(), time.process_time()

    def timed(docs: Iterator[IndexDocument]) -> Iterator[IndexDocument]:
        nonlocal producing, count
        while True:
            t0 = time.perf_counter()
            try:
                doc = next(docs)
            except StopIteration:
                producing += time.perf_counter() - t0
                break
            producing += time.perf_counter() - t0
            count += 1
            if count % PROGRESS_EVERY == 0:
                elapsed = time.perf_counter() - started
                print(
                    f"  {label} build: {count:,} documents in {elapsed:.0f} s, {count / elapsed:.0f}/s "
                    f"(store and documents {producing:.0f} s), CPU {time.process_time() - cpu0:.0f} s, "
                    f"RSS {rss_bytes() / 2**20:.0f} MB, "
                    f"on disk {tree_bytes(settings.index_dir) / 2**20:.0f} MB",
                    flush=True,
                )
            yield doc
        print(
            f"  {label} build: all {count:,} documents handed to the writer after "
            f"{time.perf_counter() - started:.0f} s; committing and merging",
            flush=True,
        )

    backend = make_backend(settings)
    documents = backend.rebuild(timed(replicated(settings.database_url, factor)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
    build = (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    index_dir = settings.index_dir / build
    results.put(
        Build(
            factor,
            documents,
            seconds,
            producing,
            cpu,
            rss_bytes("VmHWM"),
            tree_bytes(index_dir),
            str(index_dir),
        )
    )


def run_build(settings: Settings, factor: int) -> Build:
    context = mp.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=build_index, args=(settings, factor, results))
    process.start()
    while True:  # get before join: a queued object is flushed before the process ends
        try:
            build: Build = results.get(timeout=5)
            break
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(f"the {factor}x build exited with {process.exitcode}") from None
    process.join()
    return build


# -- searching ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Search:
    first_ms: float  # the first search of a fresh app: opens the index
    again_ms: float  # the same search right after
    latencies: list[float]
    phase: Phase
    concurrent: list[float] = dataclasses.field(default_factory=list)
    concurrent_qps: float = 0.0
    concurrent_phase: Phase | None = None


def open_app(settings: Settings) -> tuple[Portal, Any]:
    portal: Portal = create_app(settings).extensions["sherloc"]
    _ = portal.tagger  # built on an app's first search: not the index's cost
    return portal, service_call(portal)


def measure_search(settings: Settings, queries: Sequence[BenchQuery], rounds: int, procs: int) -> Search:
    params = {q.line: q.params() for q in queries}
    portal, search = open_app(settings)
    first = params[queries[0].line]
    t0 = time.perf_counter()
    search(first)
    first_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    search(first)
    again_ms = (time.perf_counter() - t0) * 1000
    with Phase("search").measure() as phase:
        timing = time_rounds(queries, lambda q: search(params[q.line]), rounds)
    portal.search.close()
    portal.engine.dispose()
    result = Search(first_ms, again_ms, flat(timing.wall), phase)
    if procs > 1:
        result.concurrent, result.concurrent_qps, result.concurrent_phase = concurrent_search(
            settings, queries, rounds, procs
        )
    return result


def search_process(
    settings: Settings,
    lines: list[int],
    queries_file: str,
    rounds: int,
    seed: int,
    barrier: Barrier,
    out: Any,
) -> None:
    """One of the concurrent searchers: warm up alone, then the query mix in its own order."""
    queries = {q.line: q for q in load_queries(Path(queries_file))}
    params = [queries[line].params() for line in lines]
    portal, search = open_app(settings)
    for p in params:
        search(p)
    order = [p for _ in range(rounds) for p in params]
    random.Random(seed).shuffle(order)
    barrier.wait()
    latencies = []
    cpu = time.process_time()
    for p in order:
        t0 = time.perf_counter()
        search(p)
        latencies.append((time.perf_counter() - t0) * 1000)
    out.put((latencies, time.process_time() - cpu))
    portal.search.close()


def concurrent_search(
    settings: Settings, queries: Sequence[BenchQuery], rounds: int, procs: int
) -> tuple[list[float], float, Phase]:
    context = mp.get_context("spawn")
    barrier = context.Barrier(procs + 1)
    out = context.Queue()
    lines = [q.line for q in queries]
    queries_file = str(QUERIES_FILE)
    processes = [
        context.Process(
            target=search_process, args=(settings, lines, queries_file, rounds, seed, barrier, out)
        )
        for seed in range(procs)
    ]
    for process in processes:
        process.start()
    barrier.wait()  # all warmed up
    # The phase's CPU is counted by hand: the searchers' warm-up is not the timed part.
    phase = Phase(f"{procs} processes")
    busy, own, t0 = machine_busy_seconds(), own_seconds(), time.perf_counter()
    answers = [out.get() for _ in processes]
    phase.wall = time.perf_counter() - t0
    searching = sum(cpu for _, cpu in answers)
    phase.others = max(0.0, machine_busy_seconds() - busy - (own_seconds() - own) - searching)
    for process in processes:
        process.join()
    latencies = [ms for found, _ in answers for ms in found]
    return latencies, len(latencies) / phase.wall, phase


# -- gunicorn workers' memory ---------------------------------------------------------------------------


def memory_of(pid: int) -> dict[str, int]:
    """RSS, PSS, USS (private clean + dirty), the file-backed part of PSS (index pages in the page cache,
    shared by every process that maps them) and anonymous memory (the heap: what a worker alone costs), in
    bytes, from /proc/<pid>/smaps_rollup. USS counts index pages only this worker has touched as its own."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) * 1024
    return {
        "rss": fields["Rss"],
        "pss": fields["Pss"],
        "uss": fields["Private_Clean"] + fields["Private_Dirty"],
        "file": fields.get("Pss_File", 0),
        "anon": fields.get("Anonymous", 0),
    }


def server_processes(server: Server) -> list[tuple[str, int]]:
    """(role, pid) of the gunicorn master and its workers."""
    master = server.process.pid
    children = []
    for stat in sorted(Path("/proc").glob("[0-9]*/stat"), key=lambda p: int(p.parent.name)):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(stat.parent.name))
    return [("master", master), *((f"worker {i + 1}", pid) for i, pid in enumerate(children))]


def print_memory(label: str, server: Server) -> None:
    for role, pid in server_processes(server):
        m = memory_of(pid)
        print(
            f"  {label:<14} {role:<9} RSS {m['rss'] / 2**20:7.1f} MB  PSS {m['pss'] / 2**20:7.1f} MB  "
            f"USS {m['uss'] / 2**20:7.1f} MB  PSS file-backed {m['file'] / 2**20:6.1f} MB  "
            f"anonymous {m['anon'] / 2**20:6.1f} MB",
            flush=True,
        )


def workers_memory(settings: Settings, queries: Sequence[BenchQuery]) -> None:
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(select(Record.id).order_by(Record.id))]
    engine.dispose()
    picked = random.Random(7).sample(ids, min(RECORD_PAGES, len(ids)))
    urls = [q.url() for q in queries]
    urls += [f"/records/{quote(i)}" for i in picked] + [f"/api/v1/records/{quote(i)}" for i in picked]
    os.environ["SHERLOC_DATABASE_URL"] = settings.database_url
    with (
        tempfile.TemporaryDirectory() as tmp,
        gunicorn(settings.data_dir, LATENCY_SERVER, Path(tmp) / "gunicorn.log") as server,
    ):
        print_memory("started", server)
        statuses: dict[int, int] = {}

        def fetch(part: list[str]) -> None:
            client = Client(server.port)
            for url in part:
                status, _ = client.get(url)
                statuses[status] = statuses.get(status, 0) + 1
            client.close()

        # Two clients at once so that both sync workers get searches and pages.
        for _ in range(2):
            threads = [threading.Thread(target=fetch, args=(urls[i::2],)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        print(f"  warmed with {sum(statuses.values())} requests: HTTP statuses {statuses}", flush=True)
        print_memory("warm", server)


# -- the run --------------------------------------------------------------------------------------------


def prepare_store(data: Path, work: Path) -> str:
    """A copy of data's store in work, at the latest schema; its SQLAlchemy URL."""
    source = data / "sherloc.db"
    if not source.exists():
        raise SystemExit(f"no store at {source}: run benchmarks/ingest_corpora.py --keep {data} first")
    store = work / "store" / "sherloc.db"
    store.parent.mkdir(parents=True, exist_ok=True)
    if not store.exists() or store.stat().st_mtime < source.stat().st_mtime:
        shutil.copyfile(source, store)
    url = f"sqlite:///{store}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def store_facts(store_url: str) -> str:
    """Records by kind, characters of text and the store's size: what one copy holds."""
    engine = make_engine(store_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Record.kind, func.count(), func.sum(func.length(Record.text))).group_by(Record.kind)
        ).all()
    engine.dispose()
    kinds = ", ".join(f"{kind} {n:,}" for kind, n, _ in rows)
    records, chars = sum(n for _, n, _ in rows), sum(c or 0 for _, _, c in rows)
    size = Path(store_url.removeprefix("sqlite:///")).stat().st_size
    return (
        f"one copy: {records:,} records ({kinds}); {chars / 1e6:.1f} million characters of text; "
        f"store (SQLite) {size / 2**20:.0f} MB, {size / records:,.0f} bytes a record"
    )


def size_settings(work: Path, factor: int, store_url: str) -> Settings:
    return Settings(data_dir=work / f"{factor}x", database_url=store_url, secret_key="bench")


def others(phase: Phase | None) -> str:
    return f"{phase.others / phase.wall:.2f}" if phase and phase.wall else "-"


def print_row(build: Build, search: Search | None) -> None:
    cells = [
        f"{build.factor}x",
        f"{build.documents:,}",
        f"{build.seconds:,.0f}",
        f"{build.rate:,.0f}",
        f"{build.producing / build.seconds:.0%}",
        f"{build.cpu:,.0f}",
        f"{build.peak_rss / 2**20:,.0f}",
        f"{build.index_bytes / 2**20:,.0f}",
        f"{build.per_gib:,.0f}",
    ]
    if search is not None:
        lat, conc = search.latencies, search.concurrent
        cells += [
            f"{search.first_ms:,.0f} / {search.again_ms:,.0f}",
            f"{pct(lat, 50):,.1f} / {pct(lat, 95):,.1f} / {pct(lat, 99):,.1f}",
            others(search.phase),
        ]
        if conc:
            cells += [
                f"{pct(conc, 50):,.1f} / {pct(conc, 95):,.1f} / {pct(conc, 99):,.1f}",
                f"{search.concurrent_qps:.1f}",
                others(search.concurrent_phase),
            ]
    print(" | ".join(cells), flush=True)


HEADER = (
    "size | documents | build s | docs/s | store+docs share | build CPU s | build peak RSS MB | index MB | "
    "records/GiB | "
    "open: first / again ms | 1 client p50 / p95 / p99 ms | others (cores) | "
    "N procs p50 / p95 / p99 ms | N procs queries/s | others (cores)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder holding the store")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where the indexes are built")
    parser.add_argument("--sizes", default="1,10", help="replication factors, e.g. 1,10,100")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the queries per size")
    parser.add_argument("--every", type=int, default=1, help="time every Nth query only (for big sizes)")
    parser.add_argument("--concurrent", type=int, default=2, help="searching processes at once (1: none)")
    parser.add_argument(
        "--workers-memory", default="1", help="sizes at which to measure gunicorn workers' memory ('': none)"
    )
    parser.add_argument("--skip-search", action="store_true", help="build and measure the index only")
    parser.add_argument("--keep", action="store_true", help="keep each size's index in --work")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    memory_sizes = {int(s) for s in args.workers_memory.split(",") if s}

    print("command: " + " ".join([os.path.relpath(sys.executable, Path.cwd()), *sys.argv]))
    print(machine_facts() + f"; load average {os.getloadavg()[0]:.2f}; niceness {os.nice(0)}")
    work = args.work.resolve()
    store_url = prepare_store(args.data.resolve(), work)
    print(store_facts(store_url))
    queries = [q for q in load_queries(QUERIES_FILE) if not q.expect_error][:: args.every]
    print(
        f"store: {store_url}; queries: {len(queries)} of {QUERIES_FILE.name}, "
        f"{args.rounds} rounds after a warm-up; {args.concurrent} concurrent processes",
        flush=True,
    )
    rows: list[tuple[Build, Search | None]] = []
    for factor in sizes:
        settings = size_settings(work, factor, store_url)
        free = shutil.disk_usage(work).free
        print(f"\n== {factor}x: building in {settings.index_dir} ({free / GIB:.0f} GiB free)", flush=True)
        try:
            with Phase("build").measure() as phase:
                build = run_build(settings, factor)
            print(
                f"{factor}x built: {build.documents:,} documents in {build.seconds:,.0f} s "
                f"({build.rate:,.0f}/s; reading the store and making documents {build.producing:,.0f} s; "
                f"CPU {build.cpu:,.0f} s, {build.documents / build.cpu:,.0f} documents per CPU second); "
                f"peak RSS {build.peak_rss / 2**20:,.0f} MB; index {build.index_bytes / 2**20:,.0f} MB, "
                f"{build.per_gib:,.0f} records/GiB; other processes {others(phase)} cores",
                flush=True,
            )
            search = None
            if not args.skip_search:
                search = measure_search(settings, queries, args.rounds, args.concurrent)
            print(HEADER.replace("N procs", f"{args.concurrent} procs"))
            print_row(build, search)
            rows.append((build, search))
            if factor in memory_sizes:
                print(f"{factor}x gunicorn workers' memory ({LATENCY_SERVER[0]} sync workers):", flush=True)
                workers_memory(settings, queries)
        finally:
            if not args.keep:
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(settings.data_dir)

    print(f"\n{HEADER.replace('N procs', f'{args.concurrent} procs')}")
    for build, search in rows:
        print_row(build, search)


if __name__ == "__main__":
    main()
