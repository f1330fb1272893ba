"""Readiness: whether this process can answer searches and pages, i.e. its store answers and its search
index is current. Each check runs in a helper thread so that a hung server costs the probe at most
`timeout` seconds; while one run of a check is still hanging, later probes wait on it instead of piling up
more threads."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from sherloc.search.base import SearchBackend, SearchError

log = logging.getLogger(__name__)

READY_TIMEOUT = 3.0  # seconds a probe waits for all checks; probes are usually made every 5-10 s

# Failure reasons are shown to anyone who asks /readyz: short, with no address, credential or traceback.
SEARCH_STATES = {
    "missing": "the search index has not been built yet (sherloc index rebuild)",
    "outdated": "the search index was built by another version (sherloc index rebuild)",
}


@dataclass
class CheckRun:
    done: threading.Event = field(default_factory=threading.Event)
    failure: str | None = None  # None: passed


class Check:
    """One dependency check: `probe` returns None when it passes, else a safe reason, or raises."""

    def __init__(self, name: str, probe: Callable[[], str | None]) -> None:
        self.name = name
        self._probe = probe
        self._lock = threading.Lock()
        self._last: CheckRun | None = None

    def start(self) -> CheckRun:
        """A new run, or the one still in progress."""
        with self._lock:
            if self._last is None or self._last.done.is_set():
                self._last = CheckRun()
                thread = threading.Thread(
                    target=self._work, args=(self._last,), name=f"ready-{self.name}", daemon=True
                )
                thread.start()
            return self._last

    def _work(self, run: CheckRun) -> None:
        try:
            run.failure = self._probe()
        except Exception as exc:  # reported as not ready: never raised in the helper thread
            log.warning("readiness check %s failed: %r", self.name, exc)
            run.failure = safe_reason(exc)
        finally:
            run.done.set()


def safe_reason(exc: Exception) -> str:
    if isinstance(exc, SearchError):
        return str(exc)  # written to be shown (see sherloc.search.base)
    if isinstance(exc, SQLAlchemyError):
        # The driver's message can name the server, the user or the file: only the kind of error is shown.
        return f"the store does not answer ({type(exc).__name__})"
    return f"check failed ({type(exc).__name__})"


def store_probe(engine: Engine) -> Callable[[], str | None]:
    def probe() -> str | None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None

    return probe


def search_probe(backend: SearchBackend) -> Callable[[], str | None]:
    def probe() -> str | None:
        state = backend.state()
        return None if state == "current" else SEARCH_STATES.get(state, f"the search index is {state}")

    return probe


class Readiness:
    """The checks of one app: the store and the search backend."""

    def __init__(self, engine: Engine, backend: SearchBackend, timeout: float = READY_TIMEOUT) -> None:
        self.timeout = timeout
        self.checks = [Check("store", store_probe(engine)), Check("search", search_probe(backend))]

    def run(self) -> dict[str, str | None]:
        """Check name -> None when it passed, or why it did not. The checks run at the same time."""
        runs = {check.name: check.start() for check in self.checks}
        deadline = time.monotonic() + self.timeout
        results: dict[str, str | None] = {}
        for name, run in runs.items():
            if run.done.wait(max(0.0, deadline - time.monotonic())):
                results[name] = run.failure
            else:
                log.warning("readiness check %s has not answered within %g s", name, self.timeout)
                results[name] = f"no answer within {self.timeout:g} s"
        return results
