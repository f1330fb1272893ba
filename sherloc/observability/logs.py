"""Log records as text lines or as one JSON object per line, configured once per process."""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from typing import Any

from flask import g, has_request_context

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"

# Attributes every LogRecord has: anything else on a record came from `extra=` and goes into the JSON.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}

_configured = False


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts (ISO 8601, UTC), level, logger, message, pid, the request id when
    logged while answering a request, the record's `extra` fields, and `exc` with the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        created = dt.datetime.fromtimestamp(record.created, dt.UTC)
        out: dict[str, Any] = {
            "ts": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                out[key] = value
        if "request_id" not in out and has_request_context() and "request_id" in g:
            out["request_id"] = g.request_id
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def logging_config(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """A logging.config.dictConfig dictionary: every record to stderr, as text or JSON, from `level` up.

    Also gunicorn's `logconfig_dict` (sherloc.gunicorn_conf): its error log goes through the same handler,
    and its access log is silenced, since the app logs each request itself (sherloc.web.health) with the
    path but not the query string (searches can be personal) and with the request id.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,  # loggers made at import (log = getLogger(__name__)) keep working
        "formatters": {"sherloc": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "sherloc",
                "stream": "ext://sys.stderr",
            },
            "null": {"class": "logging.NullHandler"},
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": ["null"], "propagate": False},
            # The store's migration check at start: alembic's plugin set-up is noise in a server's log.
            "alembic": {"level": "WARNING", "handlers": [], "propagate": True},
        },
    }


def configure_logging(log_format: str = "text", level: str = "INFO") -> None:
    """Configure this process's logging (once; later calls change nothing). For entry points that do not
    go through gunicorn_conf, such as `sherloc serve --dev`."""
    global _configured
    if _configured:
        return
    logging.config.dictConfig(logging_config(log_format, level))
    _configured = True
