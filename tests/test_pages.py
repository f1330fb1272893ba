"""HTML pages over the ingested demo corpus, through Flask's test client."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_home_counts_what_the_portal_holds(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Provision" in html and "Law" in html


def test_search_page_shows_hits_snippets_and_facets(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "洗钱"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "第一百九十一条" in html and "洗钱罪" in html
    assert "<mark>" in html
    narrow = client.get("/search", query_string={"q": "洗钱", "cross_language": "0"}).get_data(as_text=True)
    assert "<mark>洗钱</mark>" in narrow
    for facet in ("Country", "Region", "Language", "Type of record", "Crime type", "Convention article"):
        assert f"<h2>{facet}</h2>" in html
    assert re.search(r'<span class="count">[\d,]+</span>', html)


def test_search_page_agrees_with_the_api(client: FlaskClient) -> None:
    api = client.get("/api/v1/search", query_string={"q": "blanchiment"}).get_json()
    html = client.get("/search", query_string={"q": "blanchiment"}).get_data(as_text=True)
    for hit in api["hits"]:
        assert hit["url"] in html
    assert f"{api['total']:,} result" in html


def test_facet_links_toggle_filters(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "blanchiment"}).get_data(as_text=True)
    assert "country=FR" in html
    selected = client.get("/search", query_string={"q": "blanchiment", "country": "FR"}).get_data(
        as_text=True
    )
    assert 'aria-current="true"' in selected


def test_malformed_query_page_is_400_with_a_message(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": '"unclosed'})
    assert response.status_code == 400
    assert "could not be run" in response.get_data(as_text=True)


def test_law_page_lists_provisions_with_anchors(client: FlaskClient) -> None:
    html = client.get("/records/fr-law-legitext000006070719").get_data(as_text=True)
    assert 'id="art-324-1"' in html
    assert "Chapitre IV : Du blanchiment" in html
    cn = client.get("/records/cn-law-刑法").get_data(as_text=True)
    assert 'id="art-191"' in cn and "第四节 破坏金融管理秩序罪" in cn


def test_provision_page_links_its_law_and_neighbours(client: FlaskClient) -> None:
    html = client.get("/records/fr-law-legitext000006070719-art-324-1").get_data(as_text=True)
    assert "Code pénal" in html and 'rel="next"' in html and 'rel="prev"' in html


def test_text_is_escaped_in_pages(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_missing_record_page_is_404(client: FlaskClient) -> None:
    assert client.get("/records/nope").status_code == 404


def test_only_web_links_become_hrefs() -> None:
    from sherloc.web.pages import link_target

    assert link_target("https://www.legifrance.gouv.fr/codes/x") == "https://www.legifrance.gouv.fr/codes/x"
    assert link_target(" javascript:alert(1)") is None
    assert link_target("JaVaScRiPt:alert(1)") is None and link_target("data:text/html,x") is None
    assert link_target(None) is None


def test_decision_page_shows_court_case_number_and_charges(client: FlaskClient) -> None:
    hit = client.get("/api/v1/search", query_string={"q": "kind:decision 毒品"}).get_json()["hits"][0]
    html = client.get(hit["url"]).get_data(as_text=True)
    for label in ("<dt>Court</dt>", "<dt>Case number</dt>", "<dt>Charges</dt>"):
        assert label in html
