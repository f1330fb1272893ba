"""The API's reference endpoints over the demo corpus: facet counts, the vocabulary, countries."""

from __future__ import annotations

from flask.testing import FlaskClient

from sherloc.search.base import FACETS
from sherloc.vocab.loader import UN_LANGUAGES


def _get(client: FlaskClient, url: str, **args: object) -> dict:
    response = client.get(url, query_string=args)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_facets_are_the_search_facets_without_hits(client: FlaskClient) -> None:
    args = {"q": "blanchiment", "cross_language": "false", "facet": ["country", "kind"]}
    facets = _get(client, "/api/v1/facets", **args)
    search = _get(client, "/api/v1/search", **args)
    assert "hits" not in facets and "next_cursor" not in facets
    for key in ("query", "total", "filters", "cross_language", "expansions", "facets", "facet_labels"):
        assert facets[key] == search[key], key


def test_facets_count_every_facet_by_default_with_labels_in_the_asked_language(client: FlaskClient) -> None:
    body = _get(client, "/api/v1/facets", q="洗钱", country="CN", lang="fr")
    assert set(body["facets"]) == set(body["facet_labels"]) == set(FACETS)
    assert body["facet_labels"]["crime_type"] == "Type d'infraction"
    countries = {b["value"]: b for b in body["facets"]["country"]}
    assert countries["CN"]["selected"] and countries["CN"]["label"] == "Chine"
    assert body["filters"] == {"country": ["CN"]}
    assert [e["crime_type"] for e in body["expansions"]] == ["money_laundering"]
    assert sum(b["count"] for b in body["facets"]["kind"]) == body["total"] > 0


def test_facets_take_no_paging(client: FlaskClient) -> None:
    for args in ({"page": 2}, {"page_size": 5}, {"sort": "date_desc"}, {"cursor": "abc"}, {"facet": "nope"}):
        response = client.get("/api/v1/facets", query_string=args)
        assert response.status_code == 400, args
        assert response.get_json()["error"]["details"], args


def test_vocabulary_lists_crime_types_instruments_and_issues(client: FlaskClient) -> None:
    body = _get(client, "/api/v1/vocabulary")
    assert body["label_languages"] == list(UN_LANGUAGES)
    assert set(UN_LANGUAGES) <= set(body["term_languages"])
    crime_types = {ct["id"]: ct for ct in body["crime_types"]}
    assert len(crime_types) == 14
    laundering = crime_types["money_laundering"]
    assert set(laundering["labels"]) == set(UN_LANGUAGES) and laundering["labels"]["zh"] == "洗钱"
    assert "blanchiment" in " ".join(laundering["terms"]["fr"])
    assert [a["ref"] for a in laundering["articles"]] == ["UNTOC 6", "UNCAC 23"]
    instruments = {i["id"]: i for i in body["instruments"]}
    assert {"UNTOC", "TIP", "SOM", "FP", "UNCAC"} <= set(instruments)
    untoc6 = next(a for a in instruments["UNTOC"]["articles"] if a["number"] == 6)
    assert untoc6 == {**untoc6, "ref": "UNTOC 6", "instrument": "UNTOC", "crime_type": "money_laundering"}
    issues = {i["id"]: i for i in body["cross_cutting"]}
    assert "confiscation_and_seizure" in issues and issues["confiscation_and_seizure"]["articles"]


def test_one_crime_type(client: FlaskClient) -> None:
    body = _get(client, "/api/v1/vocabulary/crime-types/trafficking_in_persons")
    assert body["id"] == "trafficking_in_persons" and body["labels"]["en"]
    assert "TIP 5" in [a["ref"] for a in body["articles"]]
    assert body == next(
        ct for ct in _get(client, "/api/v1/vocabulary")["crime_types"] if ct["id"] == "trafficking_in_persons"
    )
    missing = client.get("/api/v1/vocabulary/crime-types/jaywalking")
    assert missing.status_code == 404 and "jaywalking" in missing.get_json()["error"]["message"]


def test_countries_with_names_regions_and_record_counts(client: FlaskClient) -> None:
    everything = _get(client, "/api/v1/countries")
    assert everything["total"] == len(everything["countries"]) > 190
    codes = [c["code"] for c in everything["countries"]]
    assert codes == sorted(codes)
    held = _get(client, "/api/v1/countries", with_records="true")
    by_code = {c["code"]: c for c in held["countries"]}
    assert {"CN", "FR", "ES", "RU", "US", "SA"} <= set(by_code)
    assert all(c["record_count"] > 0 for c in held["countries"])
    china = by_code["CN"]
    assert (
        china["names"]["zh"] == "中国" and china["names"]["ar"] and set(china["names"]) == set(UN_LANGUAGES)
    )
    assert china["region"] == "asia" and china["region_names"]["fr"] == "Asie" and china["alpha3"] == "CHN"
    assert china["records"]["decision"] == 160 and china["record_count"] == sum(china["records"].values())
    kinds = _get(client, "/api/v1/facets", country="CN", facet="kind")["facets"]["kind"]
    assert china["records"] == {b["value"]: b["count"] for b in kinds}  # the store and the index agree
    europe = _get(client, "/api/v1/countries", region="europe", with_records="true")
    # The United Kingdom holds records as a party to the Spanish extradition treaty.
    assert {c["code"] for c in europe["countries"]} == {"ES", "FR", "RU", "GB"}
    uk = {c["code"]: c for c in europe["countries"]}["GB"]
    assert uk["records"] == {"treaty": 1}


def test_one_country(client: FlaskClient) -> None:
    france = _get(client, "/api/v1/countries/fr")
    assert france["code"] == "FR" and france["names"]["ru"] == "Франция"
    assert france == next(c for c in _get(client, "/api/v1/countries")["countries"] if c["code"] == "FR")
    nowhere = _get(client, "/api/v1/countries/AQ")
    assert nowhere["records"] == {} and nowhere["record_count"] == 0
    for code in ("ZZ", "FRA", "x"):
        response = client.get(f"/api/v1/countries/{code}")
        assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
    assert client.get("/api/v1/countries", query_string={"with_records": "maybe"}).status_code == 400
