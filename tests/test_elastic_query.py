"""The Elasticsearch backend without a server: mapping, documents, queries, bodies and hits as plain data.

The same backend runs against a real server in tests/test_backend_suite.py when SHERLOC_ES_URL is set.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import regex

from sherloc.search import analysis
from sherloc.search.base import FACET_SIZE, Hit, IndexDocument, SearchRequest
from sherloc.search.elastic import (
    ElasticBackend,
    clean_fragment,
    hit_from_es,
    interleave_hits,
    loading_settings,
    node_urls,
    result_from_response,
    serving_settings,
    shard_verdict,
)
from sherloc.search.elastic_mapping import (
    MAPPING_NAME,
    build_mapping,
    exact_tokens,
    java_token_pattern,
    to_source,
)
from sherloc.search.elastic_query import (
    MATCH_ALL,
    MATCH_NONE,
    build_search_body,
    compile_query,
    filters_query,
    highlight_spec,
    interleave_group_body,
    interleave_groups,
    interleave_plan_body,
    read_facets,
    with_filters,
)
from sherloc.search.query import And, Filter, Not, Or, Phrase, Range, Term, parse_query
from sherloc.settings import REPO_ROOT, Settings
from tests.test_backend_suite import DOCUMENTS

ALL_FIELDS = {
    f"{part}_{code}" for part in ("text", "heading", "context") for code in analysis.ANALYSED_LANGUAGES
}
EXACT_FIELDS = {"text_exact", "heading_exact", "context_exact"}


def fields_of(query: dict[str, Any], kind: str) -> set[str]:
    """The fields of every `kind` clause (match_phrase, prefix ...) inside a compiled query."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == kind:
                    found.update(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(query)
    return found


# ---------------------------------------------------------------------------------------------------
# Mapping and documents


def test_one_analyzer_per_language_of_the_table_plus_other_and_exact() -> None:
    settings = build_mapping()["settings"]["analysis"]
    assert set(settings["analyzer"]) == {f"lang_{c}" for c in analysis.ANALYSED_LANGUAGES} | {"exact"}
    for code, lang in analysis.LANGUAGES.items():
        chain = settings["analyzer"][f"lang_{code}"]["filter"]
        assert chain[:2] == ["token_length", "lowercase"]
        if lang.stemmer:
            assert settings["filter"][chain[2]] == {"type": "snowball", "language": lang.stemmer.capitalize()}
        assert ("asciifolding" in chain) == lang.fold_accents
    assert settings["analyzer"]["lang_zh"]["filter"] == [
        "token_length",
        "lowercase",
    ]  # characters, no stemming
    assert settings["analyzer"]["lang_xx"]["filter"] == ["token_length", "lowercase", "asciifolding"]
    assert settings["analyzer"]["exact"]["filter"] == ["token_length", "lowercase"]
    assert settings["filter"]["stem_ar"] == {"type": "snowball", "language": "Arabic"}


def test_the_mapping_is_strict_and_every_analyzer_it_names_exists() -> None:
    mapping = build_mapping()
    assert mapping["mappings"]["dynamic"] == "strict"
    analyzers = set(mapping["settings"]["analysis"]["analyzer"])
    properties = mapping["mappings"]["properties"]
    for name, spec in properties.items():
        if "analyzer" in spec:
            assert spec["analyzer"] in analyzers, name
        if "copy_to" in spec:
            assert spec["copy_to"] in properties, name
    assert set(properties) >= ALL_FIELDS | EXACT_FIELDS
    assert properties["sort_asc"] == properties["sort_desc"] == {"type": "long"}
    assert mapping["mappings"]["_meta"]["mapping"] == MAPPING_NAME


def test_the_checked_in_mapping_is_the_one_the_code_builds() -> None:
    """Regenerate with `python -m sherloc.search.elastic_mapping > mappings/records-v<N>.json`."""
    checked_in = json.loads((REPO_ROOT / "mappings" / f"{MAPPING_NAME}.json").read_text(encoding="utf-8"))
    assert checked_in == build_mapping()


@pytest.mark.parametrize(
    "text",
    [
        "Le blanchiment (art. 324-1) est puni",
        "第一百九十一条（洗钱罪）为掩饰、隐瞒",
        "غسل الأموال ١٩١",
        "Straße café naïve ĳ 12:30 L.222-34",
        "Отмывание денежных средств, статья 174.1",
    ],
)
def test_the_java_token_pattern_tokenises_as_the_table_does(text: str) -> None:
    java = regex.compile(java_token_pattern(), flags=regex.V1)  # `regex` reads Java's && too
    assert java.findall(text) == regex.findall(analysis.TOKEN_PATTERN, text, flags=regex.V1)


def test_exact_tokens_are_lower_case_and_han_characters_one_by_one() -> None:
    assert exact_tokens("Stupéf") == ["stupéf"]
    assert exact_tokens("第191条") == ["第", "191", "条"]
    assert exact_tokens("§ ...") == []


def test_documents_fit_the_strict_mapping() -> None:
    properties = build_mapping()["mappings"]["properties"]
    for doc in DOCUMENTS:
        source = to_source(doc)
        assert set(source) <= set(properties), doc.id
        assert (source["sort_asc"], source["sort_desc"]) == doc.sort_keys


def test_a_provision_source_has_its_text_heading_and_context_in_its_language() -> None:
    art_191 = next(d for d in DOCUMENTS if d.id == "cn-law-刑法-art-191")
    source = to_source(art_191)
    assert source["text_zh"] == art_191.text
    assert source["heading_zh"] == "第一百九十一条\n洗钱罪"
    assert source["context_zh"].startswith("中华人民共和国刑法\n第二编 分则")
    assert (source["country"], source["language"], source["number"], source["year"]) == (
        "CN",
        "zh",
        "191",
        2023,
    )
    assert source["date"] == "2023-12-29"
    assert not any(key.startswith("text_") and key != "text_zh" for key in source)


def test_an_old_date_and_tags_are_kept() -> None:
    doc = IndexDocument(
        id="fr-villers-cotterets",
        kind="law",
        title="Ordonnance de Villers-Cotterêts",
        language="fr",
        date=dt.date(1539, 8, 15),
        crime_type=("corruption",),
    )
    source = to_source(doc)
    assert (source["date"], source["year"], source["crime_type"]) == ("1539-08-15", 1539, ["corruption"])
    assert source["heading_fr"] == "Ordonnance de Villers-Cotterêts" and "context_fr" not in source


# ---------------------------------------------------------------------------------------------------
# Queries


def test_a_word_is_looked_for_in_every_language_the_exact_fields_and_as_an_article_number() -> None:
    query = compile_query(Term("324-1"))
    clauses = query["dis_max"]["queries"]
    assert query["dis_max"]["tie_breaker"] == 0.1
    assert fields_of(query, "match_phrase") == ALL_FIELDS | EXACT_FIELDS
    assert {"match_phrase": {"heading_fr": {"query": "324-1", "boost": 3.0}}} in clauses
    assert {"match_phrase": {"heading_exact": {"query": "324-1", "boost": 3.6}}} in clauses
    assert {"match_phrase": {"text_en": {"query": "324-1"}}} in clauses
    assert {"term": {"number": {"value": "324-1", "boost": 6.0}}} in clauses


def test_a_chinese_article_number_matches_the_provision_number() -> None:
    clauses = compile_query(Term("第一百九十一条"))["dis_max"]["queries"]
    assert {"term": {"number": {"value": "191", "boost": 6.0}}} in clauses
    assert not any("term" in c for c in compile_query(Term("blanchiment"))["dis_max"]["queries"])


def test_a_term_bound_to_a_language_is_a_phrase_in_that_language_only() -> None:
    query = compile_query(Term("money laundering", language="en"))
    assert fields_of(query, "match_phrase") == {"text_en", "heading_en", "context_en"}
    assert not fields_of(query, "term")
    other = compile_query(Term("witwassen", language="xh"))  # not in the table: the unstemmed fields
    assert fields_of(other, "match_phrase") == {"text_xx", "heading_xx", "context_xx"}


def test_a_term_in_a_field() -> None:
    assert fields_of(compile_query(Term("blanchiment", field="heading")), "match_phrase") == {
        f"heading_{c}" for c in analysis.ANALYSED_LANGUAGES
    } | {"heading_exact"}
    assert compile_query(Term("§261", field="number")) == {"term": {"number": {"value": "261"}}}
    assert compile_query(Term("blanchiment", field="number")) == MATCH_NONE


def test_a_phrase_matches_the_exact_fields_and_for_highlighting_the_analysed_ones() -> None:
    phrase = Phrase("justification mensongère")
    assert fields_of(compile_query(phrase), "match_phrase") == EXACT_FIELDS
    assert fields_of(compile_query(phrase, for_highlight=True), "match_phrase") == ALL_FIELDS | EXACT_FIELDS
    assert compile_query(Phrase("324-1", field="number")) == {"term": {"number": {"value": "324-1"}}}


def test_a_prefix_matches_the_exact_fields_lower_cased() -> None:
    query = compile_query(Term("Stupéf", prefix=True))
    assert {"prefix": {"text_exact": {"value": "stupéf", "boost": 1.2}}} in query["dis_max"]["queries"]
    assert fields_of(query, "prefix") == EXACT_FIELDS and not fields_of(query, "match_phrase_prefix")
    several = compile_query(Term("324-1", prefix=True))
    assert fields_of(several, "match_phrase_prefix") == EXACT_FIELDS  # the last word is the prefix
    highlight = compile_query(Term("stupéf", prefix=True), for_highlight=True)
    assert fields_of(highlight, "match_phrase_prefix") == ALL_FIELDS  # analysed there as indexed


def test_a_word_with_no_token_is_dropped_not_matched_against_nothing() -> None:
    blanchiment = compile_query(Term("blanchiment"))
    assert compile_query(Term("§")) == MATCH_ALL
    assert compile_query(And((Term("blanchiment"), Term("§")))) == blanchiment
    assert compile_query(And((Term("blanchiment"), Not(Term("..."))))) == blanchiment
    assert compile_query(Or((Term("blanchiment"), Phrase("—")))) == blanchiment


def test_filters_use_the_keyword_normalisation() -> None:
    assert compile_query(Filter("country", "fr")) == {"term": {"country": "FR"}}
    assert compile_query(Filter("kind", "Provision")) == {"term": {"kind": "provision"}}
    assert compile_query(Filter("parent_id", "cn-law-刑法")) == {"term": {"parent_id": "cn-law-刑法"}}
    assert compile_query(Filter("year", "2001")) == {"term": {"year": 2001}}
    assert compile_query(Filter("country", " ")) == MATCH_NONE


def test_year_and_date_ranges_cover_whole_periods() -> None:
    assert compile_query(Range("year", "2010", "2020")) == {"range": {"year": {"gte": 2010, "lte": 2020}}}
    assert compile_query(Range("year", None, "800")) == {"range": {"year": {"lte": 800}}}
    assert compile_query(Filter("date", "2019-05")) == {
        "range": {"date": {"gte": "2019-05-01", "lte": "2019-05-31", "format": "strict_date"}}
    }
    leap = compile_query(Range("date", "2019", "2020-02"))["range"]["date"]
    assert (leap["gte"], leap["lte"]) == ("2019-01-01", "2020-02-29")
    # Bounds are clamped to the dates the field holds: the last day of 9999, the first of year 1.
    assert compile_query(Range("date", None, "9999"))["range"]["date"]["lte"] == "9999-12-31"
    assert compile_query(Range("date", "0001", None))["range"]["date"]["gte"] == "0001-01-01"
    assert compile_query(Range("date", "2019-13", None)) == MATCH_NONE
    assert compile_query(Range("year", "12345", None)) == MATCH_NONE


def test_and_or_not() -> None:
    a, b = compile_query(Term("blanchiment")), compile_query(Term("emprisonnement"))
    assert compile_query(parse_query("blanchiment NOT emprisonnement")) == {
        "bool": {"must": [a], "must_not": [b]}
    }
    assert compile_query(parse_query("blanchiment emprisonnement")) == {"bool": {"must": [a, b]}}
    assert compile_query(parse_query("blanchiment OR emprisonnement")) == {
        "bool": {"should": [a, b], "minimum_should_match": 1}
    }
    assert compile_query(parse_query("NOT blanchiment")) == {"bool": {"must": [MATCH_ALL], "must_not": [a]}}
    # An And of exclusions only excludes from everything.
    assert compile_query(And((Not(Term("blanchiment")), Not(Term("emprisonnement"))))) == {
        "bool": {"must": [MATCH_ALL], "must_not": [a, b]}
    }
    assert compile_query(None) == MATCH_ALL


def test_filters_or_within_a_field_and_across_fields() -> None:
    query = compile_query(Term("blanchiment"))
    assert with_filters(query, {"country": ("fr", "ES"), "kind": ("provision",), "court": ()}) == {
        "bool": {
            "must": [query],
            "filter": [{"terms": {"country": ["FR", "ES"]}}, {"terms": {"kind": ["provision"]}}],
        }
    }
    assert with_filters(query, {}) == query
    assert with_filters(query, {"year": ("2001", "x")})["bool"]["filter"] == [{"terms": {"year": [2001]}}]
    assert with_filters(query, {"year": ("x",)})["bool"]["filter"] == [MATCH_NONE]


# ---------------------------------------------------------------------------------------------------
# Search bodies


def test_relevance_body_pages_by_offset_with_a_stable_tie_breaker() -> None:
    body = build_search_body(SearchRequest(query=parse_query("blanchiment"), page=3, page_size=20))
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"sort_asc": {"order": "asc"}}]
    assert (body["from"], body["size"], body["track_total_hits"]) == (40, 20, True)
    assert "search_after" not in body and "aggs" not in body and "post_filter" not in body


def test_date_sorts_order_by_the_sort_keys_and_continue_after_a_cursor() -> None:
    body = build_search_body(SearchRequest(sort="date_desc", after=1234567, page_size=5, highlight=False))
    assert body["sort"] == [{"sort_desc": {"order": "desc"}}]
    assert body["search_after"] == [1234567] and "from" not in body and body["size"] == 5
    assert build_search_body(SearchRequest(sort="date_asc"))["sort"] == [{"sort_asc": {"order": "asc"}}]
    assert build_search_body(SearchRequest(sort="date_asc"))["query"] == MATCH_ALL


def test_selected_facets_filter_hits_but_not_their_own_counts() -> None:
    request = SearchRequest(filters={"country": ("FR",)}, facets=("country", "kind"))
    body = build_search_body(request)
    assert body["query"] == MATCH_ALL  # facets count inside the text query ...
    assert body["post_filter"] == {
        "bool": {"filter": [{"terms": {"country": ["FR"]}}]}
    }  # ... hits are filtered
    terms = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in ("country", "kind")}
    assert body["aggs"] == {
        "facets_0": {"filter": filters_query({"country": ("FR",)}), "aggs": {"kind": terms["kind"]}},
        "facets_1": {"filter": MATCH_ALL, "aggs": {"country": terms["country"]}},
    }
    aggregations = {
        "facets_0": {"doc_count": 2, "kind": {"buckets": [{"key": "provision", "doc_count": 2}]}},
        "facets_1": {
            "doc_count": 7,
            "country": {
                "buckets": [
                    {"key": "CN", "doc_count": 3},
                    {"key": "FR", "doc_count": 2},
                    {"key": "BE", "doc_count": 1},
                    {"key": "ES", "doc_count": 1},
                ]
            },
        },
    }
    facets = read_facets(request, aggregations)
    assert [(b.value, b.count, b.selected) for b in facets["country"]] == [
        ("CN", 3, False),
        ("FR", 2, True),
        ("BE", 1, False),
        ("ES", 1, False),
    ]
    assert [(b.value, b.count) for b in facets["kind"]] == [("provision", 2)]


def test_a_selected_value_without_hits_stays_visible_and_years_read_as_text() -> None:
    request = SearchRequest(filters={"year": ("1999",)}, facets=("year",))
    aggregations = {"facets_0": {"year": {"buckets": [{"key": 2023, "doc_count": 3}]}}}
    assert [(b.value, b.count, b.selected) for b in read_facets(request, aggregations)["year"]] == [
        ("2023", 3, False),
        ("1999", 0, True),
    ]


def test_without_facets_the_filters_are_in_the_query() -> None:
    body = build_search_body(SearchRequest(filters={"kind": ("provision",)}))
    assert body["query"] == {"bool": {"must": [MATCH_ALL], "filter": [{"terms": {"kind": ["provision"]}}]}}


def test_highlighting_is_escaped_html_with_marks_from_the_body_fields() -> None:
    spec = highlight_spec(parse_query('"justification mensongère" stupéf*'))
    assert spec is not None
    assert (spec["encoder"], spec["pre_tags"], spec["post_tags"]) == ("html", ["<mark>"], ["</mark>"])
    # Chinese is marked word by word from the source text (search.highlight), not by the engine.
    assert set(spec["fields"]) == {f"text_{c}" for c in analysis.ANALYSED_LANGUAGES if c != "zh"}
    assert spec["fields"]["text_fr"] == {"type": "unified", "number_of_fragments": 1, "fragment_size": 240}
    assert "text_fr" in fields_of(spec["highlight_query"], "match_phrase")
    assert "text_fr" in fields_of(spec["highlight_query"], "match_phrase_prefix")
    assert highlight_spec(parse_query("§")) is None
    assert "highlight" not in build_search_body(SearchRequest(query=parse_query("x"), highlight=False))
    assert "highlight" not in build_search_body(SearchRequest())


# ---------------------------------------------------------------------------------------------------
# Interleaving


def _hit(doc_id: str, score: float) -> Hit:
    return Hit(id=doc_id, kind="provision", score=score, title=doc_id)


def test_interleaving_takes_turns_best_group_first() -> None:
    fr = [_hit("fr1", 9.0), _hit("fr2", 8.0), _hit("fr3", 7.0)]
    zh = [_hit("zh1", 12.0), _hit("zh2", 1.0)]
    es = [_hit("es1", 3.0)]
    en = [_hit("en1", 3.0)]  # as good as es: the order given (the facet's) decides
    merged = interleave_hits([fr, [], es, zh, en], 0, 10)
    assert [h.id for h in merged] == ["zh1", "fr1", "es1", "en1", "zh2", "fr2", "fr3"]
    assert [h.id for h in interleave_hits([fr, es, zh, en], 4, 2)] == ["zh2", "fr2"]  # page 3 of size 2


def test_interleaving_takes_a_hit_in_two_groups_once() -> None:
    money = [_hit("a", 5.0), _hit("b", 4.0)]
    drugs = [_hit("b", 4.5), _hit("c", 2.0)]
    assert [h.id for h in interleave_hits([drugs, money], 0, 10)] == ["a", "b", "c"]
    assert interleave_hits([], 0, 10) == []


def test_interleaved_searches_one_per_value_and_one_for_records_without_it() -> None:
    request = SearchRequest(
        query=parse_query("blanchiment"), filters={"kind": ("provision",)}, interleave="language", page=2
    )
    plan = interleave_plan_body(request)
    assert plan["size"] == 0 and "from" not in plan and "highlight" not in plan
    assert plan["aggs"]["interleave"]["aggs"]["values"] == {
        "terms": {"field": "language", "size": FACET_SIZE}
    }
    aggregations = {
        "interleave": {
            "doc_count": 5,
            "values": {"buckets": [{"key": "fr", "doc_count": 3}, {"key": "es", "doc_count": 1}]},
            "missing": {"doc_count": 1},
        }
    }
    assert interleave_groups(aggregations) == ["fr", "es", None]
    group = interleave_group_body(request, "fr")
    assert group["size"] == 20  # pages 1 and 2 may all come from one language
    assert group["query"]["bool"]["filter"] == [{"term": {"language": "fr"}}]
    assert group["query"]["bool"]["must"][0]["bool"]["filter"] == [{"terms": {"kind": ["provision"]}}]
    assert interleave_group_body(request, None)["query"]["bool"]["filter"] == [
        {"bool": {"must_not": [{"exists": {"field": "language"}}]}}
    ]


# ---------------------------------------------------------------------------------------------------
# Hits


RESPONSE: dict[str, Any] = {
    "took": 3,
    "timed_out": False,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {
        "total": {"value": 2, "relation": "eq"},
        "max_score": 7.31,
        "hits": [
            {
                "_index": "sherloc-records-v1-20260101000000000000",
                "_id": "xx-test-markup",
                "_score": 7.31,
                "_source": to_source(next(d for d in DOCUMENTS if d.id == "xx-test-markup")),
                # What the html encoder makes of `blanchiment <script>alert(1)</script>`.
                "highlight": {
                    "text_fr": ["<mark>blanchiment</mark> &lt;script&gt;alert(1)&lt;&#x2F;script&gt;"]
                },
                "sort": [7.31, 12345],
            },
            {
                "_index": "sherloc-records-v1-20260101000000000000",
                "_id": "cn-law-刑法-art-347",
                "_score": 2.5,
                "_source": to_source(next(d for d in DOCUMENTS if d.id == "cn-law-刑法-art-347")),
                "sort": [2.5, 67890],
            },
        ],
    },
}


def test_hits_are_converted_with_escaped_highlighted_snippets() -> None:
    request = SearchRequest(query=parse_query("blanchiment OR 毒品"))
    result = result_from_response(request, RESPONSE)
    assert result.total == 2 and result.facets == {}
    markup, cn = result.hits
    assert (markup.id, markup.kind, markup.score, markup.title) == (
        "xx-test-markup",
        "decision",
        7.31,
        "<b>Markup</b> test",
    )
    assert markup.snippet == "<mark>blanchiment</mark> &lt;script&gt;alert(1)&lt;/script&gt;"
    assert (markup.country, markup.language, markup.date, markup.sort_key) == (
        "BE",
        "fr",
        dt.date(2001, 1, 1),
        None,
    )
    # One mark for the word, not one per character, as the embedded engine cuts it.
    assert (
        cn.snippet
        == "走私、贩卖、运输、制造<mark>毒品</mark>，无论数量多少，都应当追究刑事责任，予以刑事处罚。"
    )
    assert (cn.parent_id, cn.number, cn.label, cn.heading) == (
        "cn-law-刑法",
        "347",
        "第三百四十七条",
        "走私、贩卖、运输、制造毒品罪",
    )


def test_on_a_date_sort_a_hit_carries_its_cursor_key_and_no_score() -> None:
    raw = {**RESPONSE["hits"]["hits"][0], "_score": None, "sort": [730120000]}
    hit = hit_from_es(raw, SearchRequest(sort="date_asc", highlight=False))
    assert (hit.sort_key, hit.score) == (730120000, 0.0)
    assert hit.snippet == "blanchiment &lt;script&gt;alert(1)&lt;/script&gt;"  # the lead, escaped


def test_tags_come_back_by_scheme() -> None:
    doc = IndexDocument(id="d", kind="decision", title="t", text="x", crime_type=("money_laundering",))
    hit = hit_from_es({"_id": "d", "_score": 1.0, "_source": to_source(doc)}, SearchRequest())
    assert hit.tags == {"crime_type": ["money_laundering"]}


@pytest.mark.parametrize(
    ("fragment", "snippet"),
    [
        ("<mark>洗</mark><mark>钱</mark>罪", "<mark>洗钱</mark>罪"),  # touching marks read as one word
        (
            "<mark>justification</mark> <mark>mensongère</mark>",
            "<mark>justification</mark> <mark>mensongère</mark>",
        ),
        (
            "a &amp;lt;b&amp;gt; &quot;c&quot;\nd",
            "a &amp;lt;b&amp;gt; &quot;c&quot; d",
        ),  # escaped once, not twice
        (
            "<script>x</script> <mark>y</mark>",
            "&lt;script&gt;x&lt;/script&gt; <mark>y</mark>",
        ),  # whatever comes
    ],
)
def test_fragments_are_safe_html(fragment: str, snippet: str) -> None:
    assert clean_fragment(fragment) == snippet


# ---------------------------------------------------------------------------------------------------
# Backend selection


def test_the_settings_choose_elasticsearch_without_connecting(tmp_path: Path) -> None:
    from sherloc.search.backends import make_backend

    settings = Settings(
        data_dir=tmp_path,
        search_backend="elasticsearch",
        es_url="http://127.0.0.1:9",
        es_index_prefix="Portal",
    )
    backend = make_backend(settings)  # port 9 has no server: constructing must not have tried it
    assert isinstance(backend, ElasticBackend)
    assert backend.alias == "portal-records"
    backend.close()
    with pytest.raises(ValueError, match="SHERLOC_ES_URL"):
        make_backend(Settings(data_dir=tmp_path, search_backend="elasticsearch"))


# ---------------------------------------------------------------------------------------------------
# Cluster layout and rebuild settings


def test_several_nodes_are_named_in_one_url_setting() -> None:
    assert node_urls("http://es01:9200, http://es02:9200,http://es03:9200") == [
        "http://es01:9200",
        "http://es02:9200",
        "http://es03:9200",
    ]
    assert node_urls("https://user:p%40ss@search.example.org:9243") == [
        "https://user:p%40ss@search.example.org:9243"
    ]
    assert node_urls(" , ") == []


def test_shards_and_replicas_are_layout_not_mapping() -> None:
    default, cluster = build_mapping(), build_mapping(shards=3, replicas=2)
    assert default["mappings"] == cluster["mappings"]  # same digest: a relaid index is not outdated
    assert default["settings"]["auto_expand_replicas"] == "0-1"
    assert (cluster["settings"]["number_of_shards"], cluster["settings"]["number_of_replicas"]) == (3, 2)
    assert cluster["settings"]["auto_expand_replicas"] is False  # it would override number_of_replicas


def test_a_rebuild_loads_without_replicas_or_refresh_then_serves_with_them() -> None:
    mapping = build_mapping(shards=2, replicas=1)
    loading = loading_settings(mapping["settings"])
    assert (loading["number_of_replicas"], loading["refresh_interval"]) == (0, "-1")
    assert loading["number_of_shards"] == 2 and loading["analysis"] == mapping["settings"]["analysis"]
    assert serving_settings(mapping) == {
        "number_of_replicas": 1,
        "auto_expand_replicas": False,
        "refresh_interval": None,  # back to the default (1 s)
    }
    assert serving_settings(build_mapping()) == {"auto_expand_replicas": "0-1", "refresh_interval": None}


def test_the_cluster_settings_reach_the_backend(tmp_path: Path) -> None:
    from sherloc.search.backends import make_backend

    settings = Settings.from_env(
        {
            "SHERLOC_DATA_DIR": str(tmp_path),
            "SHERLOC_SEARCH_BACKEND": "elasticsearch",
            "SHERLOC_ES_URL": "http://127.0.0.1:9,http://127.0.0.2:9",
            "SHERLOC_ES_SHARDS": "3",
            "SHERLOC_ES_REPLICAS": "2",
        }
    )
    backend = make_backend(settings)
    assert isinstance(backend, ElasticBackend) and (backend.shards, backend.replicas) == (3, 2)
    backend.close()
    with pytest.raises(ValueError, match="SHERLOC_ES_SHARDS"):
        Settings(data_dir=tmp_path, es_shards=0)


@pytest.mark.parametrize(
    ("health", "verdict"),
    [
        ({"status": "green", "timed_out": False}, "switch"),
        ({"status": "yellow", "timed_out": True}, "warn"),  # 408: a replica has no node; primaries serve
        ({"status": "red", "timed_out": True}, "refuse"),
        ({}, "refuse"),
    ],
)
def test_a_rebuild_switches_to_an_index_whose_primaries_are_all_assigned(
    health: dict[str, object], verdict: str
) -> None:
    assert shard_verdict(health) == verdict
