"""Golden and whole-corpus tests for the LawRefBook and legalize parsers and the PRC charge-name table.

Golden files: tests/golden/<parser>/**/<name>.md is a real source file (or a line excerpt named *.excerpt.md,
see tests/golden/README.md) and <name>.expected.json beside it is what the parser must produce. To regenerate
after a deliberate change, run with SHERLOC_REGEN_GOLDEN=1 and read the diff of the JSON before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sherloc.ingest.cn_charges import (
    build_charge_table,
    parse_references,
    split_cancellations,
    split_names,
)
from sherloc.ingest.sources.lawrefbook import LawRefBookParser, header_dates, load_charge_names
from sherloc.ingest.sources.legalize import LegalizeParser
from sherloc.ingest.types import ParsedProvision, ParsedRecord, ParseError
from tests.golden_helpers import GOLDEN, REPO, SHARED, as_json, check_golden
from tests.golden_helpers import head as _head
from tests.golden_helpers import shared as _shared

VOCAB = REPO / "corpus" / "vocab"
LAWREFBOOK = SHARED / "zh-cn-laws-lawrefbook"
CODE_PENAL = SHARED / "fr-fr-codes-legalize-fr" / "fr" / "LEGITEXT000006070719.md"
CODIGO_PENAL = SHARED / "es-es-laws-legalize-es" / "es" / "BOE-A-1995-25444.md"

PARSERS = {"lawrefbook": lambda: LawRefBookParser(vocab_dir=VOCAB), "legalize": LegalizeParser}


def golden_inputs() -> list[Path]:
    return sorted(p for p in GOLDEN.rglob("*.md") if p.name != "README.md")


def _parse_one(parser: LawRefBookParser | LegalizeParser, path: Path) -> ParsedRecord:
    records = list(parser.parse(path))
    assert len(records) == 1
    return records[0]


def _by_number(record: ParsedRecord, number: str) -> ParsedProvision:
    # The last occurrence: legalize-fr repeats some numbers, and the later text is the one tested here.
    matches = [p for p in record.provisions if p.number == number]
    assert matches, f"no provision {number} in {record.source_key}"
    return matches[-1]


# ---- golden files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", golden_inputs(), ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden(source: Path) -> None:
    parser = PARSERS[source.relative_to(GOLDEN).parts[0]]()
    assert parser.detect(source, _head(source))
    actual = as_json(list(parser.parse(source)))
    check_golden(actual, source.with_suffix(".expected.json"))


def test_every_golden_input_has_an_expected_file() -> None:
    for source in golden_inputs():
        assert source.with_suffix(".expected.json").exists(), source


# ---- detection and errors -------------------------------------------------------------------------


def test_lawrefbook_rejects_folder_index(tmp_path: Path) -> None:
    index = tmp_path / "刑法" / "_index.md"
    index.parent.mkdir()
    index.write_text("---\nbookCollapseSection: true\n---", encoding="utf-8")
    parser = LawRefBookParser(vocab_dir=VOCAB)
    assert not parser.detect(index, _head(index))
    renamed = index.with_name("folder.md")
    index.rename(renamed)
    assert not parser.detect(renamed, _head(renamed))
    with pytest.raises(ParseError, match="front matter"):
        list(parser.parse(renamed))


def test_parsers_do_not_claim_each_others_files() -> None:
    law = GOLDEN / "lawrefbook" / "民法典" / "附则.md"
    code = GOLDEN / "legalize" / "fr" / "LEGITEXT000006070666.md"
    assert not LegalizeParser().detect(law, _head(law))
    assert not LawRefBookParser(vocab_dir=VOCAB).detect(code, _head(code))


def test_legalize_rejects_invalid_yaml(tmp_path: Path) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text('---\ntitle: "Code\nidentifier: [x\ncountry: fr\n---\n# Code\n', encoding="utf-8")
    parser = LegalizeParser()
    assert parser.detect(broken, _head(broken))
    with pytest.raises(ParseError, match="not valid YAML"):
        list(parser.parse(broken))


def test_legalize_rejects_unclosed_front_matter(tmp_path: Path) -> None:
    broken = tmp_path / "unclosed.md"
    broken.write_text("---\nidentifier: X\ncountry: es\n# Ley\n", encoding="utf-8")
    with pytest.raises(ParseError, match="never closed"):
        list(LegalizeParser().parse(broken))


def test_unreadable_file_is_a_parse_error(tmp_path: Path) -> None:
    latin1 = tmp_path / "law.md"
    latin1.write_bytes("# Loi\n\nArticle 1\n\nDéjà".encode("latin-1"))
    with pytest.raises(ParseError, match="not UTF-8"):
        list(LawRefBookParser(vocab_dir=VOCAB).parse(latin1))


def test_lawrefbook_case_digest_is_a_decision_without_articles(tmp_path: Path) -> None:
    digest = tmp_path / "案例" / "民法典" / "某案.md"  # a case folder named like the Civil Code's
    digest.parent.mkdir(parents=True)
    digest.write_text("# 裁判要点\n\n<!-- INFO END -->\n\n## 基本案情\n\n第一条 约定……\n", encoding="utf-8")
    record = _parse_one(LawRefBookParser(vocab_dir=VOCAB), digest)
    assert (record.kind, record.provisions) == ("decision", [])
    assert record.text == "基本案情\n\n第一条 约定……"
    assert record.attributes == {"category": "案例", "subcategory": "民法典"}


def test_lawrefbook_without_charge_table_has_no_headings(tmp_path: Path) -> None:
    excerpt = GOLDEN / "lawrefbook" / "刑法" / "刑法.excerpt.md"
    record = _parse_one(LawRefBookParser(vocab_dir=tmp_path), excerpt)
    assert all(p.heading is None and not p.attributes for p in record.provisions)


def test_lawrefbook_reads_vocab_dir_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHERLOC_VOCAB_DIR", str(VOCAB))
    record = _parse_one(LawRefBookParser(), GOLDEN / "lawrefbook" / "刑法" / "刑法.excerpt.md")
    assert _by_number(record, "191").heading == "洗钱罪"


@pytest.mark.parametrize(
    ("info", "file_date", "adopted", "amended"),
    [
        (
            ["2006年10月31日 第十届…会议通过", "2024年11月8日 第十四届…会议修订）"],
            None,
            "2006-10-31",
            "2024-11-08",
        ),
        (
            ["2004年8月26日 最高人民法院审判委员会第1322次会议通过", "2005年1月11日 施行"],
            None,
            "2004-08-26",
            None,
        ),
        (["2005年8月3日 国务院令第442号公布"], dt.date(2016, 2, 6), "2005-08-03", "2016-02-06"),
        ([], dt.date(2002, 3, 15), "2002-03-15", None),
    ],
)
def test_lawrefbook_header_dates(
    info: list[str], file_date: dt.date | None, adopted: str, amended: str | None
) -> None:
    got = header_dates(info, file_date)
    assert (got[0].isoformat() if got[0] else None, got[1].isoformat() if got[1] else None) == (
        adopted,
        amended,
    )


# ---- the PRC charge-name table -----------------------------------------------------------------------


def test_charge_table_references_and_names() -> None:
    assert parse_references("第127条第1款、第2款") == [("127", "1"), ("127", "2")]
    assert parse_references("第一百二十条之一 （《刑法修正案（九）》第六条）") == [("120-1", "")]
    assert parse_references("第371条第2条") == [("371", "")]  # 条 for 款: a typo in the 1997 opinion
    assert split_names("国有公司、企业、事业单位人员失职罪 国有公司、企业、事业单位人员滥用职权罪") == [
        "国有公司、企业、事业单位人员失职罪",
        "国有公司、企业、事业单位人员滥用职权罪",
    ]
    assert split_names("拒绝提供间谍犯罪、恐怖主义犯罪、极端主义犯罪证据罪") == [
        "拒绝提供间谍犯罪、恐怖主义犯罪、极端主义犯罪证据罪"
    ]
    assert split_cancellations("非法猎捕、收购、运输、出售 陆生野生动物罪") == (
        "非法猎捕、收购、运输、出售 陆生野生动物罪",
        [],
    )
    assert split_cancellations("危害国家重点保护植物罪 （取消A罪和B罪罪名）") == (
        "危害国家重点保护植物罪 ",
        ["A罪", "B罪"],
    )
    assert split_cancellations("取消嫖宿幼女罪罪名") == ("", ["嫖宿幼女罪"])
    assert split_cancellations("走私废物罪（取消刑法原第155条第3项走私固体废物罪罪名）") == (
        "走私废物罪",
        ["走私固体废物罪"],
    )


def test_committed_charge_table() -> None:
    charges = load_charge_names(VOCAB)
    assert charges["191"] == ["洗钱罪"]
    assert charges["347"] == ["走私、贩卖、运输、制造毒品罪"]
    # Renamed by supplement 八 (2024): "徇私舞弊低价折股、出售国有资产罪" -> "…出售公司、企业资产罪".
    assert charges["169"] == ["徇私舞弊低价折股、出售公司、企业资产罪"]
    # 2002 replaced 投毒罪 in place; 2002 and 2015 cancelled 奸淫幼女罪 and 嫖宿幼女罪.
    assert charges["114"] == ["放火罪", "决水罪", "爆炸罪", "投放危险物质罪", "以危险方法危害公共安全罪"]
    assert charges["236"] == ["强奸罪"]
    assert charges["360"] == ["传播性病罪"]
    # 2002 names 第127条第1款、第2款 anew without a "取消" clause: the new name replaces the 1997 one.
    assert charges["127"] == [
        "盗窃、抢夺枪支、弹药、爆炸物、危险物质罪",
        "抢劫枪支、弹药、爆炸物、危险物质罪",
    ]
    # 2002 named 第120条之一 资助恐怖活动罪; 六 (2015) cancelled it for 帮助恐怖活动罪.
    assert charges["120-1"] == ["帮助恐怖活动罪"]
    assert "155" not in charges  # 走私固体废物罪 was cancelled from article 155 by 二 (2003)
    data = json.loads((VOCAB / "cn_criminal_charges.json").read_text(encoding="utf-8"))
    sources = {c["source"] for c in data["articles"]["169"]}
    assert sources == {"最高人民法院、最高人民检察院关于执行《中华人民共和国刑法》确定罪名的补充规定（八）"}


@pytest.fixture(scope="module")
def built_charge_table() -> dict[str, Any]:
    if not LAWREFBOOK.is_dir():
        pytest.skip(f"shared corpus not found at {LAWREFBOOK}")
    return build_charge_table(LAWREFBOOK)


def test_charge_table_is_regenerated_from_the_corpus(built_charge_table: dict[str, Any]) -> None:
    committed = json.loads((VOCAB / "cn_criminal_charges.json").read_text(encoding="utf-8"))
    assert built_charge_table == committed, "regenerate with python -m sherloc.ingest.cn_charges"
    assert [d["date"] for d in built_charge_table["source_documents"]] == [
        "1997-12-25", "2002-03-15", "2003-08-15", "2007-10-25", "2009-10-14",
        "2011-04-27", "2015-10-30", "2021-02-26", "2024-01-30",
    ]  # fmt: skip
    names = [c["charge"] for charges in built_charge_table["articles"].values() for c in charges]
    assert all(name.endswith("罪") for name in names)


# ---- whole codes from the shared corpus -----------------------------------------------------------------


def test_prc_criminal_law() -> None:
    record = _parse_one(LawRefBookParser(vocab_dir=VOCAB), _shared(LAWREFBOOK / "刑法" / "刑法.md"))
    # 505 = grep -cE '^第[一二三四五六七八九十百千零]+条(之[一二三四五六七八九十]+)? ' 刑法/刑法.md:
    # articles 1-452 of the 1997 code plus the 53 articles that amendments inserted as 第X条之Y.
    assert len(record.provisions) == 505
    numbers = [p.number for p in record.provisions]
    assert {int(n.split("-")[0]) for n in numbers} == set(range(1, 453))
    assert sum("-" in n for n in numbers) == 53
    assert (record.date_adopted, record.date_amended) == (dt.date(1979, 7, 1), dt.date(2023, 12, 29))
    article = _by_number(record, "191")
    assert "掩饰、隐瞒" in article.text
    assert article.heading == "洗钱罪"
    assert article.path[-1] == "第四节 破坏金融管理秩序罪"
    assert article.path == ["第二编 分则", "第三章 破坏社会主义市场经济秩序罪", "第四节 破坏金融管理秩序罪"]
    assert _by_number(record, "347").heading == "走私、贩卖、运输、制造毒品罪"
    assert _by_number(record, "452").path == ["附则"]
    assert "附件一" in record.text


def test_french_code_penal() -> None:
    record = _parse_one(LegalizeParser(), _shared(CODE_PENAL))
    # 1325 = `grep -c '^##### Article ' LEGITEXT000006070719.md`. legalize-fr repeats some articles with
    # other wordings (18 numbers, 2-3 times each), so the distinct numbers are fewer.
    assert len(record.provisions) == 1325
    raw = CODE_PENAL.read_text(encoding="utf-8")
    distinct = set(re.findall(r"(?m)^##### Article (.+?)\s*$", raw))
    assert len({p.number for p in record.provisions}) == len(distinct)
    article = _by_number(record, "324-1")
    assert "blanchiment" in article.text
    assert article.path[-2:] == [
        "Chapitre IV : Du blanchiment",
        "Section 1 : Du blanchiment simple et du blanchiment aggravé",
    ]
    assert _by_number(record, "R610-1").path[0].startswith("Partie réglementaire")
    repeated = [p for p in record.provisions if p.number == "131-22"]
    assert [p.attributes["occurrence"] for p in repeated] == [1, 2, 3]


def test_spanish_codigo_penal() -> None:
    record = _parse_one(LegalizeParser(), _shared(CODIGO_PENAL))
    # 778 = `grep -c '^##### ' BOE-A-1995-25444.md`: every level-5 heading of the file is an article,
    # a range of articles ("Artículos 617 a 622.") or a disposition (`grep '^##### ' | grep -vE
    # '^##### (Artículos?|Disposición) '` prints nothing).
    assert len(record.provisions) == 778
    article = _by_number(record, "301")
    assert "bienes" in article.text
    assert article.label == "Artículo 301."
    assert article.path == [
        "LIBRO II. Delitos y sus penas",
        "TÍTULO XIII. Delitos contra el patrimonio y contra el orden socioeconómico",
        "CAPÍTULO XIV. De la receptación y el blanqueo de capitales",
    ]
    assert _by_number(record, "88").status == "repealed"
    assert _by_number(record, "617").status == "repealed"  # under "Artículos 617 a 622. (Derogados)"
    assert _by_number(record, "DF 7").path == []
    assert record.date_adopted == dt.date(1995, 11, 23)
