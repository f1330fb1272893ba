"""A country's profile: its records by kind and crime type, its laws, latest decisions, and its provisions
per convention article, all read from the store (the same counts as the search facets of that country)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sherloc.models import Record, Tag
from sherloc.services.countries import record_counts
from sherloc.services.matrix import RankedProvision, placement, rank_key
from sherloc.vocab.loader import Vocabulary

LATEST_DECISIONS = 10
ARTICLE_EXAMPLES = 3


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

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def country_profile(session: Session, vocabulary: Vocabulary, code: str) -> CountryProfile:
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
    )


def _articles(session: Session, vocabulary: Vocabulary, code: str) -> list[ArticleProvisions]:
    """Each convention article the country's provisions are tagged with, in vocabulary order, with a few
    examples (definitional provisions first, as the side-by-side view ranks them)."""
    rows = session.execute(
        select(Record, Tag)
        .join(Tag, Tag.record_id == Record.id)
        .where(Record.country == code, Record.kind == "provision", Tag.scheme == "instrument_article")
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
