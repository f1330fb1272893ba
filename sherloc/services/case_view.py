"""Case records as the pages and the API read them: a decision's case, the decisions applying a provision,
and where the case's values lie in the judgment's text (the spans its provenance names)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session, selectinload

from sherloc.models import Case, Charge, Defendant, Record
from sherloc.models.cases import CitedProvision, ProvenanceMixin

CITED_BY_LIMIT = 20  # decisions listed on a provision's page and in its API record
PARAGRAPH_BREAK = "\n\n"  # how record texts separate paragraphs (as the record page splits them)

Span = tuple[int, int]


def case_for_record(session: Session, record_id: str) -> Case | None:
    """The case of decision `record_id`, with everything its page shows loaded up front; None if it has
    none (or the record is not a decision)."""
    provision = selectinload(Charge.provision).selectinload(Record.parent)
    return session.scalar(
        select(Case)
        .where(Case.record_id == record_id)
        .options(
            selectinload(Case.texts),
            selectinload(Case.attachments),
            selectinload(Case.defendants).selectinload(Defendant.charges).options(provision),
            selectinload(Case.victims),
            selectinload(Case.cited_provisions).selectinload(CitedProvision.provision),
        )
    )


@dataclasses.dataclass(frozen=True)
class CitingDecision:
    """A decision whose case charges or cites a provision: what a list of them shows."""

    id: str  # the decision record
    title: str
    unodc_number: str
    court: str | None
    decision_date: dt.date | None


@dataclasses.dataclass(frozen=True)
class CitingDecisions:
    decisions: list[CitingDecision]
    total: int


def decisions_citing(session: Session, provision_id: str, limit: int = CITED_BY_LIMIT) -> CitingDecisions:
    """The decisions whose case has a charge under, or cites, provision `provision_id`: each once, newest
    decision first (undated last), with how many there are in all."""
    case_ids = union(
        select(Defendant.case_id).join(Charge).where(Charge.provision_id == provision_id),
        select(CitedProvision.case_id).where(CitedProvision.provision_id == provision_id),
    ).subquery()
    citing = Case.id.in_(select(case_ids.c[0]))
    total = session.scalar(select(func.count()).select_from(Case).where(citing)) or 0
    if not total:
        return CitingDecisions([], 0)
    decided = func.coalesce(Case.decision_date, Record.date_decided)
    rows = session.execute(
        select(Case.record_id, Case.title, Case.unodc_number, Case.court, decided)
        .join(Record, Record.id == Case.record_id)
        .where(citing)
        .order_by(decided.desc().nulls_last(), Case.unodc_number)
        .limit(limit)
    )
    decisions = [
        CitingDecision(record_id, title, number, court.name if court else None, date)
        for record_id, title, number, court, date in rows
    ]
    return CitingDecisions(decisions, int(total))


def years_and_months(months: int) -> tuple[int, int]:
    """A term in months as whole years and the months left over: 66 -> (5, 6)."""
    return divmod(months, 12)


# -- provenance: where in the judgment's text each value was read ---------------------------------------


def provenance_rows(case: Case) -> Iterator[Mapping[str, Any]]:
    """The provenance of the case and of every row under it."""
    rows: list[ProvenanceMixin] = [case, *case.texts, *case.attachments, *case.victims]
    rows += case.cited_provisions
    for row in rows:
        yield row.provenance or {}
    for defendant in case.defendants:
        yield defendant.provenance or {}
        for charge in defendant.charges:
            yield charge.provenance or {}


def span_of(entry: Any) -> Span | None:
    """The (start, end) of a provenance entry that is a non-empty span of the text, else None."""
    if not isinstance(entry, Mapping):
        return None
    start, end = entry.get("start"), entry.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
        return start, end
    return None


def case_spans(case: Case) -> list[Span]:
    """Every distinct span the case's provenance names, in text order."""
    spans = {span for row in provenance_rows(case) for entry in row.values() if (span := span_of(entry))}
    return sorted(spans)


def span_anchor(span: Span) -> str:
    return f"at-{span[0]}-{span[1]}"


def part_offsets(text: str, parts: list[str]) -> list[int]:
    """Where each part of `text` (as records.split_text cut it: in order, separators at the cuts dropped)
    starts in `text`."""
    offsets, position = [], 0
    for part in parts:
        found = text.find(part, position)
        offsets.append(found if found >= 0 else position)
        position = (found if found >= 0 else position) + len(part)
    return offsets


def part_of(offset: int, offsets: list[int], parts: list[str]) -> int | None:
    """The part (1-based) that shows the character at `offset`, or the first after it when the offset
    falls in a separator dropped between parts; None beyond the text."""
    for number, (start, part) in enumerate(zip(offsets, parts, strict=True), start=1):
        if offset < start + len(part):
            return number
    return None


@dataclasses.dataclass
class Piece:
    """A run of a paragraph: plain, or inside one or more spans (`ids`: anchors of the spans it starts)."""

    text: str
    marked: bool = False
    ids: list[str] = dataclasses.field(default_factory=list)


def marked_paragraphs(
    text: str, spans: Iterable[Span], offset: int = 0, anchors_from: int | None = None
) -> list[list[Piece]]:
    """`text` (starting at `offset` in the whole text) as paragraphs of pieces, cut wherever a span starts
    or ends. Pieces never nest, so overlapping spans still make well-formed markup: a piece inside any
    span is marked, and each span starting at or after `anchors_from` (default: `offset`; earlier, when
    the separator before this part was dropped) has its anchor on the first piece it covers."""
    anchors_from = offset if anchors_from is None else anchors_from
    local: dict[Span, list[str]] = {}  # the span within `text` -> anchors of the spans that start in it
    for start, end in sorted(set(spans)):
        within = (max(start - offset, 0), min(end - offset, len(text)))
        if within[0] < within[1]:
            anchors = local.setdefault(within, [])
            if start >= anchors_from:
                anchors.append(span_anchor((start, end)))
    cuts = sorted({point for span in local for point in span})
    unplaced = dict(local)
    paragraphs: list[list[Piece]] = []
    start = 0
    for paragraph in text.split(PARAGRAPH_BREAK):
        end = start + len(paragraph)
        pieces = []
        for a, b in itertools.pairwise([start, *(c for c in cuts if start < c < end), end]):
            covering = [span for span in local if span[0] < b and span[1] > a]
            piece = Piece(text[a:b], marked=bool(covering))
            for span in covering:
                piece.ids.extend(unplaced.pop(span, []))
            pieces.append(piece)
        paragraphs.append(pieces)
        start = end + len(PARAGRAPH_BREAK)
    return paragraphs
