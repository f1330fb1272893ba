"""Hostile files for every parser that reads XML, a zip archive or text: each is refused with the parser's
ParseError naming the problem (the pipeline reports the file and skips it), and nothing is expanded, read
from disk or fetched from the network on the way.

XML: billion laughs, quadratic blowup, external entities (file:// and http://), an external DTD, parameter
entities, XInclude. DOCX: members declaring huge sizes, too many members, a nested zip, a member named
"../../evil" (zip slip), a truncated archive, a size that lies, a compression method zipfile lacks. Text:
invalid and mixed UTF-8 (refused, never read in a wrong encoding), UTF-16 with and without a byte order
mark, a huge single line, deeply nested HTML.
"""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import pytest

from sherloc.ingest.pipeline import Ingester
from sherloc.ingest.sources.akoma_ntoso import AkomaNtosoJudgmentParser
from sherloc.ingest.sources.bibliography_files import BibliographyFileParser
from sherloc.ingest.sources.cail2018 import Cail2018Parser
from sherloc.ingest.sources.cail2022 import Cail2022Parser
from sherloc.ingest.sources.generic_formats import (
    DocxLawParser,
    HtmlLawParser,
    MarkdownLawParser,
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
from sherloc.ingest.types import ParsedRecord, ParseError, Parser
from sherloc.settings import Settings
from tests.conftest import CORPUS, ingest_into
from tests.golden_helpers import GOLDEN

VOCAB = CORPUS / "vocab"
SECRET = "s3cr3t-never-to-be-read"
FAST = 5.0  # seconds: a refusal comes up front, nothing is expanded (generous on a shared 2-core machine)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve or connect fails the test: no parser may fetch a DTD, entity or include."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a parser tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A local file the attacks point at (as an entity, a DTD, an include): its content must never show."""
    folder = tmp_path / "private"
    folder.mkdir()
    path = folder / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    (folder / "evil.dtd").write_text(f'<!ENTITY leaked "{SECRET}">', encoding="utf-8")
    return path


def refused(parser: Parser, path: Path, *words: str) -> str:
    """The ParseError message for `path`, checked to name each of `words`, raised within FAST seconds."""
    started = time.perf_counter()
    with pytest.raises(ParseError) as raised:
        list(parser.parse(path))
    assert time.perf_counter() - started < FAST
    message = str(raised.value)
    assert SECRET not in message
    for word in words:
        assert word.lower() in message.lower(), message
    return message


def parsed(parser: Parser, path: Path) -> list[ParsedRecord]:
    started = time.perf_counter()
    records = list(parser.parse(path))
    assert time.perf_counter() - started < FAST
    return records


def _text_of(records: list[ParsedRecord]) -> str:
    return repr(records)


# --------------------------------------------------------------------------------------------------
# XML: Akoma Ntoso, USLM, and the XML parts of a DOCX
# --------------------------------------------------------------------------------------------------


def _laughs() -> tuple[str, str]:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{level} "{(f"&lol{level - 1};" if level > 1 else "&lol;") * 10}">'
        for level in range(1, 10)
    ]
    return "\n".join(entities), "&lol9;"


def xml_attacks(secret: Path) -> dict[str, tuple[str, str]]:
    """{attack: (DOCTYPE internal subset or external id, what goes inside the root element)}."""
    dtd = (secret.parent / "evil.dtd").as_uri()
    return {
        "billion_laughs": (f"[{_laughs()[0]}]", _laughs()[1]),
        "quadratic_blowup": (f'[<!ENTITY a "{"x" * 50_000}">]', "&a;" * 50_000),
        "external_file_entity": (f'[<!ENTITY leak SYSTEM "{secret.as_uri()}">]', "&leak;"),
        "external_http_entity": ('[<!ENTITY leak SYSTEM "http://127.0.0.1:9/secret">]', "&leak;"),
        "external_dtd": (f'SYSTEM "{dtd}"', "&leaked;"),
        "external_http_dtd": ('SYSTEM "http://127.0.0.1:9/evil.dtd"', "&leaked;"),
        "parameter_entity": (f'[<!ENTITY % p SYSTEM "{dtd}"> %p;]', "&leaked;"),
        "parameter_entity_inline": ("[<!ENTITY % q \"<!ENTITY leaked 'x'>\"> %q;]", "&leaked;"),
    }


XML_ATTACKS = [
    "billion_laughs",
    "quadratic_blowup",
    "external_file_entity",
    "external_http_entity",
    "external_dtd",
    "external_http_dtd",
    "parameter_entity",
    "parameter_entity_inline",
]


def _inject(xml: str, root: str, doctype: str, inside: str) -> str:
    """`xml` with `<!DOCTYPE root doctype>` before its root element and `inside` just within it."""
    start = xml.index(f"<{root}")
    end = xml.index(">", start) + 1
    return f"{xml[:start]}<!DOCTYPE {root} {doctype}>\n{xml[start:end]}{inside}{xml[end:]}"


XML_PARSERS: dict[str, tuple[Callable[[], Parser], Path, str]] = {
    "akoma_ntoso": (
        AkomaNtosoJudgmentParser,
        GOLDEN / "akoma_ntoso" / "2020-ewca-611-civ.excerpt.xml",
        "akomaNtoso",
    ),
    "uslm": (UslmParser, GOLDEN / "uslm" / "112pvtl001-uslm.xml", "pLaw"),
}
# What each refusal names. USLM allows a DTD without entities (it is never read): an external DTD's entity
# is then simply undefined.
EXPECTED = {
    "akoma_ntoso": dict.fromkeys(XML_ATTACKS, "declares a document type"),
    "uslm": {
        **dict.fromkeys(XML_ATTACKS, "entity"),
        "external_dtd": "undefined entity",
        "external_http_dtd": "undefined entity",
    },
}


@pytest.mark.parametrize("attack", XML_ATTACKS)
@pytest.mark.parametrize("source", sorted(XML_PARSERS))
def test_xml_attacks_are_refused_unexpanded_and_unfetched(
    source: str, attack: str, secret: Path, tmp_path: Path
) -> None:
    make, example, root = XML_PARSERS[source]
    doctype, inside = xml_attacks(secret)[attack]
    path = tmp_path / "hostile.xml"
    path.write_text(_inject(example.read_text(encoding="utf-8"), root, doctype, inside), encoding="utf-8")
    refused(make(), path, EXPECTED[source][attack])


@pytest.mark.parametrize("source", sorted(XML_PARSERS))
def test_xinclude_is_refused_not_followed(source: str, secret: Path, tmp_path: Path) -> None:
    make, example, root = XML_PARSERS[source]
    xml = example.read_text(encoding="utf-8")
    start = xml.index(">", xml.index(f"<{root}")) + 1
    include = (
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}" parse="text"/>'
    )
    path = tmp_path / "include.xml"
    path.write_text(xml[:start] + include + xml[start:], encoding="utf-8")
    refused(make(), path, "XInclude")


def _docx_bytes(title: str = "Anti-Money Laundering Act") -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    document.add_paragraph("Article 1. Whoever launders the proceeds of crime commits an offence.")
    document.add_paragraph("Article 2. The offence is punished by imprisonment.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _repack(
    package: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> bytes:
    """`package` with each member's bytes passed through `change` (None drops it), plus `extra` members."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in source.infolist():
            data = change(item.filename, source.read(item))
            if data is not None:
                copy.writestr(item.filename, data)
        for name, data in (extra or {}).items():
            copy.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("attack", XML_ATTACKS)
@pytest.mark.parametrize(
    "member", ["word/document.xml", "word/styles.xml", "docProps/core.xml", "[Content_Types].xml"]
)
def test_xml_attacks_inside_a_docx_are_refused(
    member: str, attack: str, secret: Path, tmp_path: Path
) -> None:
    doctype, inside = xml_attacks(secret)[attack]

    def poison(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        xml = data.decode("utf-8")
        start = xml.index("<", xml.index("?>") + 2)
        root = xml[start + 1 :].split(None, 1)[0].rstrip(">")
        return _inject(xml, root, doctype, inside).encode("utf-8")

    path = tmp_path / "hostile.docx"
    path.write_bytes(_repack(_docx_bytes(), poison))
    refused(DocxLawParser(), path, "declares a document type", member)


def test_xinclude_inside_a_docx_is_refused(secret: Path, tmp_path: Path) -> None:
    include = (
        f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{secret.as_uri()}" parse="text"/>'
    )

    def poison(name: str, data: bytes) -> bytes:
        return (
            data.replace(b"<w:body>", b"<w:body>" + include.encode()) if name == "word/document.xml" else data
        )

    path = tmp_path / "include.docx"
    path.write_bytes(_repack(_docx_bytes(), poison))
    refused(DocxLawParser(), path, "XInclude")


def test_html_and_xhtml_never_expand_or_fetch_entities(secret: Path, tmp_path: Path) -> None:
    """The HTML reader knows no DTD: declared entities stay as written, nothing is read or fetched."""
    for suffix in (".html", ".xhtml"):
        path = tmp_path / f"law{suffix}"
        path.write_text(
            f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY leak SYSTEM "{secret.as_uri()}">'
            f'<!ENTITY net SYSTEM "http://127.0.0.1:9/x">{_laughs()[0]}]>'
            "<html><head><title>Anti-Money Laundering Act</title></head><body>"
            "<p>Article 1. Whoever launders &leak; &net; &lol9; proceeds commits an offence.</p>"
            "<p>Article 2. The offence is punished.</p></body></html>",
            encoding="utf-8",
        )
        text = _text_of(parsed(HtmlLawParser(), path))
        assert SECRET not in text and "lollol" not in text


# --------------------------------------------------------------------------------------------------
# DOCX as a zip archive
# --------------------------------------------------------------------------------------------------


def _patch_sizes(package: bytes, member: str, size: int, method: int | None = None) -> bytes:
    """`package` with `member`'s uncompressed size (and compression method) rewritten in both its local and
    central headers: a zip that lies about what a member unpacks to."""
    data = bytearray(package)
    name = member.encode()
    for signature, size_at, method_at, name_at in ((b"PK\x03\x04", 22, 8, 30), (b"PK\x01\x02", 24, 10, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            length = struct.unpack_from(
                "<H", data, start + name_at - (2 if signature == b"PK\x03\x04" else 18)
            )[0]
            if bytes(data[start + name_at : start + name_at + length]) == name:
                struct.pack_into("<I", data, start + size_at, size)
                if method is not None:
                    struct.pack_into("<H", data, start + method_at, method)
            start += 4
    return bytes(data)


def _many_members(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_bytes())) as source, zipfile.ZipFile(out, "w") as copy:
        for item in source.infolist():
            copy.writestr(item, source.read(item))
        for number in range(count):
            copy.writestr(f"customXml/item{number}.bin", b"")
    return out.getvalue()


def _declared_huge() -> bytes:
    """A package whose document declares 300 MB unpacked (test_generic builds a real one of zeros)."""
    return _patch_sizes(_docx_bytes(), "word/document.xml", 300 * 2**20)


ZIP_ATTACKS: dict[str, tuple[Callable[[], bytes], tuple[str, ...]]] = {
    "declared_huge": (_declared_huge, ("zip bomb", "MB")),
    "many_members": (lambda: _many_members(10_001), ("too many",)),
    "truncated": (lambda: _docx_bytes()[: len(_docx_bytes()) * 2 // 3], ("not a valid .docx",)),
    "size_lies": (lambda: _patch_sizes(_docx_bytes(), "word/document.xml", 10), ("bad crc",)),
    "unknown_method": (lambda: _patch_sizes(_docx_bytes(), "word/document.xml", 10, method=99), ("docx",)),
    "not_a_zip": (lambda: b"PK\x03\x04" + b"\xff" * 200, ("not a valid .docx",)),
    "empty": (lambda: b"", ("not a valid .docx",)),
}


@pytest.mark.parametrize("attack", sorted(ZIP_ATTACKS))
def test_zip_attacks_in_a_docx_are_refused(attack: str, tmp_path: Path) -> None:
    make, words = ZIP_ATTACKS[attack]
    path = tmp_path / "hostile.docx"
    path.write_bytes(make())
    refused(DocxLawParser(), path, *words)


def test_a_nested_zip_is_never_unpacked(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with (
        zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("bomb.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(100):
            member.write(b"\0" * 2**20)
    path = tmp_path / "nested.docx"
    path.write_bytes(
        _repack(_docx_bytes(), lambda _name, data: data, {"word/embeddings/inner.zip": inner.getvalue()})
    )
    (record,) = parsed(DocxLawParser(), path)
    assert record.title == "Anti-Money Laundering Act" and len(record.provisions) == 2


def test_zip_slip_member_names_write_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    path = work / "slip.docx"
    evil = {
        "../../evil.txt": b"owned",
        "/tmp/evil-absolute.txt": b"owned",
        "word/../../../evil2.txt": b"owned",
    }
    path.write_bytes(_repack(_docx_bytes(), lambda _name, data: data, evil))
    before = {p for p in tmp_path.rglob("*")}
    with contextlib.suppress(ParseError):
        list(DocxLawParser().parse(path))
    assert {p for p in tmp_path.rglob("*")} == before
    assert not Path("/tmp/evil-absolute.txt").exists()


# --------------------------------------------------------------------------------------------------
# Encodings: invalid UTF-8, mixed encodings, UTF-16 with and without BOM
# --------------------------------------------------------------------------------------------------

# Parsers of UTF-8 sources: (parser, real example, file name it is written as).
UTF8_SOURCES: dict[str, tuple[Callable[[], Parser], Path, str]] = {
    "legalize": (LegalizeParser, GOLDEN / "legalize/es/BOE-A-2014-12030.md", "es/BOE-A-2014-12030.md"),
    "lawrefbook": (
        lambda: LawRefBookParser(vocab_dir=VOCAB),
        GOLDEN / "lawrefbook/行政法规/麻醉药品和精神药品管理条例(2016-02-06).md",
        "行政法规/条例(2016-02-06).md",
    ),
    "saudi_md": (
        SaudiLawsParser,
        GOLDEN / "saudi_laws/laws/أنظمة المواصلات والاتصالات/نظام حماية خطوط السكك الحديدية.md.in",
        "laws/أنظمة/نظام.md",
    ),
    "pravo_ru": (PravoRuParser, GOLDEN / "pravo_ru/102027595.excerpt.txt", "102027595.txt"),
    "un_documents": (UnDocumentParser, GOLDEN / "un_document/004_307f31fd53a52439.txt", "004.txt"),
    "bibtex": (
        BibliographyFileParser,
        GOLDEN / "bibliography/biblatex-gost-examples.excerpt.bib",
        "refs.bib",
    ),
    "ris": (BibliographyFileParser, GOLDEN / "bibliography/rispy-example_utf_chars.ris", "refs.ris"),
    "csl_json": (BibliographyFileParser, CORPUS / "bibliography/un-ctoc-documents.json", "refs.json"),
    "cail2018": (
        lambda: Cail2018Parser(vocab_dir=VOCAB),
        GOLDEN / "cail2018/data_valid.excerpt.json",
        "d.json",
    ),
    # Generic formats read legacy encodings by detection, but never a UTF-8 file with a bad byte.
    "markdown": (MarkdownLawParser, GOLDEN / "generic/BOE-A-2010-6737.excerpt.md.in", "law.md"),
    "text": (PlainTextLawParser, GOLDEN / "generic/102041891.excerpt.txt", "law.txt"),
}
UTF8_MESSAGES = {"markdown": "not utf-8", "text": "not utf-8"}


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _middle(data: bytes) -> int:
    """An offset near the middle of `data` that starts a UTF-8 character."""
    at = len(data) // 2
    while data[at] & 0xC0 == 0x80:
        at += 1
    return at


@pytest.mark.parametrize("damage", ["invalid_byte", "lone_surrogate", "overlong", "cp1252_paragraph"])
@pytest.mark.parametrize("source", sorted(UTF8_SOURCES))
def test_invalid_utf8_is_refused_never_misread(source: str, damage: str, tmp_path: Path) -> None:
    make, example, name = UTF8_SOURCES[source]
    data = example.read_bytes()
    at = _middle(data)
    bad = {
        "invalid_byte": b"\xff",
        "lone_surrogate": b"\xed\xa0\x80",
        "overlong": b"\xc0\xaf",
        "cp1252_paragraph": " Señal «élevée» — Artículo 99. ".encode("cp1252"),
    }[damage]
    refused(make(), _write(tmp_path, name, data[:at] + bad + data[at:]), "utf-8")


@pytest.mark.parametrize("source", ["lecardv2", "juriscraper", "cail2022"])
def test_a_json_lines_file_skips_its_bad_lines_and_says_so(source: str, tmp_path: Path) -> None:
    make, example, name = {
        "lecardv2": (
            lambda: LeCaRDv2Parser(vocab_dir=VOCAB),
            GOLDEN / "lecardv2/query/test_query.excerpt.json",
            "query/q.json",
        ),
        "juriscraper": (
            JuriscraperListingParser,
            GOLDEN / "juriscraper/opinion_listings.excerpt.jsonl",
            "l.jsonl",
        ),
        "cail2022": (
            lambda: Cail2022Parser(vocab_dir=VOCAB),
            GOLDEN / "cail2022/train.excerpt.json",
            "t.json",
        ),
    }[source]
    lines = example.read_bytes().split(b"\n")
    if not lines[0].lstrip().startswith(b"{"):
        pytest.skip(f"{example.name} is not JSON Lines")
    good = [line for line in lines if line.strip()]
    hostile = [
        good[0][:20] + b"\xff" + good[0][20:],  # invalid UTF-8
        b'{"id": 1, "query": "\\u0000", "fact": "\\ud800"}',  # NUL and a lone surrogate, escaped
        b"[" * 100_000 + b"]" * 100_000,  # nested past the recursion limit
        b'{"x": NaN, "y": 1e999}',  # numbers JSON has no syntax for
    ]
    parser = make()
    path = _write(tmp_path, name, b"\n".join(good + hostile) + b"\n")
    records = parsed(parser, path)
    assert records
    warnings = " ".join(getattr(parser, "warnings", []))
    assert "not UTF-8" in warnings and "nested too deeply" in warnings


@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("source", ["legalize", "pravo_ru", "un_documents", "ris"])
def test_utf16_sources_are_refused_with_a_reason(source: str, bom: bool, tmp_path: Path) -> None:
    make, example, name = UTF8_SOURCES[source]
    text = example.read_text(encoding="utf-8")
    data = text.encode("utf-16" if bom else "utf-16-le")
    refused(make(), _write(tmp_path, name, data), "utf-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_generic_text_reads_utf16_with_a_bom_and_refuses_it_without(encoding: str, tmp_path: Path) -> None:
    text = (GOLDEN / "generic" / "102041891.excerpt.txt").read_text(encoding="utf-8")
    path = _write(tmp_path, "law.txt", text.encode(encoding))
    if encoding == "utf-16":
        (record,) = parsed(PlainTextLawParser(), path)
        assert record.provisions and "Статья" in record.provisions[0].label
    else:
        refused(PlainTextLawParser(), path, "NUL", "byte order mark")


def test_a_bva_decision_in_windows_1252_is_read_as_the_board_writes_it(tmp_path: Path) -> None:
    """The Board publishes in Windows-1252: that decoding is documented (read_legacy_text), not a guess."""
    data = (GOLDEN / "juriscraper" / "bva_subexample_1.txt").read_bytes()  # itself Windows-1252 (§ is A7)
    path = _write(tmp_path, "bva.txt", data + "\nVeteran’s “claim” — résumé\n".encode("cp1252"))
    (record,) = parsed(BvaDecisionParser(), path)
    assert "Veteran’s “claim” — résumé" in record.text


# --------------------------------------------------------------------------------------------------
# Shapes: a huge single line, deep nesting
# --------------------------------------------------------------------------------------------------


def test_a_huge_single_line_is_read_in_time(tmp_path: Path) -> None:
    line = "Article 1. " + "The proceeds of crime " * 200_000  # 4.4 MB, one line
    for name, parser in (("law.md", MarkdownLawParser()), ("law.txt", PlainTextLawParser())):
        path = _write(tmp_path, name, f"# Anti-Money Laundering Act\n\n{line}\n".encode())
        (record,) = parsed(parser, path)
        assert record.provisions and len(record.provisions[0].text) > 4_000_000


@pytest.mark.parametrize("run", [" ", "# ", "[", "![", "<!--", "*a", "| ", "-"])
def test_markdown_patterns_stay_linear_on_long_runs(run: str, tmp_path: Path) -> None:
    body = f"# Act\n\n## {'x' + run * 30_000}y\n\nArticle 1. Text.\n"
    path = _write(tmp_path, "law.md", body.encode())
    records = parsed(MarkdownLawParser(), path)
    assert records


def test_deeply_nested_html_is_read_without_recursion(tmp_path: Path) -> None:
    depth = 100_000
    body = (
        "<div>" * depth + "<p>Article 1. Whoever launders proceeds commits an offence.</p>" + "</div>" * depth
    )
    path = _write(
        tmp_path, "law.html", f"<html><head><title>Act</title></head><body>{body}</body></html>".encode()
    )
    (record,) = parsed(HtmlLawParser(), path)
    assert record.provisions


@pytest.mark.parametrize("source", sorted(XML_PARSERS))
def test_deeply_nested_xml_is_refused_or_read_without_recursion_error(source: str, tmp_path: Path) -> None:
    make, example, root = XML_PARSERS[source]
    xml = example.read_text(encoding="utf-8")
    start = xml.index(">", xml.index(f"<{root}")) + 1
    path = tmp_path / "deep.xml"
    path.write_text(xml[:start] + "<p>" * 50_000 + "x" + "</p>" * 50_000 + xml[start:], encoding="utf-8")
    try:
        parsed(make(), path)
    except ParseError as exc:
        assert "nested" in str(exc) or "XML" in str(exc), exc


# --------------------------------------------------------------------------------------------------
# The pipeline: hostile files reported and skipped, nothing else harmed
# --------------------------------------------------------------------------------------------------


def _hostile_folder(root: Path, secret: Path) -> Iterator[tuple[str, str]]:
    """Writes one hostile file per kind into `root`; yields (file name, a word its report must name)."""
    attacks = xml_attacks(secret)
    akoma = (GOLDEN / "akoma_ntoso" / "2020-ewca-611-civ.excerpt.xml").read_text(encoding="utf-8")
    uslm = (GOLDEN / "uslm" / "112pvtl001-uslm.xml").read_text(encoding="utf-8")
    _write(root, "judgment-laughs.xml", _inject(akoma, "akomaNtoso", *attacks["billion_laughs"]).encode())
    yield "judgment-laughs.xml", "document type"
    _write(root, "law-xxe.xml", _inject(uslm, "pLaw", *attacks["external_file_entity"]).encode())
    yield "law-xxe.xml", "entity"
    _write(root, "bomb.docx", _declared_huge())
    yield "bomb.docx", "zip bomb"
    law = (GOLDEN / "generic" / "BOE-A-2010-6737.excerpt.md.in").read_bytes()
    _write(root, "damaged.md", law[:5000] + b"\xff\xfe" + law[5000:])
    yield "damaged.md", "not UTF-8"
    _write(root, "es/bad-date.md", b'---\nidentifier: "BOE-X"\ncountry: "es"\ndate: 2020-02-30\n---\n# Ley\n')
    yield "bad-date.md", "YAML"


def test_hostile_files_are_reported_and_skipped_and_the_rest_ingested(
    settings: Settings, secret: Path, tmp_path: Path
) -> None:
    root = tmp_path / "in"
    expected = dict(_hostile_folder(root, secret))
    good = GOLDEN / "legalize" / "es" / "BOE-A-2014-12030.md"
    _write(root, "es/BOE-A-2014-12030.md", good.read_bytes())
    report = ingest_into(settings, [root])
    outcomes = {Path(o.path).name: o for o in report.outcomes}
    for name, word in expected.items():
        outcome = outcomes[name]
        assert outcome.status == "failed", outcome
        assert word.lower() in (outcome.message or "").lower(), outcome
        assert SECRET not in (outcome.message or "")
    assert outcomes["BOE-A-2014-12030.md"].status == "new"
    again = ingest_into(settings, [root])
    assert {Path(o.path).name: o.status for o in again.outcomes} == {
        **dict.fromkeys(expected, "failed"),
        "BOE-A-2014-12030.md": "unchanged",
    }


def test_an_ingester_run_never_raises_on_hostile_files(
    settings: Settings, secret: Path, tmp_path: Path
) -> None:
    """The same folder through Ingester directly (no index), as the CLI runs it."""
    from sherloc.db import make_engine, make_session_factory, upgrade
    from sherloc.tagging.store import RecordTagging

    root = tmp_path / "in"
    names = dict(_hostile_folder(root, secret))
    engine = make_engine(settings.database_url)
    upgrade(engine)
    try:
        report = Ingester(make_session_factory(engine), None, tagging=RecordTagging(VOCAB)).run([root])
    finally:
        engine.dispose()
    assert {Path(o.path).name for o in report.problems} == set(names)
