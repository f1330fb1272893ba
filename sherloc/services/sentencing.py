"""Sentencing figures of one crime type from case records: convictions, sentences, custodial terms, fines.

What is counted, and how:

- **A conviction** is one defendant of one case convicted on at least one charge whose `crime_types` hold
  the crime type. A defendant with several such charges counts once, with the most severe sentence among
  them: death, then death with reprieve, then life imprisonment, then the longest custodial term (an
  unsuspended term before a suspended one of the same length), then a non-custodial sentence. The same
  person tried at first instance and on appeal, both decisions in the portal, counts once in each.
- **Sentence sources.** A charge carries this decision's own sentence ("decision"; a charge without a
  source is read as that) or the first-instance sentence an appeal quotes ("first_instance"). Both count by
  default; when one defendant has charges of both sources, the decision's own sentence is used.
- **Custodial terms**: imprisonment and criminal detention (拘役) with a term in months. Suspended terms are
  counted apart (`suspended`) and are *included* in the distribution of imposed terms; the term is the one
  imposed, not the time served. Imprisonment with no stated term is counted as `custodial_without_term`.
- **Distribution**: min, max, mean, median and quartiles of the terms in months. Quartiles follow
  `statistics.quantiles(method="inclusive")` (type 7 of Hyndman and Fan, as numpy's and R's default: the
  data's min and max are the 0th and 100th percentiles); with one term, all of them are that term.
- **Histogram** on bins of `TERM_BINS`, each (low, high] in months (a term of exactly 36 months is in
  "over 1 year, up to 3 years"), because penal codes write ranges with an inclusive top ("三年以下",
  "not exceeding 3 years"): up to 6 months (criminal detention's whole range, PRC Criminal Law art. 42),
  up to 1 year, up to 3 years (the ceiling for a suspended sentence, PRC art. 72; England and Wales allow
  one up to 2 years), up to 5, up to 10, up to 15 years (the longest single fixed term, PRC art. 45), and
  over 15 years (only by combining sentences for several crimes, PRC art. 69, or in common-law systems).
- **Fines** by currency: per conviction, the largest fine in each currency among the charges counted
  (courts often repeat a combined fine on each charge; adding them up would count it twice).
- **Filters**: countries (the case's), years of the decision date (the case's, else its record's; cases
  with neither are left out when a year is given), court levels (the case's court).

Rows are selected in SQL (charges joined to their defendant, case and record, filtered); the statistics
are computed in Python.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Text, cast, distinct, func, or_, select
from sqlalchemy.orm import Session

from sherloc.models import Case, Charge, Defendant, Record, Tag
from sherloc.models.cases import SENTENCE_SOURCES

QUANTILE_METHOD: Literal["inclusive"] = "inclusive"  # statistics.quantiles: type 7, numpy's and R's default
CUSTODIAL_KINDS = ("imprisonment", "criminal_detention")
NON_CUSTODIAL_KINDS = ("public_surveillance", "fine_only", "community_service")
# Bins of custodial terms in months, each (low, high]: low exclusive, high inclusive; None is open.
TERM_BINS: tuple[tuple[int | None, int | None], ...] = (
    (None, 6),
    (6, 12),
    (12, 36),
    (36, 60),
    (60, 120),
    (120, 180),
    (180, None),
)
# What a conviction's sentence comes to, most severe first (the order in which one is chosen).
OUTCOMES = (
    "death",
    "death_with_reprieve",
    "life_imprisonment",
    "custodial",
    "custodial_without_term",
    "non_custodial",
    "other",
    "not_stated",
)
_SEVERITY = {outcome: len(OUTCOMES) - i for i, outcome in enumerate(OUTCOMES)}
_charges = Charge.__table__.c  # the sentence composite's own columns


@dataclass(frozen=True)
class SentencingQuery:
    """Which convictions to count: those of a crime type, narrowed by the optional filters."""

    crime_type: str
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2; empty: every country
    year_from: int | None = None
    year_to: int | None = None
    court_levels: tuple[str, ...] = ()  # COURT_LEVELS; empty: every level
    sources: tuple[str, ...] = SENTENCE_SOURCES  # SENTENCE_SOURCES to count


@dataclass(frozen=True)
class Conviction:
    """One defendant's conviction, with the sentence counted for it."""

    case_id: int
    defendant_id: int
    country: str
    source: str  # decision | first_instance
    outcome: str  # one of OUTCOMES
    kind: str | None
    term_months: int | None
    suspended: bool
    fines: dict[str, Decimal] = field(default_factory=dict)  # currency -> the largest fine in it


@dataclass(frozen=True)
class TermBin:
    low: int | None  # exclusive; None: from 0
    high: int | None  # inclusive; None: no upper bound
    count: int


@dataclass(frozen=True)
class TermDistribution:
    """Custodial terms in months, suspended ones included."""

    n: int
    suspended: int
    minimum: int | None
    maximum: int | None
    q1: float | None
    median: float | None
    q3: float | None
    mean: float | None
    histogram: tuple[TermBin, ...]


@dataclass(frozen=True)
class FineSummary:
    currency: str
    count: int
    median: Decimal


@dataclass(frozen=True)
class CountryFigures:
    country: str
    convictions: int
    custodial: int
    median_months: float | None


@dataclass(frozen=True)
class SentencingFigures:
    query: SentencingQuery
    decisions: int  # decision records of the crime type the portal holds, under the same filters
    decisions_with_convictions: int
    convictions: int
    outcomes: dict[str, int]  # every key of OUTCOMES, in that order
    terms: TermDistribution
    fines: tuple[FineSummary, ...]
    by_country: tuple[CountryFigures, ...]
    sources_counted: dict[str, int]  # convictions by the source of the sentence counted

    @property
    def custodial(self) -> int:
        """Convictions with a custodial term in months, suspended or not."""
        return self.outcomes["custodial"]

    @property
    def suspended(self) -> int:
        return self.terms.suspended

    @property
    def sentenced(self) -> int:
        """Convictions whose sentence is stated."""
        return self.convictions - self.outcomes["not_stated"]


def sentencing_figures(session: Session, query: SentencingQuery) -> SentencingFigures:
    """The sentencing figures of `query.crime_type` under the query's filters."""
    found = convictions(session, query)
    return SentencingFigures(
        query=query,
        decisions=decision_count(session, query),
        decisions_with_convictions=len({c.case_id for c in found}),
        convictions=len(found),
        outcomes={outcome: sum(1 for c in found if c.outcome == outcome) for outcome in OUTCOMES},
        terms=term_distribution(found),
        fines=fine_summaries(found),
        by_country=country_figures(found),
        sources_counted={s: sum(1 for c in found if c.source == s) for s in SENTENCE_SOURCES},
    )


def _year_bounds(query: SentencingQuery, date: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    clauses = []
    if query.year_from is not None:
        clauses.append(date >= dt.date(query.year_from, 1, 1))
    if query.year_to is not None:
        clauses.append(date < dt.date(query.year_to + 1, 1, 1))
    return clauses


def _of_crime_type(crime_type: str) -> ColumnElement[bool]:
    # The JSON list as text holds '"drug_trafficking"' exactly when one of its items is that id (ids have no
    # quotes or escapes); portable across SQLite and PostgreSQL, and checked again in Python below.
    return cast(Charge.crime_types, Text).contains(f'"{crime_type}"', autoescape=True)


def convictions(session: Session, query: SentencingQuery) -> list[Conviction]:
    """Each defendant convicted on a charge of the crime type, once, with the sentence counted for them."""
    date = func.coalesce(Case.decision_date, Record.date_decided)
    source = func.coalesce(Charge.sentence_source, "decision")
    stmt = (
        select(
            Case.id,
            Defendant.id,
            Case.country,
            source,
            Charge.crime_types,
            _charges.sentence_kind,
            _charges.term_months,
            _charges.suspended,
            _charges.fine_amount,
            _charges.fine_currency,
        )
        .join(Defendant, Defendant.id == Charge.defendant_id)
        .join(Case, Case.id == Defendant.case_id)
        .join(Record, Record.id == Case.record_id)
        .where(Charge.verdict == "convicted", _of_crime_type(query.crime_type), source.in_(query.sources))
        .where(*_year_bounds(query, date))
        .order_by(Case.id, Defendant.id, Charge.id)
    )
    if query.countries:
        stmt = stmt.where(Case.country.in_(query.countries))
    if query.court_levels:
        stmt = stmt.where(_court_level().in_(query.court_levels))
    by_defendant: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(stmt):
        case_id, defendant_id, country, source_, crime_types, kind, term, suspended, fine, currency = row
        if query.crime_type not in (crime_types or []):
            continue
        by_defendant[(case_id, defendant_id)].append(
            {
                "country": country,
                "source": source_,
                "kind": kind,
                "term_months": term,
                "suspended": bool(suspended),
                "fine": (currency, fine) if fine is not None and currency else None,
            }
        )
    return [_conviction(case, defendant, rows) for (case, defendant), rows in by_defendant.items()]


def _outcome(kind: str | None, term_months: int | None) -> str:
    if kind is None:
        return "not_stated"
    if kind in CUSTODIAL_KINDS:
        return "custodial" if term_months is not None else "custodial_without_term"
    if kind in ("death", "death_with_reprieve", "life_imprisonment"):
        return kind
    return "non_custodial" if kind in NON_CUSTODIAL_KINDS else "other"


def _conviction(case_id: int, defendant_id: int, rows: list[dict[str, Any]]) -> Conviction:
    # The decision's own sentence, when the defendant has one; else the first-instance one it quotes.
    own = [r for r in rows if r["source"] == "decision"]
    rows = own or rows
    chosen = max(
        rows,
        key=lambda r: (
            _SEVERITY[_outcome(r["kind"], r["term_months"])],
            r["term_months"] or 0,
            not r["suspended"],
        ),
    )
    fines: dict[str, Decimal] = {}
    for r in rows:
        if r["fine"] is not None:
            currency, amount = r["fine"]
            fines[currency] = max(fines.get(currency, amount), amount)
    outcome = _outcome(chosen["kind"], chosen["term_months"])
    return Conviction(
        case_id=case_id,
        defendant_id=defendant_id,
        country=chosen["country"],
        source=chosen["source"],
        outcome=outcome,
        kind=chosen["kind"],
        term_months=chosen["term_months"] if outcome == "custodial" else None,
        suspended=chosen["suspended"] and outcome == "custodial",
        fines=fines,
    )


def _quartiles(terms: Sequence[int]) -> tuple[float, float, float]:
    if len(terms) == 1:  # statistics.quantiles needs two points (before Python 3.13)
        return float(terms[0]), float(terms[0]), float(terms[0])
    q1, median, q3 = statistics.quantiles(terms, n=4, method=QUANTILE_METHOD)
    return q1, median, q3


def in_bin(term_months: int, low: int | None, high: int | None) -> bool:
    return (low is None or term_months > low) and (high is None or term_months <= high)


def term_distribution(found: Iterable[Conviction]) -> TermDistribution:
    """The custodial terms of `found` (suspended ones included): their figures and histogram."""
    custodial = [c for c in found if c.outcome == "custodial" and c.term_months is not None]
    terms = sorted(c.term_months for c in custodial if c.term_months is not None)
    histogram = tuple(
        TermBin(low, high, sum(1 for t in terms if in_bin(t, low, high))) for low, high in TERM_BINS
    )
    if not terms:
        return TermDistribution(0, 0, None, None, None, None, None, None, histogram)
    q1, median, q3 = _quartiles(terms)
    return TermDistribution(
        n=len(terms),
        suspended=sum(1 for c in custodial if c.suspended),
        minimum=terms[0],
        maximum=terms[-1],
        q1=round(q1, 2),
        median=round(median, 2),
        q3=round(q3, 2),
        mean=round(statistics.fmean(terms), 2),
        histogram=histogram,
    )


def fine_summaries(found: Iterable[Conviction]) -> tuple[FineSummary, ...]:
    """Per currency (in code order): how many convictions carry a fine in it, and its median."""
    amounts: dict[str, list[Decimal]] = defaultdict(list)
    for conviction in found:
        for currency, amount in conviction.fines.items():
            amounts[currency].append(amount)
    return tuple(
        FineSummary(currency, len(values), Decimal(statistics.median(values)).quantize(Decimal("0.01")))
        for currency, values in sorted(amounts.items())
    )


def country_figures(found: Iterable[Conviction]) -> tuple[CountryFigures, ...]:
    """Per country, most convictions first: convictions, custodial terms and their median."""
    by_country: dict[str, list[Conviction]] = defaultdict(list)
    for conviction in found:
        by_country[conviction.country].append(conviction)
    out = []
    for country, items in by_country.items():
        terms = [c.term_months for c in items if c.term_months is not None]
        median = round(float(statistics.median(terms)), 2) if terms else None
        out.append(CountryFigures(country, len(items), len(terms), median))
    out.sort(key=lambda c: (-c.convictions, c.country))
    return tuple(out)


def decision_count(session: Session, query: SentencingQuery) -> int:
    """Decision records of the crime type (tagged with it, or with a charge of it in their case) under the
    query's country, year and court-level filters, whatever their sentences."""
    tagged = select(Tag.record_id).where(Tag.scheme == "crime_type", Tag.value == query.crime_type)
    charged = (
        select(Case.record_id)
        .join(Defendant, Defendant.case_id == Case.id)
        .join(Charge, Charge.defendant_id == Defendant.id)
        .where(_of_crime_type(query.crime_type))
    )
    stmt = (
        select(func.count(distinct(Record.id)))
        .select_from(Record)
        .outerjoin(Case, Case.record_id == Record.id)
        .where(Record.kind == "decision", or_(Record.id.in_(tagged), Record.id.in_(charged)))
        .where(*_year_bounds(query, func.coalesce(Case.decision_date, Record.date_decided)))
    )
    if query.countries:
        stmt = stmt.where(func.coalesce(Case.country, Record.country).in_(query.countries))
    if query.court_levels:
        stmt = stmt.where(_court_level().in_(query.court_levels))
    return int(session.scalar(stmt) or 0)


def _court_level() -> ColumnElement[Any]:
    return Case.__table__.c.court_level
