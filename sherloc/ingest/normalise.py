"""Turn parsed documents into store records: deterministic ids, clean text, checked language, content hash."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

from sqlalchemy import String, Text

from sherloc.ingest.language import LONG_TEXT, check_language
from sherloc.ingest.types import ParsedProvision, ParsedRecord
from sherloc.models import KINDS, Record
from sherloc.search.analysis import clean_text

_SLUG_DROP = re.compile(r"[^\w]+", re.UNICODE)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
HASHED_COLUMNS = (
    "kind",
    "parent_id",
    "source",
    "source_key",
    "source_path",
    "source_url",
    "country",
    "subdivision",
    "language",
    "declared_language",
    "title",
    "label",
    "number",
    "heading",
    "structure_path",
    "position",
    "text",
    "date_adopted",
    "date_amended",
    "date_decided",
    "status",
    "attributes",
)


class NormaliseError(ValueError):
    """A parsed document breaks a rule of the store (unknown kind, bad country code...)."""


def slug(value: str) -> str:
    """A URL-safe, stable form of an identifier; letters of every script are kept ("刑法", "324-1")."""
    value = unicodedata.normalize("NFKC", value).casefold()
    return _SLUG_DROP.sub("-", value).strip("-_")[:120] or "x"


def record_id(parsed: ParsedRecord) -> str:
    country = (parsed.country or "xx").lower()
    return f"{country}-{parsed.kind}-{slug(parsed.source_key)}"


def content_hash(record: Record) -> str:
    payload = {name: getattr(record, name) for name in HASHED_COLUMNS}
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def to_records(parsed: ParsedRecord) -> tuple[list[Record], list[str]]:
    """The top-level record first, then its provisions in order; plus notes for the ingest report."""
    _validate(parsed)
    notes: list[str] = []
    top_id = record_id(parsed)
    sample = "\n".join([parsed.title, parsed.text[:2000], *(p.text for p in parsed.provisions[:20])])
    attributes: dict[str, Any] = dict(parsed.attributes)
    # An assumed language yields only to detection on real text: a title of party names ("Habaş Sinai ve
    # Tibbi Gazlar v. United States") says nothing about the language of a US court's decision.
    assumed = parsed.language_assumed
    if assumed and len(parsed.text.strip()) < LONG_TEXT:
        language, note = parsed.language, None
    else:
        language, note = check_language(sample, parsed.language, assumed=assumed)
    if note:
        notes.append(note)
    top = Record(
        id=top_id,
        kind=parsed.kind,
        parent_id=None,
        source=parsed.source,
        source_key=parsed.source_key,
        source_path=parsed.source_path,
        source_url=parsed.source_url,
        country=parsed.country,
        subdivision=parsed.subdivision,
        language=language,
        declared_language=parsed.language,
        title=clean_text(parsed.title),
        label=None,
        number=None,
        heading=None,
        structure_path=[],
        position=0,
        text=clean_text(parsed.text),
        date_adopted=parsed.date_adopted,
        date_amended=parsed.date_amended,
        date_decided=parsed.date_decided,
        status=parsed.status,
        attributes=attributes,
    )
    top.content_hash = content_hash(top)
    records = [top]
    seen: dict[str, int] = {}
    for provision in parsed.provisions:
        records.append(_provision(top, provision, seen))
    for record in records:
        _check_fits(record)
    return records, notes


_SIZED_COLUMNS = tuple(
    (column.key, column.type.length)
    for column in Record.__table__.columns
    if isinstance(column.type, String) and not isinstance(column.type, Text) and column.type.length
)


def _check_fits(record: Record) -> None:
    """Refuse what one store would keep and another refuse, so a file fails alike on SQLite and PostgreSQL
    (and a store moves between them): a value longer than its column, a NUL character anywhere."""
    for name, length in _SIZED_COLUMNS:
        value = getattr(record, name)
        if isinstance(value, str) and len(value) > length:
            raise NormaliseError(
                f"{record.id[:80]}: {name} is {len(value)} characters long, more than its {length}"
            )
    for name in ("title", "text", "heading", "source_key", "source_path", "source_url", "label", "number"):
        if "\x00" in (getattr(record, name) or ""):
            raise NormaliseError(f"{record.id[:80]}: {name} holds a NUL character")
    if _holds_nul([record.attributes, record.structure_path]):
        raise NormaliseError(f"{record.id[:80]}: its attributes hold a NUL character")


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False


def _provision(law: Record, provision: ParsedProvision, seen: dict[str, int]) -> Record:
    base = f"{law.id}-art-{slug(provision.number or str(provision.position + 1))}"
    # The same number twice in one law (versions in force at different dates, a legislative and a
    # regulatory part...) gets a stable suffix. Slugs never hold "--", so it cannot meet a real number.
    seen[base] = seen.get(base, 0) + 1
    rid = base if seen[base] == 1 else f"{base}--{seen[base]}"
    label = clean_text(provision.label)
    record = Record(
        id=rid,
        kind="provision",
        parent_id=law.id,
        source=law.source,
        source_key=f"{law.source_key}#{provision.number}",
        source_path=law.source_path,
        source_url=law.source_url,
        country=law.country,
        subdivision=law.subdivision,
        language=law.language,
        declared_language=law.declared_language,
        title=f"{law.title}, {label}",
        label=label,
        number=provision.number or None,
        heading=clean_text(provision.heading) if provision.heading else None,
        structure_path=[clean_text(p) for p in provision.path],
        position=provision.position,
        text=clean_text(provision.text),
        date_adopted=law.date_adopted,
        date_amended=law.date_amended,
        date_decided=None,
        status=provision.status or law.status,
        attributes=dict(provision.attributes),
    )
    record.content_hash = content_hash(record)
    return record


def _validate(parsed: ParsedRecord) -> None:
    if parsed.kind not in KINDS or parsed.kind == "provision":
        raise NormaliseError(f"unknown record kind {parsed.kind!r}")
    if parsed.country is not None and not _COUNTRY.match(parsed.country):
        raise NormaliseError(f"country must be an ISO 3166-1 alpha-2 code, not {parsed.country!r}")
    if not parsed.title.strip():
        raise NormaliseError("the document has no title")
    if not parsed.source_key.strip():
        raise NormaliseError("the document has no identifier in its source")
