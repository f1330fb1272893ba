"""Multi-select facet counting, the same for every engine.

A selected value of a facet filters the results but not that facet's own counts: the counts of facet F
come from the query with every filter except F's, so a user can widen a choice (FR, then also ES).
Facets with no selection share one aggregation over the fully filtered query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from sherloc.search.base import FacetBucket, SearchRequest, keyword_value

Q = TypeVar("Q")


def facet_buckets(
    request: SearchRequest,
    query_for: Callable[[Mapping[str, tuple[str, ...]]], Q],
    aggregate: Callable[[Q, Sequence[str]], dict[str, list[tuple[str, int]]]],
) -> dict[str, list[FacetBucket]]:
    """Counts per facet wanted by `request`, using the engine's `query_for(filters)` and `aggregate`."""
    if not request.facets:
        return {}
    selected = {name: values for name, values in request.filters.items() if values}
    raw: dict[str, list[tuple[str, int]]] = {}
    plain = [name for name in request.facets if name not in selected]
    if plain:
        raw.update(aggregate(query_for(selected), plain))
    for name in request.facets:
        if name in selected:
            others = {k: v for k, v in selected.items() if k != name}
            raw.update(aggregate(query_for(others), [name]))
    out: dict[str, list[FacetBucket]] = {}
    for name in request.facets:
        chosen = {keyword_value(name, v) or v for v in selected.get(name, ())}
        buckets = {value: count for value, count in raw.get(name, [])}
        for value in chosen:
            buckets.setdefault(value, 0)  # a selected value stays visible (and removable) at zero
        out[name] = [
            FacetBucket(value=value, count=count, selected=value in chosen)
            for value, count in sorted(buckets.items(), key=lambda item: (-item[1], item[0]))
        ]
    return out
