"""The search benchmark's fixed query set (benchmarks/search_queries.txt) stays usable: every query parses
and loads as the API loads it, or is listed as an expected error. No timing here: speed is the benchmark's."""

from __future__ import annotations

from pathlib import Path

import pytest
from marshmallow import ValidationError

from benchmarks.search_corpora import CATEGORIES, LANGUAGES, load_queries
from sherloc.search.query import QuerySyntaxError

QUERIES = load_queries()


def test_the_set_covers_every_corpus_language_and_kind_of_query() -> None:
    assert len(QUERIES) >= 200
    assert {q.category for q in QUERIES} == set(CATEGORIES)
    for language in LANGUAGES:
        kinds = {q.category for q in QUERIES if q.language == language}
        assert {"plain", "phrase", "field", "facet", "prefix", "article", "boolean"} <= kinds, language
    keys = [(q.text, tuple(sorted(q.filters.items()))) for q in QUERIES]
    assert len(keys) == len(set(keys)), "a query is listed twice"


def test_every_query_parses_or_is_an_expected_error() -> None:
    problems = []
    for query in QUERIES:
        try:
            request = query.request()
            params = query.params()  # what the API makes of the benchmark's URL
        except (QuerySyntaxError, ValidationError, ValueError) as exc:
            if not query.expect_error:
                problems.append(f"line {query.line}: {query.label}: {exc}")
            continue
        if query.expect_error:
            problems.append(f"line {query.line}: {query.label}: listed as an error but runs")
        elif request.filters != query.filters or dict(params.filters) != query.filters:
            problems.append(f"line {query.line}: {query.label}: filters read as {params.filters}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("plain | zh", "want 'category"),
        ("fuzzy | fr | blanchiment", "unknown category"),
        ("plain | de | Geldwäsche", "unknown language"),
        ("facet | fr | blanchiment | colour=FR", "not a URL facet filter"),
    ],
)
def test_a_malformed_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "queries.txt"
    path.write_text(f"# a comment\n\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as caught:
        load_queries(path)
    assert "queries.txt:3" in str(caught.value)
