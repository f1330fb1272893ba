"""Search as a use case: validated parameters in, a backend result out, the same for pages and API."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sherloc.models import TAG_SCHEMES
from sherloc.observability.metrics import timed_search
from sherloc.search.base import FACETS, MAX_RESULT_WINDOW, SearchBackend, SearchRequest, SearchResult
from sherloc.search.numbers import join_article_numbers
from sherloc.search.query import Node, QuerySyntaxError, parse_query, to_text
from sherloc.services.cross_language import Expansion, expand
from sherloc.tagging.tagger import Tagger

DEFAULT_FACETS = ("country", "language", "kind")  # what the API counts unless asked for others
# What the search page shows (empty facets are left out).
PAGE_FACETS = (
    "country",
    "subdivision",
    "region",
    "language",
    "kind",
    *TAG_SCHEMES,
    "court",
    "verdict",
    "sentence_range",
    "year",
)


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
    cross_language: bool = True  # widen crime-type names to their tag and their terms in every language
    cursor: str | None = None  # next_cursor of the previous page; replaces `page`
    highlight: bool = True  # cut snippets with the matches marked (exports and facet counts need none)


@dataclass
class SearchOutcome:
    params: SearchParams
    query: Node | None
    understood_as: str
    result: SearchResult
    expansions: list[Expansion] = field(default_factory=list)
    page: int = 1
    next_cursor: str | None = None


def run_search(backend: SearchBackend, params: SearchParams, tagger: Tagger | None = None) -> SearchOutcome:
    """Run `params` on `backend`. With a tagger and `cross_language`, crime types the query names are
    searched in every language and, sorted by relevance, the languages take turns on each page."""
    try:
        query = parse_query(params.q)
    except QuerySyntaxError as exc:
        raise InvalidSearch(exc.message) from exc  # the message already says where
    filters = {k: tuple(v) for k, v in params.filters.items() if v}
    if "year" in filters:
        filters["year"] = tuple(_year(v) for v in filters["year"])
    expanded = join_article_numbers(query)
    expansions: list[Expansion] = []
    if params.cross_language and tagger is not None:
        expanded, expansions = expand(expanded, tagger)
    page, after = params.page, None
    if params.cursor:
        page, after = _read_cursor(params.cursor, params)
    interleave = None
    if expansions and params.sort == "relevance" and len(filters.get("language", ())) != 1:
        interleave = "language"  # so one language's many hits do not fill the page
    try:
        request = SearchRequest(
            query=expanded,
            filters=filters,
            facets=tuple(f for f in params.facets if f in FACETS),
            sort=params.sort,
            page=page,
            page_size=params.page_size,
            highlight=params.highlight,
            after=after,
            interleave=interleave,
        )
    except ValueError as exc:
        raise InvalidSearch(str(exc), field="page") from exc
    with timed_search(backend):
        result = backend.search(request)
    return SearchOutcome(
        params=params,
        query=query,
        understood_as=to_text(query),
        result=result,
        expansions=expansions,
        page=page,
        next_cursor=_next_cursor(request, result),
    )


# -- cursors: opaque to clients, plain JSON inside ---------------------------------------------------


def _encode(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _next_cursor(request: SearchRequest, result: SearchResult) -> str | None:
    if len(result.hits) < request.page_size:
        return None
    if request.sort == "relevance":
        if request.page * request.page_size >= min(result.total, MAX_RESULT_WINDOW):
            return None
        return _encode({"sort": request.sort, "page": request.page + 1, "size": request.page_size})
    key = result.hits[-1].sort_key
    return None if key is None else _encode({"sort": request.sort, "after": key})


def _read_cursor(cursor: str, params: SearchParams) -> tuple[int, int | None]:
    """(page, after) a cursor continues from; InvalidSearch when it is not one of ours or not for this
    sort and page size."""
    bad = InvalidSearch("the cursor is not valid: pass next_cursor from the previous page as it is", "cursor")
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(data, dict) or data.get("sort") != params.sort:
        raise InvalidSearch(
            f"the cursor continues a search sorted by {data.get('sort') if isinstance(data, dict) else '?'}, "
            f"not {params.sort}: keep the sort the first page had",
            "cursor",
        )
    if params.sort == "relevance":
        page, size = data.get("page"), data.get("size")
        if not isinstance(page, int) or not isinstance(size, int) or page < 1:
            raise bad
        if size != params.page_size:
            raise InvalidSearch(f"the cursor is for pages of {size}: keep page_size={size}", "cursor")
        return page, None
    after = data.get("after")
    if not isinstance(after, int) or isinstance(after, bool):
        raise bad
    return 1, after


def _year(value: str) -> str:
    """A year filter value as the index holds it ("١٩٩٩" -> "1999"), or a clear error."""
    try:
        year = int(value.strip())
    except ValueError:
        raise InvalidSearch(f"year must be a number, not {value!r}", field="year") from None
    if not 0 <= year <= 9999:
        raise InvalidSearch(f"year {value} is out of range (0-9999)", field="year")
    return str(year)
