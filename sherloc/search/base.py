"""The search backend protocol and its neutral request and result types (no engine DSL here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sherloc.search.query import Node

# Keyword fields a request may filter on (from facets or `field:value` in the query).
FILTER_FIELDS = (
    "id",
    "kind",
    "country",
    "region",
    "language",
    "crime_type",
    "instrument_article",
    "cross_cutting",
    "court",
    "year",
    "parent_id",
    "status",
)

# Facets: declared once, with the order they appear in; labels live in sherloc.vocab / translations.
FACETS = ("country", "language", "kind", "crime_type", "instrument_article", "cross_cutting", "year")

SORTS = ("relevance", "date_desc", "date_asc")

# Offset paging stops here; deeper pages go by cursor (see the search issue).
MAX_RESULT_WINDOW = 10_000


def keyword_value(field: str, value: str | None) -> str | None:
    """The canonical form of a keyword value, the same when indexing and when filtering."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if field == "country":
        return value.upper()
    if field in ("region",):
        return value.upper()
    if field in ("language", "kind", "crime_type", "cross_cutting", "status"):
        return value.lower()
    if field == "number":
        return value.replace(" ", "").lower()
    return value


class SearchError(Exception):
    """The engine failed; the message is safe to show."""


class SearchUnavailable(SearchError):
    """The engine cannot be reached or has no index yet."""


@dataclass(frozen=True)
class IndexDocument:
    """A record flattened for indexing. Built from the store by sherloc.search.indexer."""

    id: str
    kind: str
    title: str
    text: str = ""
    language: str | None = None
    country: str | None = None
    region: str | None = None
    parent_id: str | None = None
    parent_title: str | None = None
    label: str | None = None
    number: str | None = None
    heading: str | None = None
    path: tuple[str, ...] = ()
    date: dt.date | None = None
    status: str | None = None
    court: str | None = None
    position: int = 0
    crime_type: tuple[str, ...] = ()
    instrument_article: tuple[str, ...] = ()
    cross_cutting: tuple[str, ...] = ()

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None


@dataclass(frozen=True)
class SearchRequest:
    """What to search for. `filters` are facet selections: OR within one field, AND across fields."""

    query: Node | None = None
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    highlight: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FILTER_FIELDS)
        if unknown:
            raise ValueError(f"unknown filter field(s): {', '.join(sorted(unknown))}")
        if set(self.facets) - set(FACETS):
            raise ValueError(f"unknown facet(s): {', '.join(sorted(set(self.facets) - set(FACETS)))}")
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}; choose one of {', '.join(SORTS)}")
        if self.page < 1 or self.page_size < 1:
            raise ValueError("page and page_size start at 1")
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise ValueError(f"results beyond the first {MAX_RESULT_WINDOW} cannot be paged to")


@dataclass
class Hit:
    id: str
    kind: str
    score: float
    title: str
    country: str | None = None
    language: str | None = None
    parent_id: str | None = None
    parent_title: str | None = None
    label: str | None = None
    number: str | None = None
    heading: str | None = None
    date: dt.date | None = None
    snippet: str = ""  # HTML: text escaped, matches wrapped in <mark>
    tags: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FacetBucket:
    value: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] = field(default_factory=dict)


IndexState = Literal["current", "missing", "outdated"]


class SearchBackend(Protocol):
    """What every engine offers. One test suite (tests/backend_suite.py) runs on each."""

    def search(self, request: SearchRequest) -> SearchResult: ...

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        """Add or replace documents by id; visible to searches when this returns."""
        ...

    def delete(self, ids: Iterable[str]) -> int: ...

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Build a new index from `documents` and switch searches to it only once it is complete."""
        ...

    def count(self) -> int: ...

    def state(self) -> IndexState:
        """ "current", "missing" (never built) or "outdated" (built by a version with another schema or
        analysis table: searches and syncs refuse it until `sherloc index rebuild`)."""
        ...

    def close(self) -> None: ...
