"""The embedded search backend: tantivy (a Rust engine in-process), no server needed.

Layout on disk: `<index_dir>/<build>/` holds one complete tantivy index; `<index_dir>/CURRENT` names the
build searches use. A rebuild writes a new build and then replaces CURRENT in one rename, so searches
never see a half-built index. Readers notice a new build or new commits by the files' change times.
Tantivy allows one writer per index at a time: writes come from the command line (ingest, index
rebuild), web workers only read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import html
import logging
import os
import shutil
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import tantivy

from sherloc.search import analysis
from sherloc.search.base import (
    FACET_SIZE,
    KEYWORD_FIELDS,
    SNIPPET_CHARS,
    TAG_FIELDS,
    Hit,
    IndexDocument,
    IndexState,
    SearchError,
    SearchRequest,
    SearchResult,
    SearchUnavailable,
    group_query,
    take_turns,
)
from sherloc.search.compile_tantivy import TantivyQueryCompiler
from sherloc.search.facets import facet_buckets
from sherloc.search.highlight import han_needles, highlight_window, text_window, word_stems

Occur = tantivy.Occur

# 2: Italian, Dutch stemming; 3: date-sort keys, world regions; 4: main_crime_type; 5: law_crime_type
SCHEMA_VERSION = "8"  # 6: subdivision; 7: verdict, sentence_range; 8: parent_kind
STORED_ONLY = ("title", "parent_title", "label", "heading")
SORT_FIELDS = {"date_asc": "sort_asc", "date_desc": "sort_desc"}  # see base.date_sort_keys
PREFIX_TERMS = 64  # the most frequent words a highlighted prefix stands for
WRITER_HEAP = 128_000_000
REBUILD_HINT = "run `sherloc index rebuild`"
log = logging.getLogger(__name__)


def _engine_error(exc: BaseException, doing: str) -> SearchError:
    """A SearchError safe to show for what tantivy raised (ValueError, or OSError from the file system)
    while `doing`; the details go to the log. A file system refusing writes (full disk, read-only) or an
    index that cannot be read (files gone, damaged) makes the index unavailable, anything else one search
    fail."""
    detail = str(exc)
    log.warning("the search index failed while %s: %s", doing, detail)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return SearchUnavailable(f"cannot write the search index: the disk is full ({exc.strerror})")
    if "os error 28" in detail or "No space left" in detail or "os error 27" in detail:
        return SearchUnavailable("cannot write the search index: the disk is full (no space left on device)")
    if isinstance(exc, OSError) or _is_panic(exc) or any(word in detail.lower() for word in _UNREADABLE):
        return SearchUnavailable(
            f"the search index cannot be read (missing or damaged files): {REBUILD_HINT}"
        )
    return SearchError(f"the search engine failed while {doing}")


def _is_panic(exc: BaseException) -> bool:
    """A Rust panic inside tantivy (pyo3's PanicException, a BaseException): reading damaged index files
    panics rather than failing with an error."""
    return type(exc).__name__ == "PanicException"


# What tantivy's messages say when the index's files are gone, damaged or unreadable.
_UNREADABLE = ("corrupt", "io error", "os error", "does not exist", "failed to open", "no such file")


def build_analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """One tantivy analyzer per entry of the language table, plus the exact (unstemmed) one."""
    analyzers: dict[str, tantivy.TextAnalyzer] = {}
    for code in analysis.ANALYSED_LANGUAGES:
        lang = analysis.LANGUAGES.get(code)
        builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(analysis.TOKEN_PATTERN))
        builder = builder.filter(tantivy.Filter.remove_long(64)).filter(tantivy.Filter.lowercase())
        if lang and lang.stemmer:
            builder = builder.filter(tantivy.Filter.stemmer(lang.stemmer))
        if lang is None or lang.fold_accents:
            builder = builder.filter(tantivy.Filter.ascii_fold())
        analyzers[f"lang_{code}"] = builder.build()
    analyzers["exact"] = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(analysis.TOKEN_PATTERN))
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .build()
    )
    return analyzers


def _is_current_schema(build: str) -> bool:
    return build.startswith(f"v{SCHEMA_VERSION}-")


def build_schema() -> tantivy.Schema:
    """The index schema. Changing it means a new SCHEMA_VERSION and an `index rebuild`."""
    sb = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    for name in STORED_ONLY:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("number", stored=True, tokenizer_name="raw")
    sb.add_integer_field("year", stored=False, indexed=True, fast=True)
    sb.add_integer_field("position", stored=True, fast=True)
    for name in SORT_FIELDS.values():
        sb.add_integer_field(name, stored=True, indexed=True, fast=True)
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    for code in analysis.ANALYSED_LANGUAGES:
        # The body is stored in its language's field: snippets are cut from it.
        sb.add_text_field(f"text_{code}", stored=True, tokenizer_name=f"lang_{code}")
        sb.add_text_field(f"heading_{code}", stored=False, tokenizer_name=f"lang_{code}")
        sb.add_text_field(f"context_{code}", stored=False, tokenizer_name=f"lang_{code}")
    for name in ("text_exact", "heading_exact", "context_exact"):
        sb.add_text_field(name, stored=False, tokenizer_name="exact")
    return sb.build()


def to_tantivy_document(doc: IndexDocument) -> tantivy.Document:
    fields = doc.fields(analysis.field_language(doc.language))
    heading, context = doc.heading_and_context()
    fields.update(text_exact=doc.text, heading_exact=heading, context_exact=context)
    # tantivy dates are nanoseconds since 1970 in an i64: 1677-2262. An older law (the 1539 Ordonnance
    # de Villers-Cotterêts) keeps its year, which any year can hold, and is left out of date ranges.
    date = _tantivy_date(doc.date)
    if date is not None:
        fields["date"] = date
    return tantivy.Document(**fields)


class EmbeddedBackend:
    """SearchBackend on tantivy. Safe for concurrent searches from threads of one process."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.schema = build_schema()
        self._analyzers = build_analyzers()
        self._compiler = TantivyQueryCompiler(self.schema, self._analyzers)
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._build: str | None = None
        self._meta_mtime: int = 0

    # -- opening ---------------------------------------------------------------------------------

    @property
    def _current_file(self) -> Path:
        return self.index_dir / "CURRENT"

    def _open(self, path: Path, *, create: bool = True) -> tantivy.Index:
        if create:
            path.mkdir(parents=True, exist_ok=True)
        elif not (path / "meta.json").exists():
            # A reader never creates an index: a missing build is an outage to report, not an empty result.
            raise SearchUnavailable(
                f"the search index build {path.name} is missing: run `sherloc index rebuild`"
            )
        index = tantivy.Index(self.schema, path=str(path), reuse=True)
        for name, analyzer in self._analyzers.items():
            index.register_tokenizer(name, analyzer)
        return index

    def _current_build(self) -> str | None:
        """The build searches use; SearchUnavailable when another schema version wrote it."""
        name = self._named_build()
        if name is not None and not _is_current_schema(name):
            raise SearchUnavailable(
                f"the search index {name} was built for another version of the schema (this one reads "
                f"v{SCHEMA_VERSION}): run `sherloc index rebuild`"
            )
        return name

    def _named_build(self) -> str | None:
        try:
            name = self._current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def state(self) -> IndexState:
        name = self._named_build()
        if name is not None and not _is_current_schema(name):
            return "outdated"
        if name is None or not (self.index_dir / name / "meta.json").exists():
            return "missing"  # never built, or the build CURRENT names was removed
        return "current"

    def _reader(self) -> tantivy.Index:
        """The index searches use, reopened when CURRENT switches, reloaded after commits. An index that
        cannot be opened is SearchUnavailable, and is opened afresh on the next call: once it is rebuilt
        or its files are back, searches work again without a restart."""
        with self._lock:
            try:
                build = self._current_build()
                if build is None:
                    raise SearchUnavailable(f"the search index has not been built yet: {REBUILD_HINT}")
                if build != self._build or self._index is None:
                    self._index = self._open(self.index_dir / build, create=False)
                    self._build = build
                    self._meta_mtime = 0
                meta = self.index_dir / build / "meta.json"
                mtime = meta.stat().st_mtime_ns
                if mtime != self._meta_mtime:
                    self._index.reload()
                    self._meta_mtime = mtime
                return self._index
            except SearchError:
                self._forget()
                raise
            except BaseException as exc:
                if not isinstance(exc, (ValueError, OSError)) and not _is_panic(exc):
                    raise
                self._forget()
                raise _engine_error(exc, "opening it") from exc

    def _forget(self) -> None:
        self._index = None
        self._build = None
        self._meta_mtime = 0

    # -- writing ---------------------------------------------------------------------------------

    def _writable_build(self) -> Path:
        build = self._current_build()
        if build is None:
            build = self._new_build_name()
            self._open(self.index_dir / build)
            self._switch_to(build)
        return self.index_dir / build

    def _new_build_name(self) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        return f"v{SCHEMA_VERSION}-{stamp}-{os.getpid()}"

    def _switch_to(self, build: str) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.index_dir / f".CURRENT.{os.getpid()}"
        tmp.write_text(build + "\n", encoding="utf-8")
        os.replace(tmp, self._current_file)

    def _write(self, index: tantivy.Index, docs: Iterable[IndexDocument], replace: bool) -> int:
        writer = index.writer(WRITER_HEAP, 1)
        n = 0
        try:
            for doc in docs:
                if replace:
                    writer.delete_documents_by_term("id", doc.id)
                writer.add_document(to_tantivy_document(doc))
                n += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            with contextlib.suppress(ValueError):  # a writer that failed to commit may refuse this too
                writer.rollback()
            raise
        return n

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time across processes (ingest, rebuild): a rebuild and an ingest's sync must not
        interleave, or the sync would land in the build the rebuild is about to replace. What tantivy or
        the file system refuse (a full disk ...) comes out as SearchError with a message safe to show."""
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            with (self.index_dir / ".writer.lock").open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        except (ValueError, OSError) as exc:
            raise _engine_error(exc, "writing") from exc

    def upsert(self, documents: Iterable[IndexDocument]) -> int:
        with self._writing():
            index = self._open(self._writable_build())
            return self._write(index, documents, replace=True)

    def delete(self, ids: Iterable[str]) -> int:
        with self._writing():
            build = self._current_build()
            if build is None:
                return 0
            index = self._open(self.index_dir / build)
            writer = index.writer(WRITER_HEAP, 1)
            n = 0
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)
                n += 1
            writer.commit()
            writer.wait_merging_threads()
            return n

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        # The lock is taken before `documents` is first read, so the store snapshot it streams from is
        # at least as new as every sync that went before; syncs after it wait and land in the new build.
        with self._writing():
            build = self._new_build_name()
            try:
                n = self._write(self._open(self.index_dir / build), documents, replace=False)
                previous = self._named_build()
                self._switch_to(build)
            except BaseException:
                shutil.rmtree(self.index_dir / build, ignore_errors=True)
                raise
            self._remove_old_builds(keep={build, previous})
            return n

    def _remove_old_builds(self, keep: set[str | None]) -> None:
        # The build just replaced stays for processes still reading it; older ones go.
        for child in self.index_dir.iterdir():
            if child.is_dir() and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------------

    def count(self) -> int:
        try:
            return int(self._reader().searcher().num_docs)
        except SearchUnavailable:
            return 0

    def close(self) -> None:
        with self._lock:
            self._forget()

    def search(self, request: SearchRequest) -> SearchResult:
        index = self._reader()
        try:
            return self._search(index, request)
        except BaseException as exc:  # files removed or damaged under an open index
            if not isinstance(exc, (ValueError, OSError)) and not _is_panic(exc):
                raise
            with self._lock:
                self._forget()
            raise _engine_error(exc, "searching") from exc

    def _search(self, index: tantivy.Index, request: SearchRequest) -> SearchResult:
        searcher = index.searcher()
        text_query = self._compiler.compile(request.query)
        base = self._compiler.with_filters(text_query, request.filters)
        if request.interleave and request.sort == "relevance":
            total, ranked = self._interleaved(searcher, base, request)
        else:
            total, ranked = self._ranked(searcher, base, request)
        relevance = request.sort == "relevance"
        docs = [(score if relevance else 0.0, searcher.doc(addr)) for score, addr in ranked]
        snippets = self._snippets(searcher, request, docs) if request.highlight else {}
        sort_field = SORT_FIELDS.get(request.sort)
        hits = [self._hit(doc, score, snippets.get(i), sort_field) for i, (score, doc) in enumerate(docs)]
        facets = facet_buckets(
            request,
            lambda filters: self._compiler.with_filters(text_query, filters),
            lambda query, names: self._aggregate(searcher, query, names),
        )
        return SearchResult(total=total, hits=hits, facets=facets)

    def _ranked(
        self, searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
    ) -> tuple[int, list[tuple[float, Any]]]:
        """(total, page of (score, address)) in the request's order."""
        offset = (request.page - 1) * request.page_size
        sort_field = SORT_FIELDS.get(request.sort)
        if sort_field is None:
            result = searcher.search(query, request.page_size, count=True, offset=offset)
            return _count(result), [(float(score), addr) for score, addr in result.hits]
        order = tantivy.Order.Asc if request.sort == "date_asc" else tantivy.Order.Desc
        total: int | None = None
        if request.after is not None:
            total = _count(searcher.search(query, 1, count=True))
            ascending = order == tantivy.Order.Asc
            query = tantivy.Query.boolean_query(
                [
                    (Occur.Must, query),
                    (
                        Occur.Must,
                        tantivy.Query.range_query(
                            self.schema,
                            sort_field,
                            tantivy.FieldType.Integer,
                            request.after if ascending else None,
                            None if ascending else request.after,
                            include_lower=not ascending,
                            include_upper=ascending,
                        ),
                    ),
                ]
            )
        result = searcher.search(
            query, request.page_size, count=True, offset=offset, order_by_field=sort_field, order=order
        )
        return (total if total is not None else _count(result)), [(0.0, addr) for _key, addr in result.hits]

    def _group_query(self, request: SearchRequest, value: str) -> tantivy.Query:
        node, possible = group_query(request, value)
        if not possible:
            return tantivy.Query.empty_query()
        return self._compiler.with_filters(self._compiler.compile(node), request.filters)

    def _interleaved(
        self, searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
    ) -> tuple[int, list[tuple[float, Any]]]:
        """Rank within each value of `request.interleave`, then take the values' hits in turns."""
        field = request.interleave or ""
        need = request.page * request.page_size
        # One pass counts the groups and the total (every document has a sort key).
        spec = {
            field: {"terms": {"field": field, "size": FACET_SIZE}},
            "total": {"value_count": {"field": "sort_asc"}},
        }
        raw = searcher.aggregate(query, spec)
        total = int(raw.get("total", {}).get("value") or 0)
        buckets = [
            (_bucket_key(b["key"]), int(b["doc_count"])) for b in raw.get(field, {}).get("buckets", [])
        ]
        values = [value for value, _n in buckets]
        groups: list[list[tuple[float, Any]]] = []
        for value in values:
            within = self._compiler.with_filters(self._group_query(request, value), {field: (value,)})
            groups.append([(float(score), addr) for score, addr in searcher.search(within, need).hits])
        if sum(n for _v, n in buckets) < total:
            # Hits with no value of the field (a record of unknown language) form one more group.
            without = [(Occur.MustNot, self._compiler.with_filters(_ALL, {field: (v,)})) for v in values]
            rest = searcher.search(tantivy.Query.boolean_query([(Occur.Must, query), *without]), need)
            if rest.hits:
                groups.append([(float(score), addr) for score, addr in rest.hits])
        groups.sort(key=lambda group: -group[0][0] if group else 0.0)
        start = (request.page - 1) * request.page_size
        return total, take_turns(
            groups, start, request.page_size, key=lambda hit: (hit[1].segment_ord, hit[1].doc)
        )

    def _aggregate(
        self, searcher: tantivy.Searcher, query: tantivy.Query, names: Sequence[str]
    ) -> dict[str, list[tuple[str, int]]]:
        spec = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in names}
        raw = searcher.aggregate(query, spec)
        out: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            buckets = raw.get(name, {}).get("buckets", [])
            out[name] = [(_bucket_key(b["key"]), int(b["doc_count"])) for b in buckets]
        return out

    def _snippets(
        self,
        searcher: tantivy.Searcher,
        request: SearchRequest,
        docs: Sequence[tuple[float, tantivy.Document]],
    ) -> dict[int, str]:
        if request.query is None:
            return {}

        def prefix_terms(field: str, prefix: str) -> list[str]:
            return [term for term, _count in searcher.terms_with_prefix(field, prefix, limit=PREFIX_TERMS)]

        compiler = TantivyQueryCompiler(
            self.schema, self._analyzers, prefix_terms=prefix_terms, token_cache=self._compiler.token_cache
        )
        highlight_query = compiler.compile(request.query, for_highlight=True)
        needles = han_needles(request.query)
        stems = word_stems(request.query)
        generators: dict[str, tantivy.SnippetGenerator] = {}
        out: dict[int, str] = {}
        for i, (_score, doc) in enumerate(docs):
            lang = analysis.field_language(_first(doc, "language"))
            field = f"text_{lang}"
            if lang in analysis.CHARACTER_LANGUAGES:
                marked = highlight_window(_first(doc, field) or "", needles, SNIPPET_CHARS // 2)
                if marked:
                    out[i] = marked
                continue
            if field not in generators:
                gen = tantivy.SnippetGenerator.create(searcher, highlight_query, self.schema, field)
                gen.set_max_num_chars(SNIPPET_CHARS)
                generators[field] = gen
            text = _first(doc, field) or ""
            window = text_window(text, stems)
            source = doc if window is text else tantivy.Document(**{field: window})
            snippet = generators[field].snippet_from_doc(source)
            rendered = render_snippet(snippet.fragment(), [(r.start, r.end) for r in snippet.highlighted()])
            if rendered:
                out[i] = rendered
        return out

    def _hit(
        self, doc: tantivy.Document, score: float, snippet: str | None, sort_field: str | None = None
    ) -> Hit:
        lang = analysis.field_language(_first(doc, "language"))
        if snippet is None:
            snippet = html.escape(_lead(_first(doc, f"text_{lang}") or "", SNIPPET_CHARS))
        date = _first(doc, "date")
        return Hit(
            id=_first(doc, "id") or "",
            kind=_first(doc, "kind") or "",
            score=score,
            title=_first(doc, "title") or "",
            country=_first(doc, "country"),
            language=_first(doc, "language"),
            parent_id=_first(doc, "parent_id"),
            parent_title=_first(doc, "parent_title"),
            label=_first(doc, "label"),
            number=_first(doc, "number"),
            heading=_first(doc, "heading"),
            date=date.date() if isinstance(date, dt.datetime) else None,
            snippet=snippet,
            tags={name: list(doc.get_all(name)) for name in TAG_FIELDS if doc.get_all(name)},
            sort_key=_first(doc, sort_field) if sort_field else None,
        )


DATE_MIN = dt.date(1678, 1, 1)
DATE_MAX = dt.date(2261, 12, 31)


def _tantivy_date(date: dt.date | None) -> dt.datetime | None:
    if date is None or not DATE_MIN <= date <= DATE_MAX:
        return None
    return dt.datetime(date.year, date.month, date.day)


_ALL = tantivy.Query.all_query()


def _count(result: tantivy.SearchResult) -> int:
    return int(result.count or 0)  # type: ignore[attr-defined]  # present at run time; not in tantivy's stub


def _first(doc: tantivy.Document, name: str) -> Any:
    values = doc.get_all(name)
    return values[0] if values else None


def _bucket_key(key: Any) -> str:
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def _lead(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_snippet(fragment: str, ranges: Iterable[tuple[int, int]]) -> str:
    """Escape a fragment and wrap highlighted byte ranges in <mark>, merging touching ranges.

    Ranges are UTF-8 byte offsets (tantivy's). Touching ranges are merged so that a Chinese word matched
    character by character reads as one mark, not one per character.
    """
    data = fragment.encode("utf-8")
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return ""
    parts: list[str] = []
    pos = 0
    for start, end in merged:
        parts.append(html.escape(data[pos:start].decode("utf-8", "replace")))
        parts.append("<mark>" + html.escape(data[start:end].decode("utf-8", "replace")) + "</mark>")
        pos = end
    parts.append(html.escape(data[pos:].decode("utf-8", "replace")))
    return "".join(parts).strip()
