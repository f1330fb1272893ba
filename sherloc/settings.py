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
    es_url           SHERLOC_ES_URL          Elasticsearch URL, used when search_backend is elasticsearch.
                                             Default: empty (not configured).
    es_index_prefix  SHERLOC_ES_INDEX_PREFIX Prefix of Elasticsearch index names and alias. Default: sherloc.
    vocab_dir        SHERLOC_VOCAB_DIR       Folder of vocabulary data. Default: <repo>/corpus/vocab.
    secret_key       SHERLOC_SECRET_KEY      Flask secret key for sessions. Default: a random key per
                                             process start (set it in production so sessions survive).
    max_page_size    SHERLOC_MAX_PAGE_SIZE   Largest page of search results the API returns. Default: 100.
    """

    data_dir: Path = field(default_factory=lambda: Path("var").resolve())
    database_url: str = ""
    search_backend: str = "embedded"
    es_url: str = ""
    es_index_prefix: str = "sherloc"
    vocab_dir: Path = REPO_ROOT / "corpus" / "vocab"
    secret_key: str = field(default_factory=lambda: os.urandom(32).hex())
    max_page_size: int = 100

    def __post_init__(self) -> None:
        for name in ("data_dir", "vocab_dir"):  # a str from a config mapping works like a Path
            object.__setattr__(self, name, Path(getattr(self, name)).resolve())
        if self.search_backend not in ("embedded", "elasticsearch"):
            raise ValueError(
                f"SHERLOC_SEARCH_BACKEND must be 'embedded' or 'elasticsearch', not {self.search_backend!r}"
            )
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
            elif f.name == "max_page_size":
                values[f.name] = int(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)
