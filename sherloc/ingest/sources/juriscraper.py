"""Parsers for juriscraper's US court opinion listings and for Board of Veterans' Appeals decisions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sherloc.ingest.sources.lecardv2 import iter_json_objects
from sherloc.ingest.types import ParsedRecord, ParseError

# A listing line: a JSON object holding juriscraper's plural field names.
_LISTING_KEYS = re.compile(r'"(?:case_names|case_dates|court_scraper_id|download_urls|docket_numbers)"\s*:')
# juriscraper's test fixtures fill some fields with placeholders ("placeholder judge", "Placeholder").
_PLACEHOLDER = re.compile(r"^\s*placeholder\b", re.IGNORECASE)
_MAX_SLUG = 60
_ATTRIBUTE_FIELDS = {  # listing field -> attribute, for single-valued text fields
    "docket_numbers": "case_number",
    "citations": "citation",
    "dispositions": "disposition",
    "nature_of_suit": "nature_of_suit",
    "precedential_statuses": "precedential_status",
    "parallel_citations": "parallel_citation",
    "lower_courts": "lower_court",
}


def real(value: Any) -> str | None:
    """A listing's text value, or None when it is empty or a test-fixture placeholder."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value and not _PLACEHOLDER.match(value) else None


def slug(text: str) -> str:
    """Lower-case words joined by "-", at most 60 characters: "People v. Smith" -> "people-v-smith"."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:_MAX_SLUG].strip("-")


def judges_of(value: str | None) -> list[str]:
    """ "Ralph B. Guy, Jr.; Alice M. Batchelder" -> two judges; a lone "Moore, P.J." stays whole."""
    if not value:
        return []
    return [name.strip() for name in value.split(";") if name.strip()]


class _Keys:
    """Unique source keys in file order: court/docket/date, then + case name, then + a counter.

    The listings repeat opinions (several example pages per scraper, and the same opinion under a court's
    published and unpublished scrapers), so the first listing keeps the plain key and later ones get longer.
    """

    def __init__(self) -> None:
        self._used: set[str] = set()

    def key(self, court: str, docket: str | None, date: dt.date | None, name: str) -> str:
        base = f"{court}/{slug(docket) if docket else 'no-docket'}/{date.isoformat() if date else 'undated'}"
        named = f"{base}/{slug(name) or 'unnamed'}"
        key, counter = (base if base not in self._used else named), 1
        while key in self._used:
            counter += 1
            key = f"{named}~{counter}"
        self._used.add(key)
        return key


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _url(value: Any) -> str | None:
    url = real(value)
    return url if url and re.match(r"https?://", url) else None


class JuriscraperListingParser:
    """opinion_listings.jsonl: one US court opinion listing per line (juriscraper's field names, plural).

    Read line by line. Each listing becomes a decision with the court-written summary as its text (the
    opinion itself is only linked: source_url). juriscraper gives scraper ids, not court names, so the id
    is kept in attributes["court_id"] and no court name is invented. Placeholder values from juriscraper's
    test fixtures are dropped. Bad lines are skipped and listed in `warnings` (emptied by each parse() call,
    filled as its records are read).
    """

    name = "juriscraper"

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def detect(self, path: Path, head: str) -> bool:
        """A .jsonl/.json file whose first line is an object with juriscraper's keys (case_names, …)."""
        first = head.lstrip("\ufeff").split("\n", 1)[0]
        return (
            path.suffix.lower() in (".jsonl", ".json")
            and first.lstrip().startswith("{")
            and len(set(_LISTING_KEYS.findall(first))) >= 3
        )

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield one decision per well-formed listing, streaming the file."""
        self.warnings = []
        keys = _Keys()
        for number, listing in iter_json_objects(path, self.warnings):
            court = real(listing.get("court_scraper_id"))
            if court is None:
                self.warnings.append(f"{path.name} line {number}: no court_scraper_id; line skipped")
                continue
            yield self._record(listing, court, keys)

    def _record(self, listing: dict[str, Any], court: str, keys: _Keys) -> ParsedRecord:
        date = _date(listing.get("case_dates"))
        docket = real(listing.get("docket_numbers"))
        name = real(listing.get("case_names"))
        attributes: dict[str, Any] = {"court_id": court}
        for field, attribute in _ATTRIBUTE_FIELDS.items():
            value = real(listing.get(field))
            if value:
                attributes[attribute] = value
        judges = judges_of(real(listing.get("judges")))
        if judges:
            attributes["judges"] = judges
        if listing.get("date_filed_is_approximate") is True:
            attributes["date_approximate"] = True
        if real(listing.get("source_file")):
            attributes["source_file"] = listing["source_file"]
        # A few listings carry the opinion itself ("content"); otherwise the summary is the only court text.
        text = real(listing.get("summaries")) or real(listing.get("content")) or ""
        return ParsedRecord(
            source=self.name,
            source_key=keys.key(court, docket, date, name or ""),
            kind="decision",
            title=name or f"Opinion listed by {court}" + (f" on {date.isoformat()}" if date else ""),
            country="US",
            language="en",
            language_assumed=True,  # the feed does not say its language; detection may overrule it
            text=text,
            date_decided=date,
            source_url=_url(listing.get("download_urls")),
            attributes=attributes,
        )


# ---- Board of Veterans' Appeals -------------------------------------------------------------------------

BVA = "Board of Veterans' Appeals"
_BVA_CITATION = re.compile(r"^Citation Nr:\s*(?P<value>\S+)", re.MULTILINE)
_BVA_DOCKET = re.compile(r"^DOCKET NO\.\s*(?P<value>\S+)", re.MULTILINE)
_BVA_DATE = re.compile(r"^DATE:\s*(?P<value>[A-Z][a-z]+ \d{1,2}, \d{4})", re.MULTILINE)
_BVA_DECISION_DATE = re.compile(r"Decision Date:\s*(?P<value>\d{2}/\d{2}/\d{2})")
_BVA_ORDER = re.compile(
    r"^ORDER\s*\n(?P<value>.*?)\n\s*(?=FINDINGS? OF FACT|CONCLUSIONS? OF LAW|REMAND|REASONS)", re.S | re.M
)
_BVA_SIGNATURE = re.compile(r"^(?P<value>[A-Z][A-Z.' -]+[A-Z])\s*\n\s*\n?\s*Veterans Law Judge", re.MULTILINE)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"),
        start=1,
    )
}  # fmt: skip
_BVA_COURT = re.compile(r"^Board of Veterans' Appeals[ \t]*$", re.MULTILINE)


def read_legacy_text(path: Path) -> str:
    """The file's text: UTF-8, else Windows-1252 (the Board publishes its decisions in that encoding)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path.name} cannot be read ({exc.strerror})") from exc
    if b"\x00" in data:
        raise ParseError(f"{path.name} holds NUL bytes: binary data or UTF-16, not a decision's text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 maps every byte, so it is the last resort.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


class BvaDecisionParser:
    """A Board of Veterans' Appeals decision as the Board publishes it: plain text opening "Citation Nr:".

    One record keyed "bva/<citation number>"; docket, date, judge and the order are read from the text, with
    evidence offsets.
    """

    name = "bva_text"

    def detect(self, path: Path, head: str) -> bool:
        """A .txt file starting "Citation Nr:" with a "DOCKET NO." line."""
        return (
            path.suffix.lower() == ".txt"
            and head.lstrip("\ufeff").startswith("Citation Nr:")
            and "DOCKET NO." in head
        )

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one decision in `path`."""
        text = read_legacy_text(path).replace("\r\n", "\n").strip()
        citation, docket = _BVA_CITATION.search(text), _BVA_DOCKET.search(text)
        if citation is None or docket is None:
            raise ParseError(f"{path.name} lacks the 'Citation Nr:' or 'DOCKET NO.' line of a BVA decision")
        attributes: dict[str, Any] = {"court": BVA}
        evidence: dict[str, dict[str, int]] = {}
        found = {
            "court": _BVA_COURT.search(text),
            "citation": citation,
            "case_number": docket,
            "disposition": _BVA_ORDER.search(text),
        }
        for key, match in found.items():
            if match is None:
                continue
            if key != "court":
                attributes[key] = " ".join(match["value"].split()) if key == "disposition" else match["value"]
            start, end = match.span("value") if key != "court" else match.span()
            evidence[key] = {"start": start, "end": end}
        judge = _BVA_SIGNATURE.search(text)
        if judge is not None:
            attributes["judges"] = [judge["value"]]
            evidence["judges"] = {"start": judge.start("value"), "end": judge.end("value")}
        date, date_span = _bva_date(text)
        if date_span is not None:
            evidence["date_decided"] = {"start": date_span[0], "end": date_span[1]}
        attributes["evidence"] = evidence
        yield ParsedRecord(
            source=self.name,
            source_key=f"bva/{citation['value']}",
            kind="decision",
            title=f"{BVA}, Docket No. {docket['value']}",
            country="US",
            language="en",
            text=text,
            date_decided=date,
            attributes=attributes,
        )


def _bva_date(text: str) -> tuple[dt.date | None, tuple[int, int] | None]:
    """The decision date: "DATE: September 30, 2025", else "Decision Date: 09/30/25"."""
    written = _BVA_DATE.search(text)
    if written is not None:
        month, day, year = written["value"].replace(",", "").split()
        if month.lower() in _MONTHS:
            try:
                return dt.date(int(year), _MONTHS[month.lower()], int(day)), written.span("value")
            except ValueError:
                pass
    short = _BVA_DECISION_DATE.search(text)
    if short is not None:
        try:
            return dt.datetime.strptime(short["value"], "%m/%d/%y").date(), short.span("value")
        except ValueError:
            pass
    return None, None
