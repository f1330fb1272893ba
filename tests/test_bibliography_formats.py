"""sherloc.bibliography: round trips per format and across formats, real files, malformed files, cite()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sherloc.bibliography import (
    EXTENSIONS,
    FORMATS,
    MEDIA_TYPES,
    BibEntry,
    BibliographyError,
    Name,
    cite,
    detect_format,
    dump,
    parse,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "bibliography"

# Every field used, with Chinese, Arabic and Russian text, institutions as literals and a partial date.
FULL = BibEntry(
    key="unodc2004guides",
    type="book",
    title="Legislative Guides for the Implementation of the UNTOC: 50% & {braces} a_b #1 ~ ^",
    authors=(
        Name(literal="United Nations Office on Drugs and Crime"),
        Name(family="王", given="小明"),
        Name(family="العربي", given="أحمد"),
        Name(family="Иванов", given="Иван Иванович"),
        Name(family="de la Fontaine", given="Jean"),
    ),
    editors=(Name(family="Peebles, Jr", given="Peyton Z."), Name(family="Smith")),
    container_title="Сборник документов",
    publisher="United Nations",
    publisher_place="New York",
    issued=(2004, 11),
    language="en",
    isbn="92-1-133728-4",
    issn="1020-2595",
    doi="10.18356/abc_def",
    un_sales_number="E.05.V.2",
    document_symbol="CTOC/COP/2020/4",
    url="https://www.unodc.org/pdf/crime/legislative_guides/Legislative%20guides_Full%20version.pdf",
    volume="2",
    issue="3",
    pages="12-20",
    edition="2",
    abstract="第一段：洗钱。\n\nВторой абзац; الفقرة الثانية.",
    annotation="Art. 6: criminalization of the laundering of proceeds of crime.",
    keywords=("money laundering", "отмывание денег", "غسل الأموال", "trafficking, persons"),
    countries=("CN", "RU", "EG"),
    crime_types=("money_laundering", "trafficking_in_persons"),
    cross_cutting=("international_cooperation",),
    research_method="doctrinal",
)
ENTRIES = [
    FULL,
    BibEntry(
        key="law-1",
        type="legislation",
        title="中华人民共和国反洗钱法",
        authors=(Name(literal="全国人民代表大会常务委员会"),),
        issued=(2006, 10, 31),
        language="zh",
        countries=("CN",),
    ),
    BibEntry(key="case-2", type="legal_case", title="قضية رقم ١٢٣", issued=(2019,), language="ar"),
    BibEntry(key="treaty-3", type="treaty", title="United Nations Convention against Corruption"),
    BibEntry(
        key="art4",
        type="article-journal",
        title="Отмывание денег",
        authors=(Name(given="Solo"), Name(family="Петров", given="П.")),
        container_title="Журнал",
        pages="xii, 45",
    ),
    BibEntry(key="web5", type="webpage", title="SHERLOC", url="https://sherloc.unodc.org/?a=1;b=2"),
    BibEntry(key="rep6", type="report", title="Global Report", issued=(2022,)),
    BibEntry(key="thesis7", type="thesis", title="Tesis", publisher="Universidad", issued=(2010, 2, 3)),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_every_field(fmt: str) -> None:
    text = dump(ENTRIES, fmt)
    assert parse(text, fmt) == ENTRIES


def test_round_trip_across_formats() -> None:
    via_csl = parse(dump(ENTRIES, "bibtex"), "bibtex")
    via_ris = parse(dump(via_csl, "csl-json"), "csl-json")
    back = parse(dump(via_ris, "ris"), "ris")
    assert parse(dump(back, "bibtex"), "bibtex") == ENTRIES


def test_json_column_round_trip() -> None:
    for entry in ENTRIES:
        data = json.loads(json.dumps(entry.to_json()))
        assert BibEntry.from_json(data) == entry
    assert "editors" not in ENTRIES[2].to_json()


def test_public_tables() -> None:
    assert set(MEDIA_TYPES) == set(EXTENSIONS) == set(FORMATS)


def test_bibtex_mapping_is_readable() -> None:
    text = dump([FULL], "bibtex")
    assert "author = {{United Nations Office on Drugs and Crime} and 王, 小明 and" in text
    assert "un-sales-number = {E.05.V.2}" in text
    assert "sherloc-countries = {CN, RU, EG}" in text
    assert "keywords = {money laundering, отмывание денег, غسل الأموال, {trafficking, persons}}" in text


def test_ris_mapping_is_readable() -> None:
    text = dump([FULL], "ris")
    for line in ("TY  - BOOK", "AU  - United Nations Office on Drugs and Crime", "AU  - 王, 小明",
                 "AU  - العربي, أحمد", "C1  - E.05.V.2", "C2  - CTOC/COP/2020/4", "SP  - 12", "EP  - 20",
                 "DA  - 2004/11", "PY  - 2004", "SN  - 1020-2595"):  # fmt: skip
        assert line in text.splitlines()


# --- real files -------------------------------------------------------------------------------------------


def test_golden_thuthesis_chinese_bibtex() -> None:
    entries = {e.key: e for e in parse((GOLDEN / "thuthesis-refs.excerpt.bib").read_text("utf-8"), "bibtex")}
    assert len(entries) == 7
    zhang = entries["zhangkun1994"]
    assert zhang.title == "机器人柔性手腕的球面齿轮设计研究"
    assert zhang.authors == (
        Name(family="张昆"),
        Name(family="冯立群"),
        Name(family="余昌钰"),
        Name(literal="others"),
    )
    assert zhang.container_title == "清华大学学报: 自然科学版"
    assert (zhang.issued, zhang.volume, zhang.issue, zhang.pages) == ((1994,), "34", "2", "1--7")
    assert entries["merkt1995rotational"].authors[0] == Name(family="Merkt", given="Frédéric")
    assert entries["who1970factors"].authors == (Name(literal="World Health Organization"),)
    assert entries["who1970factors"].type == "report"
    assert entries["peebles2001probability"].authors == (Name(family="Peebles, Jr", given="Peyton Z."),)
    bai = entries["baishunong1998zhiwu"]
    assert (bai.type, bai.container_title, bai.editors) == (
        "chapter",
        "植物科学进展",
        (Name(family="李承森"),),
    )
    assert entries["fugang2000fengsha"].issued == (2000, 4, 12)
    assert (
        entries["fugang2000fengsha"].url == "http://www.bjyouth.com.cn/Bqb/20000412/B/4216%5ED0412B1401.htm"
    )


def test_golden_biblatex_gost_russian_bibtex() -> None:
    text = (GOLDEN / "biblatex-gost-examples.excerpt.bib").read_text("utf-8")
    entries = {e.key: e for e in parse(text, "bibtex")}
    assert set(entries) == {"passmore_slf", "hempel_tilp", "quine_so"}
    passmore = entries["passmore_slf"]
    assert passmore.authors == (Name(family="Пассмор", given="Дж."),)
    assert passmore.editors == (Name(family="Грязнова", given="А. Ф."),)
    assert (passmore.title, passmore.issued, passmore.language) == ("Сто лет философии", (1998,), "ru")
    assert (passmore.publisher, passmore.publisher_place, passmore.isbn) == (
        "Прогресс-Традиция",
        "М.",
        "5-89826-005-6",
    )
    assert entries["hempel_tilp"].authors == (Name(family="Гемпель", given="Карл"),)
    assert entries["quine_so"].authors == (Name(family="Куайн", given="Уиллард Ван Орман"),)
    assert entries["quine_so"].title == "Слово и объект"


def test_golden_rispy_utf_chars_ris() -> None:
    (entry,) = parse((GOLDEN / "rispy-example_utf_chars.ris").read_text("utf-8"), "ris")
    assert entry.type == "article-journal"
    assert entry.title.startswith("Состояние рецепторного аппарата эндометрия")
    assert entry.authors[0] == Name(family="Dobrokhotova", given="Yu E.")
    assert len(entry.authors) == 5
    assert (entry.issued, entry.volume, entry.issue, entry.pages) == ((2009,), "8", "3", "52-57")
    assert entry.container_title == "Gynecology, Obstetrics and Perinatology"
    assert entry.abstract is not None and entry.abstract.splitlines()[1].startswith("The state of")
    assert entry.annotation == "Ä,Ö,Ü,ä,ö,ü,ß"


# --- malformed files ----------------------------------------------------------------------------------------


def _errors(text: str, fmt: str) -> list[tuple[int | None, str]]:
    with pytest.raises(BibliographyError) as info:
        parse(text, fmt)
    assert str(info.value)
    return info.value.errors


def test_bibtex_unclosed_brace_and_duplicate_key() -> None:
    text = (
        "@book{ok,\n  title = {Fine},\n}\n\n"  # lines 1-3
        "@article{bad,\n  title = {Unclosed {brace},\n  year = {2002}\n}\n\n"  # line 5
        "@book{ok,\n  title = {Again},\n}\n"  # line 10
    )
    errors = _errors(text, "bibtex")
    assert [line for line, _ in errors] == [5, 10]
    assert "not closed" in errors[0][1]
    assert "duplicate key 'ok'" in errors[1][1]


def test_ris_missing_er_and_bad_tag_line() -> None:
    text = (
        "TY  - JOUR\nTI  - First\n"  # no ER: line 1
        "TY  - BOOK\nTI - Bad tag\nER  - \n"  # bad tag line 4
        "TY  - BOOK\nTI  - Third\nER  - \n"
    )
    errors = _errors(text, "ris")
    assert [line for line, _ in errors] == [1, 4]
    assert "no ER" in errors[0][1] and "bad tag line" in errors[1][1]
    assert _errors("TY  - JOUR\nTI  - x\n", "ris") == [(1, "record has no ER line (end of file reached)")]


def test_ris_duplicate_id() -> None:
    text = "TY  - JOUR\nID  - a\nTI  - x\nER  - \n\nTY  - JOUR\nID  - a\nTI  - y\nER  - \n"
    assert [line for line, _ in _errors(text, "ris")] == [6]


def test_csl_json_item_without_type_and_unknown_variable() -> None:
    text = json.dumps(
        [
            {"id": "a", "type": "book", "title": "Fine"},
            {"id": "b", "title": "No type"},
            {"id": "c", "type": "book", "title": "x", "shelf": "3"},
            {"id": "a", "type": "book", "title": "Dup"},
        ],
        indent=1,
    )
    errors = _errors(text, "csl-json")
    assert [line for line, _ in errors] == [7, 11, 17]
    assert "no type" in errors[0][1] and "shelf" in errors[1][1] and "duplicate" in errors[2][1]
    assert _errors('[{"id": "a",\n "type": "book", "title": "x"', "csl-json")[0][0] == 2


# --- format detection ---------------------------------------------------------------------------------------


def test_detect_format() -> None:
    csl = dump(ENTRIES, "csl-json")
    assert detect_format("refs.json", csl) == "csl-json"
    assert detect_format("refs.json", csl[:300]) == "csl-json"  # a head cut inside an item
    assert detect_format("data.json", '[{"name": "x"}]') is None
    assert detect_format("data.json", '{"type": "book"}') is None
    assert detect_format("refs.bib", "") == "bibtex"
    assert detect_format("export.RIS", "") == "ris"
    assert detect_format("export.txt", dump(ENTRIES, "ris")) == "ris"
    assert detect_format("export.txt", dump(ENTRIES, "bibtex")) == "bibtex"
    assert detect_format("notes.txt", "hello") is None


# --- cite ---------------------------------------------------------------------------------------------------


def test_cite_un_document_with_symbol() -> None:
    entry = BibEntry(
        key="cop2020",
        type="report",
        title="Implementation of the provisions on international cooperation",
        authors=(
            Name(
                literal="Conference of the Parties to the United Nations Convention against "
                "Transnational Organized Crime"
            ),
        ),  # fmt: skip
        issued=(2020, 8, 4),
        document_symbol="CTOC/COP/2020/4",
    )
    assert cite(entry) == (
        "Conference of the Parties to the United Nations Convention against Transnational Organized Crime. "
        "2020. Implementation of the provisions on international cooperation. CTOC/COP/2020/4."
    )


def test_cite_book_institutional_author_sales_number() -> None:
    entry = BibEntry(
        key="guides",
        type="book",
        title="Legislative Guides for the Implementation of the United Nations Convention against "
        "Transnational Organized Crime and the Protocols Thereto",
        authors=(Name(literal="United Nations Office on Drugs and Crime"),),
        publisher="United Nations",
        publisher_place="New York",
        issued=(2004,),
        un_sales_number="E.05.V.2",
    )
    assert cite(entry) == (
        "United Nations Office on Drugs and Crime. 2004. Legislative Guides for the Implementation of the "
        "United Nations Convention against Transnational Organized Crime and the Protocols Thereto. "
        "New York: United Nations. Sales No. E.05.V.2."
    )
    assert cite(entry, language="fr").endswith("numéro de vente E.05.V.2.")


def test_cite_article() -> None:
    entry = BibEntry(
        key="levi",
        type="article-journal",
        title="Money Laundering and Its Regulation",
        authors=(Name(family="Levi", given="Michael"), Name(family="Reuter", given="Peter")),
        container_title="Crime and Justice",
        volume="34",
        issue="1",
        pages="289-375",
        issued=(2006,),
        doi="10.1086/501508",
    )
    assert cite(entry) == (
        "Levi, Michael, and Peter Reuter. 2006. “Money Laundering and Its Regulation.” "
        "Crime and Justice 34 (1): 289-375. https://doi.org/10.1086/501508."
    )


def test_cite_law_case_and_chinese_names() -> None:
    law = ENTRIES[1]
    assert cite(law) == "中华人民共和国反洗钱法. 31 October 2006."
    zhang = BibEntry(
        key="z", type="book", title="刑法学", authors=(Name(family="张", given="明楷"),), issued=(2016,)
    )
    assert cite(zhang) == "张明楷. 2016. 刑法学."
    case = BibEntry(key="c", type="legal_case", title="R v. Smith", container_title="EWCA Crim", volume="1",
                    issued=(2019, 5))  # fmt: skip
    assert cite(case) == "R v. Smith. EWCA Crim 1. May 2019."


# ---- hostile and odd input (review) ----------------------------------------------------------------


def test_a_percent_sign_in_bibtex_is_text_not_a_comment() -> None:
    (entry,) = parse("@book{a, title={100% of cases}, abstract={about 50% of them}, year={2020}}", "bibtex")
    assert (entry.title, entry.abstract) == ("100% of cases", "about 50% of them")


def test_exported_values_cannot_write_fields_or_records_of_their_own() -> None:
    hostile = BibEntry(
        key="k",
        type="book",
        title="T\nER  - \nTY  - JOUR\nTI  - Injected\nAU  - Fake, Author",
        url="http://x/}, author={Evil}, note={",
    )
    (back,) = parse(dump([hostile], "ris"), "ris")
    assert back.authors == () and "Injected" in back.title
    (back,) = parse(dump([hostile], "bibtex"), "bibtex")
    assert back.authors == () and back.url == "http://x/%7D, author=%7BEvil%7D, note=%7B"


def test_pathological_csl_json_is_refused_with_a_line() -> None:
    for text in ("[" * 3000, '[{"id": "s1", "type": "book", "title": "Bad \\ud800"}]'):
        with pytest.raises(BibliographyError, match="line 1"):
            parse(text, "csl-json")
    assert detect_format("notes", "[" * 3000) is None


def test_laws_in_other_formats_are_never_taken_for_bibliographies() -> None:
    assert detect_format("law.html", "<style>@page {size: A4}</style>") is None
    assert detect_format("law.md", "# Ley\nTY  - BOOK\n") is None
    assert detect_format("export.txt", "TY  - BOOK\nTI  - x\nER  - \n") == "ris"
    assert detect_format("law.txt", "Artículo 1.\nTY  - BOOK\n") is None


@pytest.mark.parametrize(
    "item",
    [
        '{"id": ["x"], "type": "book", "title": "T"}',
        '{"id": "x", "type": "book", "title": "T", "keyword": ["a", "b"]}',
        '{"id": "x", "type": "book", "title": "T", "custom": {"countries": [{"x": 1}]}}',
        '{"id": "x", "type": "book", "title": "T", "issued": {"date-parts": [[true]]}}',
        '{"id": "x", "type": "book", "title": "T", "issued": {"date-parts": [[2020.9]]}}',
        '{"id": "x", "type": "book", "title": "T", "volume": NaN}',
    ],
)
def test_csl_json_values_of_the_wrong_type_are_refused(item: str) -> None:
    with pytest.raises(BibliographyError, match="line 1"):
        parse(f"[{item}]", "csl-json")


def test_a_csl_number_is_a_un_symbol_only_for_reports_and_documents() -> None:
    (bill,) = parse('[{"id": "b", "type": "bill", "title": "A bill", "number": "H.R. 1"}]', "csl-json")
    (note,) = parse(
        '[{"id": "n", "type": "report", "title": "Note", "number": "CTOC/COP/2020/4"}]', "csl-json"
    )
    assert (bill.document_symbol, note.document_symbol) == (None, "CTOC/COP/2020/4")
