"""The parsers the portal knows, in the order they are asked whether they handle a file."""

from __future__ import annotations

from pathlib import Path

from sherloc.ingest.sources.lawrefbook import LawRefBookParser
from sherloc.ingest.sources.legalize import LegalizeParser
from sherloc.ingest.sources.un_documents import UnDocumentParser
from sherloc.ingest.types import Parser

HEAD_BYTES = 4096


def parsers() -> list[Parser]:
    """Source-specific parsers first; generic format parsers (a later issue) go last."""
    return [LegalizeParser(), LawRefBookParser(), UnDocumentParser()]


def find_parser(path: Path, head: bytes, available: list[Parser] | None = None) -> Parser | None:
    text = head[:HEAD_BYTES].decode("utf-8", errors="replace")
    for parser in available if available is not None else parsers():
        if parser.detect(path, text):
            return parser
    return None
