"""The tagger and its `sherloc tag` JSON-lines contract, on real provision texts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sherloc.cli import main
from sherloc.tagging.tagger import Tagger, TagInput
from sherloc.vocab import load_vocabulary
from tests.test_backend_suite import CN_191, CN_347, ES_301, FR_222_34, FR_324_1


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_vocabulary())


@pytest.mark.parametrize(
    ("text", "title", "language", "crime_type"),
    [
        (FR_324_1, "Code pénal, Article 324-1", "fr", "money_laundering"),
        (FR_222_34, "Code pénal, Article 222-34", "fr", "drug_trafficking"),
        (CN_347, "中华人民共和国刑法 第三百四十七条 走私、贩卖、运输、制造毒品罪", "zh", "drug_trafficking"),
        (CN_191, "中华人民共和国刑法 第一百九十一条 洗钱罪", "zh", "money_laundering"),
        # Art. 301 names the acts, not the word: its chapter heading does (as the tagger is given it).
        (
            ES_301,
            "Código Penal. CAPÍTULO XIV. De la receptación y el blanqueo de capitales. Artículo 301.",
            "es",
            "money_laundering",
        ),
    ],
)
def test_real_provisions_get_their_crime_type_with_evidence(
    tagger: Tagger, text: str, title: str, language: str, crime_type: str
) -> None:
    result = tagger.tag(TagInput("x", text, language, title))
    assert crime_type in result.crime_types
    assert any(e["value"] == crime_type and e["term"] for e in result.evidence)
    assert 0 < result.confidence[crime_type] <= 1


def test_convention_articles_follow_the_crime_type(tagger: Tagger) -> None:
    result = tagger.tag(TagInput("x", FR_324_1, "fr", "Code pénal, Article 324-1"))
    assert {"instrument": "UNTOC", "article": "6"} in result.instruments


def test_language_is_detected_when_not_given(tagger: Tagger) -> None:
    assert tagger.tag(TagInput("x", FR_324_1)).language == "fr"


def test_cli_contract_one_json_line_per_input(tmp_path: object) -> None:
    lines = [
        json.dumps({"id": "fr-324-1", "text": FR_324_1, "language": "fr", "kind": "provision"}),
        "not json",
        json.dumps(
            {"id": "cn-347", "text": CN_347, "title": "走私、贩卖、运输、制造毒品罪", "kind": "provision"}
        ),
        json.dumps({"id": "bad-kind", "text": "x", "kind": "novel"}),
    ]
    result = CliRunner().invoke(main, ["tag"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o.get("id") for o in out] == ["fr-324-1", None, "cn-347", "bad-kind"]
    assert out[0]["crime_types"] == ["money_laundering"] and out[0]["language"] == "fr"
    assert set(out[0]) >= {"id", "language", "crime_types", "instruments", "cross_cutting", "evidence"}
    assert "error" in out[1] and "line 2" in out[1]["error"]
    assert "drug_trafficking" in out[2]["crime_types"] and out[2]["language"] == "zh"
    assert "kind" in out[3]["error"]
