"""Compile the portal's query tree (search.query) into tantivy queries.

Each word is looked for in every language's fields, analysed the way that field was (so "blanchiment"
meets the French stemmer and 洗钱 the character index), and in the exact field; the best field wins
(disjunction max). A word that reads as an article number ("324-1", "第一百九十一条") also matches the
provision number. Words are ANDed by default, as legal researchers expect of a search box.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

import tantivy

from sherloc.search import analysis
from sherloc.search.base import (
    CONTEXT_BOOST,
    EXACT_BOOST,
    FILTER_BOOSTS,
    HEADING_BOOST,
    NUMBER_BOOST,
    TIE_BREAKER,
    keyword_value,
)
from sherloc.search.numbers import article_number
from sherloc.search.query import And, Filter, Node, Not, Or, Phrase, Range, Term

Occur = tantivy.Occur
TOKEN_CACHE_SIZE = 50_000  # (analyzer, word) pairs
WORD_CACHE_SIZE = 5_000  # compiled words and phrases


class TantivyQueryCompiler:
    def __init__(
        self,
        schema: tantivy.Schema,
        analyzers: Mapping[str, tantivy.TextAnalyzer],
        prefix_terms: Callable[[str, str], list[str]] | None = None,
        token_cache: dict[tuple[str, str], tuple[str, ...]] | None = None,
    ) -> None:
        """`prefix_terms(field, prefix)`, used only for highlighting, expands a prefix into the index's own
        terms: the snippet generator marks plain terms only. A compiler is cheap; make one per searcher.
        `token_cache` (shared between compilers of one engine) keeps analysed words: a query's words are
        analysed for every language's fields, and the same words come back in query after query."""
        self.schema = schema
        self.analyzers = analyzers
        self._prefix_terms = prefix_terms
        self.token_cache = token_cache if token_cache is not None else {}
        self._word_cache: dict[tuple[Node, bool], tantivy.Query | None] = {}

    def _analyze(self, analyzer: str, text: str) -> tuple[str, ...]:
        key = (analyzer, text)
        tokens = self.token_cache.get(key)
        if tokens is None:
            if len(self.token_cache) >= TOKEN_CACHE_SIZE:
                self.token_cache.clear()  # crude but bounded; refills with the words in use
            tokens = self.token_cache[key] = tuple(self.analyzers[analyzer].analyze(text))
        return tokens

    # -- public ----------------------------------------------------------------------------------

    def compile(self, node: Node | None, *, for_highlight: bool = False) -> tantivy.Query:
        """The query for `node`; None matches everything.

        With for_highlight, phrases and prefixes are also matched on the analysed text fields, so the
        snippet generator (which reads those fields) can mark them.
        """
        compiled = None if node is None else self._node(node, for_highlight)
        return tantivy.Query.all_query() if compiled is None else compiled

    def with_filters(self, query: tantivy.Query, filters: Mapping[str, tuple[str, ...]]) -> tantivy.Query:
        """`query` restricted by facet selections (OR within a field, AND across fields)."""
        clauses = [(Occur.Must, query)]
        for name, values in filters.items():
            if not values:
                continue
            options = [self._keyword(name, v) for v in values]
            clauses.append((Occur.Must, self._any(options)))
        return query if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    # -- nodes -----------------------------------------------------------------------------------

    def _node(self, node: Node, hl: bool) -> tantivy.Query | None:
        if isinstance(node, (Term, Phrase)):
            # A word is compiled into a query per language field: keep it, for the same word comes back in
            # the same request (each interleaved group) and in later ones. Tantivy queries are immutable.
            key = (node, hl)
            if key in self._word_cache:
                return self._word_cache[key]
            compiled = self._term(node, hl) if isinstance(node, Term) else self._phrase(node, hl)
            if len(self._word_cache) >= WORD_CACHE_SIZE:
                self._word_cache.clear()
            self._word_cache[key] = compiled
            return compiled
        if isinstance(node, Filter):
            return self._keyword(node.field, node.value)
        if isinstance(node, Range):
            return self._range(node)
        # A clause with nothing to search (a word such as "§" that analyses to no token: None) is dropped.
        if isinstance(node, And):
            clauses = []
            for item in node.items:
                negated = isinstance(item, Not)
                compiled = self._node(item.item if isinstance(item, Not) else item, hl)
                if compiled is not None:
                    clauses.append((Occur.MustNot if negated else Occur.Must, compiled))
            if not clauses:
                return None
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.append((Occur.Must, tantivy.Query.all_query()))
            return tantivy.Query.boolean_query(clauses)
        if isinstance(node, Or):
            options = [q for q in (self._node(i, hl) for i in node.items) if q is not None]
            return tantivy.Query.boolean_query([(Occur.Should, q) for q in options]) if options else None
        if isinstance(node, Not):
            inner = self._node(node.item, hl)
            if inner is None:
                return None
            return tantivy.Query.boolean_query(
                [(Occur.Must, tantivy.Query.all_query()), (Occur.MustNot, inner)]
            )
        raise TypeError(f"unknown query node {node!r}")

    def _fields_for(self, field: str | None, language: str | None = None) -> list[tuple[str, str, float]]:
        """(index field, analyzer, boost) triples a text clause searches: every language's analysed fields
        and the exact ones, or only `language`'s analysed fields."""
        wanted = {
            "text": field in (None, "text"),
            "heading": field in (None, "title", "heading"),
            "context": field in (None, "title"),
        }
        boosts = {"text": 1.0, "heading": HEADING_BOOST, "context": CONTEXT_BOOST}
        out: list[tuple[str, str, float]] = []
        codes = (analysis.field_language(language),) if language else analysis.ANALYSED_LANGUAGES
        for part, boost in boosts.items():
            if not wanted[part]:
                continue
            out.extend((f"{part}_{code}", f"lang_{code}", boost) for code in codes)
            if not language:
                out.append((f"{part}_exact", "exact", boost * EXACT_BOOST))
        return out

    def _term(self, term: Term, hl: bool = False) -> tantivy.Query | None:
        if term.field == "number":
            return self._number(term.text) or tantivy.Query.empty_query()
        options: list[tantivy.Query] = []
        if term.prefix:
            for field, analyzer, boost in self._fields_for(term.field):
                # Prefixes match the unstemmed exact fields; for highlighting, whose snippets are cut from
                # the analysed fields, the prefix is also matched there in its analysed form.
                if analyzer == "exact" or hl:
                    q = self._prefix(field, term.text, analyzer)
                    if q is not None:
                        options.append(_boost(q, boost))
        else:
            for field, analyzer, boost in self._fields_for(term.field, term.language):
                if hl and term.language:
                    q = self._highlight_words(field, analyzer, term.text)
                else:
                    q = self._analysed(field, analyzer, term.text)
                if q is not None:
                    options.append(_boost(q, boost))
            if term.field is None and term.language is None:
                number = self._number(term.text)
                if number is not None:
                    options.append(_boost(number, NUMBER_BOOST))
        if not options:
            return None  # nothing to search in this word
        return tantivy.Query.disjunction_max_query(options, tie_breaker=TIE_BREAKER)

    def _phrase(self, phrase: Phrase, hl: bool) -> tantivy.Query | None:
        options: list[tantivy.Query] = []
        for field, analyzer, boost in self._fields_for(phrase.field):
            if analyzer == "exact" or hl:
                q = self._analysed(field, analyzer, phrase.text)
                if q is not None:
                    options.append(_boost(q, boost))
        if not options:
            return None  # nothing to search in this word
        return tantivy.Query.disjunction_max_query(options, tie_breaker=TIE_BREAKER)

    def _analysed(self, field: str, analyzer: str, text: str) -> tantivy.Query | None:
        tokens: list[str | tuple[int, str]] = list(self._analyze(analyzer, text))
        if not tokens:
            return None
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, str(tokens[0]))
        # Several tokens from one word (a Chinese word, "324-1") or a phrase: they must be adjacent.
        return tantivy.Query.phrase_query(self.schema, field, tokens)

    def _highlight_words(self, field: str, analyzer: str, text: str) -> tantivy.Query | None:
        """What a widened term marks in a snippet: its words, but not the short ones ("de", "of", "в")
        the snippet generator would mark wherever they occur, phrase or not."""
        tokens = list(self._analyze(analyzer, text))
        if len(tokens) > 1:
            tokens = [t for t in tokens if len(t) > 2]
        if not tokens:
            return None
        return tantivy.Query.boolean_query(
            [(Occur.Should, tantivy.Query.term_query(self.schema, field, t)) for t in tokens]
        )

    def _prefix(self, field: str, text: str, analyzer: str = "exact") -> tantivy.Query | None:
        tokens: list[str | tuple[int, str]] = list(self._analyze(analyzer, text))
        if not tokens:
            return None
        if len(tokens) == 1:
            expand = self._prefix_terms
            if expand is not None and analyzer != "exact":  # only ever set on a highlighting compiler
                terms = expand(field, str(tokens[0]))
                if not terms:
                    return None
                return tantivy.Query.boolean_query(
                    [(Occur.Should, tantivy.Query.term_query(self.schema, field, t)) for t in terms]
                )
            return tantivy.Query.regex_query(self.schema, field, re.escape(str(tokens[0])) + ".*")
        return tantivy.Query.phrase_prefix_query(self.schema, field, tokens)

    def _number(self, text: str) -> tantivy.Query | None:
        number = article_number(text)
        if number is None:
            return None
        return tantivy.Query.term_query(self.schema, "number", keyword_value("number", number))

    def _keyword(self, field: str, value: str) -> tantivy.Query:
        if field == "year":
            try:
                year = _year(value)
            except ValueError:
                return tantivy.Query.empty_query()
            return tantivy.Query.term_query(self.schema, "year", year)
        if field == "date":
            return self._range(Range("date", value, value))
        normalised = keyword_value(field, value)
        if normalised is None:
            return tantivy.Query.empty_query()
        query = tantivy.Query.term_query(self.schema, field, normalised)
        boost = FILTER_BOOSTS.get(field)
        return tantivy.Query.const_score_query(query, boost) if boost else query

    def _any(self, options: list[tantivy.Query]) -> tantivy.Query:
        if len(options) == 1:
            return options[0]
        return tantivy.Query.boolean_query([(Occur.Should, q) for q in options])

    def _range(self, node: Range) -> tantivy.Query:
        if node.field == "year":
            lower: Any = _year(node.lower) if node.lower else None
            upper: Any = _year(node.upper) if node.upper else None
            field_type = tantivy.FieldType.Integer
        else:
            lower = _date_bound(node.lower, upper=False)
            upper = _date_bound(node.upper, upper=True)
            field_type = tantivy.FieldType.Date
            # Dates are indexed only inside tantivy's range (see search.embedded): clamp to it, and a range
            # wholly outside it matches nothing.
            if (lower is not None and lower > DATE_MAX) or (upper is not None and upper < DATE_MIN):
                return tantivy.Query.empty_query()
            lower = max(lower, DATE_MIN) if lower is not None else None
            upper = min(upper, DATE_MAX) if upper is not None else None
        if lower is None and upper is None:
            return tantivy.Query.all_query()
        return tantivy.Query.range_query(
            self.schema,
            node.field,
            field_type,
            lower,
            upper,
            include_lower=getattr(node, "inclusive_lower", True) or lower is None,
            include_upper=getattr(node, "inclusive_upper", True) or upper is None,
        )


def _boost(query: tantivy.Query, boost: float) -> tantivy.Query:
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


DATE_MIN = dt.datetime(1678, 1, 1)
DATE_MAX = dt.datetime(2261, 12, 31)


def _year(value: str) -> int:
    """A year as the index holds it; ValueError outside 0-9999 (the index field is an i64)."""
    year = int(value)
    if not 0 <= year <= 9999:
        raise ValueError(f"year {value} is out of range")
    return year


def _date_bound(value: str | None, *, upper: bool) -> dt.datetime | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as the first (or, for an upper bound, last) day it covers."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    if parts[0] >= 9999 and upper:
        return dt.datetime(9999, 12, 31)  # the last day of year 9999 has no "first day of next month"
    if len(parts) == 1:
        return dt.datetime(parts[0], 12, 31) if upper else dt.datetime(parts[0], 1, 1)
    if len(parts) == 2:
        year, month = parts
        if not upper:
            return dt.datetime(year, month, 1)
        first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
        last = first_next - dt.timedelta(days=1)
        return dt.datetime(last.year, last.month, last.day)
    return dt.datetime(parts[0], parts[1], parts[2])
