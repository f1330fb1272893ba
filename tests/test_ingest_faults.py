"""Ingest under faults: oversized files, runs killed with SIGKILL at random points then re-run, a full disk.

Every fault is real: a `sherloc ingest` subprocess killed, a file system that is really full (a small tmpfs
when this process may mount one, else RLIMIT_FSIZE). After the fault and a re-run, the whole store (every
table, row for row) and the search index's documents must equal those of a clean run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tantivy
from sqlalchemy import DateTime, Integer, select, text
from sqlalchemy.pool import NullPool

from sherloc.cli import main
from sherloc.db import make_engine, make_session_factory, upgrade
from sherloc.ingest.pipeline import Ingester
from sherloc.ingest.registry import parsers
from sherloc.models import Base
from sherloc.search.backends import make_backend
from sherloc.search.embedded import EmbeddedBackend
from sherloc.settings import Settings
from sherloc.tagging.store import RecordTagging
from tests.conftest import CORPUS, TEST_DATABASE_URL, fresh_database, ingest_into

KILLS = 28  # kills planned on SQLite (at least MIN_KILLS must land); a few more on PostgreSQL when configured
MIN_KILLS = 20  # a run may end just before its kill comes: it is still re-run and compared, but not counted
PG_KILLS = 4
# Seeded, so a failing plan can be replayed: SHERLOC_FAULT_SEED=<the seed printed> pytest ...
SEED = int(os.environ.get("SHERLOC_FAULT_SEED", "15"))
_FORK = multiprocessing.get_context("fork")
ENDED_BEFORE_THE_KILL = "ended before the kill"


# -- a small corpus with every kind of thing the store holds ----------------------------------------


def _small_corpus(root: Path) -> list[Path]:
    """Laws (zh, es, ar), decisions with case records (lecardv2), UN documents, a bibliography and a
    README: 13 files in 6 sources, ~360 records; a full run takes about 3 s."""
    picks = {
        "zh-cn-laws-lawrefbook": ["经济法", "司法解释", "行政法"],
        "es-es-laws-legalize-es": [
            "es/BOE-A-1971-1178.md",
            "es/BOE-A-1986-10500.md",
            "es/BOE-A-2009-15671.md",
        ],
        "zh-un-ctoc-documents": ["001_21a5c74c930bdabb.txt", "004_307f31fd53a52439.txt", "README.md"],
        "bibliography": ["un-ctoc-documents.json"],
        "ar-sa-laws-saudi-laws-md": ["laws/أنظمة السلطة القضائية وحقوق الإنسان"],
    }
    for source, names in picks.items():
        for name in names:
            src, dst = CORPUS / source / name, root / source / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst)
            else:
                shutil.copyfile(src, dst)
    decisions = root / "zh-cn-decisions-lecardv2" / "query" / "test_query.json"
    decisions.parent.mkdir(parents=True)
    with (CORPUS / "zh-cn-decisions-lecardv2" / "query" / "test_query.json").open(encoding="utf-8") as f:
        decisions.write_text("".join(next(f) for _ in range(12)), encoding="utf-8")
    return sorted(root.iterdir())


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _small_corpus(tmp_path_factory.mktemp("corpus"))


# -- what a store and an index hold, comparable between runs -----------------------------------------


def store_snapshot(url: str) -> dict[str, list[str]]:
    """Every table's rows, sorted, as text: timestamps left out, and surrogate integer ids (which a run
    rolled back may have used up on PostgreSQL) replaced by the row they point to."""
    engine = make_engine(url, poolclass=NullPool)
    surrogate: dict[str, dict[Any, str]] = {}  # table -> {id: the row's text}
    out: dict[str, list[str]] = {}
    try:
        with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                by_id = len(pk) == 1 and isinstance(pk[0].type, Integer)
                rows: list[str] = []
                for row in conn.execute(select(table)).mappings():
                    values: dict[str, Any] = {}
                    for column in table.columns:
                        if isinstance(column.type, DateTime) or (by_id and column is pk[0]):
                            continue
                        value = row[column.name]
                        fks = list(column.foreign_keys)
                        if fks and value is not None and fks[0].column.table.name in surrogate:
                            value = surrogate[fks[0].column.table.name][value]
                        values[column.name] = value
                    line = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
                    rows.append(line)
                    if by_id:
                        surrogate.setdefault(table.name, {})[row[pk[0].name]] = line
                out[table.name] = sorted(rows)
    finally:
        engine.dispose()
    return out


def index_snapshot(settings: Settings) -> list[str]:
    """Every document of the embedded index, stored fields and all, sorted (duplicates would show)."""
    backend = EmbeddedBackend(settings.index_dir)
    searcher = backend._reader().searcher()
    n = searcher.num_docs
    hits = searcher.search(tantivy.Query.all_query(), max(n, 1)).hits if n else []
    docs = [searcher.doc(addr).to_dict() for _score, addr in hits]
    backend.close()
    return sorted(json.dumps(d, sort_keys=True, ensure_ascii=False, default=str) for d in docs)


def assert_same_store(got: dict[str, list[str]], want: dict[str, list[str]]) -> None:
    for table in want:  # table by table: a failure names the table and the first differing rows
        missing = sorted(set(want[table]) - set(got[table]))[:2]
        extra = sorted(set(got[table]) - set(want[table]))[:2]
        assert got[table] == want[table], f"{table}: missing {missing}, extra {extra}"


@dataclass(frozen=True)
class CleanRun:
    store: dict[str, list[str]]
    index: list[str]
    seconds: float  # wall time of a clean run of the ingest command in a forked process


def _cli(sources: list[Path]) -> list[str]:
    return [sys.executable, "-m", "sherloc.cli", "ingest", *map(str, sources)]


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "SHERLOC_DATA_DIR": str(settings.data_dir),
        "SHERLOC_DATABASE_URL": settings.database_url,
    }


def _ingest_command(env: dict[str, str], sources: list[str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the process ends with the command
    main(["ingest", *sources])  # exits with the command's status


def start_ingest(settings: Settings, sources: list[Path]) -> multiprocessing.process.BaseProcess:
    """`sherloc ingest` in a forked process: the command's own code, without the second of start-up
    (imports) a new interpreter takes; SIGKILL ends it as it would the command."""
    proc = _FORK.Process(target=_ingest_command, args=(_env(settings), [str(p) for p in sources]))
    proc.start()
    return proc


def ingest_command(settings: Settings, sources: list[Path]) -> int:
    proc = start_ingest(settings, sources)
    proc.join(timeout=300)
    assert proc.exitcode is not None, "the ingest did not end"
    return proc.exitcode


@pytest.fixture(scope="module")
def clean_run(small_corpus: list[Path], tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    settings = Settings(data_dir=tmp_path_factory.mktemp("clean"), secret_key="t")
    started = time.monotonic()
    assert ingest_command(settings, small_corpus) == 0
    seconds = time.monotonic() - started
    store = store_snapshot(settings.database_url)
    assert len(store["records"]) > 300 and store["cases"] and store["tags"] and store["case_charges"]
    index = index_snapshot(settings)
    assert len(index) == len(store["records"])
    # The real command, in a new interpreter, agrees: nothing left to do.
    again = subprocess.run(_cli(small_corpus), env=_env(settings), capture_output=True, text=True)
    assert again.returncode == 0 and "new                0" in again.stdout, again.stdout + again.stderr
    assert store_snapshot(settings.database_url) == store
    return CleanRun(store, index, seconds)


# -- oversized file ---------------------------------------------------------------------------------


def test_a_200_mb_file_is_reported_and_skipped(settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    big = root / "huge.md"
    with big.open("wb") as f:  # sparse: takes no disk, reads as 200 MB
        f.truncate(200 * 2**20)
    shutil.copyfile(CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-2010-6737.md", root / "aml.md")
    report = ingest_into(settings, [root])
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name["huge.md"].status == "skipped" and "MB" in (by_name["huge.md"].message or "")
    assert by_name["aml.md"].status == "new"


# -- killed at random points ------------------------------------------------------------------------


def _progress(settings: Settings) -> str:
    """Where a run stands, read from outside it: files stored/indexed, cases, whether an index exists."""
    current = (settings.index_dir / "CURRENT").exists()
    if settings.database_url.startswith("sqlite"):
        db = settings.data_dir / "sherloc.db"
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
                stored, indexed = conn.execute(
                    "select count(*), coalesce(sum(indexed), 0) from ingested_files"
                ).fetchone()
                cases = conn.execute("select count(*) from cases").fetchone()[0]
        except sqlite3.Error:
            return f"no store yet, index={current}"
    else:
        engine = make_engine(settings.database_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                stored, indexed = conn.execute(
                    text("select count(*), count(*) filter (where indexed) from ingested_files")
                ).one()
                cases = conn.execute(text("select count(*) from cases")).scalar()
        except Exception:  # noqa: BLE001 - not migrated yet
            return f"no store yet, index={current}"
        finally:
            engine.dispose()
    return f"files stored={stored} indexed={indexed} cases={cases} index={current}"


def _kill_plan(rng: random.Random, kills: int, seconds: float) -> list[tuple[str, float]]:
    """(trigger, delay) per kill: most at delays spread evenly (one per slice, at a random point in it)
    over the clean run's time; a quarter just after the last file is stored, when the index is written."""
    at_index = kills // 4
    spread = kills - at_index
    plan = [("start", (i + rng.random()) / spread * seconds * 1.05) for i in range(spread)]
    plan += [("all stored", rng.uniform(0.0, 0.3)) for _ in range(at_index)]
    rng.shuffle(plan)
    return plan


def _run_killed(settings: Settings, sources: list[Path], trigger: str, delay: float) -> str:
    """Start `sherloc ingest`, SIGKILL it at the planned point; where it stood then (or that it ended)."""
    proc = start_ingest(settings, sources)
    files = sum(1 for p in sources for f in p.rglob("*") if f.is_file())
    if trigger == "all stored":
        deadline = time.monotonic() + 60
        while proc.is_alive() and time.monotonic() < deadline:
            if _progress(settings).startswith(f"files stored={files} "):
                break
            time.sleep(0.01)
    proc.join(timeout=delay)
    if proc.exitcode is not None:
        return f"{ENDED_BEFORE_THE_KILL} ({proc.exitcode})"
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)  # (not yet reaped: the pid is still this process's)
    proc.join(timeout=30)
    if proc.exitcode == 0:
        return ENDED_BEFORE_THE_KILL
    assert proc.exitcode == -signal.SIGKILL
    return _progress(settings)


def _kill_and_rerun(
    settings: Settings, sources: list[Path], clean: CleanRun, trigger: str, delay: float
) -> str:
    state = _run_killed(settings, sources, trigger, delay)
    assert ingest_command(settings, sources) == 0, f"the re-run failed after a kill at {state}"
    assert_same_store(store_snapshot(settings.database_url), clean.store)
    assert index_snapshot(settings) == clean.index
    return state


def test_killed_ingest_reruns_to_a_clean_runs_store(
    small_corpus: list[Path], clean_run: CleanRun, tmp_path: Path
) -> None:
    """KILLS runs of `sherloc ingest` killed at random points (start-up, migration, storing, case
    building, index writing), each followed by a re-run: the store and index equal a clean run's."""
    rng = random.Random(SEED)
    plan = _kill_plan(rng, KILLS, clean_run.seconds)
    print(f"\nseed {SEED} (SHERLOC_FAULT_SEED); a clean run takes {clean_run.seconds:.1f} s")
    killed = 0
    for n, (trigger, delay) in enumerate(plan):
        started = time.monotonic()
        settings = Settings(data_dir=tmp_path / f"run{n}", secret_key="t")
        state = _kill_and_rerun(settings, small_corpus, clean_run, trigger, delay)
        killed += not state.startswith(ENDED_BEFORE_THE_KILL)
        print(f"kill {n:2}: {trigger} + {delay:.2f} s -> {state} ({time.monotonic() - started:.1f} s)")
    assert killed >= MIN_KILLS, f"only {killed} of {len(plan)} runs were killed before they ended"


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SHERLOC_TEST_DATABASE_URL is not set")
def test_killed_ingest_reruns_to_a_clean_runs_store_on_postgresql(
    small_corpus: list[Path], clean_run: CleanRun, tmp_path: Path
) -> None:
    rng = random.Random(SEED + 1)
    plan = _kill_plan(rng, PG_KILLS, clean_run.seconds)
    print(f"\nseed {SEED} (SHERLOC_FAULT_SEED)")
    for n, (trigger, delay) in enumerate(plan):
        with fresh_database("postgresql", tmp_path) as url:
            settings = Settings(data_dir=tmp_path / f"run{n}", secret_key="t", database_url=url)
            state = _kill_and_rerun(settings, small_corpus, clean_run, trigger, delay)
        print(f"kill {n}: {trigger} + {delay:.2f} s -> {state}")


# -- a full disk ------------------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(where: Path, size_kb: int) -> Iterator[Callable[[int], None]]:
    """A tmpfs of `size_kb` mounted at `where` (a really full disk: writes fail with ENOSPC); yields a
    function that resizes it. Skips when this process may not mount (not root, no CAP_SYS_ADMIN)."""
    where.mkdir(parents=True, exist_ok=True)

    def mount(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)],
            capture_output=True,
            text=True,
        )

    if shutil.which("mount") is None or mount(f"size={size_kb}k").returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        yield lambda kb: _check(mount("remount", f"size={kb}k"))
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _check(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr


def _used_kb(path: Path) -> int:
    stats = os.statvfs(path)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize // 1024


def _ingest_limited(settings: Settings, sources: list[Path], fsize: int | None = None) -> tuple[int, str]:
    """`sherloc ingest` in a new interpreter, no file it writes larger than `fsize` bytes when given
    (RLIMIT_FSIZE; Python ignores SIGXFSZ, so such a write fails with EFBIG)."""

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, resource.RLIM_INFINITY))

    done = subprocess.run(
        _cli(sources), env=_env(settings), capture_output=True, text=True, timeout=300, preexec_fn=limit
    )
    return done.returncode, done.stdout + done.stderr


def _assert_nothing_committed_lost(settings: Settings, before: dict[str, list[str]]) -> None:
    """The store opens and checks out; what the first run committed is all there, as it was; and each
    file marked as ingested has its records and the bytes it was read from."""
    db = settings.data_dir / "sherloc.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        files = conn.execute("select path, sha256, status, record_ids from ingested_files").fetchall()
        ids = {rid for (rid,) in conn.execute("select id from records")}
    after = store_snapshot(settings.database_url)
    for table in ("records", "tags", "cases", "case_charges", "ingested_files"):
        assert set(before[table]) <= set(after[table]), table
    for path, sha256, status, record_ids in files:
        if status == "ok":
            assert sha256 == hashlib.sha256(Path(path).read_bytes()).hexdigest(), path
            assert set(json.loads(record_ids)) <= ids, path


DISK_FULL_WORDS = re.compile(r"disk.{0,30}full|no space left", re.IGNORECASE)


@pytest.mark.parametrize("fault", ["tmpfs full", "RLIMIT_FSIZE"])
def test_a_full_disk_stops_the_ingest_clearly_and_loses_nothing_committed(
    fault: str, small_corpus: list[Path], clean_run: CleanRun, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "disk" / "data", secret_key="t")
    first = [p for p in small_corpus if p.name in ("bibliography", "ar-sa-laws-saudi-laws-md")]
    with contextlib.ExitStack() as stack:
        resize = (
            stack.enter_context(small_disk(tmp_path / "disk", 64 * 1024)) if fault == "tmpfs full" else None
        )
        status, output = _ingest_limited(settings, first)
        assert status == 0, output
        before = store_snapshot(settings.database_url)
        db_bytes = (settings.data_dir / "sherloc.db").stat().st_size
        if resize is not None:  # ~300 KB left: the store fills the disk part-way through the run
            resize(_used_kb(tmp_path / "disk") + 300)
            status, output = _ingest_limited(settings, small_corpus)
        else:
            status, output = _ingest_limited(settings, small_corpus, fsize=db_bytes + 300 * 1024)
        assert status != 0, output
        print(output)
        assert DISK_FULL_WORDS.search(output) and "ingest stopped" in output, output
        assert "Traceback" not in output, output
        _assert_nothing_committed_lost(settings, before)
        if resize is not None:
            resize(64 * 1024)  # space freed
        status, output = _ingest_limited(settings, small_corpus)
        assert status == 0, output
        assert_same_store(store_snapshot(settings.database_url), clean_run.store)
        assert index_snapshot(settings) == clean_run.index


def test_a_full_index_disk_stops_the_ingest_clearly_and_the_rerun_indexes(
    small_corpus: list[Path], clean_run: CleanRun, tmp_path: Path
) -> None:
    """The index on a disk of its own that fills up: the store keeps every file, none is marked indexed
    before the index has it, and the run after space is freed indexes them all."""
    settings = Settings(data_dir=tmp_path / "data", secret_key="t")
    with small_disk(settings.index_dir, 128) as resize:
        status, output = _ingest_limited(settings, small_corpus)
        assert status != 0, output
        print(output)
        assert DISK_FULL_WORDS.search(output) and "search index" in output, output
        assert "Traceback" not in output, output
        _assert_nothing_committed_lost(settings, {table: [] for table in clean_run.store})
        resize(64 * 1024)
        status, output = _ingest_limited(settings, small_corpus)
        assert status == 0, output
        assert_same_store(store_snapshot(settings.database_url), clean_run.store)
        assert index_snapshot(settings) == clean_run.index


# -- a parser's bug ---------------------------------------------------------------------------------


class _BuggyParser:
    """A parser with a bug of the kind no error list foresees (an AttributeError deep in its code)."""

    name = "buggy"

    def detect(self, path: Path, head: str) -> bool:
        return path.suffix == ".buggy"

    def parse(self, path: Path) -> Iterator[Any]:
        raise AttributeError("'NoneType' object has no attribute 'text'")
        yield


def test_a_parser_bug_fails_its_file_and_the_run_goes_on(settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.buggy").write_text("anything", encoding="utf-8")
    shutil.copyfile(CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-2010-6737.md", root / "aml.md")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        ingester = Ingester(
            make_session_factory(engine),
            make_backend(settings),
            [_BuggyParser(), *parsers()],
            tagging=RecordTagging(settings.vocab_dir),
        )
        report = ingester.run([root])
    finally:
        engine.dispose()
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name["a.buggy"].status == "failed"
    assert (
        by_name["a.buggy"].message
        == "parser error: AttributeError: 'NoneType' object has no attribute 'text'"
    )
    assert by_name["aml.md"].status == "new"
