"""Case records from every judgment in ../shared/corpora: what the builder fills, how fast, and the
sentencing figures' latency.

    .venv/bin/python benchmarks/case_records.py [--corpora ../shared/corpora] [--rounds 30]

Ingests the PRC Criminal Law (so charges and citations can link to its articles), every LeCaRDv2 and
CAIL2022 judgment, the 90 England and Wales judgments and the 11,409 US opinion listings into a fresh
temporary store, then:
- rebuilds every case from its decision (as a newer extractor would) and times it;
- prints, per source, the share of cases with each field filled, and how many cited provisions and
  charged provisions are linked to a provision record of the portal;
- times /api/v1/sentencing (service and HTTP) for a few crime types and filters.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import selectinload  # noqa: E402

from sherloc.app import create_app  # noqa: E402
from sherloc.db import make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.ingest.cases import CaseBuilder, build_cases  # noqa: E402
from sherloc.ingest.pipeline import Ingester  # noqa: E402
from sherloc.models import Record  # noqa: E402
from sherloc.models.cases import Case, Defendant  # noqa: E402
from sherloc.search.backends import make_backend  # noqa: E402
from sherloc.services.sentencing import SentencingQuery, sentencing_figures  # noqa: E402
from sherloc.settings import Settings  # noqa: E402
from sherloc.tagging.store import RecordTagging  # noqa: E402

DEFAULT_CORPORA = REPO.parent / "shared" / "corpora"
SOURCES = (
    "zh-cn-laws-lawrefbook/刑法/刑法.md",
    "zh-cn-decisions-lecardv2",
    "zh-cn-decisions-cail2022-drug-ie",
    "en-gb-decisions-ewca-civ-2020",
    "en-us-case-metadata-juriscraper",
)
FIELDS = (
    ("court", lambda c: bool(c.court.name)),
    ("court level", lambda c: bool(c.court.level)),
    ("decision date", lambda c: c.decision_date is not None),
    ("case number / docket", lambda c: bool(c.case_number)),
    ("citation", lambda c: bool(c.citation)),
    ("judges", lambda c: bool(c.judges)),
    ("parties", lambda c: bool(c.parties)),
    ("disposition", lambda c: bool(c.disposition)),
    ("proceeding type", lambda c: bool(c.proceeding_type)),
    (">=1 defendant", lambda c: bool(c.defendants)),
    (">=1 charge", lambda c: any(d.charges for d in c.defendants)),
    (">=1 verdict", lambda c: any(ch.verdict for d in c.defendants for ch in d.charges)),
    (">=1 sentence", lambda c: any(ch.sentence.kind for d in c.defendants for ch in d.charges)),
    (">=1 provision cited", lambda c: bool(c.cited_provisions)),
)
QUERIES = (
    SentencingQuery("drug_trafficking", ("CN",)),
    SentencingQuery("corruption"),
    SentencingQuery("corruption", ("CN",), year_from=2015, year_to=2020),
    SentencingQuery("money_laundering", sources=("decision",)),
)


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"p50 {statistics.median(values) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    paths = [args.corpora / source for source in SOURCES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        sys.exit(f"not found: {', '.join(missing)}")

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", secret_key="bench")
        engine = make_engine(settings.database_url)
        upgrade(engine)
        factory = make_session_factory(engine)
        tagging = RecordTagging(settings.vocab_dir)
        started = time.perf_counter()
        report = Ingester(factory, make_backend(settings), tagging=tagging).run(paths)
        print(f"ingest with cases: {report.records:,} records in {time.perf_counter() - started:.1f} s")

        with factory() as session, session.begin():
            decisions = session.scalars(select(Record).where(Record.kind == "decision")).all()
            builder = CaseBuilder(tagging.tagger)
            session.execute(Case.__table__.update().values(extractor_version="benchmark"))
            started = time.perf_counter()
            rebuilt = build_cases(session, decisions, builder)
            seconds = time.perf_counter() - started
            rate = len(decisions) / seconds
            print(f"case rebuild: {len(decisions):,} decisions in {seconds:.1f} s = {rate:,.0f}/s")
            print(
                f"  {len(rebuilt.written):,} written, {rebuilt.unchanged:,} unchanged, "
                f"{len(rebuilt.failed)} failed"
            )
            for failure in rebuilt.failed[:5]:
                print(f"  {failure}")
            again = build_cases(session, decisions, builder)
            print(
                f"second run: {len(again.written)} written, {again.unchanged:,} unchanged (nothing to write)"
            )

        with factory() as session:
            cases = session.scalars(
                select(Case).options(
                    selectinload(Case.record),
                    selectinload(Case.defendants).selectinload(Defendant.charges),
                    selectinload(Case.cited_provisions),
                )
            ).all()
            by_source: dict[str, list[Case]] = defaultdict(list)
            for case in cases:
                by_source[case.record.source].append(case)
            print("\nfields filled, share of cases per source:")
            names = sorted(by_source)
            print(f"  {'':24}" + "".join(f"{name[:12]:>13}" for name in names))
            print(f"  {'cases':24}" + "".join(f"{len(by_source[n]):>13,}" for n in names))
            for label, test in FIELDS:
                row = "".join(
                    f"{100 * sum(map(test, by_source[n])) / len(by_source[n]):>12.1f}%" for n in names
                )
                print(f"  {label:24}{row}")
            links: Counter[str] = Counter()
            for case in cases:
                for cited in case.cited_provisions:
                    links["cited"] += 1
                    links["cited, linked"] += cited.provision_id is not None
                for defendant in case.defendants:
                    for charge in defendant.charges:
                        links["charges"] += 1
                        links["charges, linked"] += charge.provision_id is not None
                        links["charges, with a crime type"] += bool(charge.crime_types)
            print(f"\nprovisions cited: {links['cited']:,}, linked to a provision {links['cited, linked']:,}")
            print(
                f"charges: {links['charges']:,}, linked to their article {links['charges, linked']:,}, "
                f"with a SHERLOC crime type {links['charges, with a crime type']:,}"
            )

            print("\nsentencing figures:")
            client = create_app(settings).test_client()
            for query in QUERIES:
                service, http = [], []
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    figures = sentencing_figures(session, query)
                    service.append(time.perf_counter() - started)
                    url = f"/api/v1/sentencing?crime_type={query.crime_type}" + "".join(
                        f"&country={c}" for c in query.countries
                    )
                    if query.year_from:
                        url += f"&year_from={query.year_from}&year_to={query.year_to}"
                    started = time.perf_counter()
                    assert client.get(url).status_code == 200
                    http.append(time.perf_counter() - started)
                years = f"{query.year_from}-{query.year_to}" if query.year_from else "any year"
                print(
                    f"  {query.crime_type:18} {','.join(query.countries) or 'all':4} {years:9} "
                    f"decisions {figures.decisions:6,} convictions {figures.convictions:4,}   "
                    f"service {_ms(service)}   HTTP {_ms(http)}"
                )
        engine.dispose()


if __name__ == "__main__":
    main()
