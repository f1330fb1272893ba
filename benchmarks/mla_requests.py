"""The request writer's cost per action, as an authority user meets it: a wizard step saved and checked, the
review page, the completeness check alone, assembling the request, and the DOCX and PDF downloads; and
the register with many requests.

Runs on a store of its own (fictitious directory entries, the PRC Criminal Law for provision links) with
the embedded engine. Prints medians and 95th percentiles in milliseconds.

    .venv/bin/python benchmarks/mla_requests.py [--runs 30] [--register 1000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sherloc.app import create_app, db  # noqa: E402
from sherloc.mla.completeness import check  # noqa: E402
from sherloc.models.accounts import User  # noqa: E402
from sherloc.models.mla import MlaRequest  # noqa: E402
from sherloc.services import mla as service  # noqa: E402
from tests.conftest import csrf_token, log_in, store_session  # noqa: E402
from tests.test_mla_web import (  # noqa: E402
    CASE,
    CONTACTS,
    DOCUMENTS,
    EVIDENCE,
    FREEZING,
    HANDLING,
    OWN,
    STATES,
    mla_settings,
)


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--register", type=int, default=1000, help="requests in the register for its timing")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mla-bench-"))
    try:
        settings = mla_settings(tmp, {"bench@example.org": OWN})
        app = create_app(settings)
        client = app.test_client()
        log_in(client, "bench@example.org")
        token = csrf_token(client, "/mla")
        path = client.post("/mla/new", data={"csrf_token": token}).headers["Location"].rsplit("/steps/", 1)[0]
        steps = {
            "states": {**STATES, "language": "en"},
            "legal_basis": {"legal_basis": "untoc"},
            "case": {**CASE, "offences-0-provision_record": "cn-law-刑法-art-191"},
            "assistance": {
                "assistance_types": ["taking_evidence", "freezing_proceeds"],
                **EVIDENCE,
                **FREEZING,
            },
            "handling": HANDLING,
            "documents": DOCUMENTS,
            "contacts": CONTACTS,
        }
        for step, data in steps.items():
            client.post(f"{path}/steps/{step}", data={"csrf_token": token, "action": "next", **data})
        request_id = int(path.rsplit("/", 1)[1])
        rows = []

        def save_step() -> None:
            answer = client.post(
                f"{path}/steps/assistance",
                data={"csrf_token": token, "action": "save", **steps["assistance"]},
            )
            assert answer.status_code == 302

        rows.append(("save and check a step (assistance)", timed(save_step, args.runs)))
        rows.append(
            (
                "step page (case, with provision links)",
                timed(lambda: client.get(f"{path}/steps/case"), args.runs),
            )
        )
        rows.append(("review page", timed(lambda: client.get(path), args.runs)))
        with app.test_request_context():
            rules = app.extensions["sherloc"].mla_rules
            request = db().get(MlaRequest, request_id)
            facts = service.facts_of(service.requested_authority(db(), request.answers))
            context = service.context()
            rows.append(
                (
                    "completeness check alone",
                    timed(lambda: check(rules, request.answers, facts, context), args.runs),
                )
            )
            rows.append(
                (
                    "assemble the request",
                    timed(lambda: service.document(db(), rules, request, lambda _id: None), args.runs),
                )
            )
        client.post(f"{path}/finalise", data={"csrf_token": token})
        for kind in ("docx", "pdf", "html"):
            rows.append(
                (
                    f"download request.{kind}",
                    timed(lambda k=kind: client.get(f"{path}/request.{k}"), max(5, args.runs // 3)),
                )
            )
        sizes = {kind: len(client.get(f"{path}/request.{kind}").data) for kind in ("docx", "pdf")}

        with store_session(settings) as session:
            user = session.scalars(select(User).where(User.email == "bench@example.org")).one()
            for _ in range(args.register):
                service.create_outgoing(session, user, rules)
        rows.append(
            (
                f"register page, {args.register + 1} requests",
                timed(lambda: client.get("/mla"), max(5, args.runs // 3)),
            )
        )

        width = max(len(name) for name, _ in rows)
        print(f"{'action':<{width}}  p50 ms   p95 ms")
        for name, (p50, p95) in rows:
            print(f"{name:<{width}}  {p50:7.1f}  {p95:7.1f}")
        print(f"request.docx {sizes['docx']:,} bytes, request.pdf {sizes['pdf']:,} bytes")
        app.extensions["sherloc"].engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
