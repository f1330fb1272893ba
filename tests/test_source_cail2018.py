"""Golden, detection and hostile-input tests for the CAIL2018 parser (and LawBench's CAIL2018 tasks).

Golden inputs are real cases copied from public repositories (tests/golden/cail2018/README.md says which).
The other tests build minimal invented cases ("被告人甲…"): they are not dataset content, only its shape.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from sherloc.ingest.registry import find_parser, parsers
from sherloc.ingest.sources.cail2018 import Cail2018Parser, written_charge
from sherloc.ingest.types import ParsedRecord, ParseError
from tests.golden_helpers import as_json, check_golden, head, shared
from tests.test_sources_decisions import all_parsers as decision_parsers

GOLDEN = Path(__file__).resolve().parent / "golden" / "cail2018"
VOCAB = Path(__file__).resolve().parents[1] / "corpus" / "vocab"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpora"
GOLDEN_INPUTS = sorted(
    p for p in GOLDEN.rglob("*.json") if p.is_file() and not p.name.endswith(".expected.json")
)


def expected_path(source: Path) -> Path:
    return source.with_name(source.name.rsplit(".", 1)[0] + ".expected.json")


def parser() -> Cail2018Parser:
    return Cail2018Parser(vocab_dir=VOCAB)


def case(fact: str = "被告人甲于某日窃取他人财物。", **meta: Any) -> dict[str, Any]:
    """An invented CAIL2018-shaped case; `meta` overrides the default labels."""
    labels: dict[str, Any] = {
        "relevant_articles": [264],
        "accusation": ["盗窃"],
        "punish_of_money": 1000,
        "criminals": ["甲"],
        "term_of_imprisonment": {"death_penalty": False, "imprisonment": 6, "life_imprisonment": False},
    }
    labels.update(meta)
    return {"fact": fact, "meta": labels}


def write_lines(path: Path, cases: list[Any]) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return path


def parse(path: Path) -> tuple[list[ParsedRecord], list[str]]:
    p = parser()
    records = list(p.parse(path))
    return records, p.warnings


# ---- golden files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", GOLDEN_INPUTS, ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden(source: Path) -> None:
    claimed = [p.name for p in [*decision_parsers(), parser()] if p.detect(source, head(source))]
    assert claimed == ["cail2018"]
    records, warnings = parse(source)
    assert warnings == []
    check_golden(as_json(records), expected_path(source))


def test_golden_inputs_and_contract() -> None:
    assert len(GOLDEN_INPUTS) == 3
    records, _ = parse(GOLDEN / "data_valid.excerpt.json")
    [record] = records
    assert record.title == "严某某非法持有毒品罪"
    assert record.attributes == {
        "charges": ["非法持有毒品罪"],
        "defendants": ["严某某"],
        "relevant_articles": ["248", "357"],
        "sentence": {
            "imprisonment_months": 6,
            "life_imprisonment": False,
            "death_penalty": False,
            "fine": 2000,
            "currency": "CNY",
        },
        "dataset": "CAIL2018",
    }
    assert (record.kind, record.country, record.language) == ("decision", "CN", "zh")
    assert record.text.startswith("公诉机关指控，2016年3月29日") and "evidence" not in record.attributes


def test_lawbench_items() -> None:
    charge, _ = parse(GOLDEN / "lawbench" / "3-3.excerpt.json")
    assert [r.attributes["charges"] for r in charge] == [["盗窃罪"], ["非法侵入住宅罪"]]
    assert {r.attributes["dataset"] for r in charge} == {"LawBench 3-3"}
    term, _ = parse(GOLDEN / "lawbench" / "3-4.excerpt.json")
    first = term[0]
    assert first.text.endswith("并处罚金。") and "罪名:" not in first.text  # the given labels are cut off
    assert first.text == charge[0].text  # the same CAIL2018 fact in both tasks
    assert first.attributes["relevant_articles"] == ["264"]
    assert first.attributes["sentence"] == {
        "imprisonment_months": 4,
        "life_imprisonment": False,
        "death_penalty": False,
        "fine": None,
    }
    assert first.source_key.startswith("lawbench/3-4/") and charge[0].source_key.startswith("lawbench/3-3/")


def test_lawbench_with_article_text_is_task_3_5(tmp_path: Path) -> None:
    """Invented from the 3-4 golden item plus an article text, the shape of data/zero_shot/3-5.json."""
    items = json.loads((GOLDEN / "lawbench" / "3-4.excerpt.json").read_text(encoding="utf-8"))[:1]
    items[0]["question"] += "。法条内容：第二百六十四条 盗窃公私财物，数额较大的，……"
    path = tmp_path / "3-5.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    [record], warnings = parse(path)
    assert warnings == []
    assert record.attributes["dataset"] == "LawBench 3-5"
    assert "法条内容" not in record.text and record.attributes["charges"] == ["盗窃罪"]


# ---- detection ------------------------------------------------------------------------------------


def test_detection_in_the_demo_corpus_and_golden_folders() -> None:
    """Nothing in the demo corpus or the other parsers' golden files is claimed; ours are claimed once."""
    p = parser()
    for path in sorted((REPO / "corpus").rglob("*")) + sorted((GOLDEN.parent).rglob("*")):
        if not path.is_file():
            continue
        ours = GOLDEN in path.parents and path.name.endswith(".json") and ".expected." not in path.name
        assert p.detect(path, head(path)) == ours, path


def test_detection_in_the_shared_corpora_is_exclusive() -> None:
    root = shared(SHARED)
    p = parser()
    for path in sorted(q for q in root.rglob("*") if q.is_file()):
        assert not p.detect(path, head(path)), path


def test_registry_routes_both_forms_to_this_parser() -> None:
    for source in GOLDEN_INPUTS:
        found = find_parser(source, source.read_bytes()[:4096])
        assert found is not None and found.name == "cail2018", source
    assert [p.name for p in parsers()].count("cail2018") == 1


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("lecard.json", '{"id": 5, "query": "x", "fact": "y"}\n', False),
        ("cail2022.json", '{"articleId": 1, "sentText": "x"}\n', False),
        ("candidate.json", '{"pid": 1, "fact": "y", "charge": ["盗窃罪"], "article": [264]}\n', False),
        ("other.json", '{"fact": "x", "meta": {"source": "web"}}\n', False),
        (
            "lawbench_2_1.json",
            '[{"instruction": "请对下面的文书进行校对", "question": "x", "answer": "y"}]',
            False,
        ),
        ("cases.txt", json.dumps(case(), ensure_ascii=False), False),
        ("flat.jsonl", '{"fact": "x", "accusation": ["盗窃"], "imprisonment": 6}\n', True),
        ("meta_first.json", '{"meta": {"accusation": ["盗窃"]}, "fact": "x"}\n', True),
        ("charge.json", '{"fact": "x", "meta": {"charge": ["盗窃"], "criminals": ["甲"]}}\n', True),
        ("array.json", "[\n  " + json.dumps(case(), ensure_ascii=False) + "\n]\n", True),
    ],
)
def test_detection_shapes(tmp_path: Path, name: str, content: str, claimed: bool) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert parser().detect(path, head(path)) is claimed


def test_detection_reads_past_a_long_first_fact(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "long.json", [case("被告人甲" + "窃取财物。" * 2000)])
    assert "meta" not in head(path)
    assert parser().detect(path, head(path))


# ---- parsing: shapes and hostile input ---------------------------------------------------------------


def test_malformed_lines_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "train.json"
    good = json.dumps(case(), ensure_ascii=False)
    other = json.dumps(case("被告人乙抢劫。", criminals=["乙"], accusation=["抢劫"]), ensure_ascii=False)
    path.write_text("\n".join([good, good[: len(good) // 2], "[1, 2]", '{"meta": {}}', other]) + "\n")
    records, warnings = parse(path)
    assert [r.attributes["defendants"] for r in records] == [["甲"], ["乙"]]
    assert [w.split(":")[0] for w in warnings] == [
        "train.json line 2",
        "train.json line 3",
        "train.json line 4",
    ]
    assert "not valid JSON" in warnings[0] and "no 'fact' text" in warnings[2]


def test_a_file_without_any_case_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"fact": \nnot json\n', encoding="utf-8")
    with pytest.raises(ParseError, match="has no JSON object line"):
        list(parser().parse(path))


def test_json_array_form_gives_the_same_records(tmp_path: Path) -> None:
    cases = [case(), case("被告人乙抢劫。", criminals=["乙"], accusation=["抢劫"])]
    lines = write_lines(tmp_path / "lines.json", cases)
    array = tmp_path / "array.json"
    array.write_text("\ufeff" + json.dumps(cases, ensure_ascii=False, indent=2), encoding="utf-8")
    from_lines, _ = parse(lines)
    from_array, warnings = parse(array)
    assert warnings == []
    assert as_json(from_array) == as_json(from_lines)


def test_json_array_is_streamed_and_a_broken_item_ends_it(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    good = json.dumps(case(), ensure_ascii=False)
    path.write_text(f'[{good}, "text", {good[:40]}', encoding="utf-8")
    p = parser()
    stream = p.parse(path)
    assert inspect.isgenerator(stream)
    records = list(stream)
    assert len(records) == 1
    assert p.warnings[0].startswith("array.json item 1: a JSON str")
    assert p.warnings[1].startswith("array.json item 2: not valid JSON")


def test_string_booleans_and_numbers(tmp_path: Path) -> None:
    term = {"death_penalty": "false", "imprisonment": "12", "life_imprisonment": "False"}
    path = write_lines(tmp_path / "s.json", [case(term_of_imprisonment=term, punish_of_money="0")])
    [record], warnings = parse(path)
    assert warnings == []
    assert record.attributes["sentence"] == {
        "imprisonment_months": 12,
        "life_imprisonment": False,
        "death_penalty": False,
        "fine": 0,
    }


@pytest.mark.parametrize(
    ("term", "months", "life", "death"),
    [
        ({"death_penalty": False, "imprisonment": -1, "life_imprisonment": False}, None, True, False),
        ({"death_penalty": False, "imprisonment": -2, "life_imprisonment": False}, None, False, True),
        ({"death_penalty": "true", "imprisonment": 0, "life_imprisonment": "false"}, None, False, True),
        ({"death_penalty": False, "imprisonment": 999, "life_imprisonment": True}, None, True, False),
        ({"death_penalty": False, "imprisonment": 0, "life_imprisonment": False}, 0, False, False),
    ],
)
def test_life_and_death_never_become_a_term(
    tmp_path: Path, term: dict[str, Any], months: int | None, life: bool, death: bool
) -> None:
    path = write_lines(tmp_path / "t.json", [case(term_of_imprisonment=term)])
    [record], warnings = parse(path)
    assert warnings == []
    sentence = record.attributes["sentence"]
    assert (sentence["imprisonment_months"], sentence["life_imprisonment"], sentence["death_penalty"]) == (
        months,
        life,
        death,
    )


def test_unreadable_label_values_are_reported(tmp_path: Path) -> None:
    term = {"death_penalty": "maybe", "imprisonment": -7, "life_imprisonment": False}
    path = write_lines(
        tmp_path / "bad.json",
        [case(term_of_imprisonment=term, relevant_articles=[264, "x", 264], punish_of_money=-5)],
    )
    [record], warnings = parse(path)
    assert record.attributes["relevant_articles"] == ["264"]
    assert record.attributes["sentence"] == {
        "imprisonment_months": None,
        "life_imprisonment": False,
        "death_penalty": False,
        "fine": None,
    }
    assert len(warnings) == 4 and all(w.startswith("bad.json line 1: ") for w in warnings)


def test_charges_renamed_bracketed_and_unknown(tmp_path: Path) -> None:
    """CAIL2018 labels: brackets mark selective parts; old names map to the current official name; a label
    the charge table does not know is kept as the dataset gives it (with 罪)."""
    labels = [
        "[生产、销售]假药",
        "非法[制造、买卖、运输、邮寄、储存][枪支、弹药、爆炸物]",
        "强制猥亵、侮辱妇女",
    ]
    labels += ["[组织、强迫、引诱、容留、介绍]卖淫", "盗窃", "盗窃"]
    path = write_lines(tmp_path / "c.json", [case(accusation=labels, criminals=["：甲", "乙"])])
    [record], _ = parse(path)
    assert record.attributes["charges"] == [
        "生产、销售、提供假药罪",
        "非法制造、买卖、运输、邮寄、储存枪支、弹药、爆炸物罪",
        "强制猥亵、侮辱罪",
        "组织、强迫、引诱、容留、介绍卖淫罪",
        "盗窃罪",
    ]
    assert record.attributes["defendants"] == ["甲", "乙"]
    assert record.title.startswith("甲、乙生产、销售假药罪、非法制造")  # the dataset's names, not ours
    assert written_charge("[生产、销售]假药") == "生产、销售假药罪"


def test_renamed_accusation_key_and_missing_labels(tmp_path: Path) -> None:
    renamed = {"fact": "被告人甲窃取财物。", "meta": {"charge": ["盗窃"], "criminals": ["甲"]}}
    bare = {"fact": "被告人乙窃取财物。", "meta": {}}
    [first, second], warnings = parse(write_lines(tmp_path / "r.json", [renamed, bare]))
    assert warnings == []
    assert first.attributes == {"charges": ["盗窃罪"], "defendants": ["甲"], "dataset": "CAIL2018"}
    assert second.attributes == {"dataset": "CAIL2018"}
    assert second.title.startswith("CAIL2018 刑事案件 ")


def test_duplicates_get_counters_and_keys_do_not_depend_on_line_order(tmp_path: Path) -> None:
    one, two = case(), case("被告人乙抢劫。", criminals=["乙"], accusation=["抢劫"])
    # The same fact for a second defendant is another case, not a duplicate.
    co_defendant = case(criminals=["丙"])
    forward, _ = parse(write_lines(tmp_path / "a.json", [one, two, one, co_defendant]))
    backward, _ = parse(write_lines(tmp_path / "b.json", [co_defendant, one, two, one]))
    keys = [r.source_key for r in forward]
    assert len(set(keys)) == 4 and keys[2] == keys[0] + "-2"
    assert sorted(keys) == sorted(r.source_key for r in backward)
    assert all(k.startswith("cail2018/") for k in keys)


def test_reingest_gives_the_same_records(tmp_path: Path) -> None:
    path = GOLDEN / "data_valid.excerpt.json"
    p = parser()
    first = as_json(list(p.parse(path)))
    second = as_json(list(p.parse(path)))
    again = as_json(list(parser().parse(path)))
    assert first == second == again


def test_ingest_twice_keeps_the_same_ids(tmp_path: Path) -> None:
    """Through the pipeline: a second run of the same file stores nothing new and keeps every id."""
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.ingest.pipeline import Ingester
    from sherloc.models import Record
    from sherloc.settings import Settings

    folder = tmp_path / "cases"
    folder.mkdir()
    write_lines(folder / "train.json", [case(), case("被告人乙抢劫。", criminals=["乙"]), case()])
    settings = Settings(data_dir=tmp_path / "data", secret_key="test")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        factory = make_session_factory(engine)
        first = Ingester(factory, None).run([folder / "train.json"])
        with factory() as session:
            ids = sorted(r.id for r in session.query(Record).all())
        second = Ingester(factory, None).run([folder / "train.json"])
        with factory() as session:
            assert sorted(r.id for r in session.query(Record).all()) == ids
    finally:
        engine.dispose()
    assert first.count("failed") == 0 and second.count("failed") == 0
    assert len(ids) == 3
