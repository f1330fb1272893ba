"""Tests for the generic splitter and the Markdown, text, HTML, DOCX and PDF law parsers, on real legal texts.

The inputs are real corpus texts (tests/golden/generic/README.md says which lines of which file); DOCX, PDF,
HTML and legacy-encoded files are generated from them here, so every format is checked on the same law.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from sherloc.ingest.generic import number_key, reads_as_reference, split_law, starts_unit
from sherloc.ingest.sources.generic_formats import (
    DocxLawParser,
    HtmlLawParser,
    MarkdownLawParser,
    PdfLawParser,
    PlainTextLawParser,
    decode_text,
    is_sidecar,
    unwrap_lines,
)
from sherloc.ingest.types import ParsedRecord, ParseError, Parser
from sherloc.numerals import DIGIT_FOLD
from tests.golden_helpers import as_json, by_number, check_golden

GOLDEN = Path(__file__).resolve().parent / "golden" / "generic"
RU_EXCERPT = GOLDEN / "102041891.excerpt.txt"
ES_EXCERPT = GOLDEN / "BOE-A-2010-6737.excerpt.md.in"
SA_LAW = GOLDEN / "نظام مكافحة غسل الأموال القديم.md.in"
ZH_EXCERPT = Path(__file__).resolve().parent / "golden" / "lawrefbook" / "刑法" / "刑法.excerpt.md"

ES_TITLE = (
    "Ley 10/2010, de 28 de abril, de prevención del blanqueo de capitales y de la financiación del terrorismo"
)
ES_CHAPTER_1 = "CAPÍTULO I. Disposiciones generales"
ES_SECTION_1 = ["CAPÍTULO II. De la diligencia debida", "Sección 1.ª Medidas normales de diligencia debida"]
RU_NUMBERS = ["173", "173.1", "173.2", "174", "174.1", "175"]
RU_PATH = [
    "Раздел VIII. ПРЕСТУПЛЕНИЯ В СФЕРЕ ЭКОНОМИКИ",
    "ГЛАВА 22. ПРЕСТУПЛЕНИЯ В СФЕРЕ ЭКОНОМИЧЕСКОЙ ДЕЯТЕЛЬНОСТИ",
]
SCRIPT_TEXT = "trackVisitor('sherloc-should-never-index-this')"

PARSERS: dict[str, type[Parser]] = {
    ".md": MarkdownLawParser,
    ".txt": PlainTextLawParser,
    ".html": HtmlLawParser,
    ".docx": DocxLawParser,
    ".pdf": PdfLawParser,
}


# ---- helpers ----------------------------------------------------------------------------------------


def place(source: Path, folder: Path) -> Path:
    """Copy a golden input into `folder` under its real name (".md.in" -> ".md")."""
    target = folder / source.name.removesuffix(".in")
    shutil.copyfile(source, target)
    return target


def parse(path: Path) -> ParsedRecord:
    parser = PARSERS[path.suffix]()
    head = path.read_bytes()[:4096].decode("utf-8", errors="replace")
    assert parser.detect(path, head)
    records = list(parser.parse(path))
    assert len(records) == 1
    return records[0]


def words(text: str) -> str:
    return " ".join(text.split())


def summary(record: ParsedRecord) -> list[tuple[str, str, str | None, list[str], str]]:
    """What every format must agree on: number, label, heading, path and the words of the text."""
    return [(p.number, p.label, p.heading, p.path, words(p.text)) for p in record.provisions]


def markdown_blocks(path: Path) -> list[tuple[int, str]]:
    """(heading level or 0, text) for each paragraph of a Markdown golden file, emphasis stars removed."""
    blocks = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        block = re.sub(r"(?<!\w)\*([^*\n]+)\*(?!\w)", r"\1", block.strip())
        if not block:
            continue
        marks = re.match(r"(#+)\s+", block)
        blocks.append((len(marks[1]), block[marks.end() :]) if marks else (0, block))
    return blocks


# ---- golden files -----------------------------------------------------------------------------------


def golden_inputs() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if p.name != "README.md" and not p.name.endswith(".json"))


@pytest.mark.parametrize("source", golden_inputs(), ids=lambda p: p.name)
def test_golden(source: Path, tmp_path: Path) -> None:
    actual = as_json([parse(place(source, tmp_path))])
    check_golden(actual, source.with_name(source.name.removesuffix(".in") + ".expected.json"))


# ---- Russian code, plain text -----------------------------------------------------------------------


def test_russian_code_articles_headings_and_lost_superscripts(tmp_path: Path) -> None:
    record = parse(place(RU_EXCERPT, tmp_path))
    assert record.title == "Уголовный кодекс Российской Федерации"
    assert (record.source, record.source_key, record.kind) == ("text", "102041891.excerpt", "law")
    assert record.country is None and record.language is None
    # pravo.gov.ru's text lost the superscripts: "Статья 1741" is article 174¹, between 174 and 175.
    assert [p.number for p in record.provisions] == RU_NUMBERS
    assert by_number(record, "174.1").label == "Статья 1741."
    assert by_number(record, "174.1").attributes == {"printed_number": "1741"}
    assert all(p.path == RU_PATH for p in record.provisions)
    art174 = by_number(record, "174")
    assert art174.heading == (
        "Легализация (отмывание) денежных средств или иного имущества, приобретенных другими лицами "
        "преступным путем"
    )
    assert art174.text.startswith("1. Совершение финансовых операций")
    assert "(Статья в редакции Федерального закона от 28.06.2013 № 134-ФЗ)" in art174.text
    assert by_number(record, "173").status == "repealed"  # "(Статья утратила силу - Федеральный закон …)"
    assert by_number(record, "174").status is None
    # Cross-references inside the articles ("статье 1732 настоящего Кодекса") start nothing.
    assert "статье 1732 настоящего Кодекса" in by_number(record, "173.1").text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp1251"])
def test_russian_text_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    reference = parse(place(RU_EXCERPT, tmp_path))
    target = tmp_path / "legacy" / RU_EXCERPT.name
    target.parent.mkdir()
    target.write_bytes(RU_EXCERPT.read_text(encoding="utf-8").encode(encoding))
    assert as_json([parse(target)]) == as_json([reference])


def _saudi_text() -> str:
    """The Saudi law as plain text, its Arabic-Indic digits in ASCII (cp1256 has none of its own)."""
    body = SA_LAW.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    return re.sub(r"(?m)^#+\s+", "", body).translate(DIGIT_FOLD)


def test_arabic_text_in_cp1256(tmp_path: Path) -> None:
    text = _saudi_text()
    (tmp_path / "utf8").mkdir()
    (tmp_path / "cp1256").mkdir()
    (tmp_path / "utf8" / "aml.txt").write_text(text, encoding="utf-8")
    (tmp_path / "cp1256" / "aml.txt").write_bytes(text.encode("cp1256"))
    legacy = parse(tmp_path / "cp1256" / "aml.txt")
    assert as_json([legacy]) == as_json([parse(tmp_path / "utf8" / "aml.txt")])
    assert legacy.title == "نظام مكافحة غسل الأموال القديم"
    assert [p.number for p in legacy.provisions] == [str(n) for n in range(1, 33)]
    assert legacy.provisions[1].label == "المادة الثانية"


def test_chinese_text_in_gb18030(tmp_path: Path) -> None:
    lines = ZH_EXCERPT.read_text(encoding="utf-8").splitlines()
    body = "\n".join(lines[lines.index("<!-- INFO END -->") + 1 :])
    text = "中华人民共和国刑法\n\n" + re.sub(r"(?m)^#+\s+", "", body)
    target = tmp_path / "刑法.txt"
    target.write_bytes(text.encode("gb18030"))
    record = parse(target)
    assert record.title == "中华人民共和国刑法"
    assert [p.number for p in record.provisions] == ["1", "2", "190", "191", "452"]
    money_laundering = by_number(record, "191")
    assert money_laundering.text.startswith("为掩饰、隐瞒毒品犯罪、")
    assert money_laundering.path == [
        "第二编 分则",
        "第三章 破坏社会主义市场经济秩序罪",
        "第四节 破坏金融管理秩序罪",
    ]
    assert money_laundering.heading is None  # text follows 第X条 on its line: never a heading


# ---- Saudi law, Markdown with front matter ------------------------------------------------------------


def test_saudi_markdown_front_matter(tmp_path: Path) -> None:
    record = parse(place(SA_LAW, tmp_path))
    assert record.source == "markdown"
    assert record.title == "نظام مكافحة غسل الأموال القديم"
    assert record.source_url == "https://nezams.com/نظام-مكافحة-غسل-الأموال-١٤٣٣هـ/"
    assert record.country is None  # the front matter does not say; a sidecar could
    assert record.status is None and record.attributes["status"] == "غير ساري"  # not our vocabulary
    assert record.attributes["doc_type"] == "نظام"
    assert len(record.provisions) == 32
    assert record.provisions[20].label == "المادة الحادية والعشرون" and record.provisions[20].number == "21"
    assert record.text == ""  # the "# title" line repeats the front matter title


# ---- one Spanish law in five formats ------------------------------------------------------------------


def es_txt(folder: Path) -> Path:
    path = folder / "ley-10-2010.txt"
    path.write_text("\n\n".join(text for _, text in markdown_blocks(ES_EXCERPT)) + "\n", encoding="utf-8")
    return path


def es_html(folder: Path) -> Path:
    parts = []
    for level, text in markdown_blocks(ES_EXCERPT):
        body = text.replace("&", "&amp;").replace("<", "&lt;")
        parts.append(f"<h{level}>{body}</h{level}>" if level else f"<p>{body}</p>")
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{ES_TITLE}</title><style>p {{ margin: 0 }} .art {{ font-weight: bold }}</style>"
        f"<script>window.onload = function () {{ {SCRIPT_TEXT}; }};</script></head>"
        "<body><nav><a href='/'>Inicio</a> | <a href='/leyes'>Legislación consolidada</a></nav>\n"
        + "\n".join(parts)
        + "\n<script>document.write('<p>Artículo 99. Inyectado</p>')</script></body></html>"
    )
    path = folder / "ley-10-2010.html"
    path.write_text(page, encoding="utf-8")
    return path


def es_docx(folder: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = ES_TITLE
    for level, text in markdown_blocks(ES_EXCERPT):
        if level:
            document.add_heading(text, level=min(level, 9))
        else:
            document.add_paragraph(text)
    path = folder / "ley-10-2010.docx"
    document.save(str(path))
    return path


PDF_CHARS_PER_LINE = 95
PDF_HEADER = "BOLETÍN OFICIAL DEL ESTADO"


class _Gazette(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, text=PDF_HEADER, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=10)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, text=f"- {self.page_no()} -", align="C")


def hyphenated_lines(text: str, width: int = PDF_CHARS_PER_LINE) -> list[str]:
    """Wrap like a typesetter: a long word that does not fit is cut with a hyphen ("blan-" / "queo")."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if not line or len(line) + 1 + len(word) <= width:
            line = f"{line} {word}".strip()
            continue
        room = width - len(line) - 2
        if word.isalpha() and len(word) >= 8 and room >= 3:
            cut = min(room, len(word) - 3)
            lines.append(f"{line} {word[:cut]}-")
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def es_pdf(folder: Path, title: str | None = ES_TITLE) -> Path:
    pdf = _Gazette()
    if title:
        pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for _, text in markdown_blocks(ES_EXCERPT):
        for line in hyphenated_lines(text.replace("“", '"').replace("”", '"')):
            pdf.cell(0, 5, text=line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    path = folder / "ley-10-2010.pdf"
    pdf.output(str(path))
    return path


FORMATS = {"md": None, "txt": es_txt, "html": es_html, "docx": es_docx, "pdf": es_pdf}


@pytest.fixture
def es_reference(tmp_path: Path) -> ParsedRecord:
    return parse(place(ES_EXCERPT, tmp_path))


def test_spanish_law_markdown(es_reference: ParsedRecord) -> None:
    record = es_reference
    assert record.title == ES_TITLE
    assert [p.number for p in record.provisions] == ["1", "2", "3", "4"]
    assert [p.heading for p in record.provisions] == [
        "Objeto, definiciones y ámbito de aplicación.",
        "Sujetos obligados.",
        "Identificación formal.",
        "Identificación del titular real.",
    ]
    assert [p.path for p in record.provisions] == [[ES_CHAPTER_1], [ES_CHAPTER_1], ES_SECTION_1, ES_SECTION_1]
    # The preamble cites "su artículo 5" and "el artículo 6.1 de la Ley 5/2015": text, not articles.
    assert record.text.startswith("JUAN CARLOS I\n\nREY DE ESPAÑA")
    assert "PREÁMBULO" in record.text and "como señala de forma rotunda su artículo 5" in record.text
    assert (
        "*trust*" not in by_number(record, "4").text
        and "al trust, como las fiducias" in by_number(record, "4").text
    )


@pytest.mark.parametrize("fmt", ["txt", "html", "docx", "pdf"])
def test_spanish_law_same_in_every_format(tmp_path: Path, es_reference: ParsedRecord, fmt: str) -> None:
    folder = tmp_path / fmt
    folder.mkdir()
    maker = FORMATS[fmt]
    assert maker is not None
    record = parse(maker(folder))
    assert record.source == PARSERS[f".{fmt}"].name
    assert record.title == ES_TITLE
    expected = summary(es_reference)
    if fmt == "pdf":  # the PDF font has no curly quotes
        expected = [(*item[:4], item[4].replace("“", '"').replace("”", '"')) for item in expected]
    assert summary(record) == expected
    assert words(record.text).replace("“", '"').replace("”", '"') == words(es_reference.text).replace(
        "“", '"'
    ).replace("”", '"')


def test_html_drops_script_style_and_navigation(tmp_path: Path) -> None:
    record = parse(es_html(tmp_path))
    everything = record.text + "".join(p.text + (p.heading or "") for p in record.provisions)
    assert SCRIPT_TEXT not in everything and "Inyectado" not in everything
    assert "font-weight" not in everything and "Legislación consolidada" not in everything
    assert "99" not in [p.number for p in record.provisions]


def test_html_legacy_charset_declared_in_meta(tmp_path: Path) -> None:
    page = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>"
        "<title>Уголовный кодекс Российской Федерации</title></head><body>"
        + "".join(f"<p>{line}</p>" for line in RU_EXCERPT.read_text(encoding="utf-8").splitlines()[3:])
        + "</body></html>"
    )
    path = tmp_path / "uk.html"
    path.write_bytes(page.encode("cp1251"))
    record = parse(path)
    assert record.title == "Уголовный кодекс Российской Федерации"
    assert [p.number for p in record.provisions] == RU_NUMBERS
    assert record.provisions[3].path == RU_PATH


def test_pdf_rejoins_hyphenated_words_and_drops_page_furniture(tmp_path: Path) -> None:
    path = es_pdf(tmp_path)
    assert len(PdfReader(path).pages) >= 3
    raw = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    cut = re.search(r"(\w+)-\n(\w+)", raw)
    assert cut is not None, "the generated PDF hyphenates at least one word"
    record = parse(path)
    everything = record.text + "".join(p.text for p in record.provisions)
    assert cut[1] + cut[2] in everything
    assert PDF_HEADER not in everything and "- 2 -" not in everything


def test_pdf_title_from_first_line_without_metadata(tmp_path: Path) -> None:
    record = parse(es_pdf(tmp_path, title=None))
    assert record.title == ES_TITLE


def test_docx_heading_styles_make_headings(tmp_path: Path) -> None:
    record = parse(es_docx(tmp_path))
    assert record.source == "docx"
    assert by_number(record, "3").path == ES_SECTION_1


# ---- cross-references are not articles ---------------------------------------------------------------


def test_wrapped_text_breaking_before_cross_references(tmp_path: Path, es_reference: ParsedRecord) -> None:
    """Hard-wrapped lines, with a break forced before every "artículo N" in running text, change nothing."""
    paragraphs = []
    for _, text in markdown_blocks(ES_EXCERPT):
        text = re.sub(r"(?<=\S) (?=[Aa]rtículo \d)", "\n", text)  # "...su\nartículo 5, que ha de ser..."
        paragraphs.append("\n".join(line for part in text.split("\n") for line in textwrap.wrap(part, 72)))
    assert any(re.search(r"\n[Aa]rtículo \d", p) for p in paragraphs)
    path = tmp_path / "wrapped.txt"
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    assert summary(parse(path)) == summary(es_reference)


@pytest.mark.parametrize(
    "following",
    [
        " del Código Penal",  # "Artículo 301 del Código Penal"
        " of this Law",
        ", apartado 2, de la Ley 10/2010",
        "2 de la Ley 10/2010",  # "artículo 5.2 de la Ley": the label regex stops at "5."
        " (1) of the Regulation",
        " من هذا النظام",  # "المادة الخامسة من هذا النظام": of this law
        " настоящего Кодекса",
    ],
)
def test_reads_as_reference(following: str) -> None:
    assert reads_as_reference(following)


@pytest.mark.parametrize(
    "following", ["", ". Objeto.", " - Le juge", ": يقصد بالألفاظ", " (Derogado)", " Кража"]
)
def test_label_endings_that_start_articles(following: str) -> None:
    assert not reads_as_reference(following)


def _ru_text() -> str:
    return "\n".join(RU_EXCERPT.read_text(encoding="utf-8").splitlines()[3:])


def test_numbering_must_go_on_for_labels_that_could_be_references() -> None:
    """A paragraph "Статья 15 Кодекса ..." inside article 174 reads like a label but goes backwards."""
    text = _ru_text().replace(
        "\n\nПримечание. Финансовыми операциями",
        "\n\nСтатья 15 Кодекса Российской Федерации об административных правонарушениях применяется"
        " к таким же деяниям.\n\nПримечание. Финансовыми операциями",
        1,
    )
    _, provisions = split_law(text, "ru")
    assert [p.number for p in provisions] == RU_NUMBERS
    assert "Статья 15 Кодекса Российской Федерации" in provisions[3].text


def test_a_label_inside_a_paragraph_needs_a_full_stop_before_it() -> None:
    text = "Статья 174. Легализация\n\nНарушение правил, предусмотренных\nСтатья 175. Приобретение"
    _, provisions = split_law(text, "ru")
    assert [p.number for p in provisions] == ["174"]
    text = (
        "Статья 174. Легализация\n\nНаказывается штрафом.\nСтатья 175. Приобретение\n\nЗаранее не обещанные."
    )
    _, provisions = split_law(text, "ru")
    assert [p.number for p in provisions] == ["174", "175"]


def test_language_none_finds_the_same_articles(es_reference: ParsedRecord) -> None:
    body = "\n\n".join(
        ("#" * level + " " if level else "") + text for level, text in markdown_blocks(ES_EXCERPT)
    )
    assert [p.number for p in split_law(body, None)[1]] == [p.number for p in split_law(body, "es")[1]]
    assert [p.number for p in split_law(_ru_text(), None)[1]] == RU_NUMBERS


def test_table_of_contents_is_not_a_run_of_empty_articles() -> None:
    """A contents list repeating the article titles stays outside the provisions."""
    text = _ru_text()
    contents = "\n\n".join(line for line in text.splitlines() if line.startswith("Статья"))
    outside, provisions = split_law(f"СОДЕРЖАНИЕ\n\n{contents}\n\n{text}", None)
    assert [p.number for p in provisions] == RU_NUMBERS
    assert all(p.text for p in provisions)
    assert outside.startswith("СОДЕРЖАНИЕ\n\nСтатья 173.")


@pytest.mark.parametrize(
    ("line", "language", "number"),
    [
        ("Articolo 648-bis. Riciclaggio", "it", "648 bis"),
        ("Art. 1.º O presente decreto-lei", "pt", "1"),
        ("§ 261 Geldwäsche", "de", "261"),
        ("Artikel 420bis", "nl", None),
        ("Art. 299. § 1. Kto przyjmuje", "pl", "299"),
        ("MADDE 282 – (1) Suçtan kaynaklanan", "tr", "282"),
        ("Pasal 3 Setiap Orang yang menempatkan", "id", "3"),
        ("Điều 324. Tội rửa tiền", "vi", "324"),
        ("제3조(자금세탁행위)", "ko", "3"),
        ("第十条の二 何人も", "ja", "10-2"),
        ("Стаття 209. Легалізація", "uk", "209"),
    ],
)
def test_labels_of_other_languages(line: str, language: str, number: str | None) -> None:
    _, provisions = split_law(f"{line}\n\nText.", language)
    assert [p.number for p in provisions] == ([number] if number else [])


def test_number_key_orders_suffixes() -> None:
    keys = [number_key(n) for n in ["5", "5 bis", "5 ter", "5-1", "6", "L324-1", "174.1"]]
    assert keys[0] is not None and keys[1] is not None and keys[2] is not None and keys[4] is not None
    assert keys[0] < keys[1] < keys[2] < keys[4]
    assert keys[5] == ("L", (324, 1)) and keys[6] == ("", (174, 1))


def test_starts_unit() -> None:
    assert starts_unit("Статья 174. Легализация")
    assert starts_unit("CAPÍTULO II")
    assert not starts_unit("Article 5 of this Law applies")
    assert not starts_unit("Глава 5 настоящего Кодекса")


def test_unwrap_lines_keeps_list_items_and_rejoins_hyphens() -> None:
    lines = [
        "2. Кража, совершенная:",
        "а) группой лиц по предварительному сговору;",
        "б) с незаконным проникновением в помещение либо иное хранилище; при-",
        "чем в крупном размере,",
        "наказывается штрафом.",
    ]
    assert unwrap_lines(lines) == [
        "2. Кража, совершенная:",
        "а) группой лиц по предварительному сговору;",
        "б) с незаконным проникновением в помещение либо иное хранилище; причем в крупном размере, "
        "наказывается штрафом.",
    ]


# ---- sidecars -----------------------------------------------------------------------------------------


def test_json_sidecar_attributes_a_law(tmp_path: Path) -> None:
    path = place(RU_EXCERPT, tmp_path)
    sidecar = tmp_path / (path.name + ".meta.json")
    sidecar.write_text(
        json.dumps({"country": "ru", "language": "ru", "title": "УК РФ", "date_adopted": "1996-06-13",
                    "official_number": "63-ФЗ"}),
        encoding="utf-8",
    )  # fmt: skip
    assert is_sidecar(sidecar) and not PlainTextLawParser().detect(sidecar, "")
    record = parse(path)
    assert (record.country, record.language, record.title) == ("RU", "ru", "УК РФ")
    assert record.date_adopted == dt.date(1996, 6, 13)
    assert record.attributes == {"official_number": "63-ФЗ"}
    assert len(record.provisions) == 6


def test_yaml_sidecar_wins_over_front_matter(tmp_path: Path) -> None:
    path = place(SA_LAW, tmp_path)
    (tmp_path / (path.name + ".meta.yaml")).write_text(
        "country: SA\nsubdivision:\nlanguage: ar\ndate_adopted: 2012-04-03\n", encoding="utf-8"
    )
    record = parse(path)
    assert (record.country, record.language, record.date_adopted) == ("SA", "ar", dt.date(2012, 4, 3))
    assert record.title == "نظام مكافحة غسل الأموال القديم"  # from the front matter


def test_sidecar_kind_other_than_law_keeps_the_text_whole(tmp_path: Path) -> None:
    path = place(RU_EXCERPT, tmp_path)
    (tmp_path / (path.name + ".meta.yml")).write_text("kind: policy_document\n", encoding="utf-8")
    record = parse(path)
    assert record.kind == "policy_document" and record.provisions == []
    assert "Статья 174. Легализация" in record.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"country": "Russia"}', "two-letter ISO 3166-1"),
        ('{"language": "Russian language"}', "ISO 639-1"),
        ('{"date_adopted": "13/06/1996"}', "YYYY-MM-DD"),
        ('{"kind": "provision"}', "kind must be one of"),
        ('{"country": "RU", "subdivision": "CA-QC"}', "not in country RU"),
        ('["RU"]', "key: value"),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_sidecar_fails_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = place(RU_EXCERPT, tmp_path)
    (tmp_path / (path.name + ".meta.json")).write_text(content, encoding="utf-8")
    with pytest.raises(ParseError, match=message):
        parse(path)


def test_repository_files_are_not_laws(tmp_path: Path) -> None:
    names = ["README.md", "README_cail.md", "MANIFEST.md", "LICENSE.txt", "_index.md", "law.pdf.meta.yaml"]
    for name in names:
        path = tmp_path / name
        path.write_text("x", encoding="utf-8")
        assert not any(parser().detect(path, "x") for parser in PARSERS.values())


# ---- hostile files ------------------------------------------------------------------------------------


def test_binary_junk_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_bytes(random.Random(7).randbytes(8192))
    with pytest.raises(ParseError, match="not a text file"):
        parse(path)


def test_binary_junk_without_nul_bytes() -> None:
    junk = bytes(b for b in random.Random(8).randbytes(8192) if b)
    with pytest.raises(ParseError, match="not a text file"):
        decode_text(junk, "junk.txt")


def test_empty_text_file(tmp_path: Path) -> None:
    path = tmp_path / "law.txt"
    path.write_text("\n\n  \n", encoding="utf-8")
    with pytest.raises(ParseError, match="holds no text"):
        parse(path)


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    zeros = b"\0" * 2**20
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(201):  # 201 MB of zeros, packed into about 200 kB
            member.write(zeros)
    assert path.stat().st_size < 2**20
    with pytest.raises(ParseError, match="over the 200 MB limit"):
        parse(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 this is not really a zip archive", "not a valid .docx"),
        (b"%PDF-1.4 a PDF named .docx", "not a valid .docx"),
    ],
)
def test_docx_not_a_zip(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "law.docx"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=message):
        parse(path)


def test_docx_zip_without_a_document(tmp_path: Path) -> None:
    path = tmp_path / "law.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "Статья 1.")
    with pytest.raises(ParseError, match="not a readable Word document"):
        parse(path)


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    source = es_docx(tmp_path)
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            copy.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    with pytest.raises(ParseError, match="not a readable Word document"):
        parse(broken)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 170, 250, style="F")  # a "scanned page": ink, no text
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(ParseError, match="no text layer"):
        parse(path)


def _encrypted(source: Path, target: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def test_pdf_encrypted_with_a_password(tmp_path: Path) -> None:
    path = _encrypted(es_pdf(tmp_path), tmp_path / "locked.pdf", "secret")
    with pytest.raises(ParseError, match="encrypted PDF; it needs a password"):
        parse(path)


def test_pdf_encrypted_only_against_editing_is_read(tmp_path: Path) -> None:
    path = _encrypted(es_pdf(tmp_path), tmp_path / "protected.pdf", "")
    assert [p.number for p in parse(path).provisions] == ["1", "2", "3", "4"]


def test_pdf_truncated(tmp_path: Path) -> None:
    data = es_pdf(tmp_path).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[:200])
    with pytest.raises(ParseError):
        parse(path)


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "law.pdf"
    path.write_bytes(io.BytesIO(b"<html>not a pdf</html>").getvalue())
    with pytest.raises(ParseError, match="not a readable PDF"):
        parse(path)
