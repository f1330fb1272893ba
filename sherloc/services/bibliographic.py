"""Any record as a bibliographic entry: for "cite this" and for BibTeX, RIS and CSL-JSON exports.

A bibliography record is its own entry, as imported. A law or provision is CSL "legislation", a decision
"legal_case" (the court as author, its citation or case number as where it is reported), a treaty
"treaty" (dated by its signature), a policy document a "report", a strategy a "document"; each with the
record's permalink, language, countries and tags. Nothing is added that the record does not hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sherloc.bibliography import BibEntry, Name, dump
from sherloc.ingest.normalise import slug
from sherloc.models import Record
from sherloc.search.base import Hit

_TYPES = {
    "law": "legislation",
    "provision": "legislation",
    "decision": "legal_case",
    "treaty": "treaty",
    "policy_document": "report",
    "strategy": "document",
}
BATCH = 100  # records read from the store per export step


def _issued(date: dt.date | None) -> tuple[int, ...]:
    return (date.year, date.month, date.day) if date else ()


def _tags(record: Record, scheme: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.value for t in record.tags if t.scheme == scheme))


def entry_for_record(record: Record, url: str | None = None) -> BibEntry:
    """The record as a bibliographic entry; `url` its permalink."""
    attributes = record.attributes or {}
    if record.kind == "bibliography" and isinstance(attributes.get("entry"), dict):
        return BibEntry.from_json(attributes["entry"])
    countries = tuple(
        dict.fromkeys(
            c for c in (record.country, *(attributes.get("countries") or ())) if isinstance(c, str) and c
        )
    )
    title = record.title
    authors: tuple[Name, ...] = ()
    container = None
    # A law is cited by its adoption, not its latest consolidation; a decision by its date.
    parent = record.parent if record.kind == "provision" else None
    issued = _issued(
        record.date_decided
        or record.date_adopted
        or (parent.date_adopted if parent is not None else None)
        or (None if record.kind in ("law", "provision") else record.date)
    )
    kind = record.kind
    symbol = None
    publisher = None
    if record.kind == "provision" and parent is not None:
        treaty = (parent.attributes or {}).get("treaty") or {}
        title = ", ".join(p for p in (treaty.get("title") or parent.title, record.label or record.title) if p)
        if parent.kind == "treaty":  # an article of a treaty is cited as the treaty's, by its signature
            kind = "treaty"
            issued = _issued(dt.date.fromisoformat(treaty["signed"])) if treaty.get("signed") else issued
    elif record.kind == "decision":
        # The court decides, it does not author: CSL's "authority", which the formats carry as publisher.
        court = attributes.get("court")
        if isinstance(court, str) and court.strip():
            publisher = court.strip()
        reported = attributes.get("citation") or attributes.get("case_number")
        container = reported.strip() if isinstance(reported, str) and reported.strip() else None
    elif record.kind == "treaty":
        treaty = attributes.get("treaty") or {}
        title = treaty.get("title") or title
        if treaty.get("signed"):
            issued = _issued(dt.date.fromisoformat(treaty["signed"]))
    elif record.kind == "policy_document":
        symbol = attributes.get("symbol") if isinstance(attributes.get("symbol"), str) else None
    elif record.kind == "law":
        journal = attributes.get("official_journal")
        container = journal if isinstance(journal, str) and journal.strip() else None
    return BibEntry(
        key=record.id,
        type=_TYPES.get(kind, "document"),
        title=" ".join(title.split()),
        authors=authors,
        container_title=container,
        publisher=publisher,
        issued=issued,
        language=record.language,
        document_symbol=symbol,
        url=url,
        countries=countries,
        crime_types=_tags(record, "crime_type"),
        cross_cutting=_tags(record, "cross_cutting"),
    )


def records_by_id(session: Session, ids: Sequence[str]) -> list[Record]:
    """The records of `ids`, in that order (those gone from the store left out)."""
    found = {
        r.id: r
        for r in session.scalars(
            select(Record)
            .where(Record.id.in_(list(ids)))
            .options(selectinload(Record.tags), selectinload(Record.parent))
        )
    }
    return [found[i] for i in ids if i in found]


def export_chunks(
    session: Session, hits: Iterable[Hit], fmt: str, record_url: Callable[[str], str]
) -> Iterator[str]:
    """A search's records as one BibTeX, RIS or CSL-JSON file, read and written in batches."""
    batch: list[str] = []
    first = True  # until something is written: a batch whose records are all gone writes nothing
    if fmt == "csl-json":
        yield "[\n"
    for hit in hits:
        batch.append(hit.id)
        if len(batch) == BATCH:
            text = _chunk(session, batch, fmt, record_url, first)
            first = first and not text
            batch = []
            yield text
    if batch:
        yield _chunk(session, batch, fmt, record_url, first)
    if fmt == "csl-json":
        yield "\n]\n"


_BIBTEX_KEY = re.compile(r"^[\w:./+-]+$")


def exportable(entry: BibEntry, fmt: str) -> BibEntry:
    """`entry` as `fmt` can write it: a citation key BibTeX cannot hold ("a b") becomes its slug."""
    if fmt == "bibtex" and not _BIBTEX_KEY.match(entry.key):
        return dataclasses.replace(entry, key=slug(entry.key))
    return entry


def _chunk(session: Session, ids: list[str], fmt: str, record_url: Callable[[str], str], first: bool) -> str:
    entries = [exportable(entry_for_record(r, record_url(r.id)), fmt) for r in records_by_id(session, ids)]
    if not entries:
        return ""
    text = dump(entries, fmt)
    if fmt == "csl-json":
        # One array for the whole file: this batch's items, after the previous batch's.
        items = json.loads(text)
        body = ",\n".join(json.dumps(item, ensure_ascii=False, indent=2) for item in items)
        return body if first else ",\n" + body
    return text if first else "\n" + text
