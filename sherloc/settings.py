"""One settings object, read from the environment; every key is documented here with its default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Portal settings. Each field is read from the environment variable `SHERLOC_<NAME>` (upper case).

    data_dir         SHERLOC_DATA_DIR        Where the SQLite store and the embedded search index live.
                                             Default: ./var (relative to the working directory).
    database_url     SHERLOC_DATABASE_URL    SQLAlchemy URL of the record store. Default:
                                             sqlite:///<data_dir>/sherloc.db. PostgreSQL:
                                             postgresql+psycopg://user:pass@host/db
    search_backend   SHERLOC_SEARCH_BACKEND  "embedded" (tantivy, no server; default) or "elasticsearch".
    es_url           SHERLOC_ES_URL          Elasticsearch URL, used when search_backend is elasticsearch;
                                             several nodes of a cluster separated by commas
                                             (http://es01:9200,http://es02:9200). Credentials may be in
                                             the URL (http://user:password@host:9200). Default: empty.
    es_index_prefix  SHERLOC_ES_INDEX_PREFIX Prefix of Elasticsearch index names and alias. Default: sherloc.
    es_shards        SHERLOC_ES_SHARDS       Primary shards of each index a rebuild creates. Default: 1 (exact
                                             term statistics; one shard holds tens of GB, far more than
                                             the shared corpora's 100x, see docs/deploy.md).
    es_replicas      SHERLOC_ES_REPLICAS     Replicas of each shard. Default: -1, "0-1" auto-expanded (none
                                             on one node, one when a second node joins). A cluster of N
                                             data nodes: N-1 puts a copy on every node.
    es_ca_certs      SHERLOC_ES_CA_CERTS     CA certificate file (PEM) to verify an https:// Elasticsearch
                                             server against. Default: empty (the system's CAs).
    vocab_dir        SHERLOC_VOCAB_DIR       Folder of vocabulary data. Default: <repo>/corpus/vocab.
    secret_key       SHERLOC_SECRET_KEY      Flask secret key: signs the session cookie and CSRF tokens.
                                             Default: none, and the app refuses to start without one (a
                                             key made up per process would differ between gunicorn
                                             workers and log everyone out on restart). `sherloc up` and
                                             `sherloc serve --dev`, the local commands, make one on first
                                             run and keep it in <data_dir>/secret_key. Production: set
                                             32+ random bytes, e.g. `python -c 'import secrets;
                                             print(secrets.token_hex(32))'`.
    max_page_size    SHERLOC_MAX_PAGE_SIZE   Largest page of search results the API returns. Default: 100.
    session_cookie_secure  SHERLOC_SESSION_COOKIE_SECURE
                                             Mark the session cookie Secure (sent over HTTPS only).
                                             Default: true, under `sherloc up` too: Chromium and Firefox
                                             treat http://127.0.0.1 and http://localhost as secure and
                                             keep Secure cookies there. Set false only to log in over
                                             plain http on another host (a test machine on a LAN) or
                                             from a browser that refuses them on localhost (Safari).
                                             The cookie is always HttpOnly and SameSite=Lax.
    session_hours    SHERLOC_SESSION_HOURS   How long a login lasts before logging in again. The login
                                             is kept in the store (user_sessions), so logging out, an
                                             administrator's password reset or deactivation ends it
                                             on the server. Default: 12.
    login_max_failures  SHERLOC_LOGIN_MAX_FAILURES
                                             Failed logins in a row that lock an account. Default: 5.
    login_lock_minutes  SHERLOC_LOGIN_LOCK_MINUTES
                                             How long a locked account stays locked (`sherloc users
                                             unlock EMAIL` ends it sooner). Default: 15.
    usage_flush_seconds  SHERLOC_USAGE_FLUSH_SECONDS
                                             Usage figures (page views, searches): each process keeps
                                             its counts in memory and writes them in one transaction
                                             once they have waited this long (after the answer that
                                             finds them due is sent) and at exit, so busy pages do not
                                             write the store on every request. 0 writes each count at
                                             once. Default: 5.
    mla_acknowledgement_days  SHERLOC_MLA_ACKNOWLEDGEMENT_DAYS
                                             The register of requests for mutual legal assistance
                                             reminds of an outgoing request sent this many days ago
                                             and not yet acknowledged (a request past its due date
                                             is always reminded of). Default: 30.
    log_format       SHERLOC_LOG_FORMAT      "text" (default): one readable line per record; "json": one JSON
                                             object per line (ts, level, logger, message, pid, request_id,
                                             and for request lines method, path, query_length, status,
                                             duration_ms, endpoint), for a log collector. Used by
                                             sherloc.gunicorn_conf (sherloc serve).
    log_level        SHERLOC_LOG_LEVEL       Lowest level logged: DEBUG, INFO (default), WARNING, ERROR or
                                             CRITICAL. Each request is logged at INFO; probes of /healthz,
                                             /readyz and /metrics at DEBUG.
    metrics_token    SHERLOC_METRICS_TOKEN   When set (16+ characters), /metrics answers requests carrying
                                             `Authorization: Bearer <token>` only, from anywhere. Default:
                                             empty, and /metrics answers only requests from the same host
                                             (127.0.0.1 or ::1) that no proxy forwarded (no
                                             X-Forwarded-For or Forwarded header); others get 404.
    listen           SHERLOC_LISTEN          host:port gunicorn listens on under sherloc.gunicorn_conf
                                             (`sherloc serve --host/--port` and gunicorn's own --bind
                                             take precedence). Default: 127.0.0.1:8000.
    workers          SHERLOC_WORKERS         gunicorn worker processes. Default: 0, one per CPU core
                                             (search is CPU-bound: see `sherloc serve`).
    threads          SHERLOC_THREADS         Threads per worker; more than 1 selects gthread workers, for
                                             slow clients without a buffering proxy. Default: 1 (sync).
    proxy_count      SHERLOC_PROXY_COUNT     Reverse proxies in front of the portal that set X-Forwarded-For
                                             and X-Forwarded-Proto (nginx, a load balancer). Only that
                                             many hops are believed, so a client cannot pick its own
                                             address. Default: 0, the connection's address is the
                                             client's. Behind one proxy: 1.
    rate_limits      SHERLOC_RATE_LIMITS     Per-client rate limits on search and login (HTTP 429 with
                                             Retry-After). Default: on. "off" only for load tests.
    rate_limit_search  SHERLOC_RATE_LIMIT_SEARCH
                                             Searches per client address (pages, API, facets, export, map).
                                             One rate, "<count>/<second|minute|hour|day>", or per
                                             several: "600/10 minutes". Default: 120/minute.
    rate_limit_login  SHERLOC_RATE_LIMIT_LOGIN
                                             Login attempts (form posts) per client address, on top of the
                                             lock of an account after SHERLOC_LOGIN_MAX_FAILURES.
                                             Default: 10/minute.
    rate_limit_storage  SHERLOC_RATE_LIMIT_STORAGE
                                             Where the counts are kept. Default: memory:// (each process
                                             counts alone, so with N workers a client may get up to N
                                             times the limit). Several workers or hosts counting
                                             together: redis://host:6379 (pip install redis).
    """

    data_dir: Path = field(default_factory=lambda: Path("var").resolve())
    database_url: str = ""
    search_backend: str = "embedded"
    es_url: str = ""
    es_index_prefix: str = "sherloc"
    es_shards: int = 1
    es_replicas: int = -1
    es_ca_certs: str = ""
    vocab_dir: Path = REPO_ROOT / "corpus" / "vocab"
    secret_key: str = ""
    max_page_size: int = 100
    session_cookie_secure: bool = True
    session_hours: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    usage_flush_seconds: int = 5
    mla_acknowledgement_days: int = 30
    log_format: str = "text"
    log_level: str = "INFO"
    metrics_token: str = ""
    listen: str = "127.0.0.1:8000"
    workers: int = 0
    threads: int = 1
    proxy_count: int = 0
    rate_limits: bool = True
    rate_limit_search: str = "120/minute"
    rate_limit_login: str = "10/minute"
    rate_limit_storage: str = "memory://"

    def __post_init__(self) -> None:
        for name in ("data_dir", "vocab_dir"):  # a str from a config mapping works like a Path
            object.__setattr__(self, name, Path(getattr(self, name)).resolve())
        if self.search_backend not in ("embedded", "elasticsearch"):
            raise ValueError(
                f"SHERLOC_SEARCH_BACKEND must be 'embedded' or 'elasticsearch', not {self.search_backend!r}"
            )
        for name in ("session_hours", "login_max_failures", "login_lock_minutes", "mla_acknowledgement_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"SHERLOC_{name.upper()} must be at least 1, not {getattr(self, name)}")
        if self.usage_flush_seconds < 0:
            raise ValueError(f"SHERLOC_USAGE_FLUSH_SECONDS must be 0 or more, not {self.usage_flush_seconds}")
        if self.es_shards < 1 or self.es_replicas < -1:
            raise ValueError(
                "SHERLOC_ES_SHARDS must be at least 1 and SHERLOC_ES_REPLICAS 0 or more (-1: auto), not "
                f"{self.es_shards} and {self.es_replicas}"
            )
        if self.log_format not in ("text", "json"):
            raise ValueError(f"SHERLOC_LOG_FORMAT must be 'text' or 'json', not {self.log_format!r}")
        object.__setattr__(self, "log_level", self.log_level.strip().upper())
        if self.log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(
                f"SHERLOC_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {self.log_level!r}"
            )
        if self.metrics_token and len(self.metrics_token) < 16:
            raise ValueError("SHERLOC_METRICS_TOKEN must be at least 16 characters long")
        if self.workers < 0:
            raise ValueError(f"SHERLOC_WORKERS must be 0 (one per core) or more, not {self.workers}")
        if self.threads < 1:
            raise ValueError(f"SHERLOC_THREADS must be at least 1, not {self.threads}")
        if self.proxy_count < 0:
            raise ValueError(f"SHERLOC_PROXY_COUNT must be 0 or more, not {self.proxy_count}")
        for name in ("rate_limit_search", "rate_limit_login"):
            _check_rate_limit(name, getattr(self, name))
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.data_dir / 'sherloc.db'}")

    @property
    def index_dir(self) -> Path:
        """Folder of the embedded search index (one sub-folder per build, see search.embedded)."""
        return self.data_dir / "index"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `SHERLOC_*` variables, then apply keyword overrides (used by tests)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"SHERLOC_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            if f.name in ("data_dir", "vocab_dir"):
                values[f.name] = Path(raw).resolve()
            elif f.type == "int":
                values[f.name] = int(raw)
            elif f.type == "bool":
                values[f.name] = _boolean(f.name, raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)


def local_secret_key(data_dir: Path) -> str:
    """The secret key of a local portal, made on first use and kept in <data_dir>/secret_key (0600)."""
    import secrets

    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"secret_key.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # atomic, and fails if another process got there first: one key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def _boolean(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"SHERLOC_{name.upper()} must be true or false, not {raw!r}")


def _check_rate_limit(name: str, value: str) -> None:
    from limits import parse_many

    try:
        if len(parse_many(value)) != 1:
            raise ValueError(value)
    except ValueError:
        raise ValueError(
            f"SHERLOC_{name.upper()} must be one rate such as 120/minute or 600/10 minutes, not {value!r}"
        ) from None
