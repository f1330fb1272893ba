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


def _part_with(client: FlaskClient, path: str, needle: str) -> str:
    """The part of a long record page that holds `needle` (every part is fetched in turn)."""
    first = client.get(path).get_data(as_text=True)
    found = re.search(r"of (\d+)</span>", first)
    for part in range(1, int(found.group(1)) + 1 if found else 2):
        html = first if part == 1 else client.get(f"{path}?part={part}").get_data(as_text=True)
        if needle in html:
            return html
    raise AssertionError(f"{needle!r} is in no part of {path}")


def test_law_page_lists_provisions_with_anchors(client: FlaskClient) -> None:
    html = _part_with(client, "/records/fr-law-legitext000006070719", 'id="art-324-1"')
    assert "Chapitre IV : Du blanchiment" in html
    cn = _part_with(client, "/records/cn-law-刑法", 'id="art-191"')
    assert "第四节 破坏金融管理秩序罪" in cn


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


FR_LAW = "/l/FR/law/legitext000006070719"
FR_324_1 = "/l/FR/provision/legitext000006070719-art-324-1"
CN_LAW = "/records/cn-law-刑法"
LIMIT = 100_000


def _html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    assert len(response.data) < LIMIT, (url, len(response.data))
    return response.get_data(as_text=True)


def test_home_counts_kinds_crime_types_countries_and_latest(client: FlaskClient) -> None:
    html = _html(client, "/")
    provisions = client.get("/api/v1/search?q=kind:provision&page_size=1").get_json()["total"]
    assert provisions > 3000 and re.search(rf"<strong>{provisions:,}</strong> Provision", html)
    assert '<a href="/crime-types/money_laundering">Money laundering</a>' in html
    assert '<a href="/search?country=FR">France</a>' in html
    assert "Latest additions" in html and re.search(r'href="/l/[A-Z]{2}/\w+/', html)


def test_law_page_has_an_outline_parts_permalink_and_source(client: FlaskClient) -> None:
    html = _html(client, FR_LAW)
    assert '<nav class="outline"' in html and "Livre III" in html
    outline = re.search(r'<nav class="outline".*?</nav>', html, re.S)
    assert outline and re.search(r'href="(\?part=\d+|legitext000006070719)#art-[\w-]+"', outline.group(0))
    assert "Part 1 of" in html and 'rel="next"' in html
    assert 'rel="canonical" href="http://localhost/l/FR/law/legitext000006070719"' in html
    assert "Read it at the source" in html and "Classification" in html
    assert client.get(FR_LAW + "?part=999").status_code == 404


def test_every_part_of_every_law_and_decision_stays_under_100_kb(client: FlaskClient) -> None:
    api = client.get("/api/v1/search", query_string={"kind": "law", "page_size": 50}).get_json()
    paths = [CN_LAW, FR_LAW, "/records/cn-decision-test_query-105"] + [h["url"] for h in api["hits"]]
    for path in paths:
        first = _html(client, path)
        found = re.search(r"Part 1 of (\d+)", first)
        for part in range(2, int(found.group(1)) + 1 if found else 2):
            _html(client, f"{path}?part={part}")


def test_permalinks_serve_the_record_and_reject_the_wrong_kind(client: FlaskClient) -> None:
    html = _html(client, FR_324_1)
    assert (
        "Article 324-1" in html
        and 'value="http://localhost/l/FR/provision/legitext000006070719-art-324-1"' in html
    )
    old = _html(client, "/records/fr-law-legitext000006070719-art-324-1")
    assert 'rel="canonical" href="http://localhost' + FR_324_1 + '"' in old
    assert client.get("/l/FR/law/legitext000006070719-art-324-1").status_code == 404
    assert client.get("/l/fr/provision/legitext000006070719-art-324-1").status_code == 404
    assert client.get("/l/FR/provision/nope").status_code == 404
    assert client.get("/fr" + FR_324_1).status_code == 200


def test_permalink_parts_round_trip() -> None:
    from sherloc.services.permalinks import permalink_parts, record_id_of

    for record_id, kind, country in (
        ("fr-law-legitext000006070719-art-324-1", "provision", "FR"),
        ("cn-decision-test_query-290", "decision", "CN"),
        ("cn-law-刑法", "law", "CN"),
    ):
        parts = permalink_parts(record_id, kind, country)
        assert parts is not None and record_id_of(*parts) == record_id
    assert permalink_parts("x-1", "law", "FR") is None and record_id_of("FRA", "law", "x") is None


def test_cite_this_names_law_article_country_date_and_url(client: FlaskClient) -> None:
    html = _html(client, FR_324_1)
    cite = re.search(r'<textarea id="cite-text"[^>]*>(.*?)</textarea>', html, re.S)
    # Chicago author-date, as /api/v1/records/<id>/citation?format=text gives it, led by the country;
    # dated by the provision's adoption as the source gives it, not by the code's latest consolidation.
    assert cite and re.fullmatch(
        r"France: Code pénal, Article 324-1\. \d{1,2} \w+ \d{4}\. http://localhost"
        + re.escape(FR_324_1)
        + r"\.",
        cite.group(1),
    )
    assert "2026" not in cite.group(1)
    decision = _html(client, "/records/cn-decision-test_query-105")
    cite = re.search(r'<textarea id="cite-text"[^>]*>(.*?)</textarea>', decision, re.S)
    assert cite and cite.group(1).startswith("China: 宗传存、彭瀚琳故意伤害")
    assert "（2015）烟刑一终字第111号. 山东省烟台市中级人民法院" in cite.group(1)


def test_provision_page_shows_the_same_article_in_other_countries(client: FlaskClient) -> None:
    html = _html(client, FR_324_1)
    block = re.search(r'<section class="elsewhere".*?</section>', html, re.S)
    assert block, "no same-article block"
    section = block.group(0)
    assert "The same convention article in other countries" in section
    assert (
        "UNTOC 6" in section and "<strong>China</strong>" in section and "<strong>Russia</strong>" in section
    )
    assert "/l/RU/provision/102041891-art-174" in section and "<strong>France</strong>" not in section
    assert re.search(r"and \d+ more", section) and "country=CN&amp;kind=provision" in section


def test_decision_page_has_its_facts_text_and_tags(client: FlaskClient) -> None:
    html = _html(client, "/records/cn-decision-test_query-105")
    for text in (
        "<dt>Court</dt>",
        "<dt>Case number</dt>",
        "<dt>Parties</dt>",
        "<dt>Charges</dt>",
        "故意伤害罪",
    ):
        assert text in html
    assert "<h2>Text</h2>" in html and "Classification" in html
    assert re.search(r"Part 1 of [2-9]", html) and "Part 2 of" in _html(
        client, "/records/cn-decision-test_query-105?part=2"
    )


def test_record_pages_carry_json_ld(client: FlaskClient) -> None:
    import json

    for url, kind in (
        (FR_LAW, "Legislation"),
        (FR_324_1, "Legislation"),
        ("/l/CN/decision/test_query-105", "CreativeWork"),
    ):
        html = _html(client, url)
        body = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert body, url
        doc = json.loads(body.group(1))
        assert doc["@type"] == kind and doc["url"] == "http://localhost" + url
    provision = json.loads(re.search(r'ld\+json">(.*?)</script>', _html(client, FR_324_1), re.S).group(1))
    assert provision["isPartOf"]["@id"] == "http://localhost" + FR_LAW


def test_crime_type_pages(client: FlaskClient) -> None:
    index = _html(client, "/crime-types")
    assert '<a href="/crime-types/money_laundering">Money laundering</a>' in index
    html = _html(client, "/crime-types/money_laundering")
    assert "<h1>Money laundering</h1>" in html
    assert "UNTOC 6: Criminalization of the laundering of proceeds of crime" in html
    assert 'lang="zh" dir="auto">洗钱' in html and "blanchiment" in html
    assert 'href="/search?crime_type=money_laundering&amp;country=FR"' in html
    assert re.search(r"Search the [\d,]+ records tagged with it", html)
    fr = _html(client, "/fr/crime-types/money_laundering")
    assert "<h1>Blanchiment d&#39;argent</h1>" in fr and "Articles de la Convention" in fr


def test_about_page_names_sources_licences_and_the_api(client: FlaskClient) -> None:
    html = _html(client, "/about")
    for text in (
        "ODbL",
        "world-countries",
        "Open Justice Licence",
        "Etalab",
        "LawRefBook/Laws",
        "THUIR/LeCaRDv2",
        'href="/api/v1/docs"',
        'href="/api/v1/openapi.json"',
        "How tagging and search work",
    ):
        assert text in html, text


def test_unknown_pages_are_404_pages_and_api_404s_are_envelopes(client: FlaskClient) -> None:
    for url in ("/crime-types/nope", "/records/nope", "/l/XX/law/nope", "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "text/html", url
    fr = client.get("/fr/crime-types/nope").get_data(as_text=True)
    assert "Il n’existe pas de type d’infraction nope." in fr
    api = client.get("/api/v1/records/nope", headers={"Accept-Language": "fr"})
    assert api.status_code == 404 and api.get_json()["error"]["message"] == "No record with id 'nope'."


def test_search_facets_fold_on_phones(client: FlaskClient) -> None:
    html = _html(client, "/search?q=blanchiment")
    assert '<details class="filters" open>' in html and "facets.js" in html
    script = client.get("/static/facets.js")
    script.close()  # a file response holds the file open until closed
    assert script.status_code == 200
