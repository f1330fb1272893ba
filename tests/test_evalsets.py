"""Tests for the crime-type tagger's evaluation sets (needs the shared corpora)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sherloc.ingest.sources.lawrefbook import LawRefBookParser
from sherloc.ingest.sources.legalize import LegalizeParser
from sherloc.ingest.sources.pravo_ru import PravoRuParser
from sherloc.tagging.evalsets import CAIL_FILE, SET_NAMES, EvalItem, EvalSetBuilder

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
VOCAB = ROOT / "corpus" / "vocab"

pytestmark = pytest.mark.skipif(not CORPORA.is_dir(), reason="shared corpora absent")


@pytest.fixture(scope="module")
def builder() -> EvalSetBuilder:
    return EvalSetBuilder(CORPORA, VOCAB)


@pytest.fixture(scope="module")
def sets(builder: EvalSetBuilder) -> dict[str, list[EvalItem]]:
    return builder.build()


def gold_of(items: list[EvalItem], source_key: str, number: str) -> tuple[str, ...]:
    found = [item.gold for item in items if item.id.startswith(f"{source_key}#{number}@")]
    assert len(found) == 1, (source_key, number, found)
    return found[0]


def test_set_names(sets: dict[str, list[EvalItem]]) -> None:
    assert tuple(sets) == SET_NAMES
    assert all(sets[name] for name in SET_NAMES)


def test_cail2022(sets: dict[str, list[EvalItem]]) -> None:
    import json

    lines = [line for line in (CORPORA / CAIL_FILE).read_text(encoding="utf-8").splitlines() if line.strip()]
    paragraphs = len(json.loads("\n".join(lines))) if lines[0].lstrip().startswith("[") else len(lines)
    items = sets["decisions_cail2022"]
    assert len(items) == paragraphs
    assert all(item.gold == ("drug_trafficking",) for item in items)


def test_lecardv2(sets: dict[str, list[EvalItem]]) -> None:
    items = sets["decisions_lecardv2"]
    assert len(items) == 360
    assert any(not item.gold for item in items)
    assert any("drug_trafficking" in item.gold for item in items)


def test_provision_gold(sets: dict[str, list[EvalItem]]) -> None:
    cn = sets["provisions_cn"]
    cn_key = cn[0].id.split("#")[0]
    assert "money_laundering" in gold_of(cn, cn_key, "191")
    assert "drug_trafficking" in gold_of(cn, cn_key, "347")
    fr = sets["provisions_fr"]
    fr_key = "LEGITEXT000006070719"
    fr_key = next(item.id.split("#")[0] for item in fr if fr_key in item.id)
    assert "money_laundering" in gold_of(fr, fr_key, "324-1")
    assert "drug_trafficking" in gold_of(fr, fr_key, "222-34")
    es = sets["provisions_es"]
    es_key = es[0].id.split("#")[0]
    assert "money_laundering" in gold_of(es, es_key, "301")  # "De la receptación y el blanqueo de capitales"
    assert "trafficking_in_persons" in gold_of(es, es_key, "177 bis")
    ru = sets["provisions_ru"]
    ru_key = ru[0].id.split("#")[0]
    assert "money_laundering" in gold_of(ru, ru_key, "174")
    assert "drug_trafficking" in gold_of(ru, ru_key, "228.1")
    for name in ("provisions_cn", "provisions_fr", "provisions_es", "provisions_ru"):
        assert any(not item.gold for item in sets[name]), name


def test_every_rule_matches(builder: EvalSetBuilder, sets: dict[str, list[EvalItem]]) -> None:
    for key, parser in (
        ("cn_headings", LawRefBookParser(builder.vocab_dir)),
        ("fr_headings", LegalizeParser()),
        ("es_headings", LegalizeParser()),
        ("ru_headings", PravoRuParser()),
    ):
        hits = builder.heading_rule_hits(key, parser)
        rules = builder.labels.headings[key].rules
        assert not [rules[i].pattern.pattern for i, n in hits.items() if n == 0], key
    cn_names: set[str] = set()
    for item in sets["provisions_cn"]:
        cn_names.update(item.gold)
    table = {name for names in builder.table_vocabulary.names() for name in [names]}
    assert set(builder.labels.cn_charges) <= table
    assert set(builder.labels.cn_charges.values()) <= cn_names


def test_no_item_in_two_sets(sets: dict[str, list[EvalItem]]) -> None:
    ids = [item.id for items in sets.values() for item in items]
    assert len(ids) == len(set(ids))


def test_negatives(sets: dict[str, list[EvalItem]]) -> None:
    assert all(not item.gold for item in sets["negatives"])
    assert {item.language for item in sets["negatives"]} >= {"zh", "es", "ru", "ar"}


def test_to_json_contract(sets: dict[str, list[EvalItem]]) -> None:
    record = sets["provisions_fr"][0].to_json()
    assert set(record) == {"id", "text", "language", "title", "kind", "path"}
    assert record["path"][0] == "Code pénal" and record["path"][-1].startswith(
        ("Chapitre", "Section", "Titre")
    )
    decision = sets["decisions_lecardv2"][0].to_json()
    assert (
        {"id", "text", "language", "title", "kind"}
        <= set(decision)
        <= {"id", "text", "language", "title", "kind", "charges"}
    )


def test_deterministic(sets: dict[str, list[EvalItem]]) -> None:
    again = EvalSetBuilder(CORPORA, VOCAB).build()
    assert again == sets


def test_tagger_meets_the_quality_floor(sets: dict[str, list[EvalItem]]) -> None:
    """The issue's floor, on the shared labelled sets (figures: benchmarks/eval_tags.py)."""
    from sherloc.tagging.evaluation import evaluate
    from sherloc.tagging.tagger import Tagger
    from sherloc.vocab import load_vocabulary

    report = evaluate(Tagger(load_vocabulary(VOCAB)), sets)
    assert report.groups["decisions"].f1 >= 0.90
    assert report.groups["provisions"].f1 >= 0.85
    assert report.sets["decisions_cail2022"].recall >= 0.98
    assert report.sets["negatives"].negatives_tagged < 0.05
