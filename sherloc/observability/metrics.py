"""Prometheus metrics of the portal, made once per process, and their exposition for /metrics.

Under gunicorn several worker processes answer, each with its own counts: when PROMETHEUS_MULTIPROC_DIR
names a folder, prometheus_client's multiprocess mode keeps each process's values in files there and
/metrics adds them up (sherloc.gunicorn_conf creates and empties the folder at start). Without it, the
counts are this process's, in the default registry.

Each process's files are named after `process_identifier()`: host name and pid, not the pid alone, so a
`sherloc ingest` job in another container may write its ingest counters into the same (shared) folder
without taking over the files of a worker that happens to have the same pid.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, values
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from sherloc.search.base import SearchError, SearchUnavailable

if TYPE_CHECKING:
    from sherloc.ingest.pipeline import FileOutcome
    from sherloc.search.base import SearchBackend

log = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# Methods kept as they are in labels; any other (clients may send any token) is counted as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # the endpoint label of a request no route matched (a 404 or 405)
# Seconds: most pages take milliseconds, a heavy search or export seconds, gunicorn gives up at 60.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

_HOST = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"  # "_" separates file name parts


def process_identifier(pid: int | None = None) -> str:
    """This process's (or `pid`'s on this host) name in multiprocess files."""
    return f"{_HOST}-{os.getpid() if pid is None else pid}"


# Chosen when this module is first imported, before any metric is made; /metrics reads the same way.
MULTIPROCESS = bool(os.environ.get(MULTIPROCESS_ENV))
if MULTIPROCESS:
    values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier)

http_requests = Counter(
    "sherloc_http_requests",
    "HTTP requests answered, by method, endpoint (the route's name; 'unmatched' when none) and status.",
    ["method", "endpoint", "status"],
)
http_request_duration = Histogram(
    "sherloc_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and endpoint.",
    ["method", "endpoint"],
    buckets=LATENCY_BUCKETS,
)
search_duration = Histogram(
    "sherloc_search_duration_seconds",
    "Time the search backend took to answer a search, by backend.",
    ["backend"],
    buckets=LATENCY_BUCKETS,
)
search_errors = Counter(
    "sherloc_search_errors",
    "Searches the backend failed, by backend and kind (unavailable, failed, unexpected).",
    ["backend", "kind"],
)
ingest_files = Counter(
    "sherloc_ingest_files",
    "Source files ingested by this server's processes (and `sherloc ingest` jobs writing to the same "
    "PROMETHEUS_MULTIPROC_DIR), by outcome: new, updated, unchanged, skipped, failed.",
    ["outcome"],
)
ingest_records = Counter(
    "sherloc_ingest_records",
    "Records in the source files ingested, by their file's outcome.",
    ["outcome"],
)


def observe_request(method: str, endpoint: str | None, status: int, seconds: float | None) -> None:
    """Count one answered request; `endpoint` None for a request no route matched."""
    method = method if method in METHODS else "other"
    endpoint = endpoint or UNMATCHED
    http_requests.labels(method, endpoint, str(status)).inc()
    if seconds is not None:
        http_request_duration.labels(method, endpoint).observe(seconds)


def backend_label(backend: SearchBackend) -> str:
    """The label of a backend, "embedded" or "elastic": its class name without "Backend", lower case."""
    return type(backend).__name__.removesuffix("Backend").lower() or "unknown"


@contextmanager
def timed_search(backend: SearchBackend) -> Iterator[None]:
    """Time the backend's answer to one search; count a failure by its kind instead."""
    label = backend_label(backend)
    started = time.perf_counter()
    try:
        yield
    except SearchUnavailable:
        _count_search_error(label, "unavailable")
        raise
    except SearchError:
        _count_search_error(label, "failed")
        raise
    except Exception:
        _count_search_error(label, "unexpected")
        raise
    _record(lambda: search_duration.labels(label).observe(time.perf_counter() - started))


def _count_search_error(label: str, kind: str) -> None:
    _record(lambda: search_errors.labels(label, kind).inc())


def count_ingested_file(outcome: FileOutcome) -> None:
    """Count one file of an ingest and its records. Never raises: an ingest does not fail for a metric."""

    def count() -> None:
        ingest_files.labels(outcome.status).inc()
        if outcome.records:
            ingest_records.labels(outcome.status).inc(outcome.records)

    _record(count)


def _record(write: Callable[[], None]) -> None:
    # In multiprocess mode a value is a write to a file; a missing or full folder must not fail the work.
    try:
        write()
    except OSError:
        log.warning("cannot record a metric in %s", os.environ.get(MULTIPROCESS_ENV), exc_info=True)


def exposition() -> bytes:
    """The metrics in the Prometheus text format (CONTENT_TYPE): all processes' sums in multiprocess mode."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
