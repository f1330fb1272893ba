"""Plain data that parsers produce and the pipeline consumes; no I/O, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class ParseError(Exception):
    """A file could not be parsed; the message says why in words a user understands."""


class NotADocument(ParseError):
    """The file is readable but is not a legal document (an index, a list...): skipped, not failed."""


@dataclass
class ParsedProvision:
    """One article (or section, paragraph...) of a law, as the source gives it."""

    label: str  # as written in the source: "第一百九十一条", "Article 324-1", "Artículo 301."
    number: str  # normalised number: "191", "120-1" (for 第一百二十条之一), "324-1", "301", "L. 324-1"
    text: str  # the provision's own text, without its label line
    position: int  # 0-based order within the law
    heading: str | None = None  # the article's own heading where the law has one
    path: list[str] = field(default_factory=list)  # enclosing book/part/title/chapter/section headings
    status: str | None = None  # "in_force" | "repealed" | None when the source does not say
    attributes: dict[str, Any] = field(default_factory=dict)


# Conventional `attributes` keys, so every parser of a kind fills the same ones (a key the source does not
# give is left out, never guessed):
#   decisions: court (str), court_level (str), case_number (str), citation (str: neutral citation or
#     reporter), parties (list[str]), judges (list[str]), charges (list[str], as the text names them, e.g.
#     "贩卖毒品罪"), disposition (str), summary (str), cited_statutes (list[str]), procedure (str),
#     evidence (dict: field -> {"start": int, "end": int} character offsets in `text` where a value was read)
#   laws: category (str), rank (str: code, law, decree...), official_number (str), department (str)
DECISION_ATTRIBUTES = (
    "court",
    "court_level",
    "case_number",
    "citation",
    "parties",
    "judges",
    "charges",
    "disposition",
    "summary",
    "cited_statutes",
    "procedure",
    "evidence",
)


@dataclass
class ParsedRecord:
    """A top-level document from one source file: a law (with provisions) or a decision."""

    source: str  # the parser's name, e.g. "lawrefbook"
    source_key: str  # stable identifier of the document within its source
    kind: str  # "law" | "decision" | ...
    title: str
    country: str | None  # ISO 3166-1 alpha-2, upper case
    language: str | None  # ISO 639-1 as the source declares it
    text: str = ""  # the document's text outside its provisions (preamble, or the whole text)
    subdivision: str | None = None  # ISO 3166-2 code when the source is regional
    date_adopted: dt.date | None = None
    date_amended: dt.date | None = None
    date_decided: dt.date | None = None
    status: str | None = None  # "in_force" | "repealed" | ...
    source_url: str | None = None
    source_path: str | None = None  # filled by the pipeline: path relative to the ingest root
    attributes: dict[str, Any] = field(default_factory=dict)
    provisions: list[ParsedProvision] = field(default_factory=list)
    # True when the parser guessed `language` (the source does not declare it): a confident detection on
    # real text then overrules it instead of only being reported.
    language_assumed: bool = False


class Parser(Protocol):
    """A parser for one source format. Registered in sherloc.ingest.registry."""

    name: str

    def detect(self, path: Path, head: str) -> bool:
        """True if this parser handles the file; `head` is its first 4 KiB decoded leniently."""
        ...

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the records in the file; raise ParseError for a file that cannot be read."""
        ...
