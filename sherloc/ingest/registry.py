"""The parsers the portal knows, in the order they are asked whether they handle a file."""

from __future__ import annotations

from pathlib import Path

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
from sherloc.ingest.types import Parser

HEAD_BYTES = 4096


def parsers() -> list[Parser]:
    """Source-specific parsers first; generic format parsers (a later issue) go last."""
    return [
        LegalizeParser(),
        LawRefBookParser(),
        SaudiLawsParser(),
        PravoRuParser(),
        UslmParser(),
        AkomaNtosoJudgmentParser(),
        LeCaRDv2Parser(),
        Cail2022Parser(),
        Cail2018Parser(),
        JuriscraperListingParser(),
        BvaDecisionParser(),
        UnDocumentParser(),
        BibliographyFileParser(),
        # Generic formats last: they take what no source module claims, split by article patterns.
        MarkdownLawParser(),
        PlainTextLawParser(),
        HtmlLawParser(),
        DocxLawParser(),
        PdfLawParser(),
    ]


def find_parser(path: Path, head: bytes, available: list[Parser] | None = None) -> Parser | None:
    text = head[:HEAD_BYTES].decode("utf-8", errors="replace")
    for parser in available if available is not None else parsers():
        if parser.detect(path, text):
            return parser
    return None
