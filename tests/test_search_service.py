"""Search as users drive it: cross-language expansion, cursors, labelled facets (demo corpus, API, pages)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sherloc.search.query import And, Filter, Not, Or, Phrase, Term, parse_query
from sherloc.services.cross_language import expand
from sherloc.tagging.tagger import Tagger
from sherloc.vocab import load_vocabulary


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_vocabulary())


def _api(client: FlaskClient, **args: object) -> dict:
    response = client.get("/api/v1/search", query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# -- the expansion itself, on the query tree ---------------------------------------------------------


def test_words_naming_a_crime_type_are_widened_to_its_tag_and_terms(tagger: Tagger) -> None:
    query, expansions = expand(parse_query("money laundering"), tagger)
    assert [(e.crime_type, e.words, e.language) for e in expansions] == [
        ("money_laundering", "money laundering", "en")
    ]
    assert isinstance(query, Or)
    assert query.items[0] == And((Term("money"), Term("laundering")))  # what was typed comes first
    assert Filter("crime_type", "money_laundering") in query.items
    assert Term("洗钱", language="zh") in query.items and Term("blanchiment", language="fr") in query.items


def test_other_words_still_narrow_and_operators_are_kept(tagger: Tagger) -> None:
    query, _ = expand(parse_query("blanchiment casino country:FR"), tagger)
    assert isinstance(query, And)
    assert isinstance(query.items[0], Or) and query.items[0].items[0] == Term("blanchiment")
    assert query.items[1:] == (Term("casino"), Filter("country", "FR"))


@pytest.mark.parametrize(
    "text",
    [
        '"money laundering"',
        "NOT blanchiment",
        "launder*",
        "title:blanchiment",
        "contrat",
        "corruption de mineur",
    ],
)
def test_phrases_negations_prefixes_fields_and_other_words_are_left_as_typed(
    tagger: Tagger, text: str
) -> None:
    query = parse_query(text)
    assert expand(query, tagger) == (query, [])


def test_each_crime_type_is_widened_once(tagger: Tagger) -> None:
    _, expansions = expand(parse_query("洗钱 OR blanchiment OR 贩卖毒品"), tagger)
    assert [e.crime_type for e in expansions] == ["money_laundering", "drug_trafficking"]


def test_expansion_terms_are_matched_in_their_own_language_only(tagger: Tagger) -> None:
    query, _ = expand(parse_query("洗钱"), tagger)
    assert isinstance(query, Or)
    assert all(item.language for item in query.items[2:] if isinstance(item, Term))
    assert not any(isinstance(item, (Phrase, Not)) for item in query.items)


# -- through the API on the demo corpus ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "crime_type"),
    [
        ("money laundering", "money_laundering"),
        ("洗钱", "money_laundering"),
        ("blanchiment", "money_laundering"),
        ("отмывание денег", "money_laundering"),
        ("blanqueo de capitales", "money_laundering"),
        ("غسل الأموال", "money_laundering"),
        ("trafficking in persons", "trafficking_in_persons"),
        ("drug trafficking", "drug_trafficking"),
    ],
)
def test_a_crime_type_in_any_language_finds_its_provisions_in_every_language(
    client: FlaskClient, q: str, crime_type: str
) -> None:
    body = _api(client, q=q)
    assert [e["crime_type"] for e in body["expansions"]] == [crime_type]
    first_page = [h for h in body["hits"] if crime_type in h["tags"].get("crime_type", [])]
    assert {h["language"] for h in first_page if h["kind"] == "provision"} >= {"zh", "fr", "es", "ru", "ar"}


def test_the_switch_turns_cross_language_search_off(client: FlaskClient) -> None:
    wide = _api(client, q="money laundering")
    narrow = _api(client, q="money laundering", cross_language="false")
    assert narrow["expansions"] == [] and narrow["cross_language"] is False
    assert narrow["total"] < wide["total"]
    assert {h["language"] for h in narrow["hits"]} <= {"en"}


def test_the_search_page_says_what_it_widened_and_links_the_switch(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "blanchiment"}).get_data(as_text=True)
    assert "Across languages" in html and "Money laundering" in html
    assert "cross_language=0" in html
    narrow = client.get("/search", query_string={"q": "blanchiment", "cross_language": "0"})
    html = narrow.get_data(as_text=True)
    assert "Only the words as typed" in html and "Across languages:" not in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("art. 324-1", "fr-law-legitext000006070719-art-324-1"),
        ("Article 324-1", "fr-law-legitext000006070719-art-324-1"),
        ("статья 174.1", "ru-law-102041891-art-174-1"),
        ("ст. 210", "ru-law-102041891-art-210"),
        ("artículo 301 country:ES", "es-law-boe-a-1995-25444-art-301"),
        ("第一百九十一条", "cn-law-刑法-art-191"),
        ("第191条", "cn-law-刑法-art-191"),
        ("§ 191 country:CN", "cn-law-刑法-art-191"),
    ],
)
def test_article_numbers_in_any_notation_find_the_provision(
    client: FlaskClient, q: str, expected: str
) -> None:
    assert _api(client, q=q)["hits"][0]["id"] == expected


# -- paging and sorting -------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["date_desc", "date_asc"])
def test_cursor_pages_through_every_result_once_in_a_stable_order(client: FlaskClient, sort: str) -> None:
    base = {"q": "blanchiment OR 洗钱 OR blanqueo", "sort": sort, "page_size": 7, "cross_language": "false"}
    first = _api(client, **base)
    total, seen, body = first["total"], [], first
    assert total > 20
    while True:
        seen.extend(h["id"] for h in body["hits"])
        if body["next_cursor"] is None:
            break
        body = _api(client, **base, cursor=body["next_cursor"])
        assert body["total"] == total
    assert len(seen) == len(set(seen)) == total
    by_pages = []
    for page in range(1, (total + 6) // 7 + 1):
        by_pages.extend(h["id"] for h in _api(client, **base, page=page)["hits"])
    assert by_pages == seen  # numbered pages and the cursor agree: one order, ties broken the same way


def test_relevance_cursor_follows_pages(client: FlaskClient) -> None:
    first = _api(client, q="洗钱", page_size=5)
    second = _api(client, q="洗钱", page_size=5, cursor=first["next_cursor"])
    assert second["page"] == 2
    assert second["hits"] == _api(client, q="洗钱", page_size=5, page=2)["hits"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"cursor": "not-a-cursor"}, "cursor is not valid"),
        ({"cursor": "eyJzb3J0IjoiZGF0ZV9kZXNjIiwiYWZ0ZXIiOjF9"}, "sorted by date_desc"),
        ({"page_size": 101}, "page_size"),
        ({"page": 2000, "page_size": 100}, "cursor"),
        ({"lang": "xx"}, "lang"),
    ],
)
def test_bad_paging_arguments_are_a_400_that_says_why(client: FlaskClient, args: dict, message: str) -> None:
    response = client.get("/api/v1/search", query_string={"q": "洗钱", **args})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


# -- facets ---------------------------------------------------------------------------------------------


def test_every_declared_facet_can_be_counted_with_labels_in_the_requested_language(
    client: FlaskClient,
) -> None:
    from sherloc.search.base import FACETS

    facets = list(FACETS)
    body = _api(client, q="洗钱", facet=facets, lang="fr")
    assert set(body["facets"]) == set(facets)
    assert (
        body["facet_labels"]["country"] == "Pays"
        and body["facet_labels"]["crime_type"] == "Type d'infraction"
    )
    labels = {b["value"]: b["label"] for b in body["facets"]["country"]}
    assert labels["CN"] == "Chine"
    assert {b["value"]: b["label"] for b in body["facets"]["region"]}["asia"] == "Asie"
    assert {b["value"]: b["label"] for b in body["facets"]["crime_type"]}[
        "money_laundering"
    ] == "Blanchiment d'argent"
    assert {b["value"]: b["label"] for b in body["facets"]["kind"]}["provision"] == "Disposition"
    assert all(b["value"].isdigit() for b in body["facets"]["year"])


def test_region_filter_selects_the_countries_of_a_world_region(client: FlaskClient) -> None:
    body = _api(client, region="europe", facet=["country", "region"])
    countries = {b["value"] for b in body["facets"]["country"] if b["count"]}
    assert {"FR", "ES", "RU"} <= countries
    # Beyond Europe, only the other parties of European countries' treaties (Spain's with the US ...).
    treaties = _api(client, region="europe", kind="treaty", facet=["country"])
    parties = {b["value"] for b in treaties["facets"]["country"] if b["count"]}
    assert countries - {"FR", "ES", "RU"} <= parties
    regions = {b["value"]: b for b in body["facets"]["region"]}
    assert regions["europe"]["selected"] and regions["asia"]["count"] > 0  # multi-select: other regions stay


@pytest.mark.parametrize(
    ("word", "number"),
    [
        ("§ 261", "261"),
        ("§261", "261"),
        ("art. 324-1", "324-1"),
        ("Article R645-12", "R645-12"),
        ("L.324-1", "L324-1"),
        ("Artículos 301", "301"),
        ("статья 174.1", "174.1"),
        ("المادة ١٢", "12"),
        ("第一百九十一条", "191"),
        ("第一百六十二条之二", "162-2"),
        ("articled 5", None),
        ("art.", None),
        ("laundering", None),
    ],
)
def test_article_number_notations(word: str, number: str | None) -> None:
    from sherloc.search.numbers import article_number

    assert article_number(word) == number


def test_a_word_saying_article_is_joined_to_its_number() -> None:
    from sherloc.search.numbers import join_article_numbers

    assert join_article_numbers(parse_query("art. 324-1 blanchiment")) == And(
        (Term("art. 324-1"), Term("blanchiment"))
    )
    assert join_article_numbers(parse_query("art. blanchiment")) == parse_query("art. blanchiment")
    russian = join_article_numbers(parse_query("ст. 210"))
    assert russian == Or((Term("ст. 210"), And((Term("ст. 210"), Filter("language", "ru")))))


@pytest.mark.parametrize("q", ["洗钱", "blanchiment", "contrat", ""])
def test_the_search_response_is_what_its_schema_documents(client: FlaskClient, q: str) -> None:
    from flask import url_for

    from sherloc.schemas.search import FacetBucketSchema, HitSchema, SearchResponseSchema

    body = _api(client, q=q, facet=["country", "crime_type", "year"], page_size=20)
    SearchResponseSchema().load(body)  # raises on an undocumented key or a value of the wrong type
    assert set(body) == set(SearchResponseSchema().fields)
    assert body["hits"] and all(set(hit) == set(HitSchema().fields) for hit in body["hits"])
    buckets = [b for facet in body["facets"].values() for b in facet]
    assert buckets and all(set(b) == set(FacetBucketSchema().fields) for b in buckets)
    with client.application.test_request_context():
        for hit in body["hits"]:
            assert hit["url"] == url_for("pages.record", record_id=hit["id"])


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ([{"term": "x", "field": "title", "weight": 3.0}], {"OWN_HEADING"}),
        ([{"term": "x", "field": "charges", "weight": 3.0}], {"OWN_HEADING"}),
        (
            [{"term": "x", "field": "path", "weight": 3.0, "heading": "CAPÍTULO XIV. Del blanqueo"}],
            {"CHAPTER"},
        ),
        ([{"term": "x", "field": "path", "weight": 1.0, "heading": "TÍTULO XIII. Delitos"}], {"MENTION"}),
        (
            [
                {"term": "x", "field": "path", "weight": 3.0, "heading": "Ley 10/2010"},
                {"term": "x", "field": "text", "weight": 3.0},
            ],
            {"LAW_TITLE", "MENTION"},
        ),
        ([{"term": "x", "field": "text", "weight": 3.0}], {"MENTION"}),
        ([{"term": "x", "field": "title", "weight": 0.5, "context": True}], set()),
        ([{"scheme": "crime_type", "value": "money_laundering"}], set()),  # an implied article: no term
    ],
)
def test_what_a_tag_says_a_record_is_about(evidence: list, expected: set[str]) -> None:
    from sherloc.tagging.placement import placements

    assert {p.name for p in placements(evidence, "Ley 10/2010")} == expected


def test_records_about_a_crime_type_rank_before_those_that_mention_it(client: FlaskClient) -> None:
    hits = _api(client, q="blanqueo de capitales", language="es", page_size=5)["hits"]
    # The Código Penal's laundering articles sit in the chapter "Del blanqueo de capitales"; other laws
    # only mention it.
    assert hits[0]["law_id"] in ("es-law-boe-a-1995-25444", "es-law-boe-a-2010-6737")
    assert all("money_laundering" in h["tags"]["crime_type"] for h in hits)
