"""Reading records from the store for record pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sherloc.models import Case, Record, Tag
from sherloc.services.case_view import CITED_BY_LIMIT, CitingDecision, case_for_record, decisions_citing


class RecordNotFound(LookupError):
    pass


def get_record(session: Session, record_id: str) -> Record:
    record = session.scalar(
        select(Record)
        .where(Record.id == record_id)
        .options(selectinload(Record.tags), selectinload(Record.parent), selectinload(Record.children))
    )
    if record is None:
        raise RecordNotFound(record_id)
    return record


@dataclass(frozen=True)
class RecordDetail:
    """A record as the API answers it: the record, with its case (a decision) or the decisions applying
    it (a provision); None where that does not apply."""

    record: Record
    case: Case | None = None
    cited_by: list[CitingDecision] | None = None
    cited_by_total: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.record, name)  # every other field is the record's own


def get_record_detail(session: Session, record_id: str, cited_by_limit: int = CITED_BY_LIMIT) -> RecordDetail:
    record = get_record(session, record_id)
    if record.kind == "decision":
        return RecordDetail(record, case=case_for_record(session, record.id))
    if record.kind == "provision":
        citing = decisions_citing(session, record.id, cited_by_limit)
        return RecordDetail(record, cited_by=citing.decisions, cited_by_total=citing.total)
    return RecordDetail(record)


def neighbours(session: Session, record: Record) -> tuple[Record | None, Record | None]:
    """The provisions before and after `record` in its law."""
    if record.parent_id is None:
        return None, None
    siblings = select(Record).where(Record.parent_id == record.parent_id)
    before = session.scalar(
        siblings.where(Record.position < record.position).order_by(Record.position.desc()).limit(1)
    )
    after = session.scalar(
        siblings.where(Record.position > record.position).order_by(Record.position).limit(1)
    )
    return before, after


def counts_by_kind(session: Session) -> dict[str, int]:
    rows = session.execute(select(Record.kind, func.count()).group_by(Record.kind))
    return {kind: int(n) for kind, n in rows}


def latest_records(session: Session, limit: int = 8) -> list[Record]:
    """Laws and decisions (not single provisions) by ingest time, newest first; ties by date, then id."""
    return list(
        session.scalars(
            select(Record)
            .where(Record.parent_id.is_(None))
            .order_by(
                Record.created_at.desc(),
                func.coalesce(Record.date_decided, Record.date_amended, Record.date_adopted).desc(),
                Record.id,
            )
            .limit(limit)
        )
    )


def tag_counts(session: Session, scheme: str) -> dict[str, int]:
    """How many records carry each value of a tag scheme: {"money_laundering": 248, ...}."""
    rows = session.execute(select(Tag.value, func.count()).where(Tag.scheme == scheme).group_by(Tag.value))
    return {value: int(n) for value, n in rows}


def tag_counts_by_country(session: Session, scheme: str, value: str) -> dict[str, dict[str, int]]:
    """Records tagged `scheme=value`, by country and kind: {"FR": {"provision": 12, "law": 1}}."""
    rows = session.execute(
        select(Record.country, Record.kind, func.count())
        .join(Tag, Tag.record_id == Record.id)
        .where(Tag.scheme == scheme, Tag.value == value, Record.country.is_not(None))
        .group_by(Record.country, Record.kind)
    )
    out: dict[str, dict[str, int]] = {}
    for country, kind, n in rows:
        out.setdefault(str(country).upper(), {})[kind] = int(n)
    return out


@dataclass(frozen=True)
class ArticleElsewhere:
    """Provisions of one other country tagged with the same convention article."""

    article: str
    country: str
    provisions: list[Record]
    total: int


def same_article_elsewhere(session: Session, record: Record, per_country: int = 3) -> list[ArticleElsewhere]:
    """For each convention article `record` is tagged with: provisions of other countries tagged with it,
    a few per country (best confidence first), grouped by country in code order."""
    articles = sorted({t.value for t in record.tags if t.scheme == "instrument_article"})
    out: list[ArticleElsewhere] = []
    for article in articles:
        rows = session.execute(
            select(Record, Tag.confidence)
            .join(Tag, Tag.record_id == Record.id)
            .where(
                Tag.scheme == "instrument_article",
                Tag.value == article,
                Record.kind == "provision",
                Record.country.is_not(None),
                Record.country != (record.country or ""),
            )
            .order_by(Record.country, Tag.confidence.desc(), Record.position)
        ).all()
        by_country: dict[str, list[Record]] = {}
        for other, _confidence in rows:
            by_country.setdefault(str(other.country), []).append(other)
        out.extend(
            ArticleElsewhere(article, country, found[:per_country], len(found))
            for country, found in by_country.items()
        )
    return out


def split_text(text: str, budget: int) -> list[str]:
    """A long text in parts of about `budget` UTF-8 bytes each, cut between paragraphs where possible
    (so a page stays small); a short text is one part."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for para in text.split("\n\n"):
        while len(para.encode("utf-8")) > budget:  # one huge paragraph: cut it by characters
            cut = _cut_at(para, budget)
            if current:
                parts.append("\n\n".join(current))
                current, size = [], 0
            parts.append(para[:cut])
            para = para[cut:]
        n = len(para.encode("utf-8")) + 2
        if current and size + n > budget:
            parts.append("\n\n".join(current))
            current, size = [], 0
        current.append(para)
        size += n
    if current or not parts:
        parts.append("\n\n".join(current))
    return parts


def _cut_at(text: str, budget: int) -> int:
    """The largest character index whose prefix fits in `budget` UTF-8 bytes."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if len(text[:mid].encode("utf-8")) <= budget:
            low = mid
        else:
            high = mid - 1
    return low


def provision_parts(provisions: list[Record], budget: int) -> list[list[Record]]:
    """A law's provisions in consecutive parts of about `budget` UTF-8 bytes of text each."""
    parts: list[list[Record]] = []
    current: list[Record] = []
    size = 0
    for provision in provisions:
        n = len((provision.text or "").encode("utf-8")) + 300  # markup around each provision
        if current and size + n > budget:
            parts.append(current)
            current, size = [], 0
        current.append(provision)
        size += n
    if current or not parts:
        parts.append(current)
    return parts
