"""Re-tag the store after a vocabulary or tagger change, and bring the index up to date with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from sherloc.db import chunks
from sherloc.models import Record
from sherloc.search import indexer
from sherloc.search.base import SearchBackend
from sherloc.tagging.store import RecordTagging, stale

TOPS_PER_BATCH = 20  # top-level records, each with all its provisions, re-tagged per transaction


@dataclass
class RetagReport:
    records: int = 0  # records tagged
    changed: list[str] = field(default_factory=list)  # ids whose tags changed
    indexed: int = 0


def retag(
    session_factory: sessionmaker[Session],
    tagging: RecordTagging,
    backend: SearchBackend | None,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RetagReport:
    """Recompute the tags of stale records (of every record with `force`), a law with all its provisions
    at a time (its roll-up needs them), and re-index those whose tags changed.

    The index is synced inside each batch's transaction, before it commits: a run killed in between
    leaves the batch stale in the store, so the next run does it again.
    """
    report = RetagReport()
    with session_factory() as session:
        stmt = select(func.coalesce(Record.parent_id, Record.id)).distinct()
        if not force:
            stmt = stmt.where(stale(tagging.version))
        tops = sorted(session.scalars(stmt))
    for batch in chunks(tops, TOPS_PER_BATCH):
        with session_factory() as session, session.begin():
            records = session.scalars(
                select(Record).where(or_(Record.id.in_(batch), Record.parent_id.in_(batch)))
            ).all()
            changed = tagging.apply(session, tagging.plan(records))
            report.records += len(records)
            report.changed.extend(changed)
            if backend is not None and changed:
                session.flush()
                session.expire_all()  # the index reads the tags just written
                report.indexed += indexer.sync(session, backend, changed=changed, deleted=[])
        if progress:
            progress(len(batch))
    return report
