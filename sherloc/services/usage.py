"""Usage figures: page views and searches counted per day, page kind and country of the record viewed.

Nothing about a visitor is counted or kept: a count is (day, event, page kind, country) -> number. Counts
are added with one upsert per batch (INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL), so
processes counting at once add up instead of overwriting each other. A UsageCounter keeps a process's
counts in memory and writes them in one transaction every few seconds; it never raises: a failure to
count is logged, and the page is served all the same.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from sherloc.models.usage import UsageCount

log = logging.getLogger(__name__)

VIEW, SEARCH = "view", "search"
EVENTS = (VIEW, SEARCH)
MAX_KIND_LENGTH = 32  # usage_counts.page_kind
OTHER_KIND = "other"
_KIND = re.compile(r"[^a-z0-9_]+")
_COUNTRY = re.compile(r"[A-Z]{2}")

# (day, event, page kind, country): the whole of what is known about a page view.
UsageKey = tuple[dt.date, str, str, str]


def today() -> dt.date:
    """Counts are kept per UTC day, the same day for every process whatever its time zone."""
    return dt.datetime.now(dt.UTC).date()


def usage_key(event: str, page_kind: str, country: str | None = None, day: dt.date | None = None) -> UsageKey:
    """The key a view is counted under; a kind is cut to fit and a country other than two letters is ""."""
    if event not in EVENTS:
        raise ValueError(f"unknown usage event {event!r}: one of {', '.join(EVENTS)}")
    kind = _KIND.sub("_", page_kind.lower()).strip("_")[:MAX_KIND_LENGTH] or OTHER_KIND
    code = (country or "").upper()
    return (day or today(), event, kind, code if _COUNTRY.fullmatch(code) else "")


# -- writing ----------------------------------------------------------------------------------------------


def add_counts(session: Session, counts: Mapping[UsageKey, int]) -> None:
    """Add `counts` to the stored ones (rows are created as needed). The caller commits."""
    rows = [
        {"day": day, "event": event, "page_kind": kind, "country": country, "count": n}
        for (day, event, kind, country), n in sorted(counts.items())  # one order: no deadlock between writers
        if n
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        session.execute(upsert(dialect), rows)  # one statement, compiled once, run for every row
    else:
        _add_one_by_one(session, rows)


def upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (the key) DO UPDATE SET count = count + the new count."""
    insert: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(UsageCount)
    return statement.on_conflict_do_update(
        index_elements=["day", "event", "page_kind", "country"],
        set_={"count": UsageCount.count + statement.excluded["count"]},
    )


def _add_one_by_one(session: Session, rows: list[dict[str, Any]]) -> None:
    """Other databases: an update, else an insert (not safe against a concurrent first count of a key)."""
    for row in rows:
        found = session.execute(
            update(UsageCount)
            .where(
                UsageCount.day == row["day"],
                UsageCount.event == row["event"],
                UsageCount.page_kind == row["page_kind"],
                UsageCount.country == row["country"],
            )
            .values(count=UsageCount.count + row["count"])
        )
        if not getattr(found, "rowcount", 0):
            session.add(UsageCount(**row))
    session.flush()


class UsageCounter:
    """A process's counter. With `flush_seconds` 0 every count is written at once; otherwise counts wait
    in memory and `flush()` writes them in one transaction (the web layer calls it once they are
    `due()`, and at process exit). Safe to use from several threads."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        flush_seconds: float = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.flush_seconds = flush_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: Counter[UsageKey] = Counter()
        self._last_flush = clock()
        self._flush_at_exit = False

    def count(self, event: str, page_kind: str, country: str | None = None) -> None:
        """Count one event. Never raises: a failure is logged."""
        try:
            key = usage_key(event, page_kind, country)
            if self.flush_seconds <= 0:
                self._write({key: 1})
                return
            with self._lock:
                self._pending[key] += 1
                if not self._flush_at_exit:
                    self._flush_at_exit = True
                    # A weak reference: an app thrown away (in tests) is not kept alive until exit.
                    atexit.register(_flush_if_alive, weakref.ref(self))
        except Exception:
            log.exception("could not count a %s of %s", event, page_kind)

    @property
    def pending(self) -> int:
        """Events counted but not yet written."""
        with self._lock:
            return sum(self._pending.values())

    def due(self) -> bool:
        """Whether counts have waited `flush_seconds` or more since the last flush."""
        return bool(self._pending) and self._clock() - self._last_flush >= self.flush_seconds

    def flush(self) -> int:
        """Write the pending counts in one transaction; the number of events written. Never raises: on
        failure the counts are kept for the next flush."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = self._clock()
        if not pending:
            return 0
        if not self._write(pending):
            with self._lock:
                self._pending.update(pending)
            return 0
        return sum(pending.values())

    def _write(self, counts: Mapping[UsageKey, int]) -> bool:
        try:
            with self.sessions() as session, session.begin():
                add_counts(session, counts)
        except Exception:  # counting must never break a page: the store may be down or locked
            log.exception("could not write %s usage counts", sum(counts.values()))
            return False
        return True


def _flush_if_alive(ref: weakref.ref[UsageCounter]) -> None:
    counter = ref()
    if counter is not None:
        counter.flush()


# -- reading ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayFigures:
    day: dt.date
    views: int
    searches: int


@dataclass(frozen=True)
class KindFigures:
    page_kind: str
    views: int
    searches: int


@dataclass(frozen=True)
class CountryFigures:
    country: str
    views: int


@dataclass(frozen=True)
class UsageFigures:
    """Figures for the days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date
    views: int
    searches: int
    days: list[DayFigures]  # every day of the range, oldest first, with zeros
    page_kinds: list[KindFigures]  # most viewed first
    countries: list[CountryFigures]  # views of records of a country: the `top` most viewed
    countries_viewed: int  # how many countries had views, `top` or not
    views_without_country: int  # views of pages that show no one country (home, search ...)


def usage_figures(session: Session, start: dt.date, end: dt.date, top: int = 20) -> UsageFigures:
    """Totals per day and event, per page kind, and per country (the `top` ones) from `start` to `end`."""
    in_range = (UsageCount.day >= start, UsageCount.day <= end)
    total = func.sum(UsageCount.count)
    per_day: dict[dt.date, Counter[str]] = {}
    for day, event, n in session.execute(
        select(UsageCount.day, UsageCount.event, total)
        .where(*in_range)
        .group_by(UsageCount.day, UsageCount.event)
    ):
        per_day.setdefault(day, Counter())[event] += int(n)
    days = []
    day = start
    while day <= end:
        counts = per_day.get(day, Counter())
        days.append(DayFigures(day, counts[VIEW], counts[SEARCH]))
        day += dt.timedelta(days=1)

    per_kind: dict[str, Counter[str]] = {}
    for kind, event, n in session.execute(
        select(UsageCount.page_kind, UsageCount.event, total)
        .where(*in_range)
        .group_by(UsageCount.page_kind, UsageCount.event)
    ):
        per_kind.setdefault(kind, Counter())[event] += int(n)
    kinds = sorted(
        (KindFigures(kind, c[VIEW], c[SEARCH]) for kind, c in per_kind.items()),
        key=lambda k: (-k.views, -k.searches, k.page_kind),
    )

    per_country = {
        country: int(n)
        for country, n in session.execute(
            select(UsageCount.country, total)
            .where(*in_range, UsageCount.event == VIEW)
            .group_by(UsageCount.country)
        )
    }
    without_country = per_country.pop("", 0)
    countries = sorted(
        (CountryFigures(code, n) for code, n in per_country.items()), key=lambda c: (-c.views, c.country)
    )
    return UsageFigures(
        start=start,
        end=end,
        views=sum(d.views for d in days),
        searches=sum(d.searches for d in days),
        days=days,
        page_kinds=kinds,
        countries=countries[:top],
        countries_viewed=len(countries),
        views_without_country=without_country,
    )


def usage_rows(session: Session, start: dt.date, end: dt.date) -> Iterator[UsageCount]:
    """The stored counts from `start` to `end`, by day, event, page kind and country (for a download)."""
    yield from session.scalars(
        select(UsageCount)
        .where(UsageCount.day >= start, UsageCount.day <= end)
        .order_by(UsageCount.day, UsageCount.event, UsageCount.page_kind, UsageCount.country)
    )
