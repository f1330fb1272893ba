"""The JSON API over the ingested demo corpus, through Flask's test client."""

from __future__ import annotations

from flask.testing import FlaskClient


def _search(client: FlaskClient, query_string: dict[str, object]) -> dict:
    response = client.get("/api/v1/search", query_string=query_string)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_chinese_money_laundering_finds_criminal_law_article_191(client: FlaskClient) -> None:
    body = _search(client, {"q": "洗钱"})
    assert body["total"] > 0
    ids = [h["id"] for h in body["hits"]]
    assert "cn-law-刑法-art-191" in ids[:3]
    hit = next(h for h in body["hits"] if h["id"] == "cn-law-刑法-art-191")
    assert hit["number"] == "191" and hit["label"] == "第一百九十一条"
    assert hit["law_title"] == "中华人民共和国刑法" and hit["law_id"] == "cn-law-刑法"
    assert hit["heading"] == "洗钱罪"
    assert hit["url"] == "/records/cn-law-%E5%88%91%E6%B3%95-art-191"


def test_french_blanchiment_finds_code_penal_324_1(client: FlaskClient) -> None:
    body = _search(client, {"q": "blanchiment", "cross_language": "false"})
    ids = [h["id"] for h in body["hits"]]
    assert "fr-law-legitext000006070719-art-324-1" in ids[:5]
    hit = next(h for h in body["hits"] if h["id"] == "fr-law-legitext000006070719-art-324-1")
    assert hit["country"] == "FR" and hit["language"] == "fr" and hit["law_title"] == "Code pénal"
    assert "<mark>" in hit["snippet"]


def test_field_filter_in_the_query_string(client: FlaskClient) -> None:
    body = _search(client, {"q": "blanqueo country:ES", "facet": ["country", "kind"]})
    assert body["total"] > 0
    assert {h["country"] for h in body["hits"]} == {"ES"}
    assert [b["value"] for b in body["facets"]["country"]] == ["ES"]


def test_facet_counts_and_multi_select(client: FlaskClient) -> None:
    everything = _search(client, {"facet": ["country"]})
    counts = {b["value"]: b["count"] for b in everything["facets"]["country"]}
    assert set(counts) >= {"CN", "FR", "ES"}
    # Each count is what filtering by that country finds (a treaty counts under each of its parties,
    # a bibliography entry about no country under none).
    for code in ("CN", "FR", "ES", "US"):
        assert _search(client, {"country": code})["total"] == counts[code], code
    only_fr = _search(client, {"country": "FR", "facet": ["country", "kind"]})
    assert only_fr["total"] == counts["FR"]
    # The country facet keeps the other countries' counts when FR is selected.
    assert {b["value"]: b["count"] for b in only_fr["facets"]["country"]} == counts
    assert sum(b["count"] for b in only_fr["facets"]["kind"]) == counts["FR"]


def test_record_with_its_provisions(client: FlaskClient) -> None:
    response = client.get("/api/v1/records/cn-law-刑法")
    assert response.status_code == 200
    law = response.get_json()
    assert law["kind"] == "law" and law["country"] == "CN" and law["language"] == "zh"
    numbers = [p["number"] for p in law["provisions"]]
    assert "191" in numbers and "120-1" in numbers
    provision = client.get("/api/v1/records/cn-law-刑法-art-191").get_json()
    assert "掩饰、隐瞒" in provision["text"] and provision["law_id"] == "cn-law-刑法"


def test_unknown_record_is_404_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/records/no-such-record")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_malformed_queries_are_400_with_a_message(client: FlaskClient) -> None:
    for q in ['"unbalanced', "money AND", "(blanchiment", "blanchiment)", "NOT", "foo:bar", "country:"]:
        response = client.get("/api/v1/search", query_string={"q": q})
        assert response.status_code == 400, q
        error = response.get_json()["error"]
        assert error["status"] == 400 and len(error["message"]) > 10, q


def test_bad_parameters_are_400(client: FlaskClient) -> None:
    for args in (
        {"page_size": 101},
        {"page": 0},
        {"sort": "random"},
        {"facet": "nope"},
        {"contry": "FR"},
        {"page": "x"},
        {"page": 5000, "page_size": 100},
    ):
        response = client.get("/api/v1/search", query_string=args)
        assert response.status_code == 400, args
        assert "error" in response.get_json()


def test_sort_by_date(client: FlaskClient) -> None:
    body = _search(client, {"q": "kind:law", "sort": "date_desc", "page_size": 50})
    dates = [h["date"] for h in body["hits"] if h["date"]]
    assert dates == sorted(dates, reverse=True)


def test_russian_laundering_finds_criminal_code_174(client: FlaskClient) -> None:
    body = _search(client, {"q": "отмывание", "country": "RU"})
    ids = [h["id"] for h in body["hits"]]
    assert {"ru-law-102041891-art-174", "ru-law-102041891-art-174-1"} <= set(ids[:5])
    assert next(h for h in body["hits"] if h["id"] == "ru-law-102041891-art-174")["label"] == "Статья 174"


def test_us_statute_section_by_number_and_words(client: FlaskClient) -> None:
    body = _search(client, {"q": "smuggling trafficking center"})
    assert "us-law-comps-8188-art-7202" in [h["id"] for h in body["hits"][:3]]


def test_decisions_carry_court_case_number_and_charges(client: FlaskClient) -> None:
    body = _search(client, {"q": "贩卖毒品", "kind": "decision", "facet": ["kind"]})
    assert body["total"] > 0 and {h["kind"] for h in body["hits"]} == {"decision"}
    record = client.get(body["hits"][0]["url"].replace("/records/", "/api/v1/records/")).get_json()
    attributes = record["attributes"]
    assert attributes["court"].endswith("人民法院")
    assert attributes["case_number"] and attributes["charges"]


def test_extreme_dates_and_years_are_never_a_500(client: FlaskClient) -> None:
    for q in [
        "date:9999-12",
        "date:..9999-12",
        "date:1600",
        "date:0001-01",
        "date:>2300",
        "date:1677..1700",
        "year:9999",
        "year:0",
    ]:
        response = client.get("/api/v1/search", query_string={"q": q})
        assert response.status_code == 200, (q, response.get_json())
    for year in ["abc", "99999999999999999999", "-5"]:
        response = client.get("/api/v1/search", query_string={"year": year})
        assert response.status_code == 400, year
        assert "year" in response.get_json()["error"]["message"]
    arabic_digits = client.get("/api/v1/search", query_string={"year": "٢٠٢٣", "facet": "year"}).get_json()
    assert [b["value"] for b in arabic_digits["facets"]["year"] if b["selected"]] == ["2023"]
