"""Engine and session factory for the record store, and schema migrations through Alembic."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


SQLITE_BUSY_SECONDS = 30  # how long a write waits for another writer's transaction (an ingest's file)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout so readers never block (a
    `?timeout=` in the URL sets another). Connections are pinged before use, so connections the server
    dropped (a restart, pg_terminate_backend, an idle timeout) are replaced rather than failing a request."""
    if url.startswith("sqlite"):
        parsed = make_url(url)
        path = parsed.database or ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if "timeout" not in parsed.query:
            kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS})
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # Let SQLAlchemy issue BEGIN itself: Python's sqlite3 would otherwise commit before DDL, so a
            # migration killed half-way would leave tables without Alembic's stamp.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

    return engine


class StoreUnavailable(Exception):
    """The store cannot be used now: its server is down or dropped the connection, its file is locked
    longer than the busy timeout, or its disk is full. The message is safe to show (no address, user,
    password or file name)."""


# What the drivers say, to what it means (sqlite3's messages, PostgreSQL's SQLSTATE classes).
_DISK_FULL = ("disk is full", "no space left", "file too large", "could not extend file")
_LOCKED = ("database is locked", "database table is locked")


# SQLite result codes that mean "not now" rather than "wrong": busy or locked, cannot open, read-only,
# full, I/O error (sqlite3 names them in sqlite_errorname, extended codes included: SQLITE_IOERR_WRITE).
_SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_FULL")
# PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P operator intervention
# (admin shutdown, crash shutdown, cannot connect now), 58 system error (I/O).
_PG_UNAVAILABLE = ("08", "53", "57P", "58")


def store_unavailable(exc: BaseException) -> StoreUnavailable | None:
    """What `exc`, raised while using the store, means for whoever asked, or None when it is not the
    store being unavailable (a bug, a missing migration, a constraint, a bad query). For error handlers
    and the ingest."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return None
    orig = getattr(exc, "orig", None)
    message = str(orig or exc).lower()
    sqlstate = getattr(orig, "sqlstate", None) or ""
    sqlite_error = getattr(orig, "sqlite_errorname", None) or ""
    if sqlstate.startswith("53") or any(words in message for words in _DISK_FULL):
        # 53100 disk_full, 53200 out_of_memory, 53300 too_many_connections: the server lacks resources.
        if sqlstate == "53300":
            return StoreUnavailable("the store's server has too many connections; try again shortly")
        return StoreUnavailable("the store cannot write: the disk holding it is full (no space left)")
    if sqlite_error.startswith("SQLITE_IOERR"):
        # sqlite3 does not say which errno: a write past RLIMIT_FSIZE (EFBIG) or a failing disk
        return StoreUnavailable("the store cannot write to its disk: it is full, or failing (disk I/O error)")
    if any(words in message for words in _LOCKED):
        return StoreUnavailable("the store is locked by another process (an ingest?); try again shortly")
    if sqlite_error.startswith(_SQLITE_UNAVAILABLE) or sqlstate.startswith(_PG_UNAVAILABLE):
        return StoreUnavailable("the store does not answer (its server is down or dropped the connection)")
    if not sqlstate and not sqlite_error and (isinstance(exc, InterfaceError) or _connection_lost(message)):
        # psycopg raises OperationalError without a SQLSTATE when it cannot connect or the server went
        return StoreUnavailable("the store does not answer (its server is down or dropped the connection)")
    return None


def _connection_lost(message: str) -> bool:
    return any(
        words in message
        for words in ("connection", "server closed", "could not connect", "terminating", "timeout expired")
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration: the package's migrations, run on `engine` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def migrations() -> ScriptDirectory:
    """The package's migration scripts."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The schema revision this version of sherloc migrates a store to."""
    head = migrations().get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise RuntimeError(f"no schema migrations in {MIGRATIONS_DIR}")
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to `revision` (the latest by default)."""
    command.upgrade(alembic_config(engine), revision)


def is_current(engine: Engine) -> bool:
    """True when the store has been migrated at least once (the records table exists)."""
    return inspect(engine).has_table("records")


IN_CHUNK = 500  # values per SQL IN (...): under SQLite's variable limit, few round trips
_T = TypeVar("_T")


def chunks(values: Sequence[_T], size: int = IN_CHUNK) -> Iterator[Sequence[_T]]:
    """`values` in slices of `size`, for IN lists and batches."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
