"""Parsers for laws in Markdown, plain text, HTML, DOCX or PDF from countries without a source module.

Each file becomes one record (a law unless told otherwise), split into provisions by sherloc.ingest.generic.
These parsers are asked last, after every source-specific one, and recognise files by their extension only.

What a file does not say about itself can be given in a sidecar next to it, named after the whole file name:
`anti-money-laundering-act.pdf.meta.json` (or `.meta.yaml` / `.meta.yml`) beside
`anti-money-laundering-act.pdf`, holding for example

    {"country": "KE", "language": "en", "title": "Proceeds of Crime and Anti-Money Laundering Act",
     "date_adopted": "2009-12-31", "kind": "law", "subdivision": null}

Keys: country (ISO 3166-1 alpha-2), subdivision (ISO 3166-2, e.g. "CA-QC"; it implies the country),
language (ISO 639-1), title, date_adopted and date_amended (YYYY-MM-DD), kind (law by default; any record
kind but provision), status, source_url. Other keys are kept as the record's attributes. A Markdown file's
YAML front matter may hold the same keys; the sidecar wins over it, and both win over what the file's
content suggests. A malformed sidecar or a bad value (country "Kenya") fails the file with a message
saying so.

Without either, country is None, language is None (the pipeline detects it), the title comes from the file
(front-matter title, first heading, <title>, DOCX core property, PDF metadata, else the first line) and
source_key is the file name's stem.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import struct
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.parsers import expat

import charset_normalizer
import docx
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, PyPdfError

from sherloc.ingest.generic import split_law, starts_unit
from sherloc.ingest.sources.legalize import as_date, json_safe
from sherloc.ingest.structure import collapse_spaces, join_paragraphs, load_yaml, unstorable
from sherloc.ingest.types import NotADocument, ParsedRecord, ParseError

SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")
# Repository files that are never laws, though they share the extensions.
_NOT_LAWS = re.compile(
    r"(?:readme|license|licence|copying|notice|manifest|changelog|changes|contributing|authors"
    r"|code_of_conduct|security|requirements|_index)(?:[-_.][\w.-]*)?\.\w+",
    re.IGNORECASE,
)
_MAX_TITLE_CHARS = 200
_DEFAULT_KIND = "law"
_RECORD_KINDS = ("law", "decision", "bibliography", "treaty", "strategy", "policy_document")


def is_sidecar(path: Path) -> bool:
    """True for a metadata sidecar (`<file>.meta.json` / `.meta.yaml` / `.meta.yml`), not a document."""
    return path.name.lower().endswith(SIDECAR_SUFFIXES)


def _claims(path: Path, suffixes: tuple[str, ...]) -> bool:
    return path.suffix.lower() in suffixes and not is_sidecar(path) and not _NOT_LAWS.fullmatch(path.name)


# --------------------------------------------------------------------------------------------------
# Metadata: front matter and sidecars
# --------------------------------------------------------------------------------------------------


@dataclass
class _Metadata:
    """What the file or its sidecar declares; None where it says nothing."""

    title: str | None = None
    country: str | None = None
    subdivision: str | None = None
    language: str | None = None
    kind: str | None = None
    date_adopted: dt.date | None = None
    date_amended: dt.date | None = None
    status: str | None = None
    source_url: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


def _text_value(value: Any, key: str, origin: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str | int | float):
        raise ParseError(f"{origin}: '{key}' must be a single value, not {type(value).__name__}")
    return str(value).strip() or None


def _date_value(value: Any, key: str, origin: str) -> dt.date | None:
    if value is None or value == "":
        return None
    date = as_date(value)
    if date is None:
        raise ParseError(f"{origin}: '{key}' must be a date written YYYY-MM-DD, not {value!r}")
    return date


def _country(value: str | None, origin: str) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise ParseError(
            f"{origin}: country must be a two-letter ISO 3166-1 code such as 'KE', not {value!r}"
        )
    return value.upper()


def _subdivision(value: str | None, origin: str) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}", value):
        raise ParseError(f"{origin}: subdivision must be an ISO 3166-2 code such as 'CA-QC', not {value!r}")
    return value.upper()


def _language(value: str | None, origin: str) -> str | None:
    if value is None:
        return None
    code = value.lower().replace("_", "-").split("-")[0]
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise ParseError(f"{origin}: language must be an ISO 639-1 code such as 'en', not {value!r}")
    return code


def _kind(value: str | None, origin: str) -> str | None:
    if value is not None and value not in _RECORD_KINDS:
        raise ParseError(f"{origin}: kind must be one of {', '.join(_RECORD_KINDS)}, not {value!r}")
    return value


_META_KEYS = {"title", "country", "subdivision", "language", "kind", "date_adopted", "date_amended", "status"}
_META_KEYS |= {"source_url"}
_STATUSES = ("in_force", "repealed")
# A status in another vocabulary ("غير ساري") stays among the attributes rather than in the status field.
_RECORD_FIELDS = _META_KEYS - {"status"}


def _metadata(values: dict[str, Any], origin: str) -> _Metadata:
    """Validated metadata from a front matter or sidecar mapping; `origin` names it in error messages."""
    get = {
        key: _text_value(values.get(key), key, origin)
        for key in _META_KEYS - {"date_adopted", "date_amended"}
    }
    subdivision = _subdivision(get["subdivision"], origin)
    country = _country(get["country"], origin) or (subdivision[:2] if subdivision else None)
    if subdivision and country and not subdivision.startswith(country + "-"):
        raise ParseError(f"{origin}: subdivision {subdivision} is not in country {country}")
    return _Metadata(
        title=get["title"],
        country=country,
        subdivision=subdivision,
        language=_language(get["language"], origin),
        kind=_kind(get["kind"], origin),
        date_adopted=_date_value(values.get("date_adopted"), "date_adopted", origin),
        date_amended=_date_value(values.get("date_amended"), "date_amended", origin),
        status=get["status"] if get["status"] in _STATUSES else None,
        source_url=get["source_url"],
        attributes={key: json_safe(value) for key, value in values.items() if key not in _RECORD_FIELDS},
    )


def _load_mapping(text: str, origin: str, as_json: bool) -> dict[str, Any]:
    if not as_json:
        loaded = load_yaml(text, origin)
    else:
        try:
            loaded = json.loads(text)
        except ValueError as exc:  # JSONDecodeError, or a number past the digit limit
            raise ParseError(f"{origin} is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise ParseError(f"{origin} is not valid JSON: nested too deeply") from exc
        problem = unstorable(loaded)
        if problem:
            raise ParseError(f"{origin} holds {problem}")
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ParseError(f"{origin} must hold 'key: value' pairs, not a {type(loaded).__name__}")
    return {str(key).strip().lower(): value for key, value in loaded.items()}


def read_sidecar(path: Path) -> dict[str, Any]:
    """The mapping in `path`'s sidecar (`<name>.meta.json`, `.meta.yaml` or `.meta.yml`); {} when none."""
    for suffix in SIDECAR_SUFFIXES:
        sidecar = path.with_name(path.name + suffix)
        if sidecar.is_file():
            text = decode_text(sidecar.read_bytes(), sidecar.name)
            return _load_mapping(text, sidecar.name, as_json=suffix == ".meta.json")
    return {}


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """(front matter mapping, the text after it); ({}, text) when the text has no '---' front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise ParseError(f"{name}: the front matter is never closed by a '---' line")
    return _load_mapping("\n".join(lines[1:end]), f"{name} (front matter)", as_json=False), "\n".join(
        lines[end + 1 :]
    )


# --------------------------------------------------------------------------------------------------
# Text: encodings and wrapped lines
# --------------------------------------------------------------------------------------------------

# UTF-32 first: its little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = set("\t\n\r\f\v\x1a")  # \x1a: the end-of-file mark of old DOS text files
_MAX_CONTROL_SHARE = 0.01


def decode_text(data: bytes, name: str) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), UTF-16/32 with BOM, else a detected charset.

    ParseError "not a text file" for NUL bytes without a BOM (binary data), bytes no charset fits, or text
    made largely of control characters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"{name} starts with a {encoding} byte order mark but is not {encoding}"
                ) from exc
    if b"\x00" in data:
        raise ParseError(
            f"{name} is not a text file (it holds NUL bytes; UTF-16 text needs a byte order mark)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _mostly_utf8(data):
            # A detector would pick a charset in which every accented letter of the law turns to mojibake.
            raise ParseError(
                f"{name} is UTF-8 text with bytes that are not UTF-8 ({exc.reason} at byte {exc.start}): a "
                "damaged file or mixed encodings, refused rather than read in a wrong encoding"
            ) from exc
        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise ParseError(f"{name} is not a text file (no character encoding fits its bytes)") from None
        text = str(best)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise ParseError(f"{name} is not a text file (it is full of control characters)")
    return text


def _mostly_utf8(data: bytes) -> bool:
    """True when `data` holds more well-formed UTF-8 multi-byte characters than bytes UTF-8 refuses: a UTF-8
    file damaged in places, or another encoding pasted into one. Text in a legacy single-byte encoding makes
    a valid UTF-8 sequence only by accident ("Ã©"), rarely, and fails at nearly every non-ASCII letter."""
    decoded = data.decode("utf-8", errors="replace")
    refused = decoded.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for char in decoded if char > "\x7f" and char != "\ufffd")
    return multibyte > refused


def _control_share(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS)
    return controls / len(sample)


_TERMINAL = tuple(".!?;:。！？；：")
_CLOSERS = "\"'»”’)]）】」"
# A line starting so begins a new paragraph even after a long line: "2.", "a)", "(iv)", "а)", "- ", "١ -".
_ENUMERATION = re.compile(
    r"(?:\(?[0-9٠-٩]{1,3}[.)]|\(?[^\W\d_]\)|\([ivxlc]+\)|[-–—•·▪*]|[0-9٠-٩]{1,3}\s*[-–])\s"
)
_HYPHENATED = re.compile(r"[^\W\d_][-\u00ad]$")
_SHORT_LINE = 0.75  # a line shorter than this share of the usual width ends its paragraph
_WIDE = 0.9  # the usual width: this quantile of line lengths


def _cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" or "\uff00" <= char <= "\uffef"


def _typical_width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if line.strip())
    return lengths[int(len(lengths) * _WIDE)] if lengths else 0


def _continues(previous: str, line: str, width: int) -> bool:
    """True when `line` goes on with the paragraph whose last physical line is `previous`.

    An article label or heading needs no rule of its own: it starts with a capital (or a caseless script)
    after a line that ended a sentence or the paragraph, and a wrapped reference ("…en el" / "artículo 34.")
    is lower case.
    """
    if _ENUMERATION.match(line):
        return False
    if _HYPHENATED.search(previous) and line[0].islower():
        return True
    if line[0].islower():
        return True
    ends_sentence = previous.rstrip(_CLOSERS).endswith(_TERMINAL)
    return not ends_sentence and len(previous) >= _SHORT_LINE * width


def _join(paragraph: str, line: str) -> str:
    if _HYPHENATED.search(paragraph) and line[0].islower():
        return paragraph[:-1] + line  # "blan-" + "chiment": the hyphen only broke the word at the margin
    if _cjk(paragraph[-1]) and _cjk(line[0]):
        return paragraph + line
    return f"{paragraph} {line}"


def unwrap_lines(lines: list[str]) -> list[str]:
    """Paragraphs from hard-wrapped lines (PDF text, fixed-width text files); a blank line always ends one.

    A line is joined to the one before unless it starts an article, heading or list item, or the one before
    ends a sentence, or was short (the paragraph's last line). A word hyphenated at the margin is rejoined.
    """
    stripped = [line.strip() for line in lines]
    width = _typical_width(stripped)
    paragraphs: list[str] = []
    previous = ""
    for line in stripped:
        if not line:
            previous = ""
            continue
        if previous and paragraphs and _continues(previous, line, width):
            paragraphs[-1] = _join(paragraphs[-1], line)
        else:
            paragraphs.append(line)
        previous = line
    return paragraphs


# --------------------------------------------------------------------------------------------------
# The record
# --------------------------------------------------------------------------------------------------


def _is_title_line(line: str) -> bool:
    return 0 < len(line) <= _MAX_TITLE_CHARS and not starts_unit(line)


def _first_line_title(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """The first non-blank line or paragraph as the title (removed) when it is short and names no unit."""
    first = next((index for index, paragraph in enumerate(paragraphs) if paragraph.strip()), None)
    if first is None:
        return None, paragraphs
    title = collapse_spaces(paragraphs[first].lstrip("#"))
    if _is_title_line(title):
        return title, paragraphs[:first] + paragraphs[first + 1 :]
    return None, paragraphs


def _build_record(parser: str, path: Path, title: str | None, body: str, declared: _Metadata) -> ParsedRecord:
    """One record from the body text (paragraphs, '#' heading lines) and what the file and sidecar declare."""
    sidecar = _metadata(read_sidecar(path), f"{path.name}'s sidecar")
    meta = _merge(declared, sidecar)
    if not body.strip():
        raise NotADocument(f"{path.name} holds no text")
    kind = meta.kind or _DEFAULT_KIND
    if kind == "law":
        text, provisions = split_law(body, meta.language)
        if not provisions and not _declares_anything(meta):
            # A generic file with no article structure and nothing saying what it is (a list of names, notes)
            # is not taken for a law; a sidecar makes it one.
            raise NotADocument(
                f"{path.name}: no article structure and no sidecar (<name>.meta.json) saying what it is"
            )
    else:
        text = join_paragraphs(re.sub(r"^#+\s+", "", block) for block in body.split("\n\n"))
        provisions = []
    return ParsedRecord(
        source=parser,
        source_key=path.stem,
        kind=kind,
        title=meta.title or title or path.stem,
        country=meta.country,
        language=meta.language,
        text=text,
        subdivision=meta.subdivision,
        date_adopted=meta.date_adopted,
        date_amended=meta.date_amended,
        status=meta.status,
        source_url=meta.source_url,
        attributes=meta.attributes,
        provisions=provisions,
    )


def _declares_anything(meta: _Metadata) -> bool:
    return any((meta.title, meta.country, meta.kind, meta.date_adopted, meta.source_url))


def _merge(declared: _Metadata, sidecar: _Metadata) -> _Metadata:
    """The sidecar's values where it gives them, else the file's own."""
    given = {
        item.name: getattr(sidecar, item.name)
        for item in fields(sidecar)
        if item.name != "attributes" and getattr(sidecar, item.name) is not None
    }
    return replace(declared, **given, attributes={**declared.attributes, **sidecar.attributes})


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------

# The heading's closing "#"s and spaces are stripped in code: "(.*?)\s*#*\s*$" backtracks cubically over
# a long run of spaces inside the heading.
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# Possessive quantifiers (no backtracking) where adjacent optional runs would make a blank line quadratic.
_TABLE_RULE = re.compile(r"^\s*+\|?+\s*+:?+-{3,}+:?+\s*+(?:\|\s*+:?+-{3,}+:?+\s*+)*+\|?+\s*+$")
# A label stops at "[": "![![![..." or "[[[[..." would otherwise be scanned to the line's end from each "[".
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\[\]]+)\]\([^)]*\)")
# "*trust*" loses its stars; "**" is left to the recognisers, which ignore it.
_EMPHASIS = re.compile(r"(?<![\w*])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![\w*])")


def markdown_lines(text: str) -> list[str]:
    """Markdown as plain lines: '#' headings kept (Setext underlines become '#'), markup around text gone."""
    lines: list[str] = []
    fenced = False
    for raw in _without_comments(text).split("\n"):
        if _FENCE.match(raw):
            fenced = not fenced
            continue
        if fenced:
            lines.append(raw)
            continue
        underline = _SETEXT.match(raw)
        if underline and lines and lines[-1].strip() and not lines[-1].startswith("#"):
            lines[-1] = ("# " if underline[1][0] == "=" else "## ") + lines[-1].strip()
            continue
        if _TABLE_RULE.match(raw) and "-" in raw:
            continue
        lines.append(_inline(raw))
    return lines


def _without_comments(text: str) -> str:
    """`text` without its HTML comments; an unclosed "<!--" and what follows it are kept. Linear, where
    "<!--.*?-->" rescans the rest of the text from every unclosed opener."""
    parts: list[str] = []
    position = 0
    while True:
        start = text.find("<!--", position)
        end = text.find("-->", start + 4) if start >= 0 else -1
        if end < 0:
            parts.append(text[position:])
            return "".join(parts)
        parts.append(text[position:start])
        position = end + 3


def _inline(line: str) -> str:
    line = re.sub(r"^\s*>\s?", "", line)  # block quotes
    line = _EMPHASIS.sub(r"\1", _LINK.sub(r"\1", _IMAGE.sub(r"\1", line)))
    heading = _ATX.match(line)
    if heading:
        return f"{heading[1]} {heading[2].rstrip().rstrip('#').rstrip()}"
    return line.replace("__", "").rstrip()


def _markdown_title(lines: list[str], declared: str | None) -> tuple[str | None, list[str]]:
    """(title, body lines): the declared title, else the first heading naming no unit (a '# ' one first),
    else the first line; the heading or line that gave the title, or repeats the declared one, is removed.
    """
    headings = {
        index: collapse_spaces(line.lstrip("#").replace("**", ""))
        for index, line in enumerate(lines)
        if line.startswith("#")
    }
    if declared:
        wanted = collapse_spaces(declared).casefold()
        same = next((index for index, text in headings.items() if text.casefold() == wanted), None)
        return declared, lines if same is None else lines[:same] + lines[same + 1 :]
    titles = [index for index, text in headings.items() if not starts_unit(text)]
    found = next((index for index in titles if lines[index].startswith("# ")), titles[0] if titles else None)
    if found is None:
        return _first_line_title(lines)
    return headings[found], lines[:found] + lines[found + 1 :]


class MarkdownLawParser:
    """Any .md / .markdown file no source parser claimed: '#' headings, optional YAML front matter."""

    name = "markdown"

    def detect(self, path: Path, head: str) -> bool:
        """A .md or .markdown file that is not a README, LICENSE, _index.md or sidecar."""
        return _claims(path, (".md", ".markdown"))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law in `path`."""
        text = decode_text(path.read_bytes(), path.name).replace("\r\n", "\n").replace("\r", "\n")
        front, body = split_front_matter(text, path.name)
        declared = _metadata(front, f"{path.name} (front matter)")
        title, lines = _markdown_title(markdown_lines(body), declared.title)
        yield _build_record(self.name, path, title, "\n".join(lines), declared)


# --------------------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------------------


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain text: blank lines separate them, wrapped lines within one are rejoined."""
    lines = [re.sub(r"^#+\s+", "", line) for line in text.splitlines()]  # '#' is no markup in a .txt
    return unwrap_lines(lines)


class PlainTextLawParser:
    """A .txt file in any encoding (UTF-8/16/32 by BOM, else detected): one law, its first line the title."""

    name = "text"

    def detect(self, path: Path, head: str) -> bool:
        """A .txt file that is not a README, LICENSE, requirements list or sidecar."""
        return _claims(path, (".txt", ".text"))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law in `path`; ParseError for a file that is not text."""
        # The title is the first line alone: a text file's header lines are not a wrapped paragraph.
        title, lines = _first_line_title(decode_text(path.read_bytes(), path.name).splitlines())
        body = "\n\n".join(text_paragraphs("\n".join(lines)))
        yield _build_record(self.name, path, title, body, _Metadata())


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

_DROPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "nav",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "canvas",
        "button",
        "select",
    }
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "li", "ul", "ol",
     "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "caption", "pre", "address", "figure",
     "figcaption", "hr", "body", "center", "form", "fieldset", "details", "summary", "legend"}
)  # fmt: skip
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_CELL_TAGS = frozenset({"td", "th"})
_VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "wbr"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


class _HtmlText(HTMLParser):
    """Collects paragraphs ('#'-marked for h1-h6) and the <title>; scripts, styles and navigation dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.title_parts: list[str] = []
        self._parts: list[str] = []
        self._dropped = 0  # depth inside dropped elements
        self._pre = 0
        self._heading = 0  # level of the heading being read, 0 outside headings
        self._in_title = False
        self._cells = 0  # cells seen in the current table row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_TAGS:
            if tag not in _VOID_TAGS:
                self._dropped += 1
            return
        if tag == "title":
            self._in_title = True
        elif tag == "br":
            self._parts.append("\n")
        elif tag in _HEADING_TAGS:
            self._flush()
            self._heading = _HEADING_TAGS[tag]
        elif tag in _BLOCK_TAGS and not self._heading:  # a block inside a heading is part of it
            self._flush()
            self._pre += tag == "pre"
            self._cells = 0 if tag == "tr" else self._cells
        elif tag in _CELL_TAGS:
            if self._cells:
                self._parts.append(" | ")
            self._cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self._dropped = max(0, self._dropped - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _HEADING_TAGS or (tag in _BLOCK_TAGS and not self._heading):
            self._flush()
            self._pre -= tag == "pre" and self._pre > 0

    def handle_data(self, data: str) -> None:
        if self._dropped:
            return
        if self._in_title:
            self.title_parts.append(data)
        elif self._pre:
            self._parts.append(data)
        else:
            self._parts.append(re.sub(r"\s+", " ", data))

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = "".join(self._parts)
        self._parts = []
        if self._heading:
            heading = collapse_spaces(text)
            if heading:
                self.blocks.append(f"{'#' * self._heading} {heading}")
            self._heading = 0
            return
        lines = [collapse_spaces(line) for line in text.split("\n")]
        block = "\n".join(line for line in lines if line)
        if block:
            self.blocks.append(block)


def decode_html(data: bytes, name: str) -> str:
    """HTML bytes as str: a byte order mark, else the <meta charset> declared near the top, else detection."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared[1].decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong or unknown declaration: detect instead
    return decode_text(data, name)


class HtmlLawParser:
    """An .html / .htm file: block elements become paragraphs, h1-h6 headings, <title> the title."""

    name = "html"

    def detect(self, path: Path, head: str) -> bool:
        """An .html, .htm or .xhtml file."""
        return _claims(path, (".html", ".htm", ".xhtml"))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law in `path`; script, style and nav content never reaches its text."""
        collector = _HtmlText()
        try:
            collector.feed(decode_html(path.read_bytes(), path.name))
            collector.close()
        except AssertionError as exc:  # html.parser's way of refusing some broken markup ("<![" + junk)
            raise ParseError(f"{path.name} is not readable HTML: {exc}") from exc
        title = collapse_spaces("".join(collector.title_parts)) or None
        blocks = _drop_title_heading(collector.blocks, title)
        if title is None:
            title, blocks = _heading_title(blocks)
        yield _build_record(self.name, path, title, "\n\n".join(blocks), _Metadata())


def _drop_title_heading(blocks: list[str], title: str | None) -> list[str]:
    """Without the first heading when it repeats the title (the page's <h1> and <title> name the law)."""
    first = next((i for i, block in enumerate(blocks) if block.startswith("#")), None)
    if title is None or first is None:
        return blocks
    heading = collapse_spaces(blocks[first].lstrip("#"))
    if heading.casefold() in title.casefold() and not starts_unit(heading):
        return blocks[:first] + blocks[first + 1 :]
    return blocks


def _heading_title(blocks: list[str]) -> tuple[str | None, list[str]]:
    """The first heading naming no unit as title (removed), else the first line; (None, blocks) if neither."""
    for index, block in enumerate(blocks):
        if block.startswith("#") and not starts_unit(block.lstrip("#")):
            return collapse_spaces(block.lstrip("#")), blocks[:index] + blocks[index + 1 :]
    return _first_line_title(blocks)


# --------------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------------

MAX_DOCX_UNPACKED_BYTES = 200 * 2**20
MAX_DOCX_MEMBERS = 10_000
_HEADING_STYLE = re.compile(r"heading\s*(\d)", re.IGNORECASE)
_STYLE_DEPTH = 5  # how far up a style's "based on" chain to look for a Heading style


def check_zip(path: Path, limit: int = MAX_DOCX_UNPACKED_BYTES) -> None:
    """ParseError unless `path` is a zip archive whose members unpack to at most `limit` bytes in all, and
    whose XML parts declare no DTD (no entity to expand, no external file or URL to fetch) nor use XInclude.

    zipfile never returns more than a member's declared size, so the declared sizes bound what is unpacked.
    Nothing is ever extracted to disk, so a member named "../../x" (zip slip) is only a name.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_DOCX_MEMBERS:
                raise ParseError(f"{path.name} holds {len(members)} files, too many for a Word document")
            unpacked = sum(member.file_size for member in members)
            if unpacked > limit:
                raise ParseError(
                    f"{path.name} would unpack to {unpacked / 2**20:.0f} MB, over the {limit / 2**20:.0f} MB "
                    "limit (a zip bomb?)"
                )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    problem = _xml_part_problem(archive.read(member))
                    if problem:
                        raise ParseError(f"{path.name}: its part {member.filename[:80]} {problem}; refused")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError) as exc:
        raise ParseError(f"{path.name} is not a valid .docx (not a readable zip archive: {exc})") from exc
    except LookupError as exc:  # an XML part declaring an encoding Python lacks
        raise ParseError(f"{path.name} is not a readable Word document ({exc})") from exc


class _RootReached(Exception):
    """The XML prolog is over: no DOCTYPE can follow."""


class _DoctypeFound(Exception):
    """The XML prolog declares a document type."""


def _xml_part_problem(data: bytes) -> str | None:
    """What makes an XML part of a Word package unsafe to hand to an XML parser, in words; None if nothing.

    Word never writes a DOCTYPE; one can declare entities that expand without bound or name external
    files and URLs. expat reads only the prolog here (it stops at the root element); it expands nothing.
    """
    parser = expat.ParserCreate()

    def doctype(name: str, *_: Any) -> None:
        raise _DoctypeFound(name)

    def root(*_: Any) -> None:
        raise _RootReached

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except _DoctypeFound as found:
        declared = str(found)[:40]
        return f"declares a document type (<!DOCTYPE {declared}>), which may expand entities or fetch files"
    except (_RootReached, expat.ExpatError):
        pass  # a malformed part is python-docx's to report
    if _XINCLUDE in data:
        return "uses XInclude to pull in other files"
    return None


_XINCLUDE = b"http://www.w3.org/2001/XInclude"


def _heading_level(paragraph: Paragraph) -> int | None:
    """1-9 for a paragraph styled Heading n (or a style based on one), 0 for Title, None for text."""
    style = paragraph.style
    for _ in range(_STYLE_DEPTH):
        if style is None:
            return None
        name = style.name or ""
        if name.lower() == "title":
            return 0
        match = _HEADING_STYLE.fullmatch(name.strip())
        if match:
            return int(match[1])
        style = style.base_style
    return None


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(collapse_spaces(cell.text))
        line = " | ".join(cell for cell in cells if cell)
        if line:
            rows.append(line)
    return rows


def _docx_blocks(document: Any) -> tuple[str | None, list[str]]:
    """(text of the first Title-styled paragraph, body blocks with '#'-marked headings)."""
    title: str | None = None
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_rows(item))
            continue
        text = "\n".join(line.strip() for line in item.text.split("\n") if line.strip())
        if not text:
            continue
        level = _heading_level(item)
        if level == 0 and title is None:
            title = collapse_spaces(text)
        elif level:
            blocks.append(f"{'#' * min(level, 6)} {collapse_spaces(text)}")
        else:
            blocks.append(text)
    return title, blocks


# python-docx reports a broken package in many ways: a missing part (KeyError), an unexpected content type
# (ValueError), malformed XML (lxml's XMLSyntaxError is a SyntaxError), a damaged member (zlib.error, or
# OSError for an offset past the end), a compression method zipfile lacks (NotImplementedError), an element
# in an unexpected namespace, which lacks the methods python-docx expects of it (AttributeError, TypeError).
_DOCX_ERRORS = (
    OpcError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
    NotImplementedError, RecursionError, AttributeError, TypeError, IndexError, LookupError,
)  # fmt: skip


class DocxLawParser:
    """A .docx file read with python-docx: Heading n styles become headings, the core title the title."""

    name = "docx"

    def detect(self, path: Path, head: str) -> bool:
        """A .docx file (not the old binary .doc, which needs a converter)."""
        return _claims(path, (".docx",))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law in `path`; ParseError for a non-zip, corrupt or oversized (zip bomb) file."""
        check_zip(path)
        try:
            document = docx.Document(str(path))
            core_title = (document.core_properties.title or "").strip() or None
            styled_title, blocks = _docx_blocks(document)
        except _DOCX_ERRORS as exc:
            raise ParseError(
                f"{path.name} is not a readable Word document ({type(exc).__name__}: {exc})"
            ) from exc
        title = core_title or styled_title
        if title is None:
            title, blocks = _heading_title(blocks)
        else:
            blocks = _drop_title_heading(blocks, title)
        yield _build_record(self.name, path, title, "\n\n".join(blocks), _Metadata())


# --------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.|pag\.|página|pagina|seite|стр\.|страница|صفحة)\s*\d{1,4}(?:\s*(?:of|de|di|из|von|/)\s*\d{1,4})?",
    re.IGNORECASE,
)
_EDGE_LINES = 2  # running headers and footers sit in the first and last lines of a page
_MIN_RUNNING_PAGES = 3
_MIN_LETTERS_PER_PAGE = 40  # below this on average the PDF is scanned images
_USELESS_PDF_TITLE = re.compile(
    r"^(?:untitled|microsoft word - .*|.*\.(?:docx?|rtf|odt|pdf|tmp))$", re.IGNORECASE
)
# pypdf reports a malformed file in many ways besides its own errors.
_PDF_ERRORS: tuple[type[BaseException], ...] = (
    PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError, zlib.error,
    struct.error, RecursionError, NotImplementedError,  # an unknown stream filter ("/FlateDeca")
)  # fmt: skip


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines at the edge of most pages (running headers and footers), page numbers folded to '#'."""
    if len(pages) < _MIN_RUNNING_PAGES:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        edges = {_fold_digits(line) for line in lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]}
        counts.update(edges)
    return {line for line, count in counts.items() if line and count >= len(pages) / 2}


def _fold_digits(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def strip_page_furniture(pages: list[list[str]]) -> list[str]:
    """The pages' lines as one run, without page numbers and running headers or footers at page edges."""
    running = _running_lines(pages)
    kept: list[str] = []
    for lines in pages:
        lines = [line for line in lines if line.strip()]
        for index, line in enumerate(lines):
            at_edge = index < _EDGE_LINES or index >= len(lines) - _EDGE_LINES
            if at_edge and (_PAGE_NUMBER.fullmatch(line.strip()) or _fold_digits(line) in running):
                continue
            kept.append(line)
    return kept


def _open_pdf(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path)
        encrypted = reader.is_encrypted
    except _PDF_ERRORS as exc:
        raise ParseError(f"{path.name} is not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if encrypted:
        # Many official PDFs are encrypted only against editing, with an empty password for reading.
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise ParseError(
                f"{path.name} is an encrypted PDF that needs the 'cryptography' package"
            ) from exc
        except _PDF_ERRORS as exc:
            raise ParseError(f"{path.name} is an encrypted PDF that cannot be opened ({exc})") from exc
        if opened == PasswordType.NOT_DECRYPTED:
            raise ParseError(f"{path.name} is an encrypted PDF; it needs a password to be read")
    return reader


def _pdf_text(path: Path) -> tuple[str | None, list[list[str]]]:
    """(metadata title, lines of each page)."""
    reader = _open_pdf(path)
    try:
        metadata = reader.metadata
        title = (metadata.title or "").strip() if metadata is not None else ""
        pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
    except _PDF_ERRORS as exc:
        raise ParseError(f"{path.name}: the PDF's text cannot be read ({type(exc).__name__}: {exc})") from exc
    return (title if title and not _USELESS_PDF_TITLE.match(title) else None), pages


class PdfLawParser:
    """A .pdf with a text layer, read with pypdf; lines rejoined across wraps and page breaks."""

    name = "pdf"

    def detect(self, path: Path, head: str) -> bool:
        """A .pdf file."""
        return _claims(path, (".pdf",))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law in `path`; ParseError for an encrypted, broken or scanned-only PDF."""
        meta_title, pages = _pdf_text(path)
        lines = strip_page_furniture(pages)
        letters = sum(1 for line in lines for ch in line if ch.isalpha())
        if letters < _MIN_LETTERS_PER_PAGE * max(1, len(pages)):
            raise ParseError(f"{path.name}: the PDF has no text layer (scanned?); OCR is not supported")
        paragraphs = unwrap_lines(lines)
        title, body = _first_line_title(paragraphs)
        if meta_title:
            # The metadata names the law; the first line is its title only when it says the same.
            same = title is not None and collapse_spaces(title).casefold() == meta_title.casefold()
            title, body = meta_title, body if same else paragraphs
        yield _build_record(self.name, path, title, "\n\n".join(body), _Metadata())
