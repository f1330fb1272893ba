"""Feed the search backend from the record store, the source of truth: whole rebuilds and by-id syncs."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from sherloc.models import Record
from sherloc.models.cases import Case, Charge, Defendant
from sherloc.search.base import IndexDocument, SearchBackend, sentence_range
from sherloc.tagging.placement import Placement, placements
from sherloc.vocab.loader import default_vocab_dir
from sherloc.vocab.places import load_countries

BATCH = 500
_CHARGES = Charge.__table__  # the composite sentence's own columns


@functools.lru_cache(maxsize=4)
def _regions(vocab_dir: Path) -> Mapping[str, str]:
    try:
        return {c.code: c.region for c in load_countries(vocab_dir) if c.region}
    except OSError:
        return {}  # a vocabulary without countries: records are indexed without a region


def country_regions() -> Mapping[str, str]:
    """Country code -> world region ("FR" -> "europe"), from the vocabulary's countries."""
    return _regions(default_vocab_dir())


@dataclass(frozen=True)
class CaseFacets:
    """What a decision's case record adds to its index document."""

    court: str | None
    verdicts: tuple[str, ...]
    sentence_ranges: tuple[str, ...]


def case_facets(session: Session, record_ids: Sequence[str]) -> dict[str, CaseFacets]:
    """Court, verdicts and sentence bands of the cases of these decision records."""
    if not record_ids:
        return {}
    courts: dict[str, str | None] = dict(
        session.execute(
            select(Case.record_id, Case.__table__.c.court_name).where(Case.record_id.in_(record_ids))
        ).all()
    )
    verdicts: dict[str, list[str]] = {}
    bands: dict[str, list[str]] = {}
    rows = session.execute(
        select(Case.record_id, Charge.verdict, _CHARGES.c.sentence_kind, _CHARGES.c.term_months)
        .join(Defendant, Defendant.case_id == Case.id)
        .join(Charge, Charge.defendant_id == Defendant.id)
        .where(Case.record_id.in_(record_ids))
        .order_by(Case.record_id, Defendant.position, Charge.position)
    )
    for record_id, verdict, kind, term in rows:
        if verdict:
            verdicts.setdefault(record_id, []).append(verdict)
        band = sentence_range(kind, term) if verdict == "convicted" else None
        if band:
            bands.setdefault(record_id, []).append(band)
    return {
        record_id: CaseFacets(
            court,
            tuple(dict.fromkeys(verdicts.get(record_id, ()))),
            tuple(dict.fromkeys(bands.get(record_id, ()))),
        )
        for record_id, court in courts.items()
    }


def to_index_document(
    record: Record,
    parent_title: str | None,
    regions: Mapping[str, str] | None = None,
    case: CaseFacets | None = None,
    parent_kind: str | None = None,
) -> IndexDocument:
    tags: dict[str, list[str]] = {}
    main: list[str] = []
    in_law: list[str] = []
    for tag in record.tags:
        tags.setdefault(tag.scheme, []).append(tag.value)
        if tag.scheme != "crime_type" or record.kind == "law":
            continue  # a law is a container: its provisions that match carry the ranking, then the law
        found = placements(tag.evidence or [], parent_title)
        if tag.origin == "editor" or found & {Placement.OWN_HEADING, Placement.CHAPTER}:
            main.append(tag.value)
        if Placement.LAW_TITLE in found:
            in_law.append(tag.value)
    return IndexDocument(
        id=record.id,
        kind=record.kind,
        title=record.title,
        text=record.text,
        language=record.language,
        country=record.country,
        other_countries=_other_countries(record),
        subdivision=record.subdivision,
        region=(regions if regions is not None else country_regions()).get(record.country or ""),
        parent_id=record.parent_id,
        parent_title=parent_title,
        parent_kind=parent_kind or (record.parent.kind if record.parent_id and record.parent else None),
        label=record.label,
        number=record.number,
        heading=record.heading,
        path=tuple(record.structure_path or ()),
        date=record.date,
        status=record.status,
        # The case record's court (an editor may have corrected it), else the parser's reading.
        court=(case.court if case and case.court else None) or (record.attributes or {}).get("court"),
        verdict=case.verdicts if case else (),
        sentence_range=case.sentence_ranges if case else (),
        position=record.position,
        crime_type=tuple(tags.get("crime_type", ())),
        instrument_article=tuple(tags.get("instrument_article", ())),
        cross_cutting=tuple(tags.get("cross_cutting", ())),
        main_crime_type=tuple(main),
        law_crime_type=tuple(in_law),
    )


def _other_countries(record: Record) -> tuple[str, ...]:
    """attributes["countries"]: the other countries a record is about (a treaty's parties, the countries a
    bibliography entry covers), searchable and counted under the country facet like its own."""
    found = (record.attributes or {}).get("countries") or ()
    return tuple(
        c.upper() for c in found if isinstance(c, str) and len(c) == 2 and c.upper() != record.country
    )


def iter_index_documents(session: Session, ids: Iterable[str] | None = None) -> Iterator[IndexDocument]:
    """Stream index documents for all records (or those in `ids`), in batches, without loading all."""
    parent = aliased(Record)
    stmt = (
        select(Record, parent.title, parent.kind)
        .outerjoin(parent, Record.parent_id == parent.id)
        .options(selectinload(Record.tags))
        .order_by(Record.id)
    )
    regions = country_regions()
    if ids is None:
        batches: Iterator[Sequence[tuple[Record, str | None, str | None]]] = (
            [(row[0], row[1], row[2]) for row in partition]
            for partition in session.execute(stmt.execution_options(yield_per=BATCH)).partitions()
        )
    else:
        id_list = list(ids)
        batches = (
            [(r[0], r[1], r[2]) for r in session.execute(stmt.where(Record.id.in_(id_list[i : i + BATCH])))]
            for i in range(0, len(id_list), BATCH)
        )
    for batch in batches:
        cases = case_facets(session, [record.id for record, _, _ in batch if record.kind == "decision"])
        for record, parent_title, parent_kind in batch:
            yield to_index_document(record, parent_title, regions, cases.get(record.id), parent_kind)


def rebuild(session: Session, backend: SearchBackend) -> int:
    """Rebuild the whole index from the store; searches switch to it once it is complete."""
    return backend.rebuild(iter_index_documents(session))


def sync(session: Session, backend: SearchBackend, changed: Iterable[str], deleted: Iterable[str]) -> int:
    """Bring the index up to date for records changed or deleted in the store."""
    deleted = list(deleted)
    if deleted:
        backend.delete(deleted)
    changed = list(changed)
    if not changed:
        return 0
    return backend.upsert(iter_index_documents(session, changed))
