"""Elasticsearch queries and search bodies as pure functions: a query tree and a request in, JSON out.

Queries follow compile_tantivy: each word is looked for in every language's fields (search.elastic_mapping)
and in the exact ones with the same boosts, the best field winning; a word that reads as an article number
also matches the provision number. Facet counts follow search.facets (multi-select).
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from sherloc.search import analysis
from sherloc.search.base import (
    CONTEXT_BOOST,
    EXACT_BOOST,
    FACET_SIZE,
    FILTER_BOOSTS,
    HEADING_BOOST,
    MAX_RESULT_WINDOW,
    NUMBER_BOOST,
    SNIPPET_CHARS,
    TIE_BREAKER,
    FacetBucket,
    SearchRequest,
    group_query,
    keyword_value,
)
from sherloc.search.elastic_mapping import exact_tokens
from sherloc.search.facets import facet_buckets
from sherloc.search.numbers import article_number
from sherloc.search.query import And, Filter, Node, Not, Or, Phrase, Range, Term

PREFIX_EXPANSIONS = 64  # terms a multi-word prefix (`324-1*`) expands to, as the embedded highlighter

MATCH_ALL: dict[str, Any] = {"match_all": {}}
MATCH_NONE: dict[str, Any] = {"match_none": {}}

SORTS: dict[str, list[dict[str, Any]]] = {
    # Relevance ties go by the ascending date key, so equal scores page stably.
    "relevance": [{"_score": {"order": "desc"}}, {"sort_asc": {"order": "asc"}}],
    "date_asc": [{"sort_asc": {"order": "asc"}}],
    "date_desc": [{"sort_desc": {"order": "desc"}}],
}

# ---------------------------------------------------------------------------------------------------
# Queries


def _boosted(kind: str, field: str, body: dict[str, Any], boost: float) -> dict[str, Any]:
    if boost != 1.0:
        body = {**body, "boost": round(boost, 4)}  # 3.6, not 3.5999999999999996
    return {kind: {field: body}}


def _dis_max(options: list[dict[str, Any]]) -> dict[str, Any]:
    if len(options) == 1:
        return options[0]
    return {"dis_max": {"queries": options, "tie_breaker": TIE_BREAKER}}


def _fields_for(field: str | None, language: str | None = None) -> list[tuple[str, bool, float]]:
    """(index field, is exact, boost) a text clause searches: a Term's `field`, in every language or one."""
    wanted = {
        "text": field in (None, "text"),
        "heading": field in (None, "title", "heading"),
        "context": field in (None, "title"),
    }
    boosts = {"text": 1.0, "heading": HEADING_BOOST, "context": CONTEXT_BOOST}
    codes = analysis.ANALYSED_LANGUAGES if language is None else (analysis.field_language(language),)
    out: list[tuple[str, bool, float]] = []
    for part, boost in boosts.items():
        if not wanted[part]:
            continue
        out.extend((f"{part}_{code}", False, boost) for code in codes)
        if language is None:
            out.append((f"{part}_exact", True, boost * EXACT_BOOST))
    return out


def _number(text: str, boost: float = 1.0) -> dict[str, Any] | None:
    """The provision number `text` denotes in any notation (`第191条`, `§261`, `324-1`), or None."""
    number = keyword_value("number", article_number(text))
    return None if number is None else _boosted("term", "number", {"value": number}, boost)


def _phrase_prefix(field: str, text: str, boost: float) -> dict[str, Any]:
    return _boosted("match_phrase_prefix", field, {"query": text, "max_expansions": PREFIX_EXPANSIONS}, boost)


def _term(term: Term, hl: bool) -> dict[str, Any] | None:
    if term.field == "number":
        return _number(term.text) or MATCH_NONE
    tokens = exact_tokens(term.text)
    if not tokens:
        return None  # `§`, `...`: nothing to look for, so the clause is dropped rather than match nothing
    options: list[dict[str, Any]] = []
    for field, exact, boost in _fields_for(term.field, term.language):
        if not term.prefix:
            # One token: a term query; several (a Chinese word, `324-1`): adjacent, in order.
            options.append(_boosted("match_phrase", field, {"query": term.text}, boost))
        elif exact and len(tokens) == 1:
            options.append(_boosted("prefix", field, {"value": tokens[0]}, boost))
        elif exact or hl or term.language:
            # Analysed fields take a prefix only for highlighting (snippets are cut from them), or when the
            # term is bound to a language; Elasticsearch analyses it there as the field does.
            options.append(_phrase_prefix(field, term.text, boost))
    if term.field is None and term.language is None and not term.prefix:
        number = _number(term.text, NUMBER_BOOST)
        if number is not None:
            options.append(number)
    return _dis_max(options) if options else MATCH_NONE


def _phrase(phrase: Phrase, hl: bool) -> dict[str, Any] | None:
    if phrase.field == "number":
        return _number(phrase.text) or MATCH_NONE
    if not exact_tokens(phrase.text):
        return None
    options = [
        _boosted("match_phrase", field, {"query": phrase.text}, boost)
        for field, exact, boost in _fields_for(phrase.field)
        if exact or hl
    ]
    return _dis_max(options) if options else MATCH_NONE


def _year(value: str) -> int | None:
    try:
        year = int(value)
    except ValueError:
        return None
    return year if 0 <= year <= 9999 else None


def _first_day(value: str) -> dt.date:
    year, month, day = [*(int(p) for p in value.split("-")), 1, 1][:3]
    return dt.date(year, month, day)


def _last_day(value: str) -> dt.date:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(parts[0], parts[1], parts[2])


def _range(node: Range) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    if node.field == "year":
        lower = _year(node.lower) if node.lower else None
        upper = _year(node.upper) if node.upper else None
        if (node.lower and lower is None) or (node.upper and upper is None):
            return MATCH_NONE
        if lower is not None:
            bounds["gte"] = lower
        if upper is not None:
            bounds["lte"] = upper
    else:
        # A partial date covers its whole period; bounds stay within years 1-9999 (strict_date).
        try:
            if node.lower:
                bounds["gte"] = _first_day(node.lower).isoformat()
            if node.upper:
                bounds["lte"] = _last_day(node.upper).isoformat()
        except ValueError:
            return MATCH_NONE
        bounds["format"] = "strict_date"
    if "gte" not in bounds and "lte" not in bounds:
        return MATCH_ALL
    return {"range": {node.field: bounds}}


def _keyword(field: str, value: str) -> dict[str, Any]:
    if field == "year":
        year = _year(value)
        return MATCH_NONE if year is None else {"term": {"year": year}}
    if field == "date":
        return _range(Range("date", value, value))
    normalised = keyword_value(field, value)
    if normalised is None:
        return MATCH_NONE
    boost = FILTER_BOOSTS.get(field)
    if boost:
        return {"constant_score": {"filter": {"term": {field: normalised}}, "boost": boost}}
    return {"term": {field: normalised}}


def _node(node: Node, hl: bool) -> dict[str, Any] | None:
    """The query for `node`; None when it constrains nothing (every word in it analysed to nothing)."""
    if isinstance(node, Term):
        return _term(node, hl)
    if isinstance(node, Phrase):
        return _phrase(node, hl)
    if isinstance(node, Filter):
        return _keyword(node.field, node.value)
    if isinstance(node, Range):
        return _range(node)
    if isinstance(node, And):
        must: list[dict[str, Any]] = []
        must_not: list[dict[str, Any]] = []
        for item in node.items:
            target, inner = (must_not, item.item) if isinstance(item, Not) else (must, item)
            compiled = _node(inner, hl)
            if compiled is not None:
                target.append(compiled)
        if not must_not:
            if len(must) <= 1:
                return must[0] if must else None
            return {"bool": {"must": must}}
        return {"bool": {"must": must or [MATCH_ALL], "must_not": must_not}}
    if isinstance(node, Or):
        options = [q for q in (_node(item, hl) for item in node.items) if q is not None]
        if len(options) <= 1:
            return options[0] if options else None
        return {"bool": {"should": options, "minimum_should_match": 1}}
    if isinstance(node, Not):
        excluded = _node(node.item, hl)
        return None if excluded is None else {"bool": {"must": [MATCH_ALL], "must_not": [excluded]}}
    raise TypeError(f"unknown query node {node!r}")


def compile_query(node: Node | None, *, for_highlight: bool = False) -> dict[str, Any]:
    """The Elasticsearch query for `node`; None (a blank query) matches everything.

    With for_highlight, phrases and prefixes are also matched on the analysed text fields, which are the
    ones snippets are cut from.
    """
    compiled = None if node is None else _node(node, for_highlight)
    return MATCH_ALL if compiled is None else compiled


def filter_clauses(filters: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """One clause per field with values: any of its values (OR), the clauses together ANDed."""
    clauses: list[dict[str, Any]] = []
    for name, values in filters.items():
        if not values:
            continue
        if name == "year":
            years = [y for y in (_year(v) for v in values) if y is not None]
            clauses.append({"terms": {"year": years}} if years else MATCH_NONE)
        else:
            normalised = [n for n in (keyword_value(name, v) for v in values) if n is not None]
            clauses.append({"terms": {name: normalised}} if normalised else MATCH_NONE)
    return clauses


def filters_query(filters: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    clauses = filter_clauses(filters)
    return {"bool": {"filter": clauses}} if clauses else MATCH_ALL


def with_filters(query: Mapping[str, Any], filters: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """`query` restricted by facet selections, which do not score."""
    clauses = filter_clauses(filters)
    return {"bool": {"must": [dict(query)], "filter": clauses}} if clauses else dict(query)


# ---------------------------------------------------------------------------------------------------
# Request bodies


def highlight_spec(node: Node | None) -> dict[str, Any] | None:
    """Snippets from the body's language field, escaped, matches in <mark>; None when nothing is marked.
    Chinese (one token per character) is highlighted from the source text by sherloc.search.highlight
    instead, as the embedded engine does."""
    query = compile_query(node, for_highlight=True)
    if query == MATCH_ALL:
        return None
    fields = {
        f"text_{code}": {"type": "unified", "number_of_fragments": 1, "fragment_size": SNIPPET_CHARS}
        for code in analysis.ANALYSED_LANGUAGES
        if code not in analysis.CHARACTER_LANGUAGES
    }
    return {
        "encoder": "html",
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "require_field_match": True,
        "highlight_query": query,
        "fields": fields,
    }


def _with_highlight(body: dict[str, Any], request: SearchRequest) -> dict[str, Any]:
    spec = highlight_spec(request.query) if request.highlight else None
    if spec is not None:
        body["highlight"] = spec
    return body


def _facet_key(key: Any) -> str:
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def facet_aggregations(request: SearchRequest) -> dict[str, Any]:
    """Aggregations for the request's facets, one `facets_<i>` group per filter set facet_buckets asks for.

    They run inside the text query; the selections themselves are a post_filter (see build_search_body),
    so a facet's group can leave its own selection out.
    """
    aggs: dict[str, Any] = {}

    def plan(query: dict[str, Any], names: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        terms = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in names}
        aggs[f"facets_{len(aggs)}"] = {"filter": query, "aggs": terms}
        return {}

    facet_buckets(request, filters_query, plan)
    return aggs


def read_facets(request: SearchRequest, aggregations: Mapping[str, Any]) -> dict[str, list[FacetBucket]]:
    """Facet buckets from a response to a body with facet_aggregations(request)."""
    group_number = itertools.count()  # facet_buckets asks in the same order as when planning

    def read(_query: dict[str, Any], names: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        group = aggregations.get(f"facets_{next(group_number)}", {})
        out: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            buckets = group.get(name, {}).get("buckets", [])
            out[name] = [(_facet_key(b["key"]), int(b["doc_count"])) for b in buckets]
        return out

    return facet_buckets(request, filters_query, read)


def build_search_body(request: SearchRequest) -> dict[str, Any]:
    """The body of one search for `request` (interleaving aside: see interleave_plan_body)."""
    text_query = compile_query(request.query)
    body: dict[str, Any] = {
        "size": request.page_size,
        "track_total_hits": True,
        "sort": SORTS[request.sort],
    }
    if request.after is not None:
        body["search_after"] = [request.after]
    else:
        body["from"] = (request.page - 1) * request.page_size
    if request.facets:
        body["query"] = text_query
        clauses = filter_clauses(request.filters)
        if clauses:
            body["post_filter"] = {"bool": {"filter": clauses}}
        body["aggs"] = facet_aggregations(request)
    else:
        body["query"] = with_filters(text_query, request.filters)
    return _with_highlight(body, request)


def interleave_plan_body(request: SearchRequest) -> dict[str, Any]:
    """The plain search for an interleaved request: total, facets, and the values to take turns between
    (aggregation `interleave`: `values` buckets, and `missing` for records without the field)."""
    if request.interleave is None:
        raise ValueError("the request does not interleave")
    body = build_search_body(request)
    for key in ("from", "search_after", "highlight"):
        body.pop(key, None)
    body["size"] = 0
    body.setdefault("aggs", {})["interleave"] = {
        "filter": filters_query(request.filters),
        "aggs": {
            "values": {"terms": {"field": request.interleave, "size": FACET_SIZE}},
            "missing": {"missing": {"field": request.interleave}},
        },
    }
    return body


def interleave_groups(aggregations: Mapping[str, Any]) -> list[Any]:
    """The values to search one by one (None: records without a value), from interleave_plan_body's answer."""
    group = aggregations.get("interleave", {})
    values: list[Any] = [b["key"] for b in group.get("values", {}).get("buckets", [])]
    if group.get("missing", {}).get("doc_count", 0):
        values.append(None)
    return values


def interleave_group_body(request: SearchRequest, value: Any) -> dict[str, Any]:
    """The best hits with one value of the interleaved field, enough of them to fill the requested page."""
    if request.interleave is None:
        raise ValueError("the request does not interleave")
    field = request.interleave
    if value is None:
        group: dict[str, Any] = {"bool": {"must_not": [{"exists": {"field": field}}]}}
    else:
        group = {"term": {field: value}}
    node, possible = group_query(request, value)
    query = with_filters(compile_query(node) if possible else MATCH_NONE, request.filters)
    body: dict[str, Any] = {
        "query": {"bool": {"must": [query], "filter": [group]}},
        "size": min(request.page * request.page_size, MAX_RESULT_WINDOW),
        "sort": SORTS["relevance"],
        "track_total_hits": False,
    }
    return _with_highlight(body, request)
