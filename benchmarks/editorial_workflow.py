"""The editorial workflow on the demo corpus: how long from a reviewer's "Publish" to the record being
found by search, for changed provisions and for new cases, and what keeping editors' versions costs an
ingest.

    .venv/bin/python benchmarks/editorial_workflow.py [--corpus corpus] [--n 50]

Ingests the demo corpus into a fresh temporary store with the embedded search engine, makes a contributor
and a reviewer, then:
- proposes, submits and publishes N changes to provisions (each adding a unique word), timing the
  publication (store write, version, audit) and the index update separately, and checks each word is
  found by search right after;
- the same for N new decisions with a case record;
- times the queue page and a version history page through the Flask test client;
- times the ingest's check for edited records over every record id of the store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import select  # noqa: E402

from sherloc.app import create_app  # noqa: E402
from sherloc.db import make_engine, make_session_factory, upgrade  # noqa: E402
from sherloc.ingest.pipeline import Ingester, corpus_sources  # noqa: E402
from sherloc.models import Record, User  # noqa: E402
from sherloc.search.backends import make_backend  # noqa: E402
from sherloc.search.base import SearchRequest  # noqa: E402
from sherloc.search.query import parse_query  # noqa: E402
from sherloc.services import accounts, workflow  # noqa: E402
from sherloc.settings import Settings  # noqa: E402

PASSWORD = "benchmark passphrase 2026"


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    median = statistics.median(values)
    return f"p50 {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms"


def _publish_all(
    session: Any,
    author: User,
    reviewer: User,
    backend: Any,
    rounds: list[tuple[str, str | None, dict[str, Any], str]],
) -> tuple[list[float], list[float], int]:
    """Propose and submit each change, then time its publication and its index update apart; count the
    changes whose word search finds at once."""
    publish_s: list[float] = []
    index_s: list[float] = []
    found = 0
    for kind, rid, data, word in rounds:
        proposal = workflow.propose(session, author, "record", kind, data, rid, submit_now=True)
        session.commit()
        t0 = time.perf_counter()
        workflow.publish(session, reviewer, proposal)
        session.commit()
        t1 = time.perf_counter()
        workflow.index_pending(session, backend)
        t2 = time.perf_counter()
        publish_s.append(t1 - t0)
        index_s.append(t2 - t1)
        hits = backend.search(SearchRequest(query=parse_query(word))).hits
        found += [h.id for h in hits] == [proposal.entity_id]
    return publish_s, index_s, found


def _report(what: str, parts: str, figures: tuple[list[float], list[float], int]) -> None:
    publish_s, index_s, found = figures
    print(f"{len(publish_s)} {what} published")
    print(f"  publication ({parts}): {_ms(publish_s)}")
    print(f"  index update until searchable: {_ms(index_s)}")
    print(f"  found by search right after: {found}/{len(publish_s)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", secret_key="benchmark")
        engine = make_engine(settings.database_url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        Ingester(sessions, make_backend(settings)).run(corpus_sources(args.corpus))
        print(f"demo corpus ingested in {time.perf_counter() - started:.1f} s")
        with sessions() as session, session.begin():
            accounts.create_user(session, "contributor@example.org", PASSWORD, "contributor")
            accounts.create_user(session, "reviewer@example.org", PASSWORD, "reviewer")
        engine.dispose()

        app = create_app(settings)
        backend = app.extensions["sherloc"].search
        with app.app_context():
            from sherloc.app import db

            session = db()
            author = session.scalars(select(User).where(User.role == "contributor")).one()
            reviewer = session.scalars(select(User).where(User.role == "reviewer")).one()
            handler = workflow.handler_for("record")
            provisions = list(
                session.scalars(
                    select(Record.id).where(Record.kind == "provision").order_by(Record.id).limit(args.n)
                )
            )
            rounds = []
            for i, rid in enumerate(provisions):
                current = handler.current(session, rid)
                assert current is not None
                word = f"benchmarkword{i:04d}x"
                data = {**current, "text": current["text"] + " " + word}
                rounds.append(("provision", rid, data, word))
            _report(
                "provision changes",
                "store, version, audit",
                _publish_all(session, author, reviewer, backend, rounds),
            )
            rounds = []
            for i in range(args.n):
                word = f"benchmarkcase{i:04d}x"
                data = {
                    "title": f"Fictitious decision {i}",
                    "country": "GB",
                    "language": "en",
                    "date_decided": "2024-01-01",
                    "text": f"The defendant laundered money. {word}",
                    "case": {"court": {"name": "Crown Court", "level": "first_instance"}},
                }
                rounds.append(("decision", None, data, word))
            _report(
                "new decisions with a case",
                "record, tags, case, version",
                _publish_all(session, author, reviewer, backend, rounds),
            )

            all_ids = list(session.scalars(select(Record.id)))
            t0 = time.perf_counter()
            edited = workflow.edited_ids(session, "record", all_ids)
            print(
                f"ingest's edited-record check over {len(all_ids):,} ids: "
                f"{(time.perf_counter() - t0) * 1000:.1f} ms ({len(edited)} edited)"
            )

        client = app.test_client()
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post(
            "/login", data={"email": "reviewer@example.org", "password": PASSWORD, "csrf_token": token}
        )
        for label, path in (
            ("queue page (all states)", "/revisions?state=published&state=submitted&state=draft"),
            ("version history page", f"/history/record/{provisions[0]}?version=2"),
        ):
            times = []
            for _ in range(20):
                t0 = time.perf_counter()
                answer = client.get(path)
                times.append(time.perf_counter() - t0)
                assert answer.status_code == 200, (path, answer.status_code)
            print(f"{label}: {_ms(times)}")
        app.extensions["sherloc"].engine.dispose()


if __name__ == "__main__":
    main()
