"""Stored tags on the web, over the ingested demo corpus: labelled facets that filter, record pages with
evidence, the API's records and hits, and POST /api/v1/tag."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from sherloc.app import create_app
from sherloc.cli import main
from sherloc.models import Tag
from sherloc.schemas.tagging import MAX_TAG_ITEMS
from sherloc.settings import Settings
from tests.conftest import CORPUS, ingest_into

ART_191 = "cn-law-刑法-art-191"
ART_324_1 = "fr-law-legitext000006070719-art-324-1"


def test_search_page_shows_tag_facets_with_labels(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": "blanchiment"}).get_data(as_text=True)
    for facet in ("Crime type", "Convention article", "Cross-cutting issue"):
        assert f"<h2>{facet}</h2>" in html
    assert "Money laundering" in html and "UNTOC 6: Criminalization of the laundering" in html
    assert 'href="/search?q=blanchiment&amp;crime_type=money_laundering"' in html
    assert 'href="/search?q=blanchiment&amp;instrument_article=UNTOC+6"' in html


def test_clicking_a_tag_facet_filters(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "blanchiment", "crime_type": "money_laundering"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'aria-current="true"' in html
    api = client.get(
        "/api/v1/search",
        query_string={"q": "blanchiment", "crime_type": "money_laundering", "page_size": 100},
    ).get_json()
    assert api["total"] > 0
    assert all("money_laundering" in hit["tags"]["crime_type"] for hit in api["hits"])
    assert f"{api['total']:,} result" in html


def test_the_api_counts_tag_facets_when_asked(client: FlaskClient) -> None:
    body = client.get(
        "/api/v1/search", query_string={"q": "crime:money_laundering", "facet": ["instrument_article"]}
    ).get_json()
    assert body["total"] > 0 and all("money_laundering" in h["tags"]["crime_type"] for h in body["hits"])
    cn = client.get(
        "/api/v1/search", query_string={"q": "crime:money_laundering country:CN 洗钱罪"}
    ).get_json()
    assert ART_191 in {h["id"] for h in cn["hits"]}
    assert "UNTOC 6" in {b["value"] for b in body["facets"]["instrument_article"]}
    default = client.get("/api/v1/search", query_string={"q": "blanchiment"}).get_json()
    assert set(default["facets"]) == {"country", "language", "kind"}  # the API's default is unchanged


def test_record_page_shows_tags_with_evidence_and_links(client: FlaskClient) -> None:
    html = client.get(f"/records/{ART_324_1}").get_data(as_text=True)
    section = html[html.index('<section class="tags"') :]
    assert "Crime types" in section and "Convention articles" in section
    assert '<a class="tag-value" href="/search?crime_type=money_laundering">Money laundering</a>' in section
    assert 'href="/search?instrument_article=UNTOC+6"' in section
    assert re.search(r'<span class="confidence" title="confidence">[01]\.\d\d</span>', section)
    assert '<q lang="fr" dir="auto">blanchiment</q> in the' in section
    cn = client.get(f"/records/{ART_191}").get_data(as_text=True)
    assert '<q lang="zh" dir="auto">洗钱</q> in the heading' in cn


def test_law_page_shows_rolled_up_tags(client: FlaskClient) -> None:
    html = client.get("/records/cn-law-刑法").get_data(as_text=True)
    section = html[html.index('<section class="tags"') :]
    assert "from its provisions" in section and re.search(r"in \d+ provisions?", section)
    assert "第一百九十一条</a>" in section


def test_api_record_and_hits_carry_the_stored_tags(client: FlaskClient) -> None:
    record = client.get(f"/api/v1/records/{ART_191}").get_json()
    tags = {(t["scheme"], t["value"]): t for t in record["tags"]}
    laundering = tags[("crime_type", "money_laundering")]
    assert laundering["origin"] == "tagger" and laundering["evidence"] and laundering["confidence"] > 0
    assert ("instrument_article", "UNTOC 6") in tags
    hits = client.get("/api/v1/search", query_string={"q": "洗钱"}).get_json()["hits"]
    hit = next(h for h in hits if h["id"] == ART_191)
    assert "money_laundering" in hit["tags"]["crime_type"] and "UNTOC 6" in hit["tags"]["instrument_article"]


def test_decisions_are_tagged_from_their_charges(client: FlaskClient) -> None:
    body = client.get(
        "/api/v1/search", query_string={"q": "kind:decision crime:drug_trafficking", "page_size": 50}
    ).get_json()
    assert body["total"] > 0


# -- POST /api/v1/tag ----------------------------------------------------------------------------

ITEM = {
    "id": "a1",
    "title": "第一百九十一条 洗钱罪",
    "text": "为掩饰、隐瞒毒品犯罪的所得及其产生的收益的来源和性质，处五年以下有期徒刑。",
    "language": "zh",
}


def test_tag_one_record_like_the_command_line(client: FlaskClient) -> None:
    response = client.post("/api/v1/tag", json=ITEM)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == "a1" and "money_laundering" in body["crime_types"]
    assert {"instrument": "UNTOC", "article": "6"} in body["instruments"]
    cli = CliRunner().invoke(main, ["tag"], input=json.dumps(ITEM, ensure_ascii=False) + "\n")
    assert json.loads(cli.output) == body


def test_tag_a_batch_in_order(client: FlaskClient) -> None:
    items = [
        ITEM,
        {
            "id": 2,
            "text": "Le blanchiment est le fait de faciliter ...",
            "language": "fr",
            "kind": "provision",
        },
        {"id": "d", "text": "", "kind": "decision", "charges": ["走私、贩卖、运输、制造毒品罪"], "path": []},
        {"id": "x", "text": "nothing to see", "gold": ["ignored, as the command line ignores it"]},
    ]
    response = client.post("/api/v1/tag", data=json.dumps({"items": items}), content_type="text/plain")
    assert response.status_code == 200
    out = response.get_json()["items"]
    assert [o["id"] for o in out] == ["a1", "2", "d", "x"]
    assert "drug_trafficking" in out[2]["crime_types"]
    assert out[3]["crime_types"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "_schema"),
        (b"", "_schema"),
        (b"[1, 2]", "_schema"),
        (b'"text"', "_schema"),
        (json.dumps({"text": "no id"}).encode(), "id"),
        (json.dumps({"id": True, "text": "x"}).encode(), "id"),
        (json.dumps({"id": ["a"], "text": "x"}).encode(), "id"),
        (json.dumps({"id": "a", "text": 5}).encode(), "text"),
        (json.dumps({"id": "a", "kind": "treaty"}).encode(), "kind"),
        (json.dumps({"id": "a", "path": "Livre III"}).encode(), "path"),
        (json.dumps({"id": "a", "charges": [1]}).encode(), "charges"),
        (json.dumps({"id": "a", "language": ["fr"]}).encode(), "language"),
        (json.dumps({"items": "a"}).encode(), "items"),
        (json.dumps({"items": []}).encode(), "items"),
        (json.dumps({"items": [{"id": "a"}, {"text": "no id"}]}).encode(), "items"),
        (json.dumps({"items": [{"id": "a"}], "extra": 1}).encode(), "extra"),
        (json.dumps({"items": [{"id": i} for i in range(MAX_TAG_ITEMS + 1)]}).encode(), "items"),
    ],
)
def test_malformed_tag_requests_are_400(client: FlaskClient, body: bytes, field: str) -> None:
    response = client.post("/api/v1/tag", data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == 400 and field in error["details"]


def test_a_body_over_the_limit_is_413_not_500(client: FlaskClient) -> None:
    text = "x" * (3 * 2**20)
    response = client.post("/api/v1/tag", json={"id": "big", "text": text})
    assert response.status_code == 413 and response.get_json()["error"]["status"] == 413


def test_tag_is_post_only(client: FlaskClient) -> None:
    assert client.get("/api/v1/tag").status_code == 405


def test_tags_and_evidence_are_escaped(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "in" / "刑法"
    source.mkdir(parents=True)
    shutil.copyfile(CORPUS / "zh-cn-laws-lawrefbook" / "刑法" / "刑法.md", source / "刑法.md")
    ingest_into(settings, [tmp_path / "in"])
    app = create_app(settings)
    with app.extensions["sherloc"].sessions() as session, session.begin():
        evidence = [{"term": "<script>alert(1)</script>", "field": "text", "language": "zh", "count": 1}]
        session.add(
            Tag(
                record_id=ART_191,
                scheme="crime_type",
                value='<img src=x onerror="1">',
                evidence=evidence,
                origin="editor",
            )
        )
    html = app.test_client().get(f"/records/{ART_191}").get_data(as_text=True)
    app.extensions["sherloc"].engine.dispose()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
