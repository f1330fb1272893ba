"""Bibliography import and export speed: parse and dump per format, ingest, and export over the API.

    .venv/bin/python benchmarks/bibliography.py [--copies 200]

The entries are the demo's 48 seed entries (corpus/bibliography) and the real golden files'
(tests/golden/bibliography), repeated `--copies` times under new keys so that the library is large enough
to time (about 10,000 entries at the default). Prints entries/s for parse and dump in BibTeX, RIS and
CSL-JSON, the ingest of the BibTeX file into a fresh store (records/s), and /api/v1/export of all of them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sherloc.app import create_app  # noqa: E402
from sherloc.bibliography import FORMATS, BibEntry, dump, parse  # noqa: E402
from sherloc.db import make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.ingest.pipeline import Ingester  # noqa: E402
from sherloc.search.backends import make_backend  # noqa: E402
from sherloc.settings import Settings  # noqa: E402
from sherloc.tagging.store import RecordTagging  # noqa: E402


def _library(copies: int) -> list[BibEntry]:
    seed = parse(
        (REPO / "corpus" / "bibliography" / "un-ctoc-documents.json").read_text(encoding="utf-8"), "csl-json"
    )
    golden = REPO / "tests" / "golden" / "bibliography"
    seed += parse((golden / "thuthesis-refs.excerpt.bib").read_text(encoding="utf-8"), "bibtex")
    seed += parse((golden / "rispy-example_utf_chars.ris").read_text(encoding="utf-8"), "ris")
    return [dataclasses.replace(e, key=f"{e.key}-{i}") for i in range(copies) for e in seed]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()
    entries = _library(args.copies)
    print(f"{len(entries):,} entries")
    files = {}
    for fmt in FORMATS:
        started = time.perf_counter()
        files[fmt] = dump(entries, fmt)
        dumped = time.perf_counter() - started
        started = time.perf_counter()
        back = parse(files[fmt], fmt)
        parsed = time.perf_counter() - started
        assert back == entries, fmt
        size = len(files[fmt]) / 2**20
        print(
            f"  {fmt:9} dump {len(entries) / dumped:9,.0f} entries/s   "
            f"parse {len(entries) / parsed:9,.0f} entries/s   {size:5.1f} MB, round trip identical"
        )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        (folder / "library.bib").write_text(files["bibtex"], encoding="utf-8")
        settings = Settings(data_dir=Path(tmp) / "data", secret_key="bench")
        engine = make_engine(settings.database_url)
        upgrade(engine)
        started = time.perf_counter()
        report = Ingester(
            make_session_factory(engine), make_backend(settings), tagging=RecordTagging(settings.vocab_dir)
        ).run([folder])
        seconds = time.perf_counter() - started
        rate = report.records / seconds
        print(f"ingest (parse, tag, store, index): {report.records:,} in {seconds:.1f} s, {rate:,.0f}/s")
        client = create_app(settings).test_client()
        for fmt in FORMATS:
            started = time.perf_counter()
            response = client.get(f"/api/v1/export?q=kind:bibliography&format={fmt}&limit=10000")
            body = response.get_data()
            seconds = time.perf_counter() - started
            print(f"  /api/v1/export format={fmt:9} {len(body) / 2**20:5.1f} MB in {seconds:.2f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
