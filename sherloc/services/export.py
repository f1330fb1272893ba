"""A search's results as a file: CSV or JSON lines, streamed page by page, bounded.

The first page is searched before anything is sent, so a search that cannot run is still a clean 400; the
rest follows the search's own cursor (a keyset on the date sorts, so any depth costs the same).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from sherloc.search.base import MAX_PAGE_SIZE, MAX_RESULT_WINDOW, Hit, SearchBackend
from sherloc.services.search import SearchOutcome, SearchParams, run_search
from sherloc.tagging.tagger import Tagger

# The most records one export holds. Relevance-sorted pages stop there anyway (MAX_RESULT_WINDOW); a
# larger set is a crawl: follow /api/v1/search's cursor sorted by date, which reaches any depth.
EXPORT_LIMIT = MAX_RESULT_WINDOW
# Rows (csv, jsonl), or references any reference manager reads (sherloc.services.bibliographic).
FORMATS = ("csv", "jsonl", "bibtex", "ris", "csl-json")
MEDIA_TYPES = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
EXTENSIONS = {"csv": "csv", "jsonl": "jsonl", "bibtex": "bib", "ris": "ris", "csl-json": "json"}

COLUMNS = (
    "id",
    "kind",
    "country",
    "language",
    "title",
    "law_id",
    "number",
    "label",
    "heading",
    "date",
    "url",
    "crime_types",
    "instrument_articles",
    "cross_cutting",
)
LIST_COLUMNS = ("crime_types", "instrument_articles", "cross_cutting")
LIST_SEPARATOR = "; "  # between the values of a list column in CSV (tag values never contain it)
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection); such a cell gets a
# leading apostrophe, which they show as text and do not run.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 rather than the machine's legacy code page


@dataclass
class Export:
    """An export under way: the number of records the search matches and an iterator over those sent."""

    total: int
    limit: int
    hits: Iterator[Hit]

    @property
    def truncated(self) -> bool:
        return self.total > self.limit


def start_export(
    backend: SearchBackend, params: SearchParams, tagger: Tagger | None = None, limit: int = EXPORT_LIMIT
) -> Export:
    """Search the first page now (InvalidSearch, SearchError raise here) and return the rest lazily."""
    if not 1 <= limit <= EXPORT_LIMIT:
        raise ValueError(f"limit is 1 to {EXPORT_LIMIT}")
    params = replace(
        params, page=1, page_size=min(limit, MAX_PAGE_SIZE), cursor=None, facets=(), highlight=False
    )
    first = run_search(backend, params, tagger)
    return Export(total=first.result.total, limit=limit, hits=_hits(backend, params, tagger, first, limit))


def _hits(
    backend: SearchBackend, params: SearchParams, tagger: Tagger | None, outcome: SearchOutcome, limit: int
) -> Iterator[Hit]:
    sent = 0
    while True:
        yield from outcome.result.hits[: limit - sent]
        sent += min(len(outcome.result.hits), limit - sent)
        if sent >= limit or outcome.next_cursor is None:
            return
        outcome = run_search(backend, replace(params, cursor=outcome.next_cursor), tagger)


def export_row(hit: Hit, record_url: Callable[[str], str]) -> dict[str, Any]:
    """One record as a row: the COLUMNS, list columns as lists."""
    return {
        "id": hit.id,
        "kind": hit.kind,
        "country": hit.country,
        "language": hit.language,
        "title": hit.title,
        "law_id": hit.parent_id,
        "number": hit.number,
        "label": hit.label,
        "heading": hit.heading,
        "date": hit.date.isoformat() if hit.date else None,
        "url": record_url(hit.id),
        "crime_types": list(hit.tags.get("crime_type", ())),
        "instrument_articles": list(hit.tags.get("instrument_article", ())),
        "cross_cutting": list(hit.tags.get("cross_cutting", ())),
    }


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: lists joined, None empty, and a cell a spreadsheet would run as a formula
    neutralised (the csv module quotes commas, quotes and line breaks)."""
    if value is None:
        return ""
    text = LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_chunks(
    hits: Iterable[Hit], record_url: Callable[[str], str], *, bom: bool = True, rows_per_chunk: int = 100
) -> Iterator[str]:
    """The CSV text (RFC 4180: a header row, CRLF line ends, fields quoted where needed) in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield (BOM if bom else "") + _drain(buffer)
    for rows, hit in enumerate(hits, start=1):
        row = export_row(hit, record_url)
        writer.writerow([csv_cell(row[column]) for column in COLUMNS])
        if rows % rows_per_chunk == 0:
            yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def jsonl_chunks(
    hits: Iterable[Hit], record_url: Callable[[str], str], *, rows_per_chunk: int = 100
) -> Iterator[str]:
    """One JSON object per line (the COLUMNS as keys, lists as arrays), in chunks."""
    lines: list[str] = []
    for hit in hits:
        lines.append(json.dumps(export_row(hit, record_url), ensure_ascii=False) + "\n")
        if len(lines) == rows_per_chunk:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
