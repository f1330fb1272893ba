"""Reading records from the store for record pages and the API."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from sherloc.models import Record


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
