"""Bibliography files (BibTeX, RIS, CSL-JSON): one `bibliography` record per entry.

The whole file is read by `sherloc.bibliography.parse` first: a malformed file fails with every bad line
named and imports nothing, never half of it. Each entry keeps all its fields (`attributes["entry"]`, the
entry's own JSON); its countries and the crime types and cross-cutting issues it declares are searchable
under the same facets as laws (`attributes["countries"]`, `attributes["declared_tags"]`); its abstract,
annotation and keywords are its text, so the tagger reads them too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from sherloc.bibliography import BibEntry, BibliographyError, detect_format, parse
from sherloc.ingest.normalise import slug
from sherloc.ingest.structure import read_utf8
from sherloc.ingest.types import ParsedRecord, ParseError

_LANGUAGE = re.compile(r"^([a-z]{2})(?:[-_].*)?$", re.IGNORECASE)


def entry_date(issued: tuple[int, ...]) -> dt.date | None:
    """The record's date: the entry's own when complete, else its year's (or month's) first day, so that
    it sorts and counts under its year; the entry keeps the precision it has."""
    if not issued:
        return None
    year, month, day = (*issued, 1, 1)[:3]
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def entry_text(entry: BibEntry) -> str:
    """What the search reads besides the title: abstract, annotation and keywords."""
    parts = [entry.abstract, entry.annotation, "; ".join(entry.keywords) if entry.keywords else None]
    return "\n\n".join(p for p in parts if p)


def record_of(entry: BibEntry, source: str = "bibliography") -> ParsedRecord:
    language = _LANGUAGE.match(entry.language or "")
    declared = {"crime_type": list(entry.crime_types), "cross_cutting": list(entry.cross_cutting)}
    attributes: dict[str, object] = {"entry": entry.to_json()}
    if entry.countries:
        attributes["countries"] = [c.upper() for c in entry.countries]
    if any(declared.values()):
        attributes["declared_tags"] = {k: v for k, v in declared.items() if v}
    return ParsedRecord(
        source=source,
        source_key=entry.key,
        kind="bibliography",
        title=entry.title,
        # No country of its own, so that its id (and URL) stays the same when its countries are edited; it
        # is searched and counted under each of them (attributes["countries"]).
        country=None,
        language=language[1].lower() if language else None,
        language_assumed=language is None,
        text=entry_text(entry),
        date_adopted=entry_date(entry.issued),
        source_url=entry.url if entry.url and entry.url.startswith(("https://", "http://")) else None,
        attributes=attributes,
    )


class BibliographyFileParser:
    """BibTeX (.bib), RIS (.ris) and CSL-JSON (.json) files, by extension and content."""

    name = "bibliography"

    def detect(self, path: Path, head: str) -> bool:
        return detect_format(path.name, head) is not None

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        text = read_utf8(path)
        fmt = detect_format(path.name, text[:4096])
        if fmt is None:
            raise ParseError(f"{path.name} is not a BibTeX, RIS or CSL-JSON file")
        try:
            entries = parse(text, fmt)
        except BibliographyError as exc:
            raise ParseError(f"{path.name}: nothing imported; {exc}") from exc
        # Record ids come from keys, case and punctuation folded: keys that fold alike would be one record.
        seen: dict[str, str] = {}
        for entry in entries:
            other = seen.setdefault(slug(entry.key), entry.key)
            if other != entry.key:
                raise ParseError(
                    f"{path.name}: nothing imported; keys {other!r} and {entry.key!r} differ only in case or "
                    "punctuation: give one of them another key"
                )
        for entry in entries:
            yield record_of(entry)
