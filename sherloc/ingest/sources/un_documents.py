"""UN documents (Conference of the Parties to UNTOC, its working groups, the Crime Commission) as plain text.

Each file becomes a `policy_document` record. Only what the document prints is recorded: its title (the
block just above the document-type line, e.g. 秘书处的说明 / "Note by the Secretariat"), its date when
the "Distr.: General" block gives one, and the document symbols its text mentions. Its own symbol is not taken
from the text: in these conversions it sits in page footers among cited symbols (the agenda's symbol
in a footnote, earlier reports in the body), and no rule tells them apart reliably, so it stays empty.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from sherloc.ingest.structure import read_utf8
from sherloc.ingest.types import ParsedRecord, ParseError

# Lines that mark a document as a UN meeting document, in the six official languages.
_MARKERS = re.compile(
    r"Distr\.:|临时议程|Provisional agenda|Ordre du jour provisoire|Programa provisional|"
    r"Предварительная повестка дня|جدول الأعمال المؤقت"
)
# The line naming what kind of document it is; the title is the block just above it. Spaces before it are
# matched within the line and possessively: "\s*#*\s*" backtracks quadratically over a long blank run.
_DOC_TYPE = re.compile(
    r"^[^\S\n]*+#*+[^\S\n]*+(秘书处的说明|秘书长的报告|秘书处的报告|"
    r"Note by the Secretariat|Report of the Secretary-General|Report of the Secretariat|"
    r"Note du Secrétariat|Rapport du Secrétaire général|Nota de la Secretaría|"
    r"Informe del Secretario General|Записка Секретариата|Доклад Генерального секретаря|"
    r"مذكرة من الأمانة|تقرير الأمين العام)\s*$",
    re.MULTILINE,
)
_SYMBOL = re.compile(r"\b((?:CTOC/COP|E/CN\.15|A/RES|A/CONF\.\d+)(?:/[A-Za-z0-9.]+)+)")
_DISTR_DATE = re.compile(r"Distr\.:\s*\w+\s*\n\s*(\d{1,2}) (\w+) (\d{4})")
_MONTHS = {
    name: i
    for i, name in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"],
        start=1,
    )
}  # fmt: skip
_PARAGRAPH_START = re.compile(r"^\s*(?:\d+\.\s|[一二三四五六七八九十]+\.\s|[A-Z]\.\s|\([a-z]\)|#)")
_CJK = re.compile(r"[\u3400-\u9fff，。；：、（）《》]")


class UnDocumentParser:
    name = "un_document"

    def detect(self, path: Path, head: str) -> bool:
        return path.suffix.lower() == ".txt" and bool(_MARKERS.search(head)) and bool(_DOC_TYPE.search(head))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        raw = read_utf8(path)
        doc_type = _DOC_TYPE.search(raw)
        if doc_type is None:
            raise ParseError(f"{path.name}: no document-type line (e.g. 'Note by the Secretariat') found")
        title = _title_above(raw[: doc_type.start()])
        if not title:
            raise ParseError(f"{path.name}: no title above the document-type line")
        mentioned = sorted({m.group(1).rstrip(".") for m in _SYMBOL.finditer(raw)})
        attributes: dict[str, object] = {"document_type": doc_type.group(1), "organization": "United Nations"}
        if mentioned:
            attributes["symbols_mentioned"] = mentioned
        yield ParsedRecord(
            source=self.name,
            source_key=path.stem,
            kind="policy_document",
            title=title,
            country=None,
            language=None,  # detected by the pipeline; these files do not declare it
            text=_paragraphs(raw[doc_type.end() :]),
            date_adopted=_distr_date(raw),
            attributes=attributes,
        )


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line.strip().lstrip("#").strip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _join(lines: list[str]) -> str:
    """Join lines broken inside a sentence: no space between CJK characters, one space otherwise."""
    out = ""
    for line in lines:
        line = line.replace("\\*", "*").strip().lstrip("#").strip()
        if out and not (_CJK.search(out[-1]) and _CJK.search(line[0])):
            out += " "
        out += line
    return out


def _title_above(text: str) -> str:
    blocks = _blocks(text)
    return _join(blocks[-1]) if blocks else ""


def _paragraphs(text: str) -> str:
    """Paragraphs re-joined: a new one starts at a numbered paragraph or heading, not at every line break."""
    paragraphs: list[list[str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not paragraphs or _PARAGRAPH_START.match(line):
            paragraphs.append([])
        paragraphs[-1].append(line)
    return "\n\n".join(_join(p) for p in paragraphs)


def _distr_date(text: str) -> dt.date | None:
    match = _DISTR_DATE.search(text)
    if match is None or match.group(2) not in _MONTHS:
        return None
    try:
        return dt.date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    except ValueError:
        return None
