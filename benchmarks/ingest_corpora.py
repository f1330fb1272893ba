"""Benchmark: ingest all of ../shared/corpora into a fresh data folder; print speed, memory, skips, and
the accuracy of both language detectors.

    .venv/bin/python benchmarks/ingest_corpora.py [--corpora ../shared/corpora] [--keep DIR]

Prints files/s, MB/s, records, peak memory (RSS), every skipped or failed file with its reason, and the
accuracy of langdetect, lingua and the portal's combined detector on long passages (provision texts of
200+ characters) and on short texts (provision headings and titles under 60 characters). The ground
truth is the language each source declares: every source in the shared corpora is in one language.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402

from sherloc.db import make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.ingest import language  # noqa: E402
from sherloc.ingest.pipeline import Ingester, iter_files  # noqa: E402
from sherloc.models import Record  # noqa: E402
from sherloc.search.backends import make_backend  # noqa: E402
from sherloc.settings import Settings  # noqa: E402

# Not legal texts: boundaries and country names, used by the map.
NOT_INGESTED = {"geo-world-countries": "country boundaries and names (map data, not legal text)"}
SAMPLE_PER_LANGUAGE = 300


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest(corpora: Path, data_dir: Path) -> None:
    sources = [p for p in sorted(corpora.iterdir()) if p.is_dir() and p.name not in NOT_INGESTED]
    for name, why in NOT_INGESTED.items():
        print(f"not ingested: {name}: {why}")
    files = list(iter_files(sources))
    megabytes = sum(f.stat().st_size for f in files) / 2**20
    settings = Settings(data_dir=data_dir, secret_key="bench")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    started = time.perf_counter()
    report = Ingester(make_session_factory(engine), make_backend(settings)).run(sources)
    seconds = time.perf_counter() - started
    statuses = Counter(o.status for o in report.outcomes)
    print(
        f"ingest: {len(files)} files, {megabytes:.1f} MB, {report.records} records, {report.indexed} indexed "
        f"in {seconds:.1f} s: {len(files) / seconds:.1f} files/s, {megabytes / seconds:.2f} MB/s, "
        f"{report.records / seconds:.0f} records/s; peak RSS {peak_rss_mb():.0f} MB"
    )
    print("files by status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    for outcome in report.outcomes:
        if outcome.status in ("skipped", "failed"):
            print(f"  {outcome.status}: {outcome.path}: {outcome.message}")
    notes = [o for o in report.outcomes if o.message and o.status not in ("skipped", "failed")]
    print(f"files with notes (e.g. language disagreements): {len(notes)}")
    for outcome in notes[:20]:
        print(f"  note: {Path(outcome.path).name}: {outcome.message[:200]}")
    by_kind = Counter(k for (k,) in make_session_factory(engine)().execute(select(Record.kind)))
    print("records by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())))
    language_accuracy(engine)
    engine.dispose()


def language_accuracy(engine: object) -> None:
    session = make_session_factory(engine)()  # type: ignore[arg-type]
    rows = session.execute(
        select(Record.declared_language, Record.text, Record.heading, Record.kind).where(
            Record.declared_language.is_not(None)
        )
    ).all()
    rng = random.Random(42)
    long_texts: dict[str, list[str]] = defaultdict(list)
    short_texts: dict[str, list[str]] = defaultdict(list)
    for declared, text, heading, _kind in rows:
        if text and len(text) >= 200:
            long_texts[declared].append(text)
        if heading and 3 <= len(heading) < 60:
            short_texts[declared].append(heading)
    detectors = {
        "langdetect": language.detect_langdetect,
        "lingua": language.detect_lingua,
        "combined": language.detect,
    }
    for label, groups in (("long passages", long_texts), ("short texts", short_texts)):
        samples = [
            (lang, text)
            for lang, texts in sorted(groups.items())
            for text in rng.sample(texts, min(SAMPLE_PER_LANGUAGE, len(texts)))
        ]
        per_lang = Counter(lang for lang, _ in samples)
        print(f"language detection on {label}: {len(samples)} samples ({dict(per_lang)})")
        for name, detect in detectors.items():
            right = Counter()
            for lang, text in samples:
                found = detect(text)
                if found is not None and found[0] == lang:
                    right[lang] += 1
            total = sum(right.values()) / len(samples) if samples else 0.0
            detail = " ".join(f"{lang}={right[lang] / per_lang[lang]:.0%}" for lang in sorted(per_lang))
            print(f"  {name:<11} {total:6.1%}  {detail}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--keep", type=Path, help="ingest into this folder and keep it")
    args = parser.parse_args()
    if args.keep:
        ingest(args.corpora, args.keep)
        return
    with tempfile.TemporaryDirectory() as tmp:
        ingest(args.corpora, Path(tmp))


if __name__ == "__main__":
    main()
