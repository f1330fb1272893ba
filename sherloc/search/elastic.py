"""The Elasticsearch search backend, on the official client. Bodies come from search.elastic_query.

Layout: each rebuild creates `<prefix>-records-v<N>-<timestamp>` with the mapping of elastic_mapping and
fills it while searches go on reading the old one through the alias `<prefix>-records`; the new index is
loaded without replicas or refreshes, then given its replicas and refreshed, and once its shards are
allocated the alias moves to it in one atomic `update_aliases` call (no moment without an index) and the
indexes it left are deleted. An alias on an index of another mapping is "outdated": searches and syncs
refuse it until `sherloc index rebuild`, as with the embedded engine.

Writes go through the bulk helper in chunks of at most BULK_CHUNK documents and BULK_BYTES bytes, read
from a generator, so a rebuild streams from the store and the next chunk is read only once the cluster
has answered the last one (back-pressure); documents the cluster refuses with 429 (its write queue full)
are retried with exponential back-off, and failed requests by the transport on 429/502/503/504.
Publications and edits reach the index one record at a time through `upsert` and `delete`
(search.indexer.sync), on the alias's current index, visible to the next search (refresh=wait_for).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from elastic_transport.client_utils import DEFAULT
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from sherloc.search import analysis
from sherloc.search.base import (
    SNIPPET_CHARS,
    TAG_FIELDS,
    Hit,
    IndexDocument,
    IndexState,
    SearchError,
    SearchRequest,
    SearchResult,
    SearchUnavailable,
    take_turns,
)
from sherloc.search.elastic_mapping import MAPPING_NAME, build_mapping, to_source
from sherloc.search.elastic_query import (
    build_search_body,
    interleave_group_body,
    interleave_groups,
    interleave_plan_body,
    read_facets,
)
from sherloc.search.highlight import han_needles, highlight_window

log = logging.getLogger(__name__)

BULK_CHUNK = 500
BULK_BYTES = 10 * 1024 * 1024  # Elasticsearch's default http.max_content_length is 100 MB
BULK_RETRIES = 6  # a 429 chunk is retried after 2, 4, 8 ... 64 s
HEALTH_TIMEOUT_S = 120  # how long a rebuild waits for the new index's replicas
STATE_TTL = 10.0  # seconds a check that the alias is on a current index is trusted
REBUILD_HINT = "run `sherloc index rebuild`"
T = TypeVar("T")

# ---------------------------------------------------------------------------------------------------
# Responses to results (pure)

_MARK = re.compile(r"(</?mark>)")


def clean_fragment(fragment: str) -> str:
    """A highlighted fragment as safe HTML: text escaped (whatever the engine's encoder did), only
    <mark> tags kept, touching marks merged so a word matched piece by piece reads as one mark."""
    parts = [
        part if _MARK.fullmatch(part) else html.escape(html.unescape(part)) for part in _MARK.split(fragment)
    ]
    return "".join(parts).replace("</mark><mark>", "").replace("\n", " ").strip()


def lead(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of `text` on one line, cut at `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def hit_from_es(raw: Mapping[str, Any], request: SearchRequest, needles: Sequence[str] = ()) -> Hit:
    """One hit of a search response. `needles`: the query's Han runs (han_needles), for Chinese snippets."""
    source: Mapping[str, Any] = raw.get("_source") or {}
    lang = analysis.field_language(source.get("language"))
    text = source.get(f"text_{lang}") or ""
    snippet = None
    if request.highlight and request.query is not None:
        if lang in analysis.CHARACTER_LANGUAGES:
            snippet = highlight_window(text, list(needles), SNIPPET_CHARS // 2)
        else:
            fragments = (raw.get("highlight") or {}).get(f"text_{lang}") or []
            snippet = clean_fragment(fragments[0]) if fragments else None
    relevance = request.sort == "relevance"
    sort_values = raw.get("sort") or []
    return Hit(
        id=source.get("id") or raw.get("_id") or "",
        kind=source.get("kind") or "",
        score=float(raw.get("_score") or 0.0) if relevance else 0.0,
        title=source.get("title") or "",
        country=_first_value(source.get("country")),  # a record's own country leads the list
        language=source.get("language"),
        parent_id=source.get("parent_id"),
        parent_title=source.get("parent_title"),
        label=source.get("label"),
        number=source.get("number"),
        heading=source.get("heading"),
        date=dt.date.fromisoformat(source["date"]) if source.get("date") else None,
        snippet=snippet or html.escape(lead(text)),
        tags={name: list(source[name]) for name in TAG_FIELDS if source.get(name)},
        sort_key=int(sort_values[0]) if sort_values and not relevance else None,
    )


def _first_value(value: Any) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value if isinstance(value, str) else None


def _hits(response: Mapping[str, Any], request: SearchRequest) -> list[Hit]:
    needles = han_needles(request.query)
    return [hit_from_es(raw, request, needles) for raw in response.get("hits", {}).get("hits", [])]


def _total(response: Mapping[str, Any]) -> int:
    total = response.get("hits", {}).get("total", 0)
    return int(total.get("value", 0) if isinstance(total, Mapping) else total)


def result_from_response(request: SearchRequest, response: Mapping[str, Any]) -> SearchResult:
    """The result of a search made with build_search_body(request)."""
    facets = read_facets(request, response.get("aggregations") or {}) if request.facets else {}
    return SearchResult(total=_total(response), hits=_hits(response, request), facets=facets)


def interleave_hits(groups: Iterable[Sequence[Hit]], start: int, size: int) -> list[Hit]:
    """Hits `start` to `start + size` of `groups` taken in turns (base.take_turns), the groups ordered by
    their best hit (stable: equal groups keep the order given). Each group is ranked already. A hit in
    two groups (a multi-valued field) comes once, at its first turn."""
    ordered = sorted((group for group in groups if group), key=lambda group: -group[0].score)
    return take_turns(ordered, start, size, key=lambda hit: hit.id)


# ---------------------------------------------------------------------------------------------------
# Settings of the cluster (pure)


def node_urls(url: str) -> list[str]:
    """The node URLs of SHERLOC_ES_URL: one URL, or several separated by commas (or spaces)."""
    return [part for part in re.split(r"[\s,]+", url.strip()) if part]


def loading_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A new index's settings while a rebuild fills it: no replicas to copy every document to and no
    periodic refresh; the replicas the layout asks for come once it is full (serving_settings)."""
    loading = {key: value for key, value in settings.items() if "replicas" not in key}
    return {**loading, "number_of_replicas": 0, "auto_expand_replicas": False, "refresh_interval": "-1"}


def shard_verdict(health: Mapping[str, Any]) -> str:
    """What a rebuild does with its new index, from its cluster health: "switch" (green: every copy
    assigned), "warn" (yellow: every primary assigned, some replica not: it serves, with less redundancy)
    or "refuse" (red, or no status: a primary shard is missing, searches would miss records)."""
    status = health.get("status")
    if status == "green":
        return "switch"
    return "warn" if status == "yellow" else "refuse"


def serving_settings(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """What a filled index gets before the alias moves to it: its layout's replicas, the default refresh."""
    replicas = {key: value for key, value in mapping["settings"].items() if "replicas" in key}
    return {**replicas, "refresh_interval": None}


# ---------------------------------------------------------------------------------------------------
# The backend


def _error(exc: Exception) -> SearchError:
    """A SearchError with a message safe to show; the details go to the log."""
    if isinstance(exc, NotFoundError):
        return SearchUnavailable(f"the search index has not been built yet: {REBUILD_HINT}")
    if isinstance(exc, ApiError):
        log.warning("Elasticsearch answered %s: %s", exc.status_code, exc)
        if exc.status_code == 429 or exc.status_code >= 500:
            return SearchUnavailable("the search server is overloaded or failing; try again shortly")
        return SearchError("the search server could not run this search")
    log.warning("Elasticsearch cannot be reached: %r", exc)
    return SearchUnavailable("the search server cannot be reached")


class ElasticBackend:
    """SearchBackend on an Elasticsearch cluster. Thread-safe; constructing it does not connect."""

    def __init__(
        self,
        url: str,
        index_prefix: str = "sherloc",
        client: Elasticsearch | None = None,
        *,
        shards: int = 1,
        replicas: int = -1,
        ca_certs: str = "",
    ) -> None:
        hosts = node_urls(url)
        if not hosts and client is None:
            raise ValueError(
                "SHERLOC_ES_URL must name the Elasticsearch server (for example http://localhost:9200)"
            )
        self.prefix = index_prefix.strip().lower()  # index names are lower case
        self.alias = f"{self.prefix}-records"
        self.shards, self.replicas = shards, replicas
        self._client = client or Elasticsearch(
            hosts,
            request_timeout=30,
            retry_on_timeout=True,
            max_retries=2,
            retry_on_status=(429, 502, 503, 504),
            ca_certs=ca_certs or DEFAULT,
        )
        self._meta = build_mapping()["mappings"]["_meta"]  # what an index of this version carries
        self._checked_at = float("-inf")  # when the alias was last seen on a current index

    def _call(self, request: Callable[[], T]) -> T:
        try:
            return request()
        except (ApiError, TransportError) as exc:
            raise _error(exc) from exc

    # -- the alias and its index -----------------------------------------------------------------

    def _index_name(self) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        return f"{self.prefix}-{MAPPING_NAME}-{stamp}"

    def _aliased(self) -> dict[str, Mapping[str, Any]]:
        """Index name -> its mapping's _meta, for each index the alias points to (none: never built)."""
        try:
            response = self._client.indices.get_mapping(index=self.alias)
        except NotFoundError:
            return {}
        except (ApiError, TransportError) as exc:
            raise _error(exc) from exc
        return {name: (body.get("mappings") or {}).get("_meta") or {} for name, body in response.body.items()}

    def _all_current(self, aliased: Mapping[str, Mapping[str, Any]]) -> bool:
        """Whether the alias is on one index, written with this version's mapping."""
        return len(aliased) == 1 and all(
            name.startswith(f"{self.prefix}-{MAPPING_NAME}-") and dict(meta) == self._meta
            for name, meta in aliased.items()
        )

    def state(self) -> IndexState:
        aliased = self._aliased()
        if not aliased:
            return "missing"
        return "current" if self._all_current(aliased) else "outdated"

    def _current_index(self) -> str | None:
        """The index the alias points to; None when never built; SearchUnavailable when outdated."""
        aliased = self._aliased()
        if not aliased:
            return None
        if not self._all_current(aliased):
            raise SearchUnavailable(
                f"the search index {', '.join(sorted(aliased))} was built for another mapping (this version "
                f"writes {MAPPING_NAME}): {REBUILD_HINT}"
            )
        self._checked_at = time.monotonic()
        return next(iter(aliased))

    def _ensure_searchable(self) -> None:
        fresh = time.monotonic() - self._checked_at < STATE_TTL
        if not fresh and self._current_index() is None:
            raise SearchUnavailable(f"the search index has not been built yet: {REBUILD_HINT}")

    # -- writing ---------------------------------------------------------------------------------

    def _bulk(self, actions: Iterable[dict[str, Any]], refresh: str | None = None) -> int:
        """Send `actions`; the number done. A delete of an id the index does not hold counts as done."""
        done = 0
        failures: list[Mapping[str, Any]] = []
        options: dict[str, Any] = {"refresh": refresh} if refresh else {}
        try:
            for ok, item in helpers.streaming_bulk(
                self._client,
                actions,
                chunk_size=BULK_CHUNK,
                max_chunk_bytes=BULK_BYTES,
                raise_on_error=False,
                max_retries=BULK_RETRIES,
                **options,
            ):
                outcome: Mapping[str, Any] = next(iter(item.values()), {})
                if ok or (outcome.get("status") == 404 and "delete" in item):
                    done += 1
                else:
                    failures.append(outcome)
        except (ApiError, TransportError) as exc:
            raise _error(exc) from exc
        if failures:
            log.warning("Elasticsearch rejected %d document(s), for example: %s", len(failures), failures[:3])
            raise SearchError(f"the search index rejected {len(failures)} document(s)")
        return done

    def _create(self, documents: Iterable[IndexDocument]) -> tuple[str, int]:
        """A new index holding `documents`, the alias moved to it, the indexes it left deleted."""
        name = self._index_name()
        mapping = build_mapping(self.shards, self.replicas)
        self._call(
            lambda: self._client.indices.create(
                index=name, settings=loading_settings(mapping["settings"]), mappings=mapping["mappings"]
            )
        )
        try:
            actions = ({"_index": name, "_id": doc.id, "_source": to_source(doc)} for doc in documents)
            count = self._bulk(actions)
            self._call(
                lambda: self._client.indices.put_settings(index=name, settings=serving_settings(mapping))
            )
            self._call(lambda: self._client.indices.refresh(index=name))
            self._wait_for_shards(name)
            previous = list(self._aliased())
            moves = [{"remove": {"index": old, "alias": self.alias}} for old in previous]
            moves.append({"add": {"index": name, "alias": self.alias}})
            self._call(lambda: self._client.indices.update_aliases(actions=moves))
        except BaseException:
            self._delete_indices([name])
            raise
        self._delete_indices(previous)
        self._checked_at = time.monotonic()
        return name, count

    def _wait_for_shards(self, name: str) -> None:
        """Wait (up to HEALTH_TIMEOUT) for the new index's copies; refuse to switch to one that cannot serve.

        A health request that times out waiting is answered 408 with the health as it stands, which
        `shard_verdict` reads like any other answer; the client's own timeout outlasts the server's."""
        health = self._call(
            lambda: self._client.options(
                request_timeout=HEALTH_TIMEOUT_S + 30, ignore_status=408
            ).cluster.health(
                index=name,
                wait_for_status="green",
                wait_for_no_initializing_shards=True,
                timeout=f"{HEALTH_TIMEOUT_S}s",
            )
        )
        verdict = shard_verdict(health.body)
        if verdict == "refuse":
            raise SearchUnavailable(
                f"the new search index {name} has unassigned primary shards; the old index is kept"
            )
        if verdict == "warn":
            log.warning(
                "the new search index %s is %s: not all its replicas are assigned (fewer nodes than "
                "SHERLOC_ES_REPLICAS + 1?); searches are served from its primaries",
                name,
                health.body.get("status"),
            )

    def _delete_indices(self, names: Sequence[str]) -> None:
        for name in names:
            try:
                self._client.indices.delete(index=name)
            except (ApiError, TransportError) as exc:  # cleanup: a leftover index costs space, not results
                log.warning("could not delete the index %s: %r", name, exc)

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        return self._create(documents)[1]

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        index = self._current_index()
        if index is None:
            index, _ = self._create(())
        actions = ({"_index": index, "_id": doc.id, "_source": to_source(doc)} for doc in documents)
        return self._bulk(actions, refresh="wait_for")

    def delete(self, ids: Iterable[str]) -> int:
        index = self._current_index()
        if index is None:
            return 0
        return self._bulk(
            ({"_op_type": "delete", "_index": index, "_id": i} for i in ids), refresh="wait_for"
        )

    # -- reading ---------------------------------------------------------------------------------

    def count(self) -> int:
        aliased = self._aliased()
        if not aliased or not self._all_current(aliased):
            return 0  # an outdated index counts as none, as with the embedded engine
        index = next(iter(aliased))
        return int(self._call(lambda: self._client.count(index=index))["count"])

    def search(self, request: SearchRequest) -> SearchResult:
        self._ensure_searchable()
        if request.interleave is not None and request.sort == "relevance":
            return self._search_interleaved(request)
        response = self._search(build_search_body(request))
        return result_from_response(request, response)

    def _search(self, body: Mapping[str, Any]) -> Mapping[str, Any]:
        # The body's fields as the client's own parameters (`from` is `from_` there), not `body=`.
        params = {("from_" if key == "from" else key): value for key, value in body.items()}
        response = self._call(lambda: self._client.search(index=self.alias, **params))
        return response.body

    def _search_interleaved(self, request: SearchRequest) -> SearchResult:
        plan = self._search(interleave_plan_body(request))
        plain = result_from_response(request, plan)
        values = interleave_groups(plan.get("aggregations") or {})
        if not values:
            return plain
        searches: list[Mapping[str, Any]] = []
        for value in values:
            searches.extend(({}, interleave_group_body(request, value)))
        answer = self._call(lambda: self._client.msearch(index=self.alias, searches=searches))
        groups: list[list[Hit]] = []
        for response in answer.body.get("responses", []):
            if "error" in response:
                log.warning("Elasticsearch failed one interleaved search: %s", response["error"])
                status = int(response.get("status", 500))
                if status == 429 or status >= 500:
                    raise SearchUnavailable("the search server is overloaded or failing; try again shortly")
                raise SearchError("the search server could not run this search")
            groups.append(_hits(response, request))
        hits = interleave_hits(groups, (request.page - 1) * request.page_size, request.page_size)
        return SearchResult(total=plain.total, hits=hits, facets=plain.facets)

    def close(self) -> None:
        self._client.close()
