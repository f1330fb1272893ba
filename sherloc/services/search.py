"""Search as a use case: validated parameters in, a backend result out, the same for pages and API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sherloc.models import TAG_SCHEMES
from sherloc.search.base import FACETS, SearchBackend, SearchRequest, SearchResult
from sherloc.search.query import Node, QuerySyntaxError, parse_query, to_text

DEFAULT_FACETS = ("country", "language", "kind")  # what the API counts unless asked for others
PAGE_FACETS = (*DEFAULT_FACETS, *TAG_SCHEMES)  # what the search page shows


class InvalidSearch(ValueError):
    """The user's search cannot be run as asked; `message` says why and what to do."""

    def __init__(self, message: str, field: str = "q") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class SearchParams:
    q: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = DEFAULT_FACETS
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10


@dataclass
class SearchOutcome:
    params: SearchParams
    query: Node | None
    understood_as: str
    result: SearchResult


def run_search(backend: SearchBackend, params: SearchParams) -> SearchOutcome:
    try:
        query = parse_query(params.q)
    except QuerySyntaxError as exc:
        raise InvalidSearch(exc.message) from exc  # the message already says where
    filters = {k: tuple(v) for k, v in params.filters.items() if v}
    if "year" in filters:
        filters["year"] = tuple(_year(v) for v in filters["year"])
    try:
        request = SearchRequest(
            query=query,
            filters=filters,
            facets=tuple(f for f in params.facets if f in FACETS),
            sort=params.sort,
            page=params.page,
            page_size=params.page_size,
        )
    except ValueError as exc:
        raise InvalidSearch(str(exc), field="page") from exc
    result = backend.search(request)
    return SearchOutcome(params=params, query=query, understood_as=to_text(query), result=result)


def _year(value: str) -> str:
    """A year filter value as the index holds it ("١٩٩٩" -> "1999"), or a clear error."""
    try:
        year = int(value.strip())
    except ValueError:
        raise InvalidSearch(f"year must be a number, not {value!r}", field="year") from None
    if not 0 <= year <= 9999:
        raise InvalidSearch(f"year {value} is out of range (0-9999)", field="year")
    return str(year)
