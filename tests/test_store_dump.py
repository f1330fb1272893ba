"""Moving a whole installation: `sherloc export` then `sherloc import` into a fresh store gives the same rows
(the same hash per row, the same counts), on SQLite and on PostgreSQL (see conftest.STORES), and a damaged,
truncated or misplaced file is refused with nothing imported.

The source stores are SQLite, as an embedded installation's is; the target is each store kind, so the
PostgreSQL run checks the move this is for. The people and entries here are fictitious (example.org).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import shutil
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from sherloc.cli import main
from sherloc.models import (
    AuditEvent,
    Authority,
    Case,
    Charge,
    MlaEvent,
    MlaRequest,
    Record,
    Revision,
    Tag,
    UsageCount,
    User,
)
from sherloc.services import accounts, workflow
from sherloc.services import directory as directory_service
from sherloc.services.store_dump import DumpError, export_store, import_store, non_empty_tables
from sherloc.settings import Settings
from tests.conftest import CORPUS, PASSWORD, ingest_into, store_session

CRIMINAL_LAW = CORPUS / "zh-cn-laws-lawrefbook" / "刑法" / "刑法.md"
DECISIONS = CORPUS / "zh-cn-decisions-lecardv2" / "query" / "test_query.json"
OWN = "fr-example-central-authority"
ENTRY: dict[str, Any] = {
    "id": OWN,
    "country": "FR",
    "name": "Example Central Authority",
    "mandates": ["untoc_mutual_legal_assistance", "untoc_extradition"],
    "phone": "+00 555 0100",
    "email": "central@example.org",
    "contact_persons": [{"name": "Alex Placeholder", "email": "alex.placeholder@example.org"}],
    "working_languages": ["fr", "en"],
    "interpol_accepted": True,
}
# Keys deliberately out of order: the move keeps a JSON value's key order.
ANSWERS = {"subject_matter": "Blanchiment — « exemple »", "case_reference": "EX-2026-0042", "a": [1, 2.5]}


def dump(settings: Settings) -> str:
    out = io.StringIO()
    with store_session(settings) as session:
        export_store(session, out)
    return out.getvalue()


def load(settings: Settings, text: str) -> dict[str, int]:
    with store_session(settings) as session:
        return import_store(session, text.split("\n")).rows


def body(text: str) -> list[str]:
    """Every line but the header (which says when it was written)."""
    lines = text.split("\n")
    assert json.loads(lines[0])["format"] == "sherloc-store"
    return lines[1:]


def row_hashes(text: str) -> list[tuple[str, str]]:
    return [(d["table"], d["sha256"]) for d in map(json.loads, filter(None, body(text))) if "table" in d]


def is_empty(settings: Settings) -> bool:
    with store_session(settings) as session:
        return non_empty_tables(session) == []


@pytest.fixture(scope="module")
def demo_dump(demo_settings: Settings) -> str:
    return dump(demo_settings)


@pytest.fixture(scope="module")
def people_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A SQLite store with a law and its provisions, a decision and its case, a directory entry, accounts
    (one logged in), a published change with its versions and audit trail, a request for assistance with
    its history, and usage counts."""
    tmp = tmp_path_factory.mktemp("people")
    settings = Settings(data_dir=tmp / "data", secret_key="test")
    sources = tmp / "src"
    sources.mkdir()
    shutil.copy(CRIMINAL_LAW, sources / CRIMINAL_LAW.name)
    lines = DECISIONS.read_text(encoding="utf-8").split("\n")
    (sources / DECISIONS.name).write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    report = ingest_into(settings, [sources])
    assert report.count("failed") == 0, report.problems
    with store_session(settings) as session:
        directory_service.import_entries(session, [ENTRY])
        reviewer = accounts.create_user(session, "reviewer@example.org", PASSWORD, "reviewer")
        officer = accounts.create_user(
            session, "officer@example.org", PASSWORD, "authority", authority_id=OWN, display_name="Ofélia"
        )
        accounts.create_user(session, "contributor@example.org", PASSWORD, "contributor")
        officer.locked_until = dt.datetime(2026, 5, 1, 12, 30, 15, 123456)
        accounts.start_login(session, reviewer, hours=1)  # not moved: everyone logs in again
        change = workflow.propose(
            session, officer, "authority", "authority", {**ENTRY, "phone": "+00 555 0199"}, OWN
        )
        workflow.submit(session, officer, change)
        workflow.publish(session, reviewer, change)
        request = MlaRequest(
            authority_id=OWN,
            direction="outgoing",
            reference="FR-2026-0001",
            answers=ANSWERS,
            assistance_types=["taking_evidence"],
            status="sent",
            sent_on=dt.date(2026, 3, 2),
            created_by=officer.id,
        )
        request.events.append(MlaEvent(action="created", user_id=officer.id, on=dt.date(2026, 3, 1)))
        request.events.append(
            MlaEvent(action="status", status="sent", user_id=officer.id, note="par courrier")
        )
        session.add(request)
        session.add(UsageCount(day=dt.date(2026, 3, 1), event="view", page_kind="law", country="CN", count=7))
        session.add(UsageCount(day=dt.date(2026, 3, 1), event="search", page_kind="home", count=3))
        charge = session.scalars(select(Charge).order_by(Charge.id)).first()
        assert charge is not None, "the decisions give charges"
        charge.fine_amount, charge.fine_currency = Decimal("12345.50"), "CNY"
        provision = session.scalars(
            select(Record).where(Record.kind == "provision").order_by(Record.id)
        ).first()
        assert provision is not None
        session.add(Tag(record_id=provision.id, scheme="cross_cutting", value="x", confidence=0.1 + 0.2))
    return settings


def test_the_demo_store_moves_whole(demo_dump: str, demo_settings: Settings, settings: Settings) -> None:
    counts = load(settings, demo_dump)
    assert counts["records"] > 1000 and counts["tags"] > 1000 and counts["cases"] > 10
    again = dump(settings)
    assert body(again) == body(demo_dump)  # every row, its hash, the order, the counts
    with store_session(demo_settings) as old, store_session(settings) as new:
        record_id = old.scalars(
            select(Tag.record_id).join(Record).where(Record.kind == "provision").order_by(Tag.record_id)
        ).first()
        assert record_id is not None
        before, after = old.get(Record, record_id), new.get(Record, record_id)
        assert before is not None and after is not None
        assert (after.text, after.parent_id, after.created_at) == (
            before.text,
            before.parent_id,
            before.created_at,
        )
        assert [(t.scheme, t.value, t.evidence) for t in after.tags] == [
            (t.scheme, t.value, t.evidence) for t in before.tags
        ]
        case = old.scalars(select(Case).order_by(Case.id)).first()
        assert case is not None
        moved = new.get(Case, case.id)
        assert moved is not None and moved.record_id == case.record_id
        assert (moved.unodc_number, moved.court, moved.provenance) == (
            case.unodc_number,
            case.court,
            case.provenance,
        )


def test_accounts_workflow_and_requests_move_whole(people_store: Settings, settings: Settings) -> None:
    text = dump(people_store)
    counts = load(settings, text)
    for table in (
        "users",
        "authorities",
        "revisions",
        "versions",
        "audit_events",
        "mla_requests",
        "mla_events",
    ):
        assert counts[table] > 0, table
    assert "user_sessions" not in counts
    again = dump(settings)
    assert row_hashes(again) == row_hashes(text)
    assert body(again) == body(text)
    with store_session(people_store) as old, store_session(settings) as new:
        for email in ("reviewer@example.org", "officer@example.org"):
            before = old.scalars(select(User).where(User.email == email)).one()
            after = new.scalars(select(User).where(User.email == email)).one()
            assert after.password_hash == before.password_hash
            assert (after.id, after.locked_until, after.display_name) == (
                before.id,
                before.locked_until,
                before.display_name,
            )
        assert accounts.verify_password(
            new.scalars(select(User.password_hash).where(User.email == "officer@example.org")).one(), PASSWORD
        )
        assert not new.scalars(select(User).join(User.sessions)).all()  # logins are not moved
        authority = new.get(Authority, OWN)
        assert authority is not None and authority.phone == "+00 555 0199"
        request = new.scalars(select(MlaRequest)).one()
        assert list(request.answers) == list(ANSWERS) and request.answers == ANSWERS
        assert request.sent_on == dt.date(2026, 3, 2) and [e.action for e in request.events] == [
            "created",
            "status",
        ]
        fine = new.scalars(select(Charge.fine_amount).where(Charge.fine_amount.is_not(None))).first()
        assert fine == Decimal("12345.50")
        tag = new.scalars(select(Tag).where(Tag.value == "x")).one()
        assert tag.confidence == 0.1 + 0.2
        assert new.get(UsageCount, (dt.date(2026, 3, 1), "view", "law", "CN")) is not None


def test_new_rows_after_an_import_get_new_keys(people_store: Settings, settings: Settings) -> None:
    """On PostgreSQL the import moves each key's sequence past the imported keys; else these collide."""
    load(settings, dump(people_store))
    with store_session(settings) as session:
        largest = session.scalars(select(User.id).order_by(User.id.desc())).first()
        reviewer = session.scalars(select(User).where(User.role == "reviewer")).one()
        user = accounts.create_user(session, "new@example.org", PASSWORD, "contributor")
        assert largest is not None and user.id > largest
        change = workflow.propose(
            session, reviewer, "authority", "authority", {**ENTRY, "fax": "+00 555 0111"}, OWN
        )
        workflow.submit(session, reviewer, change)
        workflow.publish(session, reviewer, change)
        request = session.scalars(select(MlaRequest)).one()
        request.events.append(MlaEvent(action="status", status="executed", user_id=reviewer.id))
        session.add(MlaRequest(authority_id=OWN, direction="outgoing", reference="FR-2026-0002"))
        record_id = session.scalars(select(Record.id).where(Record.kind == "provision")).first()
        assert record_id is not None
        session.add(Tag(record_id=record_id, scheme="cross_cutting", value="new"))
        session.flush()
        assert session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) is not None
        assert len(session.scalars(select(Revision)).all()) == 2


def _tampered(text: str, table: str) -> tuple[str, int]:
    """`text` with a value of the first row of `table` changed and its sha256 left as it was."""
    lines = text.split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(f'{{"table":"{table}"'))
    data = json.loads(lines[number])
    data["row"]["title"] += " (changed)"
    lines[number] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return "\n".join(lines), number + 1


def test_a_changed_row_is_refused_with_its_line(demo_dump: str, settings: Settings) -> None:
    text, number = _tampered(demo_dump, "records")
    with pytest.raises(DumpError, match=rf"^line {number}: the records row does not match its sha256"):
        load(settings, text)
    assert is_empty(settings)


def test_a_truncated_file_is_refused(demo_dump: str, settings: Settings) -> None:
    lines = demo_dump.rstrip("\n").split("\n")
    assert json.loads(lines[-1])["end"] is True
    for cut in (lines[:-1], lines[: len(lines) // 2]):
        with pytest.raises(DumpError, match="truncated"):
            load(settings, "\n".join(cut) + "\n")
    dropped = "\n".join(lines[:5] + lines[6:])  # a row missing, the end line still there
    with pytest.raises(DumpError, match="end line counts"):
        load(settings, dropped)
    assert is_empty(settings)


def test_a_malformed_line_is_refused_with_its_number(demo_dump: str, settings: Settings) -> None:
    lines = demo_dump.split("\n")
    lines[3] = lines[3][:40]
    with pytest.raises(DumpError, match="^line 4: not JSON"):
        load(settings, "\n".join(lines))
    assert is_empty(settings)


def test_only_an_empty_store_takes_an_import(
    demo_dump: str, people_store: Settings, settings: Settings
) -> None:
    load(settings, dump(people_store))
    with pytest.raises(DumpError, match=r"the store is not empty \(authorities, ingested_files, records"):
        load(settings, demo_dump)


def test_a_file_of_another_schema_is_refused(demo_dump: str, settings: Settings) -> None:
    lines = demo_dump.split("\n")
    header = json.loads(lines[0])
    lines[0] = json.dumps({**header, "schema": "0006"})
    with pytest.raises(DumpError, match="schema revision '0006'.*sherloc db upgrade"):
        load(settings, "\n".join(lines))
    lines[0] = json.dumps({**header, "format": "something-else"})
    with pytest.raises(DumpError, match="not a sherloc store export"):
        load(settings, "\n".join(lines))
    assert is_empty(settings)


def test_the_commands_move_a_store(people_store: Settings, settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    source = {
        "SHERLOC_DATA_DIR": str(people_store.data_dir),
        "SHERLOC_DATABASE_URL": people_store.database_url,
    }
    target = {"SHERLOC_DATA_DIR": str(settings.data_dir), "SHERLOC_DATABASE_URL": settings.database_url}
    out = tmp_path / "store.jsonl.gz"
    leftover = tmp_path / "store.jsonl.gz.part"  # from an export killed earlier, readable by all
    leftover.write_bytes(b"old")
    leftover.chmod(0o644)
    exported = runner.invoke(main, ["export", "--out", str(out)], env=source)
    assert exported.exit_code == 0, exported.output
    assert "exported" in exported.stderr and exported.stdout == ""
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds password hashes
    assert not (tmp_path / "store.jsonl.gz.part").exists()

    imported = runner.invoke(main, ["import", str(out)], env=target)
    assert imported.exit_code == 0, imported.output
    assert "sherloc index rebuild" in imported.stderr
    users = next(line for line in imported.stderr.split("\n") if line.startswith("users "))
    assert users.split() == ["users", "3"]

    again = runner.invoke(main, ["export"], env=target)  # to standard output
    assert again.exit_code == 0, again.output
    assert body(again.stdout) == body(gzip.decompress(out.read_bytes()).decode("utf-8"))

    refused = runner.invoke(main, ["import", "-"], env=target, input=out.read_bytes())  # gzip
    assert refused.exit_code == 1 and "the store is not empty" in refused.stderr
    assert "nothing was imported" in refused.stderr
