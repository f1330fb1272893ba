"""Vocabulary data (corpus/vocab/*.yaml) and its loader (sherloc.vocab)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sherloc.settings import Settings
from sherloc.vocab import TERM_LANGUAGES, UN_LANGUAGES, Vocabulary, VocabularyError, load_vocabulary

VOCAB_DIR = Settings().vocab_dir
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

CRIME_TYPE_IDS = [
    "participation_in_organized_criminal_group",
    "obstruction_of_justice",
    "money_laundering",
    "corruption",
    "trafficking_in_persons",
    "smuggling_of_migrants",
    "firearms_trafficking",
    "cybercrime",
    "falsified_medical_products",
    "drug_trafficking",
    "counterfeiting",
    "piracy",
    "trafficking_in_cultural_property",
    "wildlife_and_forest_crime",
]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(VOCAB_DIR)


def test_default_dir_is_settings_vocab_dir() -> None:
    assert load_vocabulary().crime_types == load_vocabulary(VOCAB_DIR).crime_types


def test_crime_types_in_order_with_all_languages(vocab: Vocabulary) -> None:
    assert [ct.id for ct in vocab.crime_types] == CRIME_TYPE_IDS
    for ct in vocab.crime_types:
        assert set(UN_LANGUAGES) <= set(ct.labels), ct.id
        for lang in TERM_LANGUAGES:
            assert ct.terms[lang], (ct.id, lang)


def test_zh_labels_follow_un_document(vocab: Vocabulary) -> None:
    assert vocab.crime_type("money_laundering").labels["zh"] == "洗钱"
    assert vocab.crime_type("smuggling_of_migrants").labels["zh"] == "偷运移民"
    assert vocab.crime_type("wildlife_and_forest_crime").labels["zh"] == "野生生物及森林犯罪"


@pytest.mark.parametrize(
    ("instrument", "number", "crime_type"),
    [
        ("UNTOC", 5, "participation_in_organized_criminal_group"),
        ("UNTOC", 6, "money_laundering"),
        ("UNTOC", 8, "corruption"),
        ("UNTOC", 23, "obstruction_of_justice"),
        ("TIP", 5, "trafficking_in_persons"),
        ("SOM", 6, "smuggling_of_migrants"),
        ("FP", 5, "firearms_trafficking"),
        *[("UNCAC", n, "corruption") for n in range(15, 23)],
        ("UNCAC", 23, "money_laundering"),
        ("UNCAC", 25, "obstruction_of_justice"),
    ],
)
def test_required_article_mappings(vocab: Vocabulary, instrument: str, number: int, crime_type: str) -> None:
    article = vocab.article(instrument, number)
    assert article.crime_type == crime_type
    assert article in vocab.criminalization_articles(crime_type)


def test_untoc_has_all_41_articles(vocab: Vocabulary) -> None:
    untoc = vocab.instrument("UNTOC")
    assert [a.number for a in untoc.articles] == list(range(1, 42))
    assert vocab.article("UNTOC", 10).title == "Liability of legal persons"
    assert vocab.article("UNTOC", 18).title == "Mutual legal assistance"
    assert vocab.article("UNTOC", 12).crime_type is None
    assert {i.id for i in vocab.instruments} == {"UNTOC", "TIP", "SOM", "FP", "UNCAC"}


def test_cross_cutting_references_resolve(vocab: Vocabulary) -> None:
    ids = [c.id for c in vocab.cross_cutting]
    assert len(ids) == 15 and len(set(ids)) == 15
    for issue in vocab.cross_cutting:
        assert set(UN_LANGUAGES) <= set(issue.labels)
        assert all(issue.terms[lang] for lang in TERM_LANGUAGES)
        for art in vocab.cross_cutting_articles(issue.id):
            assert art.instrument == "UNTOC"
    assert [a.number for a in vocab.cross_cutting_articles("confiscation_and_seizure")] == [12, 13, 14]
    assert vocab.cross_cutting_issue("extradition").terms["zh"] == ("引渡",)


def test_unknown_lookups_raise_key_error(vocab: Vocabulary) -> None:
    with pytest.raises(KeyError):
        vocab.crime_type("terrorism")
    with pytest.raises(KeyError):
        vocab.article("UNTOC", 99)


# --- validation -----------------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "vocab"
    target.mkdir()
    for name in ("crime_types.yaml", "instruments.yaml", "cross_cutting.yaml"):
        shutil.copy(VOCAB_DIR / name, target / name)
    return target


def _edit(folder: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _ct(data: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(c for c in data["crime_types"] if c["id"] == ident)


def _article(data: dict[str, Any], inst: str, number: int) -> dict[str, Any]:
    instrument = next(i for i in data["instruments"] if i["id"] == inst)
    return next(a for a in instrument["articles"] if a["number"] == number)


CASES: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "unknown key",
        "crime_types.yaml",
        lambda d: _ct(d, "piracy").update(synonyms=["x"]),
        "piracy",
        "unknown key",
    ),
    (
        "missing label",
        "crime_types.yaml",
        lambda d: _ct(d, "corruption")["labels"].pop("ru"),
        "corruption",
        "ru",
    ),
    (
        "missing terms",
        "crime_types.yaml",
        lambda d: _ct(d, "cybercrime")["terms"].pop("pt"),
        "cybercrime",
        "pt",
    ),
    (
        "duplicate id",
        "crime_types.yaml",
        lambda d: d["crime_types"].append(dict(_ct(d, "piracy"))),
        "piracy",
        "duplicate id",
    ),
    (
        "version missing",
        "crime_types.yaml",
        lambda d: d.pop("version"),
        "crime_types.yaml",
        "version missing",
    ),
    (
        "unknown crime type",
        "instruments.yaml",
        lambda d: _article(d, "UNTOC", 5).update(crime_type="terrorism"),
        "UNTOC 5",
        "terrorism",
    ),
    (
        "duplicate instrument",
        "instruments.yaml",
        lambda d: d["instruments"].append({"id": "FP", "title": "Again", "articles": []}),
        "FP",
        "duplicate id",
    ),
    (
        "unknown article key",
        "instruments.yaml",
        lambda d: _article(d, "TIP", 5).update(paragraph=1),
        "TIP 5",
        "unknown key",
    ),
    (
        "instruments version missing",
        "instruments.yaml",
        lambda d: d.pop("version"),
        "instruments.yaml",
        "version missing",
    ),
    (
        "dangling article reference",
        "cross_cutting.yaml",
        lambda d: d["cross_cutting"][0]["articles"].append("UNTOC 99"),
        "liability_of_legal_persons",
        "UNTOC 99",
    ),
    (
        "cross-cutting missing label",
        "cross_cutting.yaml",
        lambda d: d["cross_cutting"][3]["labels"].pop("ar"),
        "extradition",
        "ar",
    ),
    (
        "cross-cutting duplicate id",
        "cross_cutting.yaml",
        lambda d: d["cross_cutting"].append(dict(d["cross_cutting"][3])),
        "extradition",
        "duplicate id",
    ),
    (
        "cross-cutting unknown key",
        "cross_cutting.yaml",
        lambda d: d["cross_cutting"][3].update(note="x"),
        "extradition",
        "unknown key",
    ),
]


@pytest.mark.parametrize(
    ("file", "change", "entry", "detail"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_validation_errors_name_file_and_entry(
    tmp_path: Path, file: str, change: Callable[[dict[str, Any]], None], entry: str, detail: str
) -> None:
    folder = _copy(tmp_path)
    _edit(folder, file, change)
    with pytest.raises(VocabularyError) as excinfo:
        load_vocabulary(folder)
    message = str(excinfo.value)
    assert file in message and entry in message and detail in message, message


def test_missing_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "instruments.yaml").unlink()
    with pytest.raises(VocabularyError, match="instruments.yaml"):
        load_vocabulary(folder)


def test_extra_crime_type_loads_without_code_changes(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    terrorism = {
        "id": "terrorism",
        "labels": {
            "ar": "الإرهاب",
            "en": "Terrorism",
            "es": "Terrorismo",
            "fr": "Terrorisme",
            "ru": "Терроризм",
            "zh": "恐怖主义",
        },
        "terms": {
            "ar": ["الإرهاب"],
            "en": ["terrorism"],
            "es": ["terrorismo"],
            "fr": ["terrorisme"],
            "ru": ["террористического акта"],
            "zh": ["恐怖活动"],
            "pt": ["terrorismo"],
        },
    }
    _edit(folder, "crime_types.yaml", lambda d: d["crime_types"].append(terrorism))
    vocab = load_vocabulary(folder)
    assert [ct.id for ct in vocab.crime_types] == [*CRIME_TYPE_IDS, "terrorism"]
    assert vocab.crime_type("terrorism").terms["zh"] == ("恐怖活动",)
    assert vocab.criminalization_articles("terrorism") == ()


# --- term coverage against real criminal codes ----------------------------------------------------

ZH_CODE_DIR = CORPORA / "zh-cn-laws-lawrefbook" / "刑法"
CODES: dict[str, list[Path]] = {
    # 刑法.md holds the 1997 text without the amendments merged; the amendments (刑法修正案*.md, e.g. the
    # 洗钱 wording of Amendment XI) sit beside it and are part of the code as in force.
    "zh": [ZH_CODE_DIR / "刑法.md", *sorted(ZH_CODE_DIR.glob("刑法修正案*.md"))],
    "fr": [CORPORA / "fr-fr-codes-legalize-fr" / "fr" / "LEGITEXT000006070719.md"],
    "es": [CORPORA / "es-es-laws-legalize-es" / "es" / "BOE-A-1995-25444.md"],
    "ru": [CORPORA / "ru-ru-codes-pravo-gov" / "text" / "102041891.txt"],
}

# Crime types a code legitimately does not cover, so none of their terms occur in it.
NOT_IN_CODE: dict[str, set[str]] = {
    # The PRC Criminal Law has no piracy offence: 劫持船只、汽车罪 (art. 122) is hijacking, not piracy
    # under UNCLOS art. 101, so it is no piracy term.
    "zh": {"piracy"},
    "fr": {
        # Aiding irregular entry/stay is in the CESEDA (art. L823-1), not the Code pénal.
        "smuggling_of_migrants",
        # Falsified medicines are offences of the Code de la santé publique, not the Code pénal.
        "falsified_medical_products",
        # Piracy is defined by the loi n° 94-589 / Code de la défense, not the Code pénal.
        "piracy",
        # Wildlife and forest offences are in the Code de l'environnement and Code forestier.
        "wildlife_and_forest_crime",
        # Trafficking in cultural goods is in the Code du patrimoine and the Code des douanes; the Code
        # pénal only aggravates theft (311-4-2) and destruction (322-3-2) of cultural goods.
        "trafficking_in_cultural_property",
    },
    # The Código Penal's heritage offences (arts. 321-324) are damage to it; trafficking in cultural goods
    # is smuggling under the Ley Orgánica 12/1995 de represión del contrabando.
    "es": {"trafficking_in_cultural_property"},
    "ru": set(),
}


@pytest.mark.parametrize("lang", sorted(CODES))
def test_terms_occur_in_criminal_code(vocab: Vocabulary, lang: str) -> None:
    paths = CODES[lang]
    if not all(p.is_file() for p in paths):
        pytest.skip(f"criminal code for {lang} not in {CORPORA}")
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths).lower()
    absent = [ct.id for ct in vocab.crime_types if not any(t.lower() in text for t in ct.terms[lang])]
    assert sorted(absent) == sorted(NOT_IN_CODE[lang]), f"{lang}: no term found for {absent}"


# ---- further languages in terms/<language>.yaml -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "detail"),
    [
        ("sv.yaml", "version: 1\nlanguage: sv\ncrime_types:\n  laundering: {terms: [x]}\n", "unknown id"),
        ("sv.yaml", "version: 1\nlanguage: no\ncrime_types: {}\n", "matching the file name"),
        ("fr.yaml", "version: 1\nlanguage: fr\ncrime_types:\n  piracy: {terms: [x]}\n", "already given"),
        ("sv.yaml", "version: 1\nlanguage: sv\ncrime_types:\n  piracy: {terms: x}\n", "must be a list"),
        ("sv.yaml", "version: 1\nlanguage: sv\ncrime_types:\n  piracy: {words: [x]}\n", "words"),
        ("sv.yaml", "language: sv\n", "version missing"),
    ],
)
def test_language_file_errors_name_the_file(tmp_path: Path, name: str, text: str, detail: str) -> None:
    folder = _copy(tmp_path)
    (folder / "terms").mkdir()
    (folder / "terms" / name).write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError) as excinfo:
        load_vocabulary(folder)
    assert name in str(excinfo.value) and detail in str(excinfo.value), str(excinfo.value)


def test_language_file_adds_terms_context_and_exclusions(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "terms").mkdir()
    (folder / "terms" / "sv.yaml").write_text(
        "version: 1\nlanguage: sv\ncrime_types:\n"
        "  drug_trafficking: {terms: [narkotikabrott], context: [narkotika], exclude: [narkotikahund]}\n"
        "cross_cutting:\n  extradition: {terms: [utlämning]}\n",
        encoding="utf-8",
    )
    vocab = load_vocabulary(folder)
    drugs = vocab.crime_type("drug_trafficking")
    assert drugs.terms["sv"] == ("narkotikabrott",) and drugs.context["sv"] == ("narkotika",)
    assert drugs.exclude["sv"] == ("narkotikahund",)
    assert vocab.cross_cutting_issue("extradition").terms["sv"] == ("utlämning",)
    assert "sv" in vocab.term_languages and drugs.terms["fr"]  # the main file's languages stay
