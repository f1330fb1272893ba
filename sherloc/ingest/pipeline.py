"""The ingest pipeline: find files, parse, normalise, tag, store (one transaction per file), then index.

Re-running over the same files changes nothing: a file whose bytes are unchanged is skipped, ids are
derived from the source's own identifiers, and a record is rewritten only when its content hash
changes, its tags only when they come out different (sherloc.tagging.store). A file that fails is
reported with its reason and leaves nothing half-written in the store.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sherloc.db import chunks, store_unavailable
from sherloc.ingest import normalise
from sherloc.ingest.cases import CaseBuilder, build_cases, decisions_needing_cases, relink_provisions
from sherloc.ingest.registry import find_parser, parsers
from sherloc.ingest.sources.generic_formats import is_sidecar
from sherloc.ingest.types import NotADocument, ParsedRecord, ParseError, Parser
from sherloc.models import IngestedFile, Record
from sherloc.observability.metrics import count_ingested_file
from sherloc.search import indexer
from sherloc.search.base import SearchBackend, SearchError
from sherloc.services import workflow
from sherloc.tagging.store import RecordTagging
from sherloc.vocab import default_vocab_dir

# Files that travel with sources but are not documents: skipped with this reason, not reported as unknown.
NOT_DOCUMENTS = re.compile(
    r"^(readme|licen[cs]e|copying|manifest|changelog|notice)([._-].*)?$|^(index|_index)\.(json|md)$",
    re.IGNORECASE,
)
MAX_FILE_BYTES = 64 * 1024 * 1024  # a law file is a few MB; anything this large is not one of ours
INDEX_EVERY = 200  # files between index syncs
log = logging.getLogger(__name__)


class TaggingFailed(Exception):
    """The tagger could not tag a record of the file."""


class IngestStopped(Exception):
    """The run could not go on: the store or the index refused writes (a full disk, a server gone). Files
    committed before stay as they are; `report` says what the run did until then."""

    def __init__(self, reason: str, report: IngestReport) -> None:
        super().__init__(reason)
        self.reason = reason
        self.report = report


@dataclass
class FileOutcome:
    path: str
    status: str  # new | updated | unchanged | skipped | failed
    parser: str | None = None
    records: int = 0
    message: str | None = None


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0
    indexed: int = 0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def records(self) -> int:
        return sum(o.records for o in self.outcomes if o.status in ("new", "updated", "unchanged"))

    @property
    def problems(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status in ("skipped", "failed") or o.message]


def corpus_sources(corpus: Path) -> list[Path]:
    """The source folders of a corpus folder such as corpus/: every sub-folder but vocab/ (vocabulary)."""
    if not corpus.is_dir():
        return []
    return [p for p in sorted(corpus.iterdir()) if p.is_dir() and p.name != "vocab"]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Regular files under `paths` in a stable order; hidden files and folders are passed over."""
    for path, _display in iter_sources(paths):
        yield path


def iter_sources(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """(file, its path as recorded: relative to the folder given, starting with that folder's name)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield child, str(Path(path.resolve().name) / rel)
        elif path.is_file():
            yield path, path.name
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


class Ingester:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        backend: SearchBackend | None,
        available: list[Parser] | None = None,
        tagging: RecordTagging | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.backend = backend
        self.parsers = available if available is not None else parsers()
        self.tagging = tagging if tagging is not None else RecordTagging(default_vocab_dir())
        self._case_builder: CaseBuilder | None = None

    @property
    def case_builder(self) -> CaseBuilder:
        if self._case_builder is None:
            self._case_builder = CaseBuilder(self.tagging.tagger)
        return self._case_builder

    def run(self, paths: Iterable[Path], progress: Callable[[Path], None] | None = None) -> IngestReport:
        """Ingest the files under `paths`; IngestStopped when the store or the index cannot be written any
        more (a full disk, a server gone): what was committed before stays, and a re-run goes on from
        there."""
        report = IngestReport()
        started = time.perf_counter()
        try:
            self._run(paths, progress, report)
        except (OperationalError, InterfaceError) as exc:
            # The driver's own words too: this is for the operator running the ingest.
            raise IngestStopped(f"{store_unavailable(exc)} [{getattr(exc, 'orig', exc)}]", report) from exc
        except SearchError as exc:
            raise IngestStopped(f"{exc}; the files stored are indexed by the next run", report) from exc
        finally:
            report.seconds = time.perf_counter() - started
        return report

    def _run(
        self, paths: Iterable[Path], progress: Callable[[Path], None] | None, report: IngestReport
    ) -> None:
        pending: list[str] = []
        for path, display in iter_sources(paths):
            outcome = self.ingest_file(path, display)
            report.outcomes.append(outcome)
            count_ingested_file(outcome)
            if outcome.status in ("new", "updated"):
                pending.append(str(path.resolve()))
            if len(pending) >= INDEX_EVERY:
                report.indexed += self._index_files(pending)
                pending = []
            if progress:
                progress(path)
        report.indexed += self._index_files(pending)
        report.indexed += self._index_files(self._unindexed_files())
        report.indexed += self.refresh_cases()
        if self.backend is not None:  # editors' publications an index failure left behind
            with self.session_factory() as session:
                report.indexed += workflow.index_pending(session, self.backend)

    # -- one file --------------------------------------------------------------------------------

    def ingest_file(self, path: Path, display: str | None = None) -> FileOutcome:
        key = str(path.resolve())
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                return self._record_failure(
                    key, None, "skipped", f"file is {size / 2**20:.0f} MB, over the limit"
                )
            data = path.read_bytes()
        except OSError as exc:
            return FileOutcome(key, "failed", message=f"cannot read: {exc.strerror or exc}")
        digest = hashlib.sha256(data).hexdigest()
        with self.session_factory() as session:
            previous = session.get(IngestedFile, key)
            if previous is not None and previous.sha256 == digest and previous.status == "ok":
                return FileOutcome(key, "unchanged", previous.parser, len(previous.record_ids))
        if NOT_DOCUMENTS.match(path.name) or is_sidecar(path):
            return self._record_failure(
                key, digest, "skipped", "not a document (readme, licence, index, sidecar)"
            )
        try:
            parser = find_parser(path, data, self.parsers)
        except (RecursionError, ValueError) as exc:  # a detector choking on a pathological head
            return self._record_failure(
                key, digest, "failed", f"cannot tell its format: {type(exc).__name__}"
            )
        if parser is None:
            return self._record_failure(key, digest, "skipped", "no parser recognises this file")
        try:
            parsed = list(parser.parse(path))
            warnings = list(getattr(parser, "warnings", None) or [])  # e.g. bad lines of a JSON-lines file
        except NotADocument as exc:
            return self._record_failure(key, digest, "skipped", str(exc), parser.name)
        except ParseError as exc:
            return self._record_failure(key, digest, "failed", str(exc), parser.name)
        except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as exc:
            return self._record_failure(key, digest, "failed", f"{type(exc).__name__}: {exc}", parser.name)
        except Exception as exc:  # a parser bug must cost this file, not the run: reported, traceback logged
            log.exception("parser %s failed on %s", parser.name, key)
            return self._record_failure(
                key, digest, "failed", f"parser error: {type(exc).__name__}: {exc}", parser.name
            )
        try:
            return self._store(key, digest, parser.name, display or path.name, parsed, warnings)
        except normalise.NormaliseError as exc:
            return self._record_failure(key, digest, "failed", str(exc), parser.name)
        except TaggingFailed as exc:
            return self._record_failure(key, digest, "failed", f"tagging failed: {exc}", parser.name)
        except UnicodeError as exc:  # text no database can store (a lone surrogate a parser let through)
            return self._record_failure(key, digest, "failed", f"{type(exc).__name__}: {exc}", parser.name)

    def _store(
        self,
        key: str,
        digest: str,
        parser: str,
        display: str,
        parsed: list[ParsedRecord],
        warnings: list[str],
    ) -> FileOutcome:
        messages: list[str] = list(warnings)
        rows: dict[str, Record] = {}
        tops: list[str] = []
        for item in parsed:
            item.source_path = display
            item_rows, notes = normalise.to_records(item)
            messages.extend(notes)
            if item_rows[0].id in rows:
                messages.append(f"{item_rows[0].id} appears twice in the file; the first is kept")
                continue
            tops.append(item_rows[0].id)
            rows.update((row.id, row) for row in item_rows)
        ids = list(rows)
        try:  # before the transaction: the store stays unlocked meanwhile
            tags = self.tagging.plan(rows.values())
        except (ValueError, RecursionError) as exc:
            raise TaggingFailed(f"{type(exc).__name__}: {exc}") from exc
        with self.session_factory() as session, session.begin():
            previous = session.get(IngestedFile, key)
            old_ids = set(previous.record_ids) if previous else set()
            was_indexed = bool(previous is not None and previous.indexed)
            stored = _stored(session, ids)
            # Records editors changed in the portal stay as published there: the source's new text is
            # reported, not written over a reviewed version.
            edited = workflow.edited_ids(session, "record", [rid for rid in ids if rid in stored])
            changed = False
            overlaps: Counter[str] = Counter()
            rewritten: list[Record] = []
            kept_edited = 0
            for row in rows.values():
                known = stored.get(row.id)
                if known is not None and known[1] not in (None, display):
                    overlaps[known[1]] += 1  # the same record id from another file: say so, never silently
                if known is None:
                    session.add(row)
                elif row.id in edited:
                    kept_edited += known[0] != row.content_hash
                    continue
                elif known[0] != row.content_hash:
                    row = session.merge(row)
                else:
                    continue
                changed = True
                if row.kind == "decision":
                    rewritten.append(row)
            messages.extend(
                f"{n} record(s) also come from {other}; this file's version stands"
                for other, n in overlaps.items()
            )
            if kept_edited:
                messages.append(
                    f"{kept_edited} record(s) changed by editors in the portal kept as published there"
                )
            session.flush()
            planned = {rid: rows_ for rid, rows_ in tags.items() if rid not in edited}
            changed = bool(self.tagging.apply(session, planned)) or changed
            # Case records: for decisions written now, and this file's decisions without one yet.
            decision_ids = [rid for rid, row in rows.items() if row.kind == "decision"]
            stale = {r.id: r for r in decisions_needing_cases(session, decision_ids)}
            stale.update((r.id, r) for r in rewritten)
            if stale:
                cases = build_cases(session, stale.values(), self.case_builder)
                messages.extend(cases.failed)
                changed = changed or bool(cases.written)
            # Records this file produced before and produces no more: provisions dropped from a changed
            # law, or documents gone from the file.
            children = _stored(session, tops, by_parent=True)
            candidates = sorted((set(children) | old_ids) - set(ids))
            # Only what this file still owns goes: a record another file wrote last (a law that moved to
            # another file) is that file's now.
            owners = _stored(session, candidates)
            removed = [rid for rid in candidates if rid in owners and owners[rid][1] in (None, display)]
            # What editors changed stays, and so does the law holding it (its removal would take its
            # provisions with it).
            kept = workflow.edited_ids(session, "record", removed)
            kept |= edited_parents(session, removed)
            if kept:
                messages.append(
                    f"{len(kept)} record(s) gone from the source kept: editors changed them or a provision"
                )
            if kept:  # a law kept stays whole: its other provisions too
                kept |= set(_stored(session, sorted(kept), by_parent=True)) & set(removed)
            removed = [rid for rid in removed if rid not in kept]
            for chunk in chunks(removed):
                session.execute(delete(Record).where(Record.id.in_(chunk)))
            changed = changed or bool(removed)
            status = "new" if previous is None else ("updated" if changed else "unchanged")
            message = _condense(messages)
            entry = _save_file(session, key, digest, parser, "ok", message, ids)
            entry.stale_ids = sorted(set(entry.stale_ids or []) | set(removed))
            entry.indexed = was_indexed and not changed and not entry.stale_ids
        return FileOutcome(key, status, parser, len(ids), message)

    def _record_failure(
        self, key: str, digest: str | None, status: str, message: str, parser: str | None = None
    ) -> FileOutcome:
        with self.session_factory() as session, session.begin():
            previous = session.get(IngestedFile, key)
            # A failed re-read keeps the records of the last good read: nothing already stored is lost.
            ids = previous.record_ids if previous else []
            _save_file(session, key, digest or "", parser, status, message, ids)
        return FileOutcome(key, status, parser, 0, message)

    # -- cases -----------------------------------------------------------------------------------

    def refresh_cases(self) -> int:
        """Cases for stored decisions that lack one or were built by an older builder (files skipped as
        unchanged since), provisions linked that are in the portal now; those decisions re-indexed.
        Returns how many records were indexed."""
        with self.session_factory() as session, session.begin():
            relink_provisions(session)
            stale = list(decisions_needing_cases(session))
            if not stale:
                return 0
            built = build_cases(session, stale, self.case_builder)
            for failure in built.failed:  # tried again on every run until the decision or builder changes
                log.warning("%s", failure)
            written = built.written
            if self.backend is None or not written:
                return 0
            return indexer.sync(session, self.backend, changed=written, deleted=[])

    # -- index -----------------------------------------------------------------------------------

    def _unindexed_files(self) -> list[str]:
        with self.session_factory() as session:
            return list(session.scalars(select(IngestedFile.path).where(IngestedFile.indexed.is_(False))))

    def _index_files(self, keys: list[str]) -> int:
        """Sync the index for the records of these files, then mark the files indexed."""
        if not keys or self.backend is None:
            return 0
        with self.session_factory() as session, session.begin():
            files = session.scalars(select(IngestedFile).where(IngestedFile.path.in_(keys))).all()
            ids = sorted({rid for f in files for rid in f.record_ids})
            present = set(_stored(session, ids))
            # Gone from the store (removed, or dropped by another file): gone from the index too.
            gone = {rid for f in files for rid in (f.stale_ids or [])} | (set(ids) - present)
            n = indexer.sync(session, self.backend, changed=sorted(present), deleted=sorted(gone - present))
            # Marked only after the index has committed: a run killed before this re-indexes next time.
            for f in files:
                f.indexed = True
                f.stale_ids = []
        return n


def _stored(
    session: Session, values: list[str], by_parent: bool = False
) -> dict[str, tuple[str, str | None]]:
    """{record id: (content hash, source path)} for ids in `values` (or whose parent is), in chunks."""
    column = Record.parent_id if by_parent else Record.id
    out: dict[str, tuple[str, str | None]] = {}
    for chunk in chunks(values):
        rows = session.execute(
            select(Record.id, Record.content_hash, Record.source_path).where(column.in_(chunk))
        )
        out.update({rid: (digest, path) for rid, digest, path in rows})
    return out


def edited_parents(session: Session, ids: list[str]) -> set[str]:
    """Those of `ids` with a provision editors changed."""
    out: set[str] = set()
    for chunk in chunks(ids):
        children = list(
            session.execute(select(Record.id, Record.parent_id).where(Record.parent_id.in_(chunk)))
        )
        edited = workflow.edited_ids(session, "record", [rid for rid, _parent in children])
        out.update(parent for rid, parent in children if rid in edited and parent is not None)
    return out


def _condense(messages: list[str]) -> str | None:
    """Notes of one file, each once, with a count when records repeat it (thousands of listings...)."""
    counts = Counter(messages)
    return "; ".join(f"{m} (x{n})" if n > 1 else m for m, n in counts.items()) or None


def _save_file(
    session: Session,
    key: str,
    digest: str,
    parser: str | None,
    status: str,
    message: str | None,
    ids: list[str],
) -> IngestedFile:
    entry = session.get(IngestedFile, key)
    if entry is None:
        entry = IngestedFile(path=key)
        session.add(entry)
    entry.sha256 = digest
    entry.parser = parser
    entry.status = status
    entry.message = message
    entry.record_ids = ids
    return entry
