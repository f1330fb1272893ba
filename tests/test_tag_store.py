"""Tags stored at ingest, on the real PRC Criminal Law: provisions tagged, the law rolled up, re-runs and
re-tags idempotent, a changed provision's tags replaced, editors' tags kept, search by tag."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from sherloc.cli import main
from sherloc.db import make_engine, make_session_factory
from sherloc.ingest.retag import retag
from sherloc.models import Record, Tag
from sherloc.search.backends import make_backend
from sherloc.search.base import SearchRequest
from sherloc.search.query import parse_query
from sherloc.settings import Settings
from sherloc.tagging.store import RecordTagging, stale_count, tagger_version
from tests.conftest import CORPUS, ingest_into, store_env

CRIMINAL_LAW = CORPUS / "zh-cn-laws-lawrefbook" / "刑法" / "刑法.md"
LAW = "cn-law-刑法"
ART_191 = "cn-law-刑法-art-191"  # 洗钱罪: money laundering

TagRow = tuple[int, str, str, float, str, str]  # id, scheme, value, confidence, evidence (JSON), origin


@pytest.fixture
def criminal_law(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    target = root / "刑法" / CRIMINAL_LAW.name
    target.parent.mkdir(parents=True)
    shutil.copyfile(CRIMINAL_LAW, target)
    return root


def _tags(settings: Settings) -> dict[str, list[TagRow]]:
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(Tag.record_id, Tag.id, Tag.scheme, Tag.value, Tag.confidence, Tag.evidence, Tag.origin)
        ).all()
    engine.dispose()
    out: dict[str, list[TagRow]] = defaultdict(list)
    for rid, tid, scheme, value, confidence, evidence, origin in rows:
        out[rid].append((tid, scheme, value, confidence, json.dumps(evidence, sort_keys=True), origin))
    return {rid: sorted(tags) for rid, tags in out.items()}


def _by_value(rows: list[TagRow]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (scheme, value): {"confidence": conf, "evidence": json.loads(ev), "origin": origin}
        for _id, scheme, value, conf, ev, origin in rows
    }


def test_provisions_are_tagged_and_the_law_rolls_them_up(settings: Settings, criminal_law: Path) -> None:
    report = ingest_into(settings, [criminal_law])
    assert report.count("new") == 1
    tags = _tags(settings)
    article = _by_value(tags[ART_191])
    laundering = article[("crime_type", "money_laundering")]
    assert laundering["origin"] == "tagger" and 0 < laundering["confidence"] <= 1
    # The evidence says which term was found where: the article is headed by its charge, 洗钱罪.
    assert any(e["term"] == "洗钱" and e["field"] == "title" for e in laundering["evidence"])
    assert ("instrument_article", "UNTOC 6") in article
    assert {"scheme": "crime_type", "value": "money_laundering"} in article[
        ("instrument_article", "UNTOC 6")
    ]["evidence"]

    law = _by_value(tags[LAW])
    rolled = law[("crime_type", "money_laundering")]
    assert rolled["origin"] == "rollup" and rolled["confidence"] == laundering["confidence"]
    assert ART_191 in rolled["evidence"][0]["examples"]
    assert ("instrument_article", "UNTOC 6") in law
    # The roll-up is exactly the union of the provisions' tags, each counted.
    carriers: dict[tuple[str, str], int] = defaultdict(int)
    for rid, rows in tags.items():
        if rid != LAW:
            for _id, scheme, value, *_ in rows:
                carriers[(scheme, value)] += 1
    rollups = {k: v for k, v in law.items() if v["origin"] == "rollup"}
    assert set(rollups) <= set(carriers) and set(carriers) <= set(law)
    for key, tag in rollups.items():
        assert tag["evidence"][-1]["provisions"] == carriers[key]

    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        assert stale_count(session, tagger_version(settings.vocab_dir)) == 0
    engine.dispose()


def test_reingest_leaves_the_same_tag_rows(settings: Settings, criminal_law: Path) -> None:
    ingest_into(settings, [criminal_law])
    before = _tags(settings)
    assert sum(len(rows) for rows in before.values()) > 100
    again = ingest_into(settings, [criminal_law])
    assert again.count("unchanged") == 1 and again.indexed == 0
    assert _tags(settings) == before
    for rows in before.values():  # one row per scheme and value
        assert len({(scheme, value) for _id, scheme, value, *_ in rows}) == len(rows)


def test_a_changed_provision_gets_its_tags_replaced(settings: Settings, criminal_law: Path) -> None:
    ingest_into(settings, [criminal_law])
    before = _tags(settings)
    target = next(criminal_law.rglob("*.md"))
    text = target.read_text(encoding="utf-8")
    # Article 191 keeps its heading (洗钱罪) but loses the list of predicate offences in its text.
    old = text[text.index("第一百九十一条 ") : text.index("\n", text.index("第一百九十一条 "))]
    target.write_text(
        text.replace(old, "第一百九十一条 有下列行为之一的，处五年以下有期徒刑或者拘役："), encoding="utf-8"
    )
    assert ingest_into(settings, [criminal_law]).count("updated") == 1
    after = _tags(settings)
    changed = {rid for rid in set(before) | set(after) if before.get(rid) != after.get(rid)}
    assert ART_191 in changed and changed <= {ART_191, LAW}
    article = _by_value(after[ART_191])
    assert len(article) == len(after[ART_191])  # replaced, not added to
    assert ("crime_type", "money_laundering") in article  # its heading still says so
    # Nothing is left of what only the removed paragraph said (毒品, 贪污贿赂 ... as predicate offences).
    terms = {e.get("term") for tag in article.values() for e in tag["evidence"]}
    assert not terms & {"毒品", "贪污", "贪污贿赂", "黑社会性质的组织"}
    # Tags the change did not touch keep their rows.
    old_ids = {row[0] for rid, rows in before.items() if rid not in changed for row in rows}
    assert old_ids <= {row[0] for rows in after.values() for row in rows}


def test_search_by_crime_type_and_article(settings: Settings, criminal_law: Path) -> None:
    ingest_into(settings, [criminal_law])
    backend = make_backend(settings)
    for query in ("crime:money_laundering", 'article:"UNTOC 6"'):
        result = backend.search(SearchRequest(query=parse_query(query), page_size=100))
        ids = {hit.id for hit in result.hits}
        assert {ART_191, LAW} <= ids, query
    hit = next(h for h in result.hits if h.id == ART_191)
    assert "money_laundering" in hit.tags["crime_type"] and "UNTOC 6" in hit.tags["instrument_article"]
    request = SearchRequest(facets=("crime_type", "instrument_article", "cross_cutting"))
    facets = backend.search(request).facets
    assert "money_laundering" in {b.value for b in facets["crime_type"]}
    assert "UNTOC 6" in {b.value for b in facets["instrument_article"]}


def test_retag_restores_and_reindexes_and_keeps_editor_tags(settings: Settings, criminal_law: Path) -> None:
    records = ingest_into(settings, [criminal_law]).records
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    tagging = RecordTagging(settings.vocab_dir)
    backend = make_backend(settings)
    with sessions() as session, session.begin():
        session.add(Tag(record_id=ART_191, scheme="crime_type", value="cybercrime", origin="editor"))
        # A stored tag gone wrong, and the whole law marked as tagged by another version.
        session.execute(
            update(Tag)
            .where(Tag.record_id == ART_191, Tag.value == "money_laundering")
            .values(confidence=0.01)
        )
        session.execute(update(Record).values(tagger_version="old"))
    report = retag(sessions, tagging, backend)
    assert report.records == records
    assert report.changed == [ART_191] and report.indexed == 1
    after = _by_value(_tags(settings)[ART_191])
    assert after[("crime_type", "money_laundering")]["confidence"] > 0.01
    assert after[("crime_type", "cybercrime")]["origin"] == "editor"
    hits = backend.search(SearchRequest(query=parse_query("crime:cybercrime"))).hits
    assert ART_191 in {h.id for h in hits}
    with sessions() as session:
        assert stale_count(session, tagging.version) == 0
    # Nothing stale, nothing to do; --force re-tags all and still changes nothing.
    assert retag(sessions, tagging, backend).records == 0
    forced = retag(sessions, tagging, backend, force=True)
    assert forced.records == records and forced.changed == []
    engine.dispose()


def test_vocabulary_edit_makes_tags_stale_until_retag(
    tmp_path: Path, criminal_law: Path, store_url: str
) -> None:
    vocab = tmp_path / "vocab"
    shutil.copytree(CORPUS / "vocab", vocab)
    env = {**store_env(tmp_path / "data", store_url), "SHERLOC_VOCAB_DIR": str(vocab)}
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", str(criminal_law)], env=env)
    assert first.exit_code == 0, first.output
    assert "sherloc retag" not in first.output
    crime_types = vocab / "crime_types.yaml"
    crime_types.write_text(crime_types.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    rebuilt = runner.invoke(main, ["index", "rebuild"], env=env)
    assert rebuilt.exit_code == 0 and "run `sherloc retag`" in rebuilt.output
    retagged = runner.invoke(main, ["retag"], env=env)
    assert retagged.exit_code == 0, retagged.output
    assert "tagged" in retagged.output and "0 changed" in retagged.output
    assert "tagged 0 records" in runner.invoke(main, ["retag"], env=env).output
    assert "retag" in runner.invoke(main, ["--help"]).output


def test_a_broken_vocabulary_stops_ingest_before_it_starts(tmp_path: Path, criminal_law: Path) -> None:
    env = {"SHERLOC_DATA_DIR": str(tmp_path / "data"), "SHERLOC_VOCAB_DIR": str(tmp_path / "nowhere")}
    result = CliRunner().invoke(main, ["ingest", str(criminal_law)], env=env)
    assert result.exit_code == 1 and "cannot load the vocabulary" in result.output
