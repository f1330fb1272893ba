"""The search backend protocol and its neutral request and result types (no engine DSL here)."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

from sherloc.search import analysis
from sherloc.search.query import Node, without_terms

# Keyword fields a request may filter on (from facets or `field:value` in the query).
FILTER_FIELDS = (
    "id",
    "kind",
    "country",
    "subdivision",
    "region",
    "language",
    "crime_type",
    "instrument_article",
    "cross_cutting",
    "court",
    "verdict",
    "sentence_range",
    "year",
    "parent_id",
    "parent_kind",
    "status",
    "main_crime_type",
    "law_crime_type",
)

TAG_FIELDS = ("crime_type", "instrument_article", "cross_cutting")  # shown on hits
INDEXED_TAG_FIELDS = (*TAG_FIELDS, "main_crime_type", "law_crime_type")
# Exact-value fields every engine indexes (filters and facets; year and date are numeric).
KEYWORD_FIELDS = (
    "id",
    "kind",
    "country",
    "subdivision",
    "region",
    "language",
    "parent_id",
    "parent_kind",
    "status",
    "court",
    "verdict",
    "sentence_range",
    *INDEXED_TAG_FIELDS,
)

# Ranking weights every engine applies (see compile_tantivy, elastic_query).
HEADING_BOOST = 3.0  # the provision's own label and heading (e.g. the charge name 洗钱罪)
CONTEXT_BOOST = 0.8  # its law's title and chapter path: every article of a chapter shares them
EXACT_BOOST = 1.2  # the unstemmed form, over a stemmed match
NUMBER_BOOST = 6.0  # an article number ("324-1", "第一百九十一条") naming the provision
TIE_BREAKER = 0.1  # how much the other fields add to the best field's score
SNIPPET_CHARS = 240

# Filters that also rank, by a constant score added to a matching record's (text scores run to about
# 10-30): cross-language search asks for either (see services.cross_language), and a record *about* the
# crime type (its heading, chapter or charges name it) ranks above a provision of a law about it, which
# ranks above records that only mention it.
FILTER_BOOSTS = {"main_crime_type": 30.0, "law_crime_type": 15.0}

# Facets: declared once, with the order they appear in; labels live in sherloc.vocab / translations.
FACETS = (
    "country",
    "subdivision",  # ISO 3166-2: a Spanish autonomous community, a Chinese province ...
    "region",
    "language",
    "kind",
    "crime_type",
    "instrument_article",
    "cross_cutting",
    "court",
    "verdict",  # of a decision's charges: convicted, acquitted ...
    "sentence_range",  # custodial terms of a decision's convictions, in bands (SENTENCE_RANGES)
    "year",
)
FACET_SIZE = 300  # buckets counted per facet: every country (250) fits

# Bands of the sentence_range facet: custodial terms in months (above, up to], as penal codes write ranges
# ("三年以下" includes three years, PRC Criminal Law art. 99) and as the sentencing figures bin them; then
# the sentences without a term.
SENTENCE_BANDS = (
    ("up_to_1y", None, 12),
    ("1_3y", 12, 36),
    ("3_5y", 36, 60),
    ("5_10y", 60, 120),
    ("over_10y", 120, None),
)  # fmt: skip
SENTENCE_RANGES = (*(band for band, _, _ in SENTENCE_BANDS), "life", "death", "non_custodial")


def sentence_range(kind: str | None, term_months: int | None) -> str | None:
    """The band of one sentence: a custodial term's, "life", "death" (with reprieve too), or
    "non_custodial" (a fine alone, public surveillance, community service); None when unknown."""
    if kind == "life_imprisonment":
        return "life"
    if kind in ("death", "death_with_reprieve"):
        return "death"
    if kind in ("fine_only", "public_surveillance", "community_service"):
        return "non_custodial"
    if kind in ("imprisonment", "criminal_detention") and term_months is not None:
        for band, start, end in SENTENCE_BANDS:
            if (start is None or term_months > start) and (end is None or term_months <= end):
                return band
    return None


SORTS = ("relevance", "date_desc", "date_asc")

# Offset paging stops here; deeper pages go by cursor on a date sort (`SearchRequest.after`).
MAX_RESULT_WINDOW = 10_000
MAX_PAGE_SIZE = 100

# Date sorts order by one integer per document and direction (see `date_sort_keys`): the date, then the
# law (by a hash of its id), then the provision's position in it. Unique in practice, so it is both the
# stable tie-breaker and the key a cursor continues after.
_DAY_BITS, _GROUP_BITS, _POSITION_BITS = 20, 23, 20
_NO_DAY_LAST_ASC = (1 << _DAY_BITS) - 1
_POSITION_MAX = (1 << _POSITION_BITS) - 1


def keyword_value(field: str, value: str | None) -> str | None:
    """The canonical form of a keyword value, the same when indexing and when filtering."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if field in ("country", "subdivision"):
        return value.upper()
    if field in ("language", "kind", "cross_cutting", "status", "region") or field.endswith("crime_type"):
        return value.lower()
    if field == "number":
        return value.replace(" ", "").lower()
    return value


def date_sort_keys(
    doc_id: str, parent_id: str | None, date: dt.date | None, position: int
) -> tuple[int, int]:
    """(ascending key, descending key) of a document for the date sorts; every engine indexes both.

    Undated documents come last in both directions. Within one day, a law comes before its provisions and
    they keep their order (position ascending), whichever direction the dates go.
    """
    group = zlib.crc32((parent_id or doc_id).encode("utf-8")) & ((1 << _GROUP_BITS) - 1)
    # A law shares its group with its provisions and comes first: its provisions count from 1.
    pos = min(max(position + 1, 1), _POSITION_MAX) if parent_id else 0
    day = date.toordinal() if date else None  # 20 bits hold days up to the year 2870
    if day is not None:
        day = min(day, _NO_DAY_LAST_ASC - 1)
    asc = (
        ((day if day is not None else _NO_DAY_LAST_ASC) << (_GROUP_BITS + _POSITION_BITS))
        | (group << _POSITION_BITS)
        | pos
    )
    desc = (
        ((day if day is not None else 0) << (_GROUP_BITS + _POSITION_BITS))
        | (group << _POSITION_BITS)
        | (_POSITION_MAX - pos)
    )
    return asc, desc


T = TypeVar("T")


def take_turns(
    groups: Sequence[Sequence[T]], start: int, size: int, key: Callable[[T], Hashable] | None = None
) -> list[T]:
    """Items `start` to `start + size` of `groups` (each ranked best first, the groups ordered best
    first) taken in turns: the first of each group, then the second of each, and so on; an item in
    several groups (a multi-valued field) only where it comes first, by `key`. Every engine builds
    `SearchRequest.interleave` pages with it."""
    merged: list[T] = []
    seen: set[Hashable] = set()
    depth = 0
    while len(merged) < start + size:
        layer = [group[depth] for group in groups if depth < len(group)]
        if not layer:
            break
        for item in layer:
            k = key(item) if key is not None else None
            if k is None or k not in seen:
                merged.append(item)
                if k is not None:
                    seen.add(k)
        depth += 1
    return merged[start : start + size]


def group_query(request: SearchRequest, value: str | None) -> tuple[Node | None, bool]:
    """(query, can match) for one group of an interleaved request. In one language's group, words bound
    to another language (cross-language expansion) cannot match and are left out, so the query run once
    per language is much smaller."""
    node = request.query
    if request.interleave != "language" or node is None or value is None:
        return node, True
    target = analysis.field_language(value)
    pruned = without_terms(
        node, lambda t: t.language is not None and analysis.field_language(t.language) != target
    )
    return pruned, pruned is not None


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
    other_countries: tuple[str, ...] = ()  # a treaty's other parties, the other countries an entry covers
    subdivision: str | None = None  # ISO 3166-2 (ES-CT), for laws and decisions below the national level
    region: str | None = None
    parent_id: str | None = None
    parent_title: str | None = None
    parent_kind: str | None = None  # a provision's: "law", or "treaty" for a treaty's articles
    label: str | None = None
    number: str | None = None
    heading: str | None = None
    path: tuple[str, ...] = ()
    date: dt.date | None = None
    status: str | None = None
    court: str | None = None
    verdict: tuple[str, ...] = ()  # the verdicts on its charges (case records)
    sentence_range: tuple[str, ...] = ()  # the bands of the sentences its convictions carry
    position: int = 0
    crime_type: tuple[str, ...] = ()
    instrument_article: tuple[str, ...] = ()
    cross_cutting: tuple[str, ...] = ()
    main_crime_type: tuple[str, ...] = ()  # those its own heading, a near heading or its charges name
    law_crime_type: tuple[str, ...] = ()  # those its law's title names (a provision of a law about it)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def sort_keys(self) -> tuple[int, int]:
        return date_sort_keys(self.id, self.parent_id, self.date, self.position)

    def fields(self, language_field: str) -> dict[str, Any]:
        """The values every engine indexes, by field name, empty ones left out: texts under their
        language's fields (`language_field`, e.g. "fr" or "xx"), keywords normalised, tags as lists.
        Engines add what is their own (exact fields, dates)."""
        heading, context = self.heading_and_context()
        sort_asc, sort_desc = self.sort_keys
        values: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "sort_asc": sort_asc,
            "sort_desc": sort_desc,
            f"text_{language_field}": self.text,
            f"heading_{language_field}": heading,
            f"context_{language_field}": context,
            "position": self.position,
            "country": self._countries(),
            "subdivision": keyword_value("subdivision", self.subdivision),
            "region": keyword_value("region", self.region),
            "language": keyword_value("language", self.language),
            "parent_id": self.parent_id,
            "parent_title": self.parent_title,
            "parent_kind": self.parent_kind,
            "label": self.label,
            "number": keyword_value("number", self.number),
            "heading": self.heading,
            "status": self.status,
            "court": self.court,
            "verdict": list(self.verdict),
            "sentence_range": list(self.sentence_range),
            "year": self.year,
        }
        for name in INDEXED_TAG_FIELDS:
            values[name] = list(getattr(self, name))
        return {k: v for k, v in values.items() if v not in (None, "", [])}

    def _countries(self) -> str | list[str] | None:
        """Its country, or the list of its countries when it has others (a treaty's parties)."""
        found = [
            v
            for c in dict.fromkeys((self.country, *self.other_countries))
            if (v := keyword_value("country", c))
        ]
        return found if len(found) > 1 else (found[0] if found else None)

    def heading_and_context(self) -> tuple[str, str]:
        """What the record is (its own label and heading, or a law's title) and where it is (its law's
        title and chapters): indexed apart, the first weighing more."""
        if self.parent_id:
            heading = "\n".join(p for p in (self.label, self.heading) if p)
            context = "\n".join(p for p in (self.parent_title, *self.path) if p)
        else:
            heading = "\n".join(p for p in (self.title, self.heading) if p)
            context = "\n".join(self.path)
        return heading, context


@dataclass(frozen=True)
class SearchRequest:
    """What to search for. `filters` are facet selections: OR within one field, AND across fields.

    `after`: on a date sort, continue after the hit whose `sort_key` this is (keyset paging, any depth;
    `page` must then be 1). `interleave`: on the relevance sort, rank hits within each value of this
    facet field and take them in turns, values ordered by their best hit, so no one value (a language)
    fills the first page; `total` and facets are those of the plain query.
    """

    query: Node | None = None
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    highlight: bool = True
    after: int | None = None
    interleave: str | None = None

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
        if self.page_size > MAX_PAGE_SIZE:
            raise ValueError(f"page_size is at most {MAX_PAGE_SIZE}")
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise ValueError(
                f"results beyond the first {MAX_RESULT_WINDOW} cannot be paged to by number: sort by date "
                "and follow the cursor"
            )
        if self.after is not None and (self.sort == "relevance" or self.page != 1):
            raise ValueError("`after` continues a date sort from its first page")
        if self.interleave is not None and self.interleave not in FACETS:
            raise ValueError(f"cannot interleave by {self.interleave!r}")


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
    sort_key: int | None = None  # on a date sort: the key `SearchRequest.after` continues from


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
