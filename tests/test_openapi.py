"""The OpenAPI document of /api/v1: valid, complete, true to what the API answers, and its docs page."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from sherloc.web.openapi import API_PREFIX, OPENAPI_VERSION

IGNORED_METHODS = {"HEAD", "OPTIONS"}
BAD_REQUEST = {"$ref": "#/components/responses/BadRequest"}


@pytest.fixture(scope="module")
def document(demo_app: Flask) -> dict[str, Any]:
    response = demo_app.test_client().get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema_rs.Validator:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1) of `schema`, its $refs resolved in `document`."""
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document["components"],
        **schema,
    }
    return jsonschema_rs.validator_for(root)


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    assert document["openapi"] == OPENAPI_VERSION
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema; raises


def test_every_api_route_is_documented_and_nothing_else(demo_app: Flask, document: dict[str, Any]) -> None:
    routes = set()
    for rule in demo_app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        routes.update((path, method.lower()) for method in (rule.methods or set()) - IGNORED_METHODS)
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert routes == documented


def test_every_operation_documents_its_answers(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("operationId"), where
            success = "201" if method == "post" and operation["operationId"] == "propose" else "200"
            assert success in operation["responses"], where  # 201: a proposal created
            parameters = {p["name"] for p in operation.get("parameters", ())}
            if parameters - set(re.findall(r"{(\w+)}", path)):  # query arguments: a 400 when not valid
                assert operation["responses"].get("400") == BAD_REQUEST, where


def test_examples_match_their_schemas(document: dict[str, Any]) -> None:
    seen = 0
    responses = [
        response
        for operations in document["paths"].values()
        for operation in operations.values()
        for response in operation["responses"].values()
        if "content" in response
    ]
    responses += list(document["components"]["responses"].values())
    for response in responses:
        for media in response["content"].values():
            if "example" in media:
                _validator(document, media["schema"]).validate(media["example"])
                seen += 1
    assert seen >= 4


@pytest.mark.parametrize(
    ("url", "schema"),
    [
        ("/search?q=洗钱&facet=country&facet=crime_type", "SearchResponse"),
        ("/facets?q=blanchiment&country=FR", "FacetsResponse"),
        ("/records/cn-law-刑法", "Record"),
        ("/vocabulary", "Vocabulary"),
        ("/vocabulary/crime-types/money_laundering", "CrimeType"),
        ("/countries", "CountryList"),
        ("/countries/cn", "Country"),
        ("/countries/zz", "Error"),
        ("/search?page=0", "Error"),
    ],
)
def test_answers_match_the_document(
    client: FlaskClient, document: dict[str, Any], url: str, schema: str
) -> None:
    response = client.get(API_PREFIX + url)
    _validator(document, {"$ref": f"#/components/schemas/{schema}"}).validate(response.get_json())


def test_tag_answers_match_the_document(client: FlaskClient, document: dict[str, Any]) -> None:
    operation = document["paths"][f"{API_PREFIX}/tag"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    _validator(document, body["schema"]).validate(body["example"])
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    one = client.post(f"{API_PREFIX}/tag", json=body["example"]).get_json()
    assert one["crime_types"] == ["money_laundering"]
    _validator(document, {"$ref": "#/components/schemas/TagResult"}).validate(one)
    batch = client.post(f"{API_PREFIX}/tag", json={"items": [body["example"], {"id": 2, "text": "洗钱"}]})
    _validator(document, {"$ref": "#/components/schemas/TagBatchResult"}).validate(batch.get_json())
    _validator(document, answer).validate(batch.get_json())


def test_the_document_is_built_once_per_app(client: FlaskClient, demo_app: Flask) -> None:
    first = client.get(f"{API_PREFIX}/openapi.json").get_json()
    cached = demo_app.extensions["sherloc.openapi"]
    assert client.get(f"{API_PREFIX}/openapi.json").get_json() == first
    assert demo_app.extensions["sherloc.openapi"] is cached


def test_the_docs_page_is_served_from_the_package(client: FlaskClient) -> None:
    response = client.get(f"{API_PREFIX}/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'data-spec-url="{API_PREFIX}/openapi.json"' in page
    assert "http://" not in page and "https://" not in page  # no CDN
    assets = [url for url in re.findall(r'(?:src|href)="([^"]+)"', page) if not url.startswith("data:")]
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui.css", "swagger-ui-bundle.js", "init.js"}
    for asset in [*assets, "/static/apidocs/LICENSE"]:
        with client.get(asset) as served:
            assert served.status_code == 200 and served.get_data(), asset
    with client.get("/static/apidocs/init.js") as served:
        init = served.get_data(as_text=True)
    assert "validatorUrl: null" in init  # Swagger UI would otherwise send the document to a validator


# The property-based run of schemathesis (every operation, valid and invalid arguments, anonymous and logged
# in) is tests/test_api_fuzz_live.py, against the app served by gunicorn.
