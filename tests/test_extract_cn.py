"""The Chinese judgment extractor: golden judgments (expected JSON written by reading them) and unit cases."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from sherloc.extract.cn_judgment import (
    CRIMINAL_DETENTION,
    DEATH_WITH_REPRIEVE,
    FIRST_INSTANCE,
    FIXED_TERM,
    JUDGMENT,
    LIFE_IMPRISONMENT,
    CnJudgmentFacts,
    caption_title,
    charge_lexicon,
    extract_cn_judgment,
    title_charges,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "extract_cn"
CASES = sorted(p.name.removesuffix(".txt") for p in GOLDEN.glob("*.txt"))


def _value(located: Any) -> Any:
    return None if located is None else located.value


def _as_expected(facts: CnJudgmentFacts) -> dict[str, Any]:
    """The facts in the shape of the golden files: values, no spans (spans are checked separately)."""
    return {
        "court": _value(facts.court),
        "case_number": _value(facts.case_number),
        "decision_date": _value(facts.decision_date),
        "verdict": _value(facts.verdict),
        "title_charges": facts.title_charges,
        "charges": facts.charge_names(),
        "defendants": [
            {
                "name": d.name,
                "gender": _value(d.gender),
                "birth_year": _value(d.birth_year),
                "ethnicity": _value(d.ethnicity),
                "nationality": _value(d.nationality),
                "role": _value(d.role),
                "charges": d.charges,
            }
            for d in facts.defendants
        ],
        "sentences": [
            {
                "defendant": s.defendant,
                "charge": s.charge,
                "source": s.source,
                "combined": s.combined,
                "penalties": [
                    {"kind": p.kind, "months": p.months, "suspended_months": p.suspended_months}
                    for p in s.penalties
                ],
                "fines": [{"kind": f.kind, "amount": f.amount, "currency": f.currency} for f in s.fines],
                "other_measures": [m.value for m in s.other_measures],
            }
            for s in facts.sentences
        ],
        "drugs": [{"text": d.text, "canonical": d.canonical, "span": list(d.span)} for d in facts.drugs],
        "drug_weights": [
            {"text": w.text, "grams": w.grams, "span": list(w.span)} for w in facts.drug_weights
        ],
    }


def _read_case(name: str) -> tuple[str, dict[str, Any]]:
    text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")
    expected = json.loads((GOLDEN / f"{name}.expected.json").read_text(encoding="utf-8"))
    expected.pop("source")
    return text, expected


def _spans(value: Any) -> list[tuple[str, tuple[int, int]]]:
    """Every (text, span) pair in the facts that carries its own text."""
    found: list[tuple[str, tuple[int, int]]] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        if isinstance(fields.get("text"), str) and isinstance(fields.get("span"), tuple):
            found.append((fields["text"], fields["span"]))
        for item in fields.values():
            found += _spans(item)
    elif isinstance(value, list):
        for item in value:
            found += _spans(item)
    return found


@pytest.mark.parametrize("name", CASES)
def test_golden_judgment(name: str) -> None:
    text, expected = _read_case(name)
    title = caption_title(text)
    facts = extract_cn_judgment(text, title[0] if title else None)
    assert _as_expected(facts) == expected


@pytest.mark.parametrize("name", CASES)
def test_every_span_points_at_its_text(name: str) -> None:
    text, _ = _read_case(name)
    facts = extract_cn_judgment(text)
    pairs = _spans(facts)
    assert pairs or not text
    for written, (start, end) in pairs:
        assert text[start:end] == written
    for defendant in facts.defendants:
        assert text[slice(*defendant.span)] == defendant.name
    for charge in facts.charges:
        assert text[slice(*charge.span)] in (charge.name, charge.name[:-1])


def _disposition(body: str) -> CnJudgmentFacts:
    return extract_cn_judgment(
        "某某省某某市中级人民法院刑事判决书（2018）某01刑初5号公诉机关某某市人民检察院。"
        "被告人张某，男，1980年1月1日出生，汉族。被告人李某，女，1990年2月2日出生，回族。"
        f"本院认为，被告人张某、李某的行为均已构成贩卖毒品罪。判决如下：{body}"
        "如不服本判决，可在接到判决书的第二日起十日内提出上诉。审判长王某二〇一八年三月十二日书记员赵某"
    )


def test_disposition_terms_dates_and_roles() -> None:
    facts = _disposition(
        "一、被告人张某犯贩卖毒品罪，判处无期徒刑，剥夺政治权利终身，并处没收个人全部财产。"
        "二、被告人李某犯贩卖毒品罪，判处有期徒刑三年六个月，并处罚金人民币五千元。"
    )
    assert facts.court is not None and facts.court.value == "某某省某某市中级人民法院"
    assert facts.decision_date is not None and facts.decision_date.value == "2018-03-12"
    assert _value(facts.verdict) == "guilty"
    zhang, li = facts.defendants
    assert (zhang.gender and zhang.gender.value, li.ethnicity and li.ethnicity.value) == ("male", "回族")
    assert zhang.charges == li.charges == ["贩卖毒品罪"]
    assert facts.charges[0].canonical == "走私、贩卖、运输、制造毒品罪"
    (life,) = zhang.sentences
    assert life.source == JUDGMENT
    assert [(p.kind, p.months) for p in life.penalties] == [(LIFE_IMPRISONMENT, None)]
    assert [(f.kind, f.amount) for f in life.fines] == [("confiscation of property", None)]
    assert [m.value for m in life.other_measures] == ["剥夺政治权利终身"]
    (term,) = li.sentences
    assert [(p.kind, p.months) for p in term.penalties] == [(FIXED_TERM, 42)]
    assert [(f.amount, f.currency) for f in term.fines] == [(5000, "CNY")]


def test_detention_suspension_reprieve_and_arabic_amounts() -> None:
    facts = _disposition(
        "一、被告人张某犯贩卖毒品罪，判处死刑，缓期二年执行，剥夺政治权利终身。"
        "二、被告人李某犯贩卖毒品罪，判处拘役六个月，缓刑一年，并处罚金人民币1.5万元。"
    )
    zhang, li = facts.defendants
    assert [p.kind for p in zhang.sentences[0].penalties] == [DEATH_WITH_REPRIEVE]
    (penalty,) = li.sentences[0].penalties
    assert (penalty.kind, penalty.months, penalty.suspended_months) == (CRIMINAL_DETENTION, 6, 12)
    assert li.sentences[0].fines[0].amount == 15000


def test_acquittal() -> None:
    facts = _disposition("被告人李某无罪。")
    assert _value(facts.verdict) == "acquitted"


def test_statutory_ranges_are_not_sentences() -> None:
    facts = _disposition("被告人张某依法应判处三年以上十年以下有期徒刑，并处罚金。")
    assert facts.sentences == []


def test_roles_found_by_the_court_not_claimed_by_the_defence() -> None:
    facts = _disposition(
        "被告人张某在共同犯罪中起主要作用，系主犯。辩护人提出被告人李某系从犯，本院不予采纳。"
    )
    zhang, li = facts.defendants
    assert _value(zhang.role) == "principal"
    assert li.role is None


@pytest.mark.parametrize(
    ("title", "charges"),
    [
        ("韩飞飞寻衅滋事、妨害公务二审刑事判决书", ["寻衅滋事罪", "妨害公务罪"]),
        ("䬦某东犯故意伤害、抢劫罪案的刑事判决书", ["故意伤害罪", "抢劫罪"]),
        ("朱传朋犯走私、贩卖、运输、制造毒品罪一审刑事判决书", ["走私、贩卖、运输、制造毒品罪"]),
    ],
)
def test_title_charges(title: str, charges: list[str]) -> None:
    assert title_charges(title) == charges


def test_selective_charge_forms() -> None:
    lexicon = charge_lexicon()
    assert lexicon["制造、贩卖毒品罪"] == "走私、贩卖、运输、制造毒品罪"
    assert lexicon["窝藏罪"] == "窝藏、包庇罪"
    assert lexicon["非法持有枪支罪"] == "非法持有、私藏枪支、弹药罪"
    assert lexicon["掩饰、隐瞒犯罪所得罪"] == "掩饰、隐瞒犯罪所得、犯罪所得收益罪"


def test_shared_suffix_charge_list() -> None:
    facts = extract_cn_judgment(
        "公诉机关指控被告人朱某犯制造、贩卖毒品、非法种植毒品原植物罪，向本院提起公诉。"
    )
    assert facts.charge_names() == ["制造、贩卖毒品罪", "非法种植毒品原植物罪"]


def test_foreign_defendant_age_and_nationality() -> None:
    facts = extract_cn_judgment(
        "某某县人民法院刑事判决书（2019）云3102刑初9号公诉机关某某县人民检察院。"
        "被告人阮某，男，32岁，越南国籍，文盲。某某县人民检察院指控被告人阮某犯运输毒品罪。"
    )
    (ruan,) = facts.defendants
    assert (_value(ruan.age), _value(ruan.nationality)) == ("32", "越南")
    assert ruan.charges == ["运输毒品罪"]


def test_exemption_from_punishment() -> None:
    facts = _disposition("被告人李某犯贩卖毒品罪，免予刑事处罚。")
    (sentence,) = facts.defendants[1].sentences
    assert [p.kind for p in sentence.penalties] == ["exempt from punishment"]


def test_revoked_and_merged_earlier_sentences_are_not_sentences_given_now() -> None:
    # LeCaRDv2 test_query 615 (an appeal quoting the first instance): the suspension of an earlier
    # sentence is revoked and that sentence merged with the new one (数罪并罚).
    text = (
        "据此，原审法院认为，被告人葛亮多次阻挡工地施工，其行为已构成寻衅滋事罪。依照《中华人民共和国刑法》"
        "第二百九十三条、第六十九条、第七十七条、第六十四条之规定，判决：（一）撤销本院（2014）户刑初字第00130号"
        "刑事判决中被告人葛亮犯寻衅滋事罪，判处有期徒刑一年，宣告缓刑，缓刑考验期限二年的缓刑部分；（二）被告人"
        "葛亮犯寻衅滋事罪，判处有期徒刑一年又九个月；与原犯寻衅滋事罪，判处有期徒刑一年合并，决定执行有期徒刑"
        "二年又六个月；（三）作案工具匕首一把，予以没收。葛亮上诉提出：他的行为已得到了被害单位的谅解。"
    )
    facts = extract_cn_judgment("被告人葛亮，男。" + text)
    given = [(s.charge, s.combined, s.source, [p.months for p in s.penalties]) for s in facts.sentences]
    assert given == [("寻衅滋事罪", False, FIRST_INSTANCE, [21]), (None, True, FIRST_INSTANCE, [30])]
