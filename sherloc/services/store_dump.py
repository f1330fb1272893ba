"""The whole record store as JSON lines and back, to move an installation to another store (SQLite to
PostgreSQL): `sherloc export` and `sherloc import`.

The file: a header line, one line per row, an end line.

    {"format": "sherloc-store", "version": 1, "schema": "<alembic revision>", "exported_at": "...Z",
     "tables": ["authorities", "ingested_files", "records", ...]}
    {"table": "records", "row": {"id": "...", "kind": "law", ...}, "sha256": "<hex>"}
    ...
    {"end": true, "rows": {"authorities": 3, ...}, "sha256": "<hex>"}

Tables come in foreign-key order (Base.metadata.sorted_tables), rows by primary key, so that two exports
of equal stores are the same bytes but for `exported_at`; a table that references itself (records.parent_id)
has its parents first (by depth in the tree, then by primary key). Primary keys that are text are ordered
by code point on every database (PostgreSQL's COLLATE "C", SQLite's default), so a PostgreSQL store exports
in the same order as the SQLite one it came from.

A row's `sha256` is over its canonical JSON: keys sorted, no whitespace, UTF-8 unescaped; dates and
datetimes in ISO 8601 (a datetime with a time zone in UTC, written without it, so a SQLite store and a
PostgreSQL one hash alike); Decimals as strings; bytes in base64; JSON columns as JSON. The row itself is
written with its columns in table order and JSON values in their stored key order, which the import keeps.
The end line's `sha256` is over the row hashes in file order, each followed by a newline: a truncated file,
or rows dropped or moved, is refused. The hashes catch damage, not forgery: whoever can write the file can
recompute them.

Every table is written, every column, accounts with their password hashes: the file is as sensitive as the
store itself. Logins (user_sessions) are not: they are short-lived, and everyone logs in again on the new
installation. alembic_version is not either: the header names the schema revision, and the import requires
a store migrated to that same revision.

The import writes into an empty store only, in the caller's transaction: on any error nothing of the file is
kept once the caller rolls back. On PostgreSQL it then moves each integer key's sequence past the largest
key imported, so that new rows do not collide. The search index is not touched: `sherloc index rebuild`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from alembic.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    Select,
    String,
    Table,
    Time,
    TypeDecorator,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from sherloc.db import head_revision
from sherloc.models import Base

FORMAT = "sherloc-store"
VERSION = 1
# Logins are not moved: they are short-lived and tied to the old installation's cookies.
SKIPPED_TABLES = frozenset({"user_sessions"})
BATCH = 1000  # rows per fetch and per executemany


class DumpError(ValueError):
    """A store that cannot be exported or a file that cannot be imported; the message says where and why."""


@dataclass
class DumpReport:
    """What an export wrote or an import read: the schema revision, rows per table, the end hash."""

    schema: str
    rows: dict[str, int] = field(default_factory=dict)
    sha256: str = ""

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def dumped_tables() -> list[Table]:
    """The tables a dump holds, parents before the tables that reference them."""
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def store_revision(session: Session) -> str | None:
    """The schema revision the store of `session` is at (None: never migrated)."""
    return MigrationContext.configure(session.connection()).get_current_revision()


def _require_current(session: Session) -> str:
    head, revision = head_revision(), store_revision(session)
    if revision != head:
        raise DumpError(
            f"the store is at schema revision {revision or '(none)'}, this sherloc's is {head}: "
            "run `sherloc db upgrade` on it first"
        )
    return head


# -- values ---------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A column's value as JSON: the canonical form of dates, datetimes, Decimals and bytes."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def canonical_json(row: Mapping[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def row_hash(row: Mapping[str, Any]) -> str:
    """The SHA-256 of a row (as the file holds it) over its canonical JSON."""
    return hashlib.sha256(canonical_json(row).encode("utf-8")).hexdigest()


def _base_type(column: Column[Any]) -> TypeEngine[Any]:
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


def _datetime_reader(aware: bool) -> Callable[[Any], Any]:
    def read(value: Any) -> dt.datetime:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is not None:  # not written by an export, but unambiguous
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        return parsed.replace(tzinfo=dt.UTC) if aware else parsed

    return read


def _reader(column: Column[Any]) -> Callable[[Any], Any]:
    """How a value from the file becomes the column's Python value again."""
    kind = _base_type(column)
    if isinstance(kind, JSON):
        return lambda value: value
    if isinstance(kind, DateTime):
        return _datetime_reader(bool(kind.timezone))
    if isinstance(kind, Date):
        return dt.date.fromisoformat
    if isinstance(kind, Time):
        return dt.time.fromisoformat
    if isinstance(kind, Float):  # before Numeric: Float is one
        return float
    if isinstance(kind, Numeric):
        return lambda value: Decimal(str(value))
    if isinstance(kind, LargeBinary):
        return lambda value: base64.b64decode(value, validate=True)
    return lambda value: value


# -- export ---------------------------------------------------------------------------------------------


def _ordered(column: Column[Any], dialect: str) -> ColumnElement[Any]:
    """`column` to sort by, in code point order on every database."""
    if dialect == "postgresql" and isinstance(_base_type(column), String):
        return column.collate("C")
    return column


def _rows_query(table: Table, dialect: str) -> Select[Any]:
    keys = list(table.primary_key.columns)
    self_references = [fk for fk in table.foreign_keys if fk.column.table is table]
    if not self_references:
        return select(table).order_by(*(_ordered(c, dialect) for c in keys))
    if len(keys) != 1 or len(self_references) != 1:  # pragma: no cover - no such table in the schema
        raise DumpError(f"{table.name}: cannot order a self-reference over several columns")
    key, parent = keys[0], self_references[0].parent
    # Parents before children: by depth in the tree, then by key.
    tree = (
        select(key.label("key"), literal_column("0", Integer).label("depth"))
        .where(parent.is_(None))
        .cte("tree", recursive=True)
    )
    child = table.alias("child")
    tree = tree.union_all(
        select(child.c[key.name], tree.c.depth + 1).join(tree, child.c[parent.name] == tree.c.key)
    )
    return select(table).join(tree, tree.c.key == key).order_by(tree.c.depth, _ordered(key, dialect))


def _table_rows(session: Session, table: Table) -> Iterator[dict[str, Any]]:
    dialect = session.get_bind().dialect.name
    names = [c.name for c in table.columns]
    result = session.execute(_rows_query(table, dialect).execution_options(yield_per=BATCH))
    for values in result:
        yield {name: _plain(value) for name, value in zip(names, values, strict=True)}


def export_store(session: Session, out: TextIO) -> DumpReport:
    """Write every table of the store of `session` to `out` as JSON lines (see the module's docstring).

    Run it in one transaction that sees a snapshot (on PostgreSQL: REPEATABLE READ), with writes stopped,
    so that the tables agree with each other."""
    schema = _require_current(session)
    tables = dumped_tables()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "tables": [t.name for t in tables],
    }
    out.write(json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n")
    report = DumpReport(schema=schema)
    total = hashlib.sha256()
    for table in tables:
        count = 0
        for row in _table_rows(session, table):
            digest = row_hash(row)
            line = {"table": table.name, "row": row, "sha256": digest}
            out.write(json.dumps(line, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n")
            total.update(digest.encode("ascii") + b"\n")
            count += 1
        stored = session.scalar(select(func.count()).select_from(table))
        if count != stored:  # a row whose parents never reach a root: a cycle
            raise DumpError(f"{table.name}: {stored} rows, but only {count} could be ordered parents first")
        report.rows[table.name] = count
    report.sha256 = total.hexdigest()
    end = {"end": True, "rows": report.rows, "sha256": report.sha256}
    out.write(json.dumps(end, separators=(",", ":")) + "\n")
    return report


# -- import ---------------------------------------------------------------------------------------------


def _parse(line: str, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise DumpError(f"line {number}: not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise DumpError(f"line {number}: not a JSON object")
    return data


def _check_header(header: dict[str, Any], session: Session) -> list[Table]:
    if header.get("format") != FORMAT:
        raise DumpError(f"line 1: not a sherloc store export (format {header.get('format')!r})")
    if header.get("version") != VERSION:
        raise DumpError(
            f"line 1: export format version {header.get('version')!r}; this sherloc reads {VERSION}"
        )
    head = _require_current(session)
    if header.get("schema") != head:
        raise DumpError(
            f"the file was exported from a store at schema revision {header.get('schema')!r}, this store "
            f"is at {head}: export again after `sherloc db upgrade` on the old store with this version of "
            "sherloc (or import with the sherloc version that wrote the file)"
        )
    known = {t.name: t for t in dumped_tables()}
    names = header.get("tables")
    if not isinstance(names, list) or not names:
        raise DumpError("line 1: the header lists no tables")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise DumpError(f"line 1: tables this store does not have: {', '.join(map(str, unknown))}")
    return [known[n] for n in names]


def non_empty_tables(session: Session) -> list[str]:
    """The tables of the store that hold at least one row."""
    return [
        t.name
        for t in Base.metadata.sorted_tables
        if session.execute(select(literal(1)).select_from(t).limit(1)).first() is not None
    ]


class _Loader:
    """Rows of one table at a time, inserted in batches; a refusal by the database names the lines."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.table: Table | None = None
        self.rows: list[dict[str, Any]] = []
        self.first_line = 0

    def add(self, table: Table, row: dict[str, Any], number: int) -> None:
        if table is not self.table or len(self.rows) >= BATCH:
            self.flush(number - 1)
            self.table, self.first_line = table, number
        self.rows.append(row)

    def flush(self, last_line: int) -> None:
        if not self.rows or self.table is None:
            return
        try:
            self.session.execute(self.table.insert(), self.rows)
        except DBAPIError as exc:
            raise DumpError(
                f"lines {self.first_line}-{last_line}: the store refused a row of {self.table.name}: "
                f"{str(exc.orig).strip()}"
            ) from exc
        self.rows = []


def import_store(session: Session, lines: Iterable[str]) -> DumpReport:
    """Load a file written by `export_store` into the empty, migrated store of `session`.

    Each row's hash, the table order and the end line are checked; a row that fails is reported with its
    line number. Nothing is committed here: the caller commits, or rolls back on DumpError."""
    numbered = enumerate(lines, start=1)
    first = next(numbered, None)
    if first is None or not first[1].strip():
        raise DumpError("line 1: the file is empty")
    tables = _check_header(_parse(first[1], 1), session)
    filled = non_empty_tables(session)
    if filled:
        raise DumpError(
            f"the store is not empty ({', '.join(filled)}): import into a new store, migrated with "
            "`sherloc db upgrade`"
        )
    order = {t.name: i for i, t in enumerate(tables)}
    readers = {t.name: {c.name: _reader(c) for c in t.columns} for t in tables}
    report = DumpReport(schema=head_revision(), rows={t.name: 0 for t in tables})
    total = hashlib.sha256()
    loader = _Loader(session)
    position, number, end = 0, 1, None
    for number, line in numbered:
        if not line.strip():
            continue
        data = _parse(line, number)
        if "end" in data:
            end = data
            break
        name, row, digest = data.get("table"), data.get("row"), data.get("sha256")
        if not isinstance(name, str) or not isinstance(row, dict) or not isinstance(digest, str):
            raise DumpError(f"line {number}: a row line needs a table, a row object and a sha256")
        if name not in order:
            raise DumpError(f"line {number}: table {name!r} is not in the header")
        if order[name] < position:
            raise DumpError(f"line {number}: a row of {name} after rows of {tables[position].name}")
        position = order[name]
        if row_hash(row) != digest:
            raise DumpError(f"line {number}: the {name} row does not match its sha256 (changed or damaged)")
        columns = readers[name]
        if row.keys() != columns.keys():
            missing, extra = sorted(columns.keys() - row.keys()), sorted(row.keys() - columns.keys())
            raise DumpError(f"line {number}: {name} row columns differ (missing {missing}, unknown {extra})")
        try:
            values = {k: None if v is None else columns[k](v) for k, v in row.items()}
        except (TypeError, ValueError, InvalidOperation) as exc:
            raise DumpError(f"line {number}: a value of {name} cannot be read: {exc}") from exc
        loader.add(tables[position], values, number)
        total.update(digest.encode("ascii") + b"\n")
        report.rows[name] += 1
    if end is None:
        raise DumpError(f"no end line after line {number}: the file is truncated")
    loader.flush(number - 1)
    for extra_number, line in numbered:
        if line.strip():
            raise DumpError(f"line {extra_number}: more after the end line")
    report.sha256 = total.hexdigest()
    if end.get("rows") != report.rows:
        raise DumpError(f"line {number}: the end line counts {end.get('rows')}, the file holds {report.rows}")
    if end.get("sha256") != report.sha256:
        raise DumpError(f"line {number}: the rows are not those the end line's sha256 was made over")
    _reset_sequences(session, tables)
    return report


def _reset_sequences(session: Session, tables: list[Table]) -> None:
    """On PostgreSQL, move each integer key's sequence past the largest key imported (rows inserted with
    their keys leave it at 1); SQLite takes the next rowid from the table itself."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        key = table.autoincrement_column
        if key is None or not isinstance(_base_type(key), Integer):
            continue
        largest = select(func.coalesce(func.max(key), 0)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(table.name, key.name)
        # setval(seq, n + 1, false): the next key is n + 1 (1 for an empty table).
        session.execute(select(func.setval(sequence, largest + 1, False)))
