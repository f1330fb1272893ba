"""The ingest pipeline on real files: idempotent, updates in place, reports and skips bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from sherloc.db import make_engine, make_session_factory
from sherloc.models import IngestedFile, Record
from sherloc.search.backends import make_backend
from sherloc.search.base import SearchRequest
from sherloc.search.query import parse_query
from sherloc.settings import Settings
from tests.conftest import CORPUS, ingest_into

ANTI_DRUG = CORPUS / "zh-cn-laws-lawrefbook" / "行政法" / "禁毒法(2007-12-29).md"
AML_ES = CORPUS / "es-es-laws-legalize-es" / "es" / "BOE-A-2010-6737.md"


def _copy(tmp_path: Path, *files: Path) -> Path:
    root = tmp_path / "in"
    for f in files:
        target = root / f.parent.name / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    return root


def _snapshot(settings: Settings) -> dict[str, str]:
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        rows = session.execute(select(Record.id, Record.content_hash)).all()
    engine.dispose()
    return dict(rows)


def test_rerun_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    root = _copy(tmp_path, ANTI_DRUG, AML_ES)
    first = ingest_into(settings, [root])
    assert first.count("new") == 2 and first.count("failed") == 0
    before = _snapshot(settings)
    assert len(before) > 100  # two laws and their articles
    second = ingest_into(settings, [root])
    assert second.count("unchanged") == 2 and second.indexed == 0
    assert _snapshot(settings) == before


def test_changed_file_updates_records_in_place(settings: Settings, tmp_path: Path) -> None:
    root = _copy(tmp_path, ANTI_DRUG)
    ingest_into(settings, [root])
    before = _snapshot(settings)
    target = next(root.rglob("*.md"))
    text = target.read_text(encoding="utf-8")
    # Drop the last article, change the first: one record goes, one changes, the rest stay as they were.
    last = text.rindex("\n第")
    changed = text[:last].replace("为了预防和惩治毒品违法犯罪行为", "为了预防和惩治毒品违法犯罪", 1)
    target.write_text(changed, encoding="utf-8")
    report = ingest_into(settings, [root])
    assert report.count("updated") == 1
    after = _snapshot(settings)
    assert len(after) == len(before) - 1
    changed = {k for k in after if after[k] != before[k]}
    assert len(changed) == 1
    backend = make_backend(settings)
    assert backend.count() == len(after)
    hits = backend.search(SearchRequest(query=parse_query("禁毒法"), page_size=100)).total
    assert hits == len(after)


def test_bad_files_are_reported_skipped_and_leave_nothing(settings: Settings, tmp_path: Path) -> None:
    root = _copy(tmp_path, AML_ES)
    (root / "es" / "broken.md").write_text('---\ntitle: "unclosed\nidentifier: [x\ncountry: es\n---\n# x\n')
    (root / "es" / "junk.bin").write_bytes(bytes(range(256)) * 100)
    (root / "es" / "notes.txt").write_text("nothing a parser knows")
    report = ingest_into(settings, [root])
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name["BOE-A-2010-6737.md"].status == "new"
    assert by_name["broken.md"].status == "failed" and by_name["broken.md"].message
    assert by_name["junk.bin"].status == "skipped" and by_name["notes.txt"].status == "skipped"
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        sources = set(session.scalars(select(Record.source_key).where(Record.parent_id.is_(None))))
        assert sources == {"BOE-A-2010-6737"}
        failed = session.get(IngestedFile, str((root / "es" / "broken.md").resolve()))
        assert failed is not None and failed.status == "failed"
    engine.dispose()


def test_a_file_that_breaks_later_keeps_its_last_good_records(settings: Settings, tmp_path: Path) -> None:
    root = _copy(tmp_path, AML_ES)
    ingest_into(settings, [root])
    before = _snapshot(settings)
    target = root / "es" / AML_ES.name
    # Still recognisably a legalize file (identifier, country), but its front matter is broken YAML.
    target.write_text('---\ntitle: [unclosed\nidentifier: "BOE-A-2010-6737"\ncountry: "es"\n---\n# x\n')
    report = ingest_into(settings, [root])
    assert report.count("failed") == 1
    assert _snapshot(settings) == before


def test_index_catches_up_after_an_ingest_without_index(settings: Settings, tmp_path: Path) -> None:
    from sherloc.db import upgrade
    from sherloc.ingest.pipeline import Ingester

    root = _copy(tmp_path, ANTI_DRUG)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    Ingester(make_session_factory(engine), backend=None).run([root])  # as if killed before indexing
    with make_session_factory(engine)() as session:
        total = session.scalar(select(func.count()).select_from(Record))
    engine.dispose()
    report = ingest_into(settings, [root])
    assert report.count("unchanged") == 1 and report.indexed == total
    assert make_backend(settings).count() == total


def test_an_assumed_language_yields_only_to_detection_on_real_text() -> None:
    from sherloc.ingest.normalise import to_records
    from sherloc.ingest.types import ParsedRecord

    def listing(title: str, text: str) -> ParsedRecord:
        return ParsedRecord(
            source="t", source_key=title[:20], kind="decision", title=title, country="US", language="en",
            text=text, language_assumed=True,
        )  # fmt: skip

    # Party names alone (a Turkish company in a US court) do not make the decision Turkish.
    (top,), notes = to_records(
        listing("Habaş Sinai ve Tibbi Gazlar Istihsal Endüstrisi v. United States", "")
    )
    assert top.language == "en" and notes == []
    # A real summary in Spanish (Puerto Rico's courts write in Spanish) does overrule the assumption.
    summary = (
        "El Tribunal Supremo resolvió que la Asociación de Empleados tiene legitimación para impugnar la "
        "ley, revocó la sentencia del Tribunal de Apelaciones y devolvió el caso al Tribunal de Primera "
        "Instancia para que continúen los procedimientos de forma compatible con lo aquí resuelto."
    )
    (top,), notes = to_records(listing("Asociación de Empleados v. Estado Libre Asociado", summary))
    assert top.language == "es" and notes and "assumed language en" in notes[0]


def test_a_law_older_than_1677_ingests_indexes_and_rebuilds(settings: Settings, tmp_path: Path) -> None:
    # tantivy dates cover 1677-2262; an old law (the 1539 Ordonnance de Villers-Cotterêts...) must not
    # break ingest or rebuild. Same real file, its publication date set to 1539.
    root = tmp_path / "in"
    root.mkdir()
    text = AML_ES.read_text(encoding="utf-8")
    old = text.replace('publication_date: "2010-04-29"', 'publication_date: "1539-08-25"')
    old = old.replace('enactment_date: "2010-04-28"', 'enactment_date: "1539-08-25"')
    old = old.replace('last_updated: "2026-03-21"', 'last_updated: "1540-01-01"')
    assert old != text
    (root / "old.md").write_text(old, encoding="utf-8")
    report = ingest_into(settings, [root])
    assert report.count("new") == 1 and report.count("failed") == 0
    backend = make_backend(settings)
    from sherloc.search import indexer

    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        assert indexer.rebuild(session, backend) == report.records
    engine.dispose()
    assert backend.search(SearchRequest(query=parse_query("year:1540"))).total == report.records


def test_a_law_moving_to_another_file_is_not_lost(settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "a").mkdir(parents=True)
    text = AML_ES.read_text(encoding="utf-8")
    (root / "a" / "law.md").write_text(text, encoding="utf-8")
    ingest_into(settings, [root])
    before = _snapshot(settings)
    # The law moves to a file that sorts first; its old file now holds another law.
    (root / "0").mkdir()
    (root / "0" / "moved.md").write_text(text, encoding="utf-8")
    other = text.replace('identifier: "BOE-A-2010-6737"', 'identifier: "BOE-A-2010-9999"')
    (root / "a" / "law.md").write_text(other, encoding="utf-8")
    report = ingest_into(settings, [root])
    assert report.count("failed") == 0
    after = _snapshot(settings)
    assert set(before) <= set(after)  # the moved law's records are all still there
    assert len(after) == 2 * len(before)
    backend = make_backend(settings)
    assert backend.count() == len(after)


def test_what_one_store_would_refuse_fails_alike_on_every_store(settings: Settings, tmp_path: Path) -> None:
    """A NUL character is dropped from texts and an over-long identifier fails its file, with a reason, on
    SQLite as on PostgreSQL (which refuses both where SQLite would store them)."""
    root = tmp_path / "in" / "es"
    root.mkdir(parents=True)
    law = AML_ES.read_text(encoding="utf-8")
    _, front, body = law.split("---\n", 2)
    (root / "nul.md").write_text(
        f"---\n{front}---\n" + body.replace("blanqueo", "blan\x00queo", 3), encoding="utf-8"
    )
    long_id = "BOE-A-2010-" + "9" * 300
    (root / "long.md").write_text(
        law.replace('identifier: "BOE-A-2010-6737"', f'identifier: "{long_id}"'), encoding="utf-8"
    )
    report = ingest_into(settings, [root.parent])
    outcome = {Path(o.path).name: o for o in report.outcomes}
    assert outcome["nul.md"].status == "new", outcome["nul.md"].message
    assert outcome["long.md"].status == "failed" and "characters long" in (outcome["long.md"].message or "")
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        texts = session.scalars(select(Record.text)).all()
        assert texts and not any("\x00" in text for text in texts)
        assert any("blanqueo" in text for text in texts)
        assert session.scalar(select(func.count()).where(Record.source_key.like("%99999%"))) == 0
    engine.dispose()
