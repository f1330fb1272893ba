"""gunicorn's settings for the portal: `gunicorn -c python:sherloc.gunicorn_conf 'sherloc.app:create_app()'`
(what `sherloc serve` runs). Values come from the SHERLOC_* settings (sherloc.settings); options given on
gunicorn's command line take precedence over this file.

Every module-level name without a leading underscore is read by gunicorn as a setting of that name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sherloc.observability.logs import logging_config
from sherloc.settings import Settings

_settings = Settings.from_env()

bind = [_settings.listen]
# Search is CPU-bound: one sync worker per core serves the most requests (see `_serve` in sherloc/cli.py for
# the figures). Behind a buffering proxy slow clients do not hold a sync worker; without one, threads > 1
# gives gthread workers.
workers = _settings.workers or os.cpu_count() or 1
threads = _settings.threads
worker_class = "gthread" if threads > 1 else "sync"
timeout = 60  # a worker silent this long is killed and replaced (the slowest exports take seconds)
graceful_timeout = 30  # on SIGTERM or a restart, requests in flight get this long to finish
keepalive = 5
# A request line of up to 8190 bytes (gunicorn's default is 4094): a search of the query language's 1,000
# characters in Chinese is 9 bytes a character once percent-encoded; 8190 fits about 900 of them. Longer
# lines are a 400 from gunicorn before the app sees them (0 would lift the limit, and with it the bound).
limit_request_line = 8190
# gunicorn 26's control socket (`gunicornc`) is not used; it would be made under the home folder, which
# the container's user cannot write.
control_socket_disable = True
# Workers are not recycled after a number of requests (gunicorn's max_requests stays 0): each worker that
# ends leaves its metrics files behind (its counters must keep counting in the totals), and /metrics reads
# every file at every scrape, so recycling every few thousand requests would pile up thousands of files a
# day. Memory stays flat without it (benchmarks/scale.py measures a worker's memory after warm-up).
max_requests = 0
_SHARED_MEMORY = "/dev/shm"  # noqa: S108 (gunicorn makes its files there with mkstemp and unlinks them)
if Path(_SHARED_MEMORY).is_dir():
    worker_tmp_dir = _SHARED_MEMORY  # heartbeat files in memory, not on a container's overlay disk

# Logs: gunicorn's error log and the app's records through one handler, as text or JSON
# (SHERLOC_LOG_FORMAT). gunicorn's access log is off: the app logs each request itself
# (sherloc.web.health) with the path but not the query string, the duration and the request id.
accesslog = None
errorlog = "-"
loglevel = _settings.log_level.lower()
logconfig_dict = logging_config(_settings.log_format, _settings.log_level)

_MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_made_metrics_dir: list[str] = []  # the folder on_starting made, removed on_exit


def on_starting(server: Any) -> None:
    """Before the workers start: an empty folder for the workers' metrics (prometheus_client multiprocess
    mode). PROMETHEUS_MULTIPROC_DIR when set (its *.db files, left by a previous run, are removed), else a
    temporary folder, so that /metrics adds up all workers whatever the environment."""
    path = os.environ.get(_MULTIPROCESS_ENV)
    if not path:
        path = tempfile.mkdtemp(prefix="sherloc-metrics-")
        _made_metrics_dir.append(path)
        os.environ[_MULTIPROCESS_ENV] = path  # the workers inherit it; they import prometheus_client later
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)
    server.log.info("workers pool their metrics in %s", folder)


def child_exit(server: Any, worker: Any) -> None:
    """A worker has exited: its live gauges are dropped (its counters stay, so totals never go down)."""
    from prometheus_client import multiprocess

    from sherloc.observability.metrics import process_identifier

    multiprocess.mark_process_dead(process_identifier(worker.pid))


def on_exit(server: Any) -> None:
    for path in _made_metrics_dir:
        shutil.rmtree(path, ignore_errors=True)
