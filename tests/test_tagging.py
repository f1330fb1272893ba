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


# ---- where a term is found ------------------------------------------------------------------------------

FR_324_7 = (
    "Les personnes physiques coupables de l'une des infractions prévues par les articles 324-1 et 324-2 "
    "encourent également les peines complémentaires suivantes : 1° L'interdiction des droits civiques ..."
)
FR_PATH = (
    "Code pénal",
    "Partie législative",
    "Livre III : Des crimes et délits contre les biens",
    "Chapitre IV : Du blanchiment",
    "Section 2 : Peines complémentaires applicables aux personnes physiques et responsabilité des personnes "
    "morales",
)


def test_an_enclosing_heading_places_an_article(tagger: Tagger) -> None:
    result = tagger.tag(TagInput("fr-324-7", FR_324_7, "fr", "Article 324-7", path=FR_PATH))
    assert result.crime_types == ["money_laundering"]
    (evidence,) = [e for e in result.evidence if e["value"] == "money_laundering"]
    assert evidence["field"] == "path" and evidence["heading"] == "Chapitre IV : Du blanchiment"
    # Without its place in the code the same text names no offence.
    assert tagger.tag(TagInput("fr-324-7", FR_324_7, "fr", "Article 324-7")).crime_types == []


def test_an_umbrella_heading_does_not_place_its_articles(tagger: Tagger) -> None:
    path = (
        "Código Penal",
        "CAPÍTULO XI De los delitos relativos a la propiedad intelectual e industrial, al mercado y a los "
        "consumidores",
        "Sección 3.ª De los delitos relativos al mercado y a los consumidores",
    )
    text = "Será castigado con pena de prisión de seis meses a un año el que detrajere del mercado materias."
    assert tagger.tag(TagInput("es-281", text, "es", "Artículo 281.", path=path)).crime_types == []


def test_context_words_alone_do_not_tag_a_provision(tagger: Tagger) -> None:
    # Code pénal 221-6-2: manslaughter by a driver under the influence of narcotics (an aggravation).
    text = (
        "Lorsque la maladresse, l'imprudence, l'inattention, la négligence ou le manquement à une obligation "
        "législative ou réglementaire de prudence ou de sécurité prévu par l'article 221-6 est commis par le "
        "conducteur d'un véhicule terrestre à moteur, l'homicide involontaire est puni de sept ans "
        "d'emprisonnement lorsque le conducteur a fait usage de substances ou de plantes classées comme "
        "stupéfiants."
    )
    assert tagger.tag(TagInput("fr-221-6-2", text, "fr", "Article 221-6-2")).crime_types == []


def test_excluded_phrases_are_not_terms(tagger: Tagger) -> None:
    text = "La corruption de mineur est punie de cinq ans d'emprisonnement et de 75 000 euros d'amende."
    assert tagger.tag(TagInput("fr-227-22", text, "fr", "Article 227-22")).crime_types == []
    bribery = (
        "Est puni de dix ans d'emprisonnement le fait, par une personne dépositaire de l'autorité publique, "
        "de solliciter ... Corruption passive."
    )
    assert tagger.tag(TagInput("fr-432-11", bribery, "fr")).crime_types == ["corruption"]


def test_predicate_offences_named_in_passing_are_not_tags(tagger: Tagger) -> None:
    result = tagger.tag(TagInput("cn-191", CN_191, "zh", "第一百九十一条 洗钱罪"))
    assert result.crime_types == ["money_laundering"]  # not the drug, corruption, mafia predicates it lists


def test_charges_tag_a_decision_and_silence_passing_mentions(tagger: Tagger) -> None:
    facts = "被告人张某某在其住处容留吸毒人员李某某吸食毒品一次，后又因琐事与王某发生争执，持刀将其刺伤。"
    tagged = tagger.tag(
        TagInput("d", facts, "zh", "张某某故意伤害一审刑事判决书", "decision", charges=("故意伤害罪",))
    )
    assert tagged.crime_types == []
    charged = tagger.tag(
        TagInput("d", facts, "zh", "张某某一审刑事判决书", "decision", charges=("容留他人吸毒罪",))
    )
    assert charged.crime_types == ["drug_trafficking"]
    assert any(e["field"] == "charges" for e in charged.evidence)


def test_evidence_says_where_the_term_is(tagger: Tagger) -> None:
    text = "Le blanchiment est le fait de faciliter, par tout moyen, la justification mensongère ..."
    result = tagger.tag(TagInput("fr", text, "fr"))
    (evidence,) = [e for e in result.evidence if e["value"] == "money_laundering"]
    start, end = evidence["spans"][0]
    assert text[start:end] == "blanchiment" and evidence["field"] == "text" and evidence["count"] == 1


def test_a_language_file_adds_a_language_without_code(tmp_path: object) -> None:
    import shutil
    from pathlib import Path

    from sherloc.vocab import default_vocab_dir

    folder = Path(str(tmp_path)) / "vocab"
    shutil.copytree(default_vocab_dir(), folder)
    (folder / "terms").mkdir(exist_ok=True)
    (folder / "terms" / "sv.yaml").write_text(
        "version: 1\nlanguage: sv\ncrime_types:\n  money_laundering:\n    terms: [penningtvätt]\n",
        encoding="utf-8",
    )
    tagger = Tagger(load_vocabulary(folder))
    result = tagger.tag(TagInput("sv", "Den som gör sig skyldig till penningtvätt döms ...", "sv"))
    assert result.crime_types == ["money_laundering"] and result.language == "sv"


def test_a_single_heading_or_charge_may_be_a_string() -> None:
    item = TagInput.from_json({"id": "x", "text": "t", "path": "Du blanchiment", "charges": "洗钱罪"})
    assert item.path == ("Du blanchiment",) and item.charges == ("洗钱罪",)
    with pytest.raises(ValueError, match="path"):
        TagInput.from_json({"id": "x", "text": "t", "path": [1]})
