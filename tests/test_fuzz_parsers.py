"""Property tests for every ingest parser: no input makes one raise anything but its own error.

Two kinds of input per parser: arbitrary bytes under the parser's file name, and structured mutations of a
real example (slices deleted, duplicated or moved, the file cut short, hostile tokens inserted: NUL, lone
surrogates written as bytes, byte order marks, CR-only newlines, huge lines, deep nesting; the whole file
re-encoded). Mutations reach the deep code paths random bytes never do. Either the parser gives records
that keep the store's invariants (a non-empty key, str text without NUL that UTF-8 can hold, str provision
numbers, an ISO language code or None), the same ones twice, or it raises ParseError (BibliographyError for
the bibliography readers) with a message. At the pipeline level a folder of mutated files never makes
Ingester.run raise, each bad file is reported with a message, and a second run changes nothing.

Examples come from corpus/ and tests/golden/ so the fuzzing runs in a fresh clone; budgets in tests.fuzzing.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from fpdf import FPDF
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from sherloc.bibliography import BibliographyError, detect_format
from sherloc.bibliography import parse as parse_bibliography
from sherloc.db import make_engine, make_session_factory, upgrade
from sherloc.extract.cn_judgment import extract_cn_judgment
from sherloc.extract.strategies import strategy_facts
from sherloc.extract.treaties import treaty_facts
from sherloc.ingest.language import check_language
from sherloc.ingest.pipeline import Ingester
from sherloc.ingest.registry import find_parser
from sherloc.ingest.sources.akoma_ntoso import AkomaNtosoJudgmentParser
from sherloc.ingest.sources.bibliography_files import BibliographyFileParser
from sherloc.ingest.sources.cail2018 import Cail2018Parser
from sherloc.ingest.sources.cail2022 import Cail2022Parser
from sherloc.ingest.sources.generic_formats import (
    DocxLawParser,
    HtmlLawParser,
    MarkdownLawParser,
    PdfLawParser,
    PlainTextLawParser,
)
from sherloc.ingest.sources.juriscraper import BvaDecisionParser, JuriscraperListingParser
from sherloc.ingest.sources.lawrefbook import LawRefBookParser
from sherloc.ingest.sources.lecardv2 import LeCaRDv2Parser
from sherloc.ingest.sources.legalize import LegalizeParser
from sherloc.ingest.sources.pravo_ru import PravoRuParser
from sherloc.ingest.sources.saudi_md import SaudiLawsParser
from sherloc.ingest.sources.un_documents import UnDocumentParser
from sherloc.ingest.sources.uslm import UslmParser
from sherloc.ingest.structure import unstorable
from sherloc.ingest.types import ParsedRecord, ParseError, Parser
from sherloc.models import IngestedFile, Record
from sherloc.tagging.store import RecordTagging
from tests.conftest import CORPUS
from tests.fuzzing import budget
from tests.golden_helpers import GOLDEN

VOCAB = CORPUS / "vocab"
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_COUNTRY = re.compile(r"[A-Z]{2}")


# --------------------------------------------------------------------------------------------------
# Real examples, each at a path its parser claims
# --------------------------------------------------------------------------------------------------


def _html_example() -> bytes:
    return (
        b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Anti-Money Laundering Act</title>"
        b"<style>p{}</style><script>var x = '<p>';</script></head><body><nav>Home</nav>"
        b"<h1>Anti-Money Laundering Act</h1><h2>Part I. General</h2>"
        b"<p>Article 1. This Act applies to every reporting institution.</p>"
        b"<p>Article 2. In this Act, &ldquo;property&rdquo; means assets of every kind.<br>(a) money;</p>"
        b"<table><tr><td>Term</td><td>Meaning</td></tr></table><pre>  kept   as is  </pre>"
        b"<p>Article 3. Whoever launders the proceeds of crime commits an offence.</p></body></html>"
    )


def _docx_example() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Anti-Money Laundering Act"
    document.add_heading("Part I. General", level=1)
    document.add_paragraph("Article 1. This Act applies to every reporting institution.")
    document.add_paragraph("Article 2. Whoever launders the proceeds of crime commits an offence.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Term", "Meaning"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_example() -> bytes:
    pdf = FPDF()
    pdf.set_title("Anti-Money Laundering Act")
    pdf.set_font("Helvetica", size=11)
    for _page in range(2):
        pdf.add_page()
        for number in range(1, 6):
            pdf.multi_cell(
                180, 6, f"Article {number}. Whoever launders the proceeds of crime commits an offence."
            )
            pdf.ln()
    return bytes(pdf.output())


@dataclass(frozen=True)
class Example:
    """A parser and a real file of its format, written at `layout` (the folders its parser reads)."""

    name: str
    make: Callable[[], Parser]
    layout: str
    source: Path | Callable[[], bytes]
    siblings: tuple[tuple[str, Path], ...] = ()  # (layout, file) written beside it, unmutated

    def data(self) -> bytes:
        return self.source.read_bytes() if isinstance(self.source, Path) else self.source()


LECARD_CHARGES = ("others/criminal charges.txt", GOLDEN / "lecardv2" / "others" / "criminal charges.txt")
EXAMPLES = [
    Example("legalize", LegalizeParser, "es/BOE-A-2014-12030.md", GOLDEN / "legalize/es/BOE-A-2014-12030.md"),
    Example(
        "lawrefbook",
        lambda: LawRefBookParser(vocab_dir=VOCAB),
        "行政法规/麻醉药品和精神药品管理条例(2016-02-06).md",
        GOLDEN / "lawrefbook/行政法规/麻醉药品和精神药品管理条例(2016-02-06).md",
    ),
    Example(
        "saudi_md",
        SaudiLawsParser,
        "laws/أنظمة المواصلات والاتصالات/نظام حماية خطوط السكك الحديدية.md",
        GOLDEN / "saudi_laws/laws/أنظمة المواصلات والاتصالات/نظام حماية خطوط السكك الحديدية.md.in",
    ),
    Example("pravo_ru", PravoRuParser, "102027595.txt", GOLDEN / "pravo_ru/102027595.excerpt.txt"),
    Example("uslm", UslmParser, "112pvtl001-uslm.xml", GOLDEN / "uslm/112pvtl001-uslm.xml"),
    Example(
        "akoma_ntoso",
        AkomaNtosoJudgmentParser,
        "2020-ewca-611-civ.xml",
        GOLDEN / "akoma_ntoso/2020-ewca-611-civ.excerpt.xml",
    ),
    Example(
        "lecardv2",
        lambda: LeCaRDv2Parser(vocab_dir=VOCAB),
        "query/controversial_query.json",
        GOLDEN / "lecardv2/query/controversial_query.excerpt.json",
        (LECARD_CHARGES,),
    ),
    Example(
        "cail2022",
        lambda: Cail2022Parser(vocab_dir=VOCAB),
        "train.json",
        GOLDEN / "cail2022/train.excerpt.json",
    ),
    Example(
        "cail2018",
        lambda: Cail2018Parser(vocab_dir=VOCAB),
        "data_valid.json",
        GOLDEN / "cail2018/data_valid.excerpt.json",
    ),
    Example(
        "cail2018_lawbench",
        lambda: Cail2018Parser(vocab_dir=VOCAB),
        "lawbench/3-4.json",
        GOLDEN / "cail2018/lawbench/3-4.excerpt.json",
    ),
    Example(
        "juriscraper",
        JuriscraperListingParser,
        "opinion_listings.jsonl",
        GOLDEN / "juriscraper/opinion_listings.excerpt.jsonl",
    ),
    Example("bva", BvaDecisionParser, "bva_subexample_1.txt", GOLDEN / "juriscraper/bva_subexample_1.txt"),
    Example(
        "un_documents",
        UnDocumentParser,
        "004_307f31fd53a52439.txt",
        GOLDEN / "un_document/004_307f31fd53a52439.txt",
    ),
    Example(
        "bibtex",
        BibliographyFileParser,
        "refs.bib",
        GOLDEN / "bibliography/biblatex-gost-examples.excerpt.bib",
    ),
    Example("ris", BibliographyFileParser, "refs.ris", GOLDEN / "bibliography/rispy-example_utf_chars.ris"),
    Example(
        "csl_json",
        BibliographyFileParser,
        "un-ctoc-documents.json",
        CORPUS / "bibliography/un-ctoc-documents.json",
    ),
    Example(
        "markdown", MarkdownLawParser, "BOE-A-2010-6737.md", GOLDEN / "generic/BOE-A-2010-6737.excerpt.md.in"
    ),
    Example(
        "markdown_ar",
        MarkdownLawParser,
        "نظام مكافحة غسل الأموال القديم.md",
        GOLDEN / "generic/نظام مكافحة غسل الأموال القديم.md.in",
    ),
    Example("text", PlainTextLawParser, "102041891.txt", GOLDEN / "generic/102041891.excerpt.txt"),
    Example("html", HtmlLawParser, "aml-act.html", _html_example),
    Example("docx", DocxLawParser, "aml-act.docx", _docx_example),
    Example("pdf", PdfLawParser, "aml-act.pdf", _pdf_example),
]
BY_NAME = {example.name: example for example in EXAMPLES}
_DATA: dict[str, bytes] = {}
_PARSERS: dict[str, Parser] = {}


def example_data(example: Example) -> bytes:
    if example.name not in _DATA:
        _DATA[example.name] = example.data()
    return _DATA[example.name]


def parser_of(example: Example) -> Parser:
    """One parser per example for the whole module, as the pipeline keeps one for a whole run."""
    if example.name not in _PARSERS:
        _PARSERS[example.name] = example.make()
    return _PARSERS[example.name]


@contextmanager
def written(example: Example, data: bytes) -> Iterator[Path]:
    """`data` at the example's path (its siblings beside it) in a new temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for layout, source in example.siblings:
            (root / layout).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / layout)
        path = root / example.layout
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        yield path


# --------------------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------------------

HOSTILE_TOKENS = [
    b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xef\xbf\xbe", codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, b"\r", b"\r\n", b"\n\n", b"\x1b[2J",
    b"\x7f",
    b"\x0b\x0c", "\u2028\u2029".encode(), "\u202e".encode(), "\u200f".encode(), b"\t", b"<", b">", b"</",
    b"/>", b"&", b"&amp;", b"&#0;", b"&#xD800;", b"&#1114112;", b"&unknown;", b"<![CDATA[", b"]]>",
    b"<!--", b"-->", b"<?xml version='1.0'?>", b"<!DOCTYPE x>", b'"', b"'", b"\\", b"\\u0000", b"\\ud800",
    b'\\"', b"{", b"}", b"[", b"]", b":", b",", b"null", b"true", b"1e999", b"-0", b"NaN",
    b"99999999999999999999999", b"---\n", b"...\n", b"# ", b"## ", b"|", b"```", b"*", b"_", b"@", b"%",
    b"=", "第一条 ".encode(), "第一百二十条之一".encode(), b"Article 1. ", "Статья 1. ".encode(),
    "المادة (١)".encode(), "Artículo 1.".encode(), b"Sec. 2. ", b"@article{k,", b"TY  - JOUR\n", b"ER  - \n",
    b"identifier: ", b"country: ", b"title: ", b"source_url: ", b"date: 0000-00-00", b"2020-02-30",
    b"Citation Nr: ", b"DOCKET NO. ", b"\x00\x00\xfe\xff",
]  # fmt: skip
_NESTERS = [b"<div>", b"<p>", b"<b>", b"[", b'{"a":', b"((", b"<x>", b"\\begin{x}", b"{"]
_RUNS = [
    b" ", b"\n", b"a", b"A ", b"1", b"1.", b"1 ", b"-", b"- ", b"(", b")", b"#", "\u3000".encode(),
    "、".encode(),
    "，".encode(), "一".encode(), "第".encode(), b"x\n\n", b", ", b"' ", "—".encode(), b"Article ",
]  # fmt: skip
_ENCODINGS = [
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "latin-1",
    "cp1252",
    "cp1251",
    "gb18030",
    "shift_jis",
]
_ENCODINGS += ["utf-8-sig", "utf-7", "big5", "koi8-r"]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` after one to four structured mutations."""
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        at = draw(st.integers(0, size))
        op = draw(
            st.sampled_from(["delete", "duplicate", "insert", "insert", "truncate", "encode", "newline"])
        )
        op = draw(st.sampled_from([op, "huge", "repeat", "nest", "bytes"]))
        if op == "delete":
            end = draw(st.integers(at, min(size, at + 2000)))
            data = data[:at] + data[end:]
        elif op == "duplicate":
            start = draw(st.integers(0, size))
            piece = data[start : draw(st.integers(start, min(size, start + 4000)))]
            data = data[:at] + piece * draw(st.integers(1, 3)) + data[at:]
        elif op == "insert":
            data = data[:at] + draw(st.sampled_from(HOSTILE_TOKENS)) + data[at:]
        elif op == "bytes":
            data = data[:at] + draw(st.binary(max_size=64)) + data[at:]
        elif op == "truncate":
            data = data[:at]
        elif op == "encode":
            text = data.decode("utf-8", "replace")
            data = text.encode(draw(st.sampled_from(_ENCODINGS)), "replace")
        elif op == "newline":
            data = data.replace(b"\r\n", b"\n").replace(
                b"\n", draw(st.sampled_from([b"\r", b"\r\n", b"\r\r\n"]))
            )
        elif op == "huge":  # one long line
            data = (
                data[:at]
                + draw(st.sampled_from([b"x", b"a ", "法".encode(), b"\t", b" ", b"."])) * 60_000
                + data[at:]
            )
        elif op == "repeat":  # a token many times over: where a pattern backtracks, the time explodes
            token = draw(st.sampled_from(HOSTILE_TOKENS + _RUNS))
            data = data[:at] + token * (20_000 // len(token) + 1) + data[at:]
        else:
            data = data[:at] + draw(st.sampled_from(_NESTERS)) * draw(st.integers(500, 5000)) + data[at:]
    return data


# --------------------------------------------------------------------------------------------------
# The property
# --------------------------------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _storable(value: str, what: str, nul: bool = False) -> None:
    """`value` is str that UTF-8 can hold (no lone surrogate); without NUL unless `nul` (texts: the store
    drops NUL from them, sherloc.search.analysis.clean_text, but refuses it in keys and attributes)."""
    assert isinstance(value, str), what
    assert nul or "\x00" not in value, f"{what} holds a NUL"
    value.encode("utf-8")


def check_record(record: ParsedRecord) -> None:
    assert isinstance(record, ParsedRecord)
    assert isinstance(record.source_key, str) and record.source_key.strip(), "empty source key"
    _storable(record.source_key, "source_key")
    for what in ("title", "text", "source_url", "subdivision", "status"):
        value = getattr(record, what)
        if value is not None:
            _storable(value, what, nul=what in ("title", "text"))
    assert record.language is None or _LANGUAGE.fullmatch(record.language), record.language
    assert record.country is None or _COUNTRY.fullmatch(record.country), record.country
    for text in _strings(record.attributes):
        _storable(text, "an attribute")
    assert unstorable(record.attributes) is None
    for provision in record.provisions:
        _storable(provision.number, "a provision number")
        assert isinstance(provision.position, int)
        for text in (provision.label, provision.text, provision.heading or "", *provision.path):
            _storable(text, "a provision", nul=True)
        assert unstorable(provision.attributes) is None


def parse_or_refuse(parser: Parser, path: Path) -> list[dict[str, Any]] | None:
    """The records as dicts, or None when the parser refused the file with a ParseError and a message.

    Anything else the parser raises fails the test.
    """
    try:
        records = list(parser.parse(path))
    except ParseError as exc:
        assert str(exc).strip(), "a ParseError without a message"
        return None
    for record in records:
        check_record(record)
    return [dataclasses.asdict(record) for record in records]


def check_parser(example: Example, data: bytes) -> None:
    parser = parser_of(example)
    with written(example, data) as path:
        first = parse_or_refuse(parser, path)
        assert parse_or_refuse(parser, path) == first, "two reads of the same file differ"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_the_real_example_parses(example: Example) -> None:
    """The unmutated examples give records: the mutations start from files the parsers read."""
    with written(example, example_data(example)) as path:
        records = parse_or_refuse(parser_of(example), path)
    assert records, f"{example.name}: the example itself is refused"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
@budget(80)
@given(data=st.data())
def test_mutated_real_files_give_records_or_a_parse_error(example: Example, data: st.DataObject) -> None:
    check_parser(example, data.draw(mutated(example_data(example)), label="file"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
@budget(25)
@given(raw=st.binary(max_size=2000), keep=st.integers(0, 400))
def test_random_bytes_give_records_or_a_parse_error(example: Example, raw: bytes, keep: int) -> None:
    """Random bytes, alone or after the example's first bytes (so that its detector's markers are there)."""
    check_parser(example, example_data(example)[:keep] + raw)


def _rezipped(package: bytes, member: str, data: bytes) -> bytes:
    """`package` (a zip archive) with `member` replaced by `data`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in source.infolist():
            copy.writestr(item.filename, data if item.filename == member else source.read(item))
    return out.getvalue()


@pytest.mark.parametrize("member", ["word/document.xml", "word/styles.xml", "[Content_Types].xml"])
@budget(40)
@given(data=st.data())
def test_mutated_parts_inside_a_docx_give_records_or_a_parse_error(member: str, data: st.DataObject) -> None:
    """Mutations of the XML inside the package reach python-docx, which the zip's own bytes rarely do."""
    example = BY_NAME["docx"]
    package = example_data(example)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        original = archive.read(member)
    check_parser(example, _rezipped(package, member, data.draw(mutated(original), label=member)))


# --------------------------------------------------------------------------------------------------
# Readers below the parsers: bibliography formats, extractors, language detection
# --------------------------------------------------------------------------------------------------

BIBLIOGRAPHIES = {name: BY_NAME[name] for name in ("bibtex", "ris", "csl_json")}
FORMATS = {"bibtex": "bibtex", "ris": "ris", "csl_json": "csl-json"}


@pytest.mark.parametrize("name", sorted(BIBLIOGRAPHIES))
@budget(60)
@given(data=st.data())
def test_bibliography_readers_raise_only_bibliography_errors(name: str, data: st.DataObject) -> None:
    raw = data.draw(mutated(example_data(BIBLIOGRAPHIES[name])) | st.binary(max_size=500), label="file")
    text = raw.decode("utf-8", "replace")
    try:
        entries = parse_bibliography(text, FORMATS[name])
    except BibliographyError as exc:
        assert exc.errors and str(exc).strip()
        return
    for entry in entries:
        assert entry.key.strip() and isinstance(entry.title, str)


def test_bibliography_format_names() -> None:
    """The format names the property above uses are the library's own."""
    assert detect_format("refs.bib", "@article{k,") == FORMATS["bibtex"]
    assert detect_format("refs.ris", "TY  - JOUR") == FORMATS["ris"]


_CN_TEXT = (GOLDEN / "extract_cn" / "lecardv2_140.txt").read_text(encoding="utf-8")


@budget(60)
@given(data=st.data())
def test_cn_judgment_extraction_never_raises_and_spans_stay_in_the_text(data: st.DataObject) -> None:
    raw = data.draw(mutated(_CN_TEXT.encode()) | st.binary(max_size=300), label="text")
    text = raw.decode("utf-8", "replace")
    facts = extract_cn_judgment(text, title=text[:40])
    for located in _located(facts):
        start, end = located.span
        assert 0 <= start <= end <= len(text)


def _located(value: Any) -> Iterator[Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "span") and isinstance(value.span, tuple):
            yield value
        for item in dataclasses.fields(value):
            yield from _located(getattr(value, item.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _located(item)


@budget(60)
@given(title=st.text(max_size=200), text=st.text(max_size=2000))
def test_treaty_and_strategy_extraction_never_raise(title: str, text: str) -> None:
    treaty_facts(title, text, {"title": title})
    strategy_facts(title, text)


@budget(60)
@given(text=st.text(max_size=500), declared=st.none() | st.sampled_from(["en", "zh", "ar", "xx"]))
def test_language_check_never_raises(text: str, declared: str | None) -> None:
    language, note = check_language(text, declared)
    assert language is None or _LANGUAGE.fullmatch(language)
    assert note is None or isinstance(note, str)


# --------------------------------------------------------------------------------------------------
# The pipeline: a folder of mutated files
# --------------------------------------------------------------------------------------------------

# Fast parsers with real examples in every format family: a law per file, decisions per line, XML.
PIPELINE_EXAMPLES = ["legalize", "pravo_ru", "uslm", "cail2022", "ris", "markdown", "text", "html", "docx"]


@pytest.fixture(scope="module")
def tagging() -> RecordTagging:
    return RecordTagging(VOCAB)


def _store_rows(session_factory: Any) -> tuple[dict[str, str], dict[str, tuple[str, str | None]]]:
    with session_factory() as session:
        records = dict(session.execute(select(Record.id, Record.content_hash)).all())
        files = {
            path: (status, message)
            for path, status, message in session.execute(
                select(IngestedFile.path, IngestedFile.status, IngestedFile.message)
            )
        }
    return records, files


@budget(10)
@given(data=st.data())
def test_a_folder_of_mutated_files_is_ingested_reported_and_stable(
    data: st.DataObject, tagging: RecordTagging
) -> None:
    names = data.draw(st.lists(st.sampled_from(PIPELINE_EXAMPLES), min_size=2, max_size=5, unique=True))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "in"
        for name in names:
            example = BY_NAME[name]
            raw = data.draw(mutated(example_data(example)) | st.just(example_data(example)), label=name)
            path = root / name / example.layout
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)
        engine = make_engine(f"sqlite:///{folder}/sherloc.db")
        upgrade(engine)
        try:
            session_factory = make_session_factory(engine)
            ingester = Ingester(session_factory, None, tagging=tagging)
            first = ingester.run([root])
            assert len(first.outcomes) == len(names)
            for outcome in first.outcomes:
                if outcome.status in ("failed", "skipped"):
                    assert outcome.message and outcome.message.strip(), outcome
            after_first = _store_rows(session_factory)
            second = Ingester(session_factory, None, tagging=tagging).run([root])
            assert all(o.status in ("unchanged", "failed", "skipped") for o in second.outcomes), (
                second.outcomes
            )
            assert _store_rows(session_factory) == after_first
        finally:
            engine.dispose()


def test_find_parser_on_hostile_heads() -> None:
    """Detection reads only the head, leniently decoded: no head makes it raise."""
    for token in HOSTILE_TOKENS + [nester * 3000 for nester in _NESTERS]:
        for suffix in (".md", ".txt", ".json", ".jsonl", ".xml", ".bib", ".ris", ".html", ".docx", ".pdf"):
            find_parser(Path(f"x{suffix}"), token * 50)


def test_markup_that_html_parser_asserts_on_is_a_parse_error(tmp_path: Path) -> None:
    # Found by the mutations in CI: Python's html.parser raises AssertionError on "<![" followed by junk.
    page = tmp_path / "law.html"
    page.write_bytes(b"<![" + b"[" * 200 + b"DOCTYPE html><html><body><p>Article 1. Text.</p></body></html>")
    with pytest.raises(ParseError, match="not readable HTML"):
        list(HtmlLawParser().parse(page))
