"""A country's profile: its records by kind and crime type, its laws, latest decisions, its provisions per
convention article, its treaties, the bibliography about it, its strategies, all read from the store (the
same counts as the search facets of that country); and its status in UNTOC and its Protocols, read from
corpus/vocab/ratifications.yaml."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from sherloc.models import Record, Tag
from sherloc.services.countries import record_counts
from sherloc.services.matrix import RankedProvision, in_a_law, placement, rank_key
from sherloc.vocab.loader import Vocabulary, VocabularyError
from sherloc.vocab.ratifications import (
    EntryIntoForce,
    PartyCount,
    Ratification,
    RatificationData,
    load_ratification_data,
)

log = logging.getLogger(__name__)

LATEST_DECISIONS = 10
ARTICLE_EXAMPLES = 3
BIBLIOGRAPHY_SHOWN = 20
# UNTOC and its three Protocols (ids in instruments.yaml), in the order the profile lists them.
UNTOC_FAMILY = ("UNTOC", "TIP", "SOM", "FP")


@dataclass(frozen=True)
class TreatySummary:
    """A treaty the country is a party to, as its record states it."""

    record: Record
    title: str
    other_parties: list[str]  # ISO 3166-1 alpha-2, the country itself left out
    signed: str | None  # YYYY-MM-DD
    subjects: list[str]  # ids: extradition, mutual_legal_assistance ...


@dataclass(frozen=True)
class InstrumentStatus:
    """One instrument of the UNTOC family: the country's status in it (None: no source in the portal states
    one), when the instrument entered into force, and the latest number of parties a UN document gives."""

    instrument: str
    title: str
    ratification: Ratification | None
    entry_into_force: EntryIntoForce | None
    party_count: PartyCount | None
    # The stored UN document each source path is (by its source_path), to link the facts to it.
    documents: Mapping[str, Record] = field(default_factory=dict)


@dataclass(frozen=True)
class LawSummary:
    record: Record
    provisions: int


@dataclass(frozen=True)
class ArticleProvisions:
    """The country's provisions tagged with one convention article."""

    article: str
    count: int
    examples: list[RankedProvision]


@dataclass
class CountryProfile:
    code: str
    by_kind: dict[str, int]
    by_crime_type: dict[str, int]  # records of any kind tagged with each crime type, in vocabulary order
    laws: list[LawSummary]
    decisions: list[Record]  # the latest LATEST_DECISIONS
    decision_count: int
    articles: list[ArticleProvisions] = field(default_factory=list)
    treaties: list[TreatySummary] = field(default_factory=list)
    bibliography: list[Record] = field(default_factory=list)  # the first BIBLIOGRAPHY_SHOWN
    bibliography_count: int = 0
    strategies: list[Record] = field(default_factory=list)
    untoc: list[InstrumentStatus] = field(default_factory=list)  # empty when the data cannot be read

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def country_profile(
    session: Session, vocabulary: Vocabulary, code: str, ratifications: RatificationData | None = None
) -> CountryProfile:
    """The profile of the country `code`; its UNTOC section from `ratifications` (none without)."""
    code = code.upper()
    by_kind = record_counts(session, code).get(code, {})
    tagged = dict(
        session.execute(
            select(Tag.value, func.count())
            .join(Record, Record.id == Tag.record_id)
            .where(Record.country == code, Tag.scheme == "crime_type")
            .group_by(Tag.value)
        ).all()
    )
    by_crime_type = {ct.id: int(tagged[ct.id]) for ct in vocabulary.crime_types if tagged.get(ct.id)}
    provision_counts = dict(
        session.execute(
            select(Record.parent_id, func.count())
            .where(Record.country == code, Record.kind == "provision", Record.parent_id.is_not(None))
            .group_by(Record.parent_id)
        ).all()
    )
    laws = [
        LawSummary(law, int(provision_counts.get(law.id, 0)))
        for law in session.scalars(
            select(Record)
            .where(Record.country == code, Record.kind == "law")
            .order_by(Record.title, Record.id)
        )
    ]
    bibliography = _about(session, "bibliography", code)
    bibliography.sort(key=lambda r: (-(r.date or dt.date.min).toordinal(), r.title))
    decisions = list(
        session.scalars(
            select(Record)
            .where(Record.country == code, Record.kind == "decision")
            .order_by(Record.date_decided.desc().nulls_last(), Record.id)
            .limit(LATEST_DECISIONS)
        )
    )
    return CountryProfile(
        code=code,
        by_kind=dict(sorted(by_kind.items())),
        by_crime_type=by_crime_type,
        laws=laws,
        decisions=decisions,
        decision_count=by_kind.get("decision", 0),
        articles=_articles(session, vocabulary, code),
        treaties=_treaties(session, code),
        bibliography=bibliography[:BIBLIOGRAPHY_SHOWN],
        bibliography_count=len(bibliography),
        strategies=list(
            session.scalars(
                select(Record)
                .where(Record.country == code, Record.kind == "strategy", Record.parent_id.is_(None))
                .order_by(Record.date_adopted.desc().nulls_last(), Record.title)
            )
        ),
        untoc=_untoc(session, vocabulary, code, ratifications) if ratifications is not None else [],
    )


def _articles(session: Session, vocabulary: Vocabulary, code: str) -> list[ArticleProvisions]:
    """Each convention article the country's provisions are tagged with, in vocabulary order, with a few
    examples (definitional provisions first, as the side-by-side view ranks them)."""
    rows = session.execute(
        select(Record, Tag)
        .join(Tag, Tag.record_id == Record.id)
        .where(
            Record.country == code, Record.kind == "provision", in_a_law(), Tag.scheme == "instrument_article"
        )
        .options(selectinload(Record.tags), selectinload(Record.parent))
    ).all()
    by_article: dict[str, list[RankedProvision]] = {}
    for record, tag in rows:
        by_article.setdefault(tag.value, []).append(
            RankedProvision(record, tag.confidence, placement(record, tag))
        )
    order = {a.ref: i for i, a in enumerate(a for inst in vocabulary.instruments for a in inst.articles)}
    out = []
    for article in sorted(by_article, key=lambda ref: (order.get(ref, len(order)), ref)):
        found = by_article[article]
        found.sort(key=rank_key)
        out.append(ArticleProvisions(article, len(found), found[:ARTICLE_EXAMPLES]))
    return out


def _about(session: Session, kind: str, code: str) -> list[Record]:
    """Top-level records of `kind` of the country or naming it in their attributes' country lists."""
    # The JSON text narrows the rows (portably); the lists themselves decide.
    rows = session.scalars(
        select(Record).where(
            Record.kind == kind,
            Record.parent_id.is_(None),
            or_(Record.country == code, cast(Record.attributes, String).like(f'%"{code}"%')),
        )
    )
    return [r for r in rows if r.country == code or code in _countries_of(r)]


def _countries_of(record: Record) -> set[str]:
    """The countries a record's attributes name: its `countries`, a treaty's parties, an entry's countries."""
    attributes = record.attributes or {}
    lists = [attributes.get("countries")]
    for key, inner in (("treaty", "parties"), ("entry", "countries")):
        nested = attributes.get(key)
        if isinstance(nested, Mapping):
            lists.append(nested.get(inner))
    return {str(v) for value in lists if isinstance(value, list) for v in value}


def _treaties(session: Session, code: str) -> list[TreatySummary]:
    out = []
    for record in _about(session, "treaty", code):
        treaty = (record.attributes or {}).get("treaty")
        treaty = treaty if isinstance(treaty, Mapping) else {}
        parties = [str(p) for p in treaty.get("parties") or []]
        signed = treaty.get("signed")
        out.append(
            TreatySummary(
                record=record,
                title=str(treaty.get("title") or record.title),
                other_parties=[p for p in parties if p != code],
                signed=str(signed) if signed else None,
                subjects=[str(s) for s in treaty.get("subjects") or []],
            )
        )
    out.sort(key=lambda t: (t.signed or "", t.title), reverse=True)
    return out


@functools.lru_cache(maxsize=4)
def ratification_data(vocab_dir: Path) -> RatificationData | None:
    """corpus/vocab/ratifications.yaml, read once per process; None (and logged) when it cannot be read."""
    try:
        return load_ratification_data(vocab_dir)
    except (VocabularyError, OSError, KeyError, TypeError) as exc:
        log.warning("cannot read the ratification data in %s: %s", vocab_dir, exc)
        return None


def latest_party_count(counts: Iterable[PartyCount]) -> PartyCount | None:
    """The most recent count (a dated one before any undated one; the larger on a tie)."""
    return max(counts, key=lambda c: (c.as_of is not None, c.as_of or dt.date.min, c.parties), default=None)


def _untoc(
    session: Session, vocabulary: Vocabulary, code: str, data: RatificationData
) -> list[InstrumentStatus]:
    titles = {inst.id: inst.title for inst in vocabulary.instruments}
    out = []
    for instrument in (i for i in UNTOC_FAMILY if i in titles):
        ratification = next(
            (r for r in data.ratifications if r.country == code and r.instrument == instrument), None
        )
        in_force = next((e for e in data.entry_into_force if e.instrument == instrument), None)
        count = latest_party_count(c for c in data.party_counts if c.instrument == instrument)
        paths = {f.source.path for f in (ratification, in_force, count) if f is not None}
        out.append(
            InstrumentStatus(
                instrument=instrument,
                title=titles[instrument],
                ratification=ratification,
                entry_into_force=in_force,
                party_count=count,
                documents=_documents(session, paths),
            )
        )
    return out


def _documents(session: Session, paths: set[str]) -> dict[str, Record]:
    """The stored UN documents whose source file is one of `paths` (relative to the shared corpora; the
    store keeps them under corpus/, so they are matched by their ending)."""
    found: dict[str, Record] = {}
    for path in sorted(paths):
        record = session.scalars(
            select(Record)
            .where(
                Record.kind == "policy_document",
                Record.parent_id.is_(None),
                or_(Record.source_path == path, Record.source_path.like(f"%/{path}")),
            )
            .order_by(Record.id)
            .limit(1)
        ).first()
        if record is not None:
            found[path] = record
    return found


def sections_payload(profile: CountryProfile, record_url: Callable[[str], str]) -> dict[str, Any]:
    """The profile's treaties, bibliography, strategies and UNTOC status as the API returns them (the
    `treaties`, `bibliography`, `strategies` and `untoc` fields of CountryProfileSchema)."""

    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    def source(fact: Ratification | EntryIntoForce | PartyCount) -> dict[str, Any]:
        ids = {path: record.id for path, record in status.documents.items()}
        document = ids.get(fact.source.path)
        return {
            "path": fact.source.path,
            "quote": fact.source.quote,
            "record_id": document,
            "url": record_url(document) if document else None,
        }

    untoc = []
    for status in profile.untoc:
        r, e, c = status.ratification, status.entry_into_force, status.party_count
        untoc.append(
            {
                "instrument": status.instrument,
                "title": status.title,
                "status": r.status if r else None,
                "date": iso(r.date) if r else None,
                "date_kind": r.date_kind if r else None,
                "status_source": source(r) if r else None,
                "entry_into_force": iso(e.date) if e else None,
                "entry_into_force_source": source(e) if e else None,
                "parties": c.parties if c else None,
                "parties_as_of": iso(c.as_of) if c else None,
                "parties_source": source(c) if c else None,
            }
        )
    return {
        "treaties": [
            {
                "id": t.record.id,
                "title": t.title,
                "other_parties": t.other_parties,
                "signed": t.signed,
                "subjects": t.subjects,
                "url": record_url(t.record.id),
            }
            for t in profile.treaties
        ],
        "bibliography": [
            {
                "id": r.id,
                "title": r.title,
                "language": r.language,
                "date": iso(r.date),
                "provisions": None,
                "url": record_url(r.id),
            }
            for r in profile.bibliography
        ],
        "bibliography_count": profile.bibliography_count,
        "strategies": [
            {
                "id": r.id,
                "title": strategy_name(r),
                "language": r.language,
                "date": iso(r.date_adopted),
                "provisions": None,
                "url": record_url(r.id),
            }
            for r in profile.strategies
        ],
        "untoc": untoc,
    }


def strategy_name(record: Record) -> str:
    """A strategy's own name ("Plan estratégico ..."), else the title of the act adopting it."""
    strategy = (record.attributes or {}).get("strategy")
    name = strategy.get("name") if isinstance(strategy, Mapping) else None
    return str(name or record.title)
