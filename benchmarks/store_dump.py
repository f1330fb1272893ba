"""Benchmark of moving a whole store: `sherloc export` and `sherloc import` rates (rows/s, MB/s).

    .venv/bin/python benchmarks/store_dump.py [--data DIR] [--target-url URL] [--gzip]

The source is the demo corpus ingested into a temporary data folder, or with --data an existing data
folder's SQLite store (sherloc.db). A store at an older schema revision is copied and the copy migrated
(the export requires the current schema); the folder itself is only read. The export is written to a
temporary file (gzip-compressed with --gzip), then imported into a new SQLite store in a temporary folder,
or with --target-url into that (empty) store, e.g. a new PostgreSQL database. The target is exported
again and its end hash compared with the first export's: the rows must be the same.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from sherloc.db import head_revision, make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.ingest.pipeline import Ingester, corpus_sources  # noqa: E402
from sherloc.services.store_dump import (  # noqa: E402
    DumpReport,
    export_store,
    import_store,
    store_revision,
)
from sherloc.settings import Settings  # noqa: E402
from sherloc.tagging.store import RecordTagging  # noqa: E402


@contextmanager
def session_of(url: str) -> Iterator[Session]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def demo_store(folder: Path) -> str:
    settings = Settings(data_dir=folder, secret_key="bench")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    Ingester(make_session_factory(engine), None, tagging=RecordTagging(settings.vocab_dir)).run(
        corpus_sources(REPO / "corpus")
    )
    engine.dispose()
    return settings.database_url


def existing_store(data: Path, folder: Path) -> str:
    """The URL of `data`'s store, or of a migrated copy of it when it is at an older schema."""
    url = f"sqlite:///{data / 'sherloc.db'}"
    with session_of(url) as session:
        revision = store_revision(session)
    if revision == head_revision():
        return url
    copy = folder / "sherloc.db"
    print(
        f"{data / 'sherloc.db'} is at schema {revision}: migrating a copy to {head_revision()}",
        file=sys.stderr,
    )
    shutil.copyfile(data / "sherloc.db", copy)
    started = time.perf_counter()
    engine = make_engine(f"sqlite:///{copy}")
    upgrade(engine)
    engine.dispose()
    print(f"  migrated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return f"sqlite:///{copy}"


def open_dump(path: Path, mode: str) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8", compresslevel=6)
    return path.open(mode, encoding="utf-8", newline="\n")


def text_bytes(path: Path) -> int:
    """The size of the JSON lines themselves (uncompressed)."""
    if path.suffix != ".gz":
        return path.stat().st_size
    with gzip.open(path, "rb") as stream:
        return sum(len(chunk) for chunk in iter(lambda: stream.read(1 << 20), b""))


def export_to(url: str, path: Path) -> tuple[DumpReport, float]:
    started = time.perf_counter()
    with session_of(url) as session, open_dump(path, "w") as out:
        report = export_store(session, out)
    return report, time.perf_counter() - started


def line(label: str, report: DumpReport, seconds: float, size: int) -> str:
    rate, mb = report.total / seconds, size / seconds / 1e6
    return f"{label:<8}{report.total:>10} rows {seconds:>8.1f} s {rate:>10.0f} rows/s {mb:>8.1f} MB/s"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, help="an existing data folder (its sherloc.db)")
    parser.add_argument("--target-url", help="an empty store to import into (default: a new SQLite store)")
    parser.add_argument("--gzip", action="store_true", help="write the export compressed, as store.jsonl.gz")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sherloc-dump-bench-") as tmp:
        folder = Path(tmp)
        (folder / "source").mkdir()
        source = existing_store(args.data, folder / "source") if args.data else demo_store(folder / "source")
        target = args.target_url or f"sqlite:///{folder / 'target' / 'sherloc.db'}"
        engine = make_engine(target)
        upgrade(engine)
        engine.dispose()

        path = folder / ("store.jsonl.gz" if args.gzip else "store.jsonl")
        exported, export_seconds = export_to(source, path)
        size = text_bytes(path)

        started = time.perf_counter()
        with session_of(target) as session, open_dump(path, "r") as lines:
            imported = import_store(session, lines)
        import_seconds = time.perf_counter() - started

        again, again_seconds = export_to(target, folder / "again.jsonl")
        assert again.sha256 == exported.sha256 and again.rows == exported.rows, "the target differs"

        print(f"source  {source if args.data else 'the demo corpus'}")
        print(f"target  {make_url(target).render_as_string(hide_password=True)}")
        on_disk = path.stat().st_size / 1e6
        print(f"file    {path.name}: {on_disk:.1f} MB on disk, {size / 1e6:.1f} MB of JSON lines")
        print(line("export", exported, export_seconds, size))
        print(line("import", imported, import_seconds, size))
        print(line("export", again, again_seconds, size) + " (of the target)")
        print("rows    " + json.dumps({k: v for k, v in exported.rows.items() if v}))
        print("check   re-exported target: same rows, same end hash")


if __name__ == "__main__":
    main()
