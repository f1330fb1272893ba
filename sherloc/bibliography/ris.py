"""RIS reading and writing through rispy, with a line-level check first so bad files fail whole.

Mapping (BibEntry field -> RIS tag): key -> ID; type -> TY (table below), plus C8 = the CSL type when TY
does not give it back; title -> TI (T1, BT, CT, ST read too); volume -> VL (VO read too);
authors -> AU, one per person, "Family, Given"
("Family, Given, Suffix" when the family holds a ", Jr" suffix; an institution is written as is, without a
comma); editors -> A2 (ED read too); container_title -> T2 (JO, JF, T3 read too); publisher -> PB;
publisher_place -> CY; issued -> PY (year) and DA (YYYY/MM or YYYY/MM/DD when a month is known);
language -> LA; isbn and issn -> SN (repeated; an ISSN is recognised by its NNNN-NNNC shape); doi -> DO;
url -> UR; volume -> VL; issue -> IS; pages -> SP and EP ("12-20"; any other form whole in SP);
edition -> ET; abstract -> AB (N2 read too); annotation -> N1; keywords -> KW, one per keyword.
SHERLOC fields in the custom tags: C1 un_sales_number, C2 document_symbol, C3 countries, C4 crime_types,
C5 cross_cutting (ids joined with ";"), C6 research_method, C8 CSL type. Multi-line values are written as
continuation lines and read back with their line breaks; values are stripped.
Known limit: an institution name that itself contains a comma reads back as a person.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import rispy
from rispy.config import TYPE_OF_REFERENCE_MAPPING

from sherloc.bibliography.errors import BibliographyError, nul_lines
from sherloc.bibliography.model import BibEntry, Name
from sherloc.bibliography.vocabulary import (
    CSL_TYPES,
    language_code,
    looks_like_issn,
    person,
    validate_issued,
    year_prefix,
)

TYPE_TO_RIS = {
    "article": "JOUR", "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
    "book": "BOOK", "chapter": "CHAP", "paper-conference": "CPAPER", "report": "RPRT", "thesis": "THES",
    "webpage": "ELEC", "legislation": "STAT", "bill": "BILL", "legal_case": "CASE", "regulation": "LEGAL",
    "treaty": "LEGAL", "document": "GEN", "manuscript": "MANSCPT", "pamphlet": "PAMP", "patent": "PAT",
    "standard": "STAND", "dataset": "DATA", "software": "COMP", "map": "MAP", "hearing": "HEAR",
    "personal_communication": "PCOMM", "entry-encyclopedia": "ENCYC", "entry-dictionary": "DICT",
    "motion_picture": "MPCT", "post-weblog": "BLOG", "periodical": "SER",
}  # fmt: skip
RIS_TO_TYPE = {
    "JOUR": "article-journal", "EJOUR": "article-journal", "INPR": "article-journal", "JFULL": "periodical",
    "MGZN": "article-magazine", "NEWS": "article-newspaper", "BOOK": "book", "EBOOK": "book",
    "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter", "CPAPER": "paper-conference",
    "CONF": "paper-conference", "RPRT": "report", "GOVDOC": "report", "THES": "thesis", "ELEC": "webpage",
    "STAT": "legislation", "BILL": "bill", "CASE": "legal_case", "LEGAL": "regulation", "GEN": "document",
    "MANSCPT": "manuscript", "UNPB": "manuscript", "PAMP": "pamphlet", "PAT": "patent", "STAND": "standard",
    "DATA": "dataset", "COMP": "software", "MAP": "map", "HEAR": "hearing", "PCOMM": "personal_communication",
    "ENCYC": "entry-encyclopedia", "DICT": "entry-dictionary", "MPCT": "motion_picture",
    "BLOG": "post-weblog", "SER": "periodical",
}  # fmt: skip
# Long type names some exporters write in TY ("Journal Article"), as rispy lists them.
_LONG_TYPES = {name.lower(): code for code, name in TYPE_OF_REFERENCE_MAPPING.items()} | {
    "journal article": "JOUR",
    "book section": "CHAP",
}
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
_TAG_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,3} *-( |$)")
_CUSTOM_LISTS = {"custom3": "countries", "custom4": "crime_types", "custom5": "cross_cutting"}


class _Parser(rispy.RisParser):
    """rispy's parser, keeping the line breaks of continuation lines."""

    def _add_single_value(self, record: dict, name: str, value: Any, is_multi: bool = False) -> None:
        if is_multi and isinstance(record.get(name), str) and isinstance(value, str):
            record[name] = f"{record[name]}\n{value}"
        elif is_multi and isinstance(record.get(name), list) and isinstance(value, str):
            record[name][-1] = f"{record[name][-1]}\n{value}"
        else:
            super()._add_single_value(record, name, value, is_multi)


class _Writer(rispy.RisWriter):
    """rispy's writer without the "1." counter line before each record."""

    def set_header(self, count: int) -> str:
        return ""


def _check_lines(text: str) -> tuple[list[int], list[tuple[int | None, str]]]:
    """Start lines of the records, and every structural problem (line, message)."""
    starts: list[int] = []
    errors: list[tuple[int | None, str]] = []
    open_at: int | None = None
    for n, line in enumerate(text.split("\n"), start=1):
        m = _TAG_LINE.match(line)
        if m is None and _TAG_LIKE.match(line):
            errors.append(
                (n, f"bad tag line (a tag is two capitals or capital+digit, then '  - '): {line[:40]!r}")
            )
            continue
        tag = m.group(1) if m else None
        if tag == "TY":
            if open_at is not None:
                errors.append((open_at, "record has no ER line before the next TY"))
            if not m or not m.group(2).strip():
                errors.append((n, "TY without a reference type"))
            open_at = n
            starts.append(n)
        elif open_at is None:
            if line.strip():
                errors.append((n, "text outside a record (no TY line before it)"))
        elif tag == "ER":
            open_at = None
    if open_at is not None:
        errors.append((open_at, "record has no ER line (end of file reached)"))
    return starts, errors


def _first(record: dict, *names: str) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    unknown = record.get("unknown_tag") or {}
    for name in names:
        if name.isupper() and unknown.get(name):
            return str(unknown[name][0]).strip() or None
    return None


def _values(record: dict, name: str) -> list[str]:
    value = record.get(name)
    if value is None and name.isupper():
        value = (record.get("unknown_tag") or {}).get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _read_name(value: str) -> Name:
    if "," not in value:
        return Name(literal=value)
    parts = [p.strip() for p in value.split(",")]
    if len(parts) >= 3 and parts[0]:
        return person(f"{parts[0]}, {', '.join(parts[2:])}", parts[1])
    return person(parts[0], ", ".join(parts[1:]))


def _write_name(name: Name) -> str:
    if name.literal:
        return name.literal
    family, given = name.family or "", name.given or ""
    if ", " in family:
        last, suffix = family.split(", ", 1)
        return f"{last}, {given}, {suffix}"
    return f"{family}, {given}".rstrip() if given or family else ""


def _entry(record: dict, key: str) -> BibEntry:
    ty = str(record.get("type_of_reference", "")).strip()
    code = ty.upper() if ty.upper() in RIS_TO_TYPE else _LONG_TYPES.get(ty.lower(), "GEN")
    csl_type = _first(record, "custom8") or RIS_TO_TYPE.get(code, "document")
    if csl_type not in CSL_TYPES:
        raise ValueError(f"C8 {csl_type!r} is not a CSL 1.0.2 type")
    title = _first(record, "title", "primary_title", "BT", "CT", "short_title")
    if not title:
        raise ValueError("record has no title (TI)")
    kw: dict[str, Any] = {"key": key, "type": csl_type, "title": title}
    authors = _values(record, "authors") or _values(record, "first_authors")
    if authors:
        kw["authors"] = tuple(_read_name(a) for a in authors)
    editors = _values(record, "secondary_authors") or _values(record, "ED")
    if editors:
        kw["editors"] = tuple(_read_name(a) for a in editors)
    simple = {
        "container_title": ("secondary_title", "journal_name", "alternate_title3", "tertiary_title"),
        "publisher": ("publisher",),
        "publisher_place": ("place_published",),
        "doi": ("doi",),
        "url": ("urls",),
        "volume": ("volume", "VO"),
        "issue": ("number",),
        "edition": ("edition",),
        "abstract": ("abstract", "notes_abstract"),
        "un_sales_number": ("custom1",),
        "document_symbol": ("custom2",),
        "research_method": ("custom6",),
    }
    for attr, names in simple.items():
        if value := _first(record, *names):
            kw[attr] = value
    if lang := _first(record, "language"):
        kw["language"] = language_code(lang)
    issued = year_prefix(_first(record, "year", "publication_year") or "")[:1]
    date = year_prefix(_first(record, "date") or "")
    if len(date) > len(issued) and (not issued or date[0] == issued[0]):
        issued = date
    if issued:
        if problem := validate_issued(issued):
            raise ValueError(problem)
        kw["issued"] = issued
    for sn in _values(record, "issn"):
        attr = "issn" if looks_like_issn(sn) else "isbn"
        kw.setdefault(attr, sn)
    start, end = _first(record, "start_page"), _first(record, "end_page")
    if start:
        kw["pages"] = f"{start}-{end}" if end else start
    if notes := _values(record, "notes"):
        kw["annotation"] = "\n".join(notes)
    if keywords := _values(record, "keywords"):
        kw["keywords"] = tuple(keywords)
    for name, attr in _CUSTOM_LISTS.items():
        if value := _first(record, name):
            kw[attr] = tuple(v.strip() for v in value.split(";") if v.strip())
    return BibEntry(**kw)


def _fallback_key(record: dict, taken: set[str]) -> str:
    """A key for a record without ID: first author's family name and year, made unique."""
    authors = _values(record, "authors")
    who = _read_name(authors[0]) if authors else Name()
    stem = re.sub(r"[^\w]+", "", who.family or who.literal or "ref") or "ref"
    year = year_prefix(_first(record, "year", "date") or "")
    base = f"{stem}{year[0] if year else ''}"
    key, n = base, 0
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def parse_ris(text: str) -> list[BibEntry]:
    # One line splitting for the check and for rispy (which splits on "\n" only): old Mac files end lines
    # with "\r", and str.splitlines() would also break at "\v", "\x85" or "\u2028" inside a value.
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    starts, errors = _check_lines(text)
    errors += nul_lines(text)
    if errors:
        raise BibliographyError(sorted(errors, key=lambda e: e[0] or 0))
    records = rispy.loads(text, implementation=_Parser, enforce_list_tags=False, delimiter_tags_mapping={})
    entries: list[BibEntry] = []
    seen: dict[str, int] = {}
    ids = {str(r["id"]).strip() for r in records if r.get("id")}
    for line, record in zip(starts, records, strict=True):
        key = _first(record, "id") or _fallback_key(record, ids | set(seen))
        if key in seen:
            errors.append((line, f"duplicate ID {key!r} (first at line {seen[key]})"))
            continue
        seen[key] = line
        try:
            entries.append(_entry(record, key))
        except ValueError as exc:
            errors.append((line, str(exc)))
    if errors:
        raise BibliographyError(errors)
    return entries


def _record(entry: BibEntry) -> dict[str, Any]:
    code = TYPE_TO_RIS.get(entry.type, "GEN")
    rec: dict[str, Any] = {"type_of_reference": code, "id": entry.key, "title": entry.title}

    def put(name: str, value: str | None) -> None:
        if value:
            rec[name] = value

    if entry.authors:
        rec["authors"] = [_write_name(n) for n in entry.authors]
    if entry.editors:
        rec["secondary_authors"] = [_write_name(n) for n in entry.editors]
    put("secondary_title", entry.container_title)
    put("publisher", entry.publisher)
    put("place_published", entry.publisher_place)
    if entry.issued:
        rec["year"] = f"{entry.issued[0]:04d}"
        if len(entry.issued) > 1:
            rec["date"] = "/".join([f"{entry.issued[0]:04d}", *(f"{p:02d}" for p in entry.issued[1:])])
    put("language", entry.language)
    sns = [v for v in (entry.isbn, entry.issn) if v]
    if sns:
        rec["issn"] = sns if len(sns) > 1 else sns[0]
    put("doi", entry.doi)
    if entry.url:
        rec["urls"] = [entry.url]
    put("volume", entry.volume)
    put("number", entry.issue)
    if entry.pages:
        parts = entry.pages.split("-")
        if len(parts) == 2 and all(p.strip() == p and p for p in parts):
            rec["start_page"], rec["end_page"] = parts
        else:
            rec["start_page"] = entry.pages
    put("edition", entry.edition)
    put("abstract", entry.abstract)
    if entry.annotation:
        rec["notes"] = [entry.annotation]
    if entry.keywords:
        rec["keywords"] = list(entry.keywords)
    put("custom1", entry.un_sales_number)
    put("custom2", entry.document_symbol)
    for name, attr in _CUSTOM_LISTS.items():
        if getattr(entry, attr):
            rec[name] = ";".join(getattr(entry, attr))
    put("custom6", entry.research_method)
    if RIS_TO_TYPE.get(code) != entry.type:
        rec["custom8"] = entry.type
    return rec


_TAG_AT_LINE_START = re.compile(r"(?m)^(?=[A-Z][A-Z0-9]  -)")


def _defang(value: str) -> str:
    """A value whose own lines look like tags ("ER  - ", "AU  - ") would end the record or add fields when
    read back: such a line is written indented, so that it stays part of the value."""
    return _TAG_AT_LINE_START.sub(" ", value)


def dump_ris(entries: Sequence[BibEntry]) -> str:
    safe = []
    for entry in entries:
        changes: dict[str, Any] = {
            f.name: _defang(v)
            for f in dataclasses.fields(entry)
            if isinstance(v := getattr(entry, f.name), str) and "\n" in v
        }
        safe.append(dataclasses.replace(entry, **changes) if changes else entry)
    return rispy.dumps(
        [_record(e) for e in safe],
        implementation=_Writer,
        enforce_list_tags=False,
        delimiter_tags_mapping={},
    )
