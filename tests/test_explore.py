"""Country profiles, the implementation matrix and side-by-side provisions, on the demo corpus; their
counts agree with the search facets for the same filters."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

ARTICLE = "UNTOC 6"
ART_191 = "cn-law-刑法-art-191"
ART_324_1 = "fr-law-legitext000006070719-art-324-1"


def _facets(client: FlaskClient, facet: str, **filters: str) -> dict[str, int]:
    query = "&".join(f"{k}={quote(v)}" for k, v in filters.items())
    body = client.get(f"/api/v1/facets?facet={facet}&{query}").get_json()
    return {b["value"]: b["count"] for b in body["facets"][facet]}


def _matrix(client: FlaskClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/matrix{query}")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def _cells(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["country"], c["column"]): c for c in body["cells"]}


def test_matrix_columns_come_from_the_vocabulary(client: FlaskClient) -> None:
    body = _matrix(client)
    keys = [c["key"] for c in body["columns"]]
    assert keys[:7] == ["UNTOC 5", "UNTOC 6", "UNTOC 8", "UNTOC 23", "TIP 5", "SOM 6", "FP 5"]
    assert {"cybercrime", "wildlife_and_forest_crime"} <= set(keys[7:])
    assert "money_laundering" not in keys  # covered by UNTOC 6
    assert {r["country"] for r in body["rows"]} >= {"CN", "ES", "FR", "RU"}
    assert len(body["cells"]) == len(body["rows"]) * len(body["columns"])


def test_matrix_cells_under_untoc_6_agree_with_search_facets(client: FlaskClient) -> None:
    cells = _cells(_matrix(client))
    facets = _facets(client, "country", instrument_article=ARTICLE, kind="provision", parent_kind="law")
    for country in ("CN", "FR", "ES", "RU"):
        cell = cells[(country, ARTICLE)]
        assert cell["count"] > 0 and cell["count"] == facets[country], country
        assert 0.5 <= cell["mean_confidence"] <= cell["max_confidence"] <= 1.0
    for (country, column), cell in cells.items():  # every article column, every country
        if column.startswith(("UNTOC", "TIP", "SOM", "FP")):
            assert cell["count"] == _facets(
                client, "country", instrument_article=column, kind="provision", parent_kind="law"
            ).get(country, 0), (country, column)


def test_matrix_crime_type_columns_and_language_filter_agree_with_facets(client: FlaskClient) -> None:
    cells = _cells(_matrix(client, "?language=fr"))
    assert {c for c, _ in cells} == {"FR"}
    facets = _facets(
        client, "country", crime_type="cybercrime", kind="provision", language="fr", parent_kind="law"
    )
    assert cells[("FR", "cybercrime")]["count"] == facets["FR"] > 0
    empty = _cells(_matrix(client))[("SA", "cybercrime")]
    assert empty == {
        "country": "SA",
        "column": "cybercrime",
        "count": 0,
        "max_confidence": None,
        "mean_confidence": None,
    }


def test_matrix_page_and_csv_have_the_same_numbers(client: FlaskClient) -> None:
    cells = _cells(_matrix(client))
    page = client.get("/matrix")
    assert page.status_code == 200 and len(page.data) < 100_000
    html = page.get_data(as_text=True)
    shown = re.findall(r'data-column="([^"]+)" data-count="(\d+)"', html)
    assert len(shown) == len(cells)
    assert f'data-column="{ARTICLE}" data-count="{cells[("FR", ARTICLE)]["count"]}"' in html
    assert "/compare?article=UNTOC+6&amp;country=" in html
    for url in ("/matrix.csv", "/api/v1/matrix?format=csv"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert len(rows) == len(cells)
        for row in rows:
            cell = cells[(row["country"], row["column"])]
            assert int(row["count"]) == cell["count"]
            assert row["max_confidence"] == (
                "" if cell["max_confidence"] is None else str(cell["max_confidence"])
            )
            assert row["mean_confidence"] == (
                "" if cell["mean_confidence"] is None else str(cell["mean_confidence"])
            )


def test_side_by_side_shows_191_beside_324_1(client: FlaskClient) -> None:
    response = client.get("/compare?article=UNTOC%206&country=CN&country=FR")
    assert response.status_code == 200 and len(response.data) < 100_000
    html = response.get_data(as_text=True)
    columns = html.split('class="compare-column"')[1:]
    assert len(columns) == 2
    first = [
        re.search(r'<article class="provision" lang="(\w+)" dir="(\w+)">\s*<h3><a href="([^"]+)"', c)
        for c in columns
    ]
    assert first[0] and first[0].group(1) == "zh" and first[0].group(2) == "ltr"
    assert quote("刑法", safe="") in first[0].group(3) and "191" in first[0].group(3)
    assert first[1] and first[1].group(1) == "fr" and first[1].group(3).endswith("art-324-1")
    assert "洗钱罪" in columns[0] and "Le blanchiment est le fait" in columns[1]


def test_side_by_side_of_four_countries_stays_small(client: FlaskClient) -> None:
    response = client.get("/compare?article=UNTOC%206&country=CN&country=FR&country=ES&country=RU")
    assert response.status_code == 200 and len(response.data) < 100_000
    assert response.get_data(as_text=True).count('class="compare-column"') == 4


@pytest.mark.parametrize(
    "query",
    [
        "article=UNTOC%206&country=CN",
        "article=UNTOC%206&country=CN&country=FR&country=ES&country=RU&country=SA",
        "article=UNTOC%206&country=CN&country=CN",
        "article=UNTOC%20999&country=CN&country=FR",
        "country=CN&country=FR",
        "article=UNTOC%206&country=CN&country=ZZ",
    ],
)
def test_side_by_side_wants_two_to_four_countries_and_an_article(client: FlaskClient, query: str) -> None:
    response = client.get(f"/compare?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)


def test_too_few_countries_says_why(client: FlaskClient) -> None:
    html = client.get("/compare?article=UNTOC%206&country=CN").get_data(as_text=True)
    assert "Choose from 2 to 4 different countries" in html


def test_matrix_cell_api_ranks_definitional_provisions_first(client: FlaskClient) -> None:
    body = client.get("/api/v1/matrix/cell?article=UNTOC%206&country=cn&limit=3").get_json()
    assert body["provisions"][0]["id"] == ART_191 and body["provisions"][0]["placement"] == "heading"
    assert (
        body["count"]
        == _facets(client, "country", instrument_article=ARTICLE, kind="provision", parent_kind="law")["CN"]
    )
    fr = client.get("/api/v1/matrix/cell?article=UNTOC%206&country=FR").get_json()
    assert fr["provisions"][0]["id"] == ART_324_1
    assert client.get("/api/v1/matrix/cell?country=FR").status_code == 400
    assert (
        client.get("/api/v1/matrix/cell?article=UNTOC%206&crime_type=cybercrime&country=FR").status_code
        == 400
    )
    assert client.get("/api/v1/matrix/cell?article=nope&country=FR").status_code == 404


def test_country_profile_page(client: FlaskClient) -> None:
    response = client.get("/countries/CN")
    assert response.status_code == 200 and len(response.data) < 100_000
    html = response.get_data(as_text=True)
    assert "<h1>China</h1>" in html
    assert "中华人民共和国刑法" in html  # its laws
    assert "/search?country=CN" in html
    assert "/search?instrument_article=UNTOC+6&amp;country=CN&amp;kind=provision" in html
    assert "第一百九十一条" in html  # an example of UNTOC 6
    assert "<h1>中国</h1>" in client.get("/zh/countries/CN").get_data(as_text=True)
    assert client.get("/countries/cn").status_code == 301
    assert client.get("/countries/ZZ").status_code == 404
    assert client.get("/countries/DE").status_code == 200  # a country without records


def test_country_profile_counts_agree_with_search_facets(client: FlaskClient) -> None:
    for code in ("CN", "FR", "ES", "RU"):
        profile = client.get(f"/api/v1/countries/{code}/profile").get_json()
        assert profile["records"] == _facets(client, "kind", country=code)
        assert {c["crime_type"]: c["count"] for c in profile["crime_types"]} == _facets(
            client, "crime_type", country=code
        )
        articles = {a["article"]: a["count"] for a in profile["articles"]}
        # A country's own legislation: its treaties' articles are counted with the treaties.
        assert articles == _facets(
            client, "instrument_article", country=code, kind="provision", parent_kind="law"
        )


def test_country_profile_api(client: FlaskClient) -> None:
    body = client.get("/api/v1/countries/fr/profile?lang=fr").get_json()
    assert body["code"] == "FR" and body["name"] == "France" and body["region"] == "europe"
    untoc6 = next(a for a in body["articles"] if a["article"] == ARTICLE)
    assert untoc6["examples"][0]["id"] == ART_324_1
    assert body["laws"] and body["laws"][0]["provisions"] > 1000
    assert client.get("/api/v1/countries/zz/profile").status_code == 404
    assert client.get("/api/v1/countries/FR").get_json()["code"] == "FR"  # unchanged


def test_countries_index(client: FlaskClient) -> None:
    html = client.get("/countries").get_data(as_text=True)
    for code in ("CN", "ES", "FR", "RU", "SA", "US"):
        assert f'href="/countries/{code}"' in html
    assert 'href="/fr/countries/FR"' in client.get("/fr/countries").get_data(as_text=True)


def test_arabic_pages_are_right_to_left(client: FlaskClient) -> None:
    for url in (
        "/ar/matrix",
        "/ar/countries",
        "/ar/countries/SA",
        "/ar/compare?article=UNTOC%206&country=SA&country=FR",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="ar" dir="rtl">' in response.get_data(as_text=True), url
    html = client.get("/compare?article=UNTOC%206&country=SA&country=FR").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html  # a Saudi provision keeps its direction on an English page
