"""The OpenAPI 3.1 document of /api/v1, built from the API's marshmallow schemas, and its interactive docs.

Built on the first request and kept on the app (no work at import). tests/test_openapi.py checks it
against the OpenAPI meta-schema and that every /api/v1 route is in it; tests/test_api_fuzz_live.py (with
schemathesis, against the app served by gunicorn) that the API answers what it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, url_for
from markupsafe import escape

from sherloc import __version__
from sherloc.schemas.accounts import AccountListSchema, AuditArgsSchema, AuditTrailSchema
from sherloc.schemas.bibliography import CitationArgsSchema
from sherloc.schemas.countries import CountryArgsSchema, CountryListSchema, CountrySchema
from sherloc.schemas.directory import openapi_paths as directory_paths
from sherloc.schemas.errors import ErrorSchema
from sherloc.schemas.explore import (
    CountryProfileSchema,
    MatrixArgsSchema,
    MatrixCellArgsSchema,
    MatrixCellProvisionsSchema,
    MatrixSchema,
    ProfileArgsSchema,
)
from sherloc.schemas.export import ExportArgsSchema, ExportRowSchema
from sherloc.schemas.mla import (
    MlaRequestDetailSchema,
    MlaRequestListSchema,
    MlaRequestsArgsSchema,
    MlaRequirementsArgsSchema,
    MlaRequirementsSchema,
)
from sherloc.schemas.records import RecordSchema
from sherloc.schemas.search import (
    FacetArgsSchema,
    FacetsResponseSchema,
    SearchArgsSchema,
    SearchResponseSchema,
)
from sherloc.schemas.sentencing import SentencingArgsSchema, SentencingResponseSchema
from sherloc.schemas.tagging import (
    MAX_TAG_ITEMS,
    TagBatchResultSchema,
    TagBatchSchema,
    TagItemSchema,
    TagResultSchema,
)
from sherloc.schemas.usage import UsageArgsSchema, UsageResponseSchema
from sherloc.schemas.vocabulary import CrimeTypeSchema, VocabularySchema
from sherloc.schemas.workflow import (
    ProposalBodySchema,
    ProposalUpdateSchema,
    RejectBodySchema,
    RevisionArgsSchema,
    RevisionDetailSchema,
    RevisionListSchema,
    RevisionOneSchema,
    VersionListSchema,
)
from sherloc.services.export import COLUMNS, EXPORT_LIMIT, LIST_SEPARATOR, MEDIA_TYPES
from sherloc.services.sentencing import TERM_BINS
from sherloc.vocab.loader import load_vocabulary

API_PREFIX = "/api/v1"  # where create_app mounts the api blueprint
OPENAPI_VERSION = "3.1.0"
_CACHE_KEY = "sherloc.openapi"
MAX_PATH_ID = 2**31 - 1  # the app's int converter (sherloc.app.BoundedIntegerConverter) matches no more
# Query arguments in this order in the docs (the facet filters after them, as the schemas declare them).
_FIRST_ARGUMENTS = ("q", "format", "sort", "page", "page_size", "cursor", "limit", "bom", "facet", "lang")
TAGS = [
    {"name": "search", "description": "Search, facet counts and export, with the same query and filters"},
    {"name": "records", "description": "Laws, provisions and decisions from the record store"},
    {"name": "vocabulary", "description": "What records are tagged with"},
    {"name": "places", "description": "Countries and regions"},
    {"name": "tagging", "description": "The tagger, on any text"},
    {"name": "cases", "description": "Figures from the case records of decisions"},
    {"name": "meta", "description": "This description of the API"},
    {"name": "admin", "description": "For administrators logged in to the portal (session cookie)"},
    {"name": "mla", "description": "The request writer for mutual legal assistance and its register"},
]

DESCRIPTION = f"""\
The open JSON API of sherloc: laws split into provisions, court decisions, and the vocabulary they are
tagged with (crime types, convention articles, cross-cutting issues), in the six UN languages.

Errors, whatever the endpoint, come as `{{"error": {{"status", "message", "details"}}}}`: 400 for
arguments that are not valid (the arguments at fault in `details`), 404 for an unknown id, 429 when a
client searches faster than the portal allows (`Retry-After` says when to try again), 503 when search
is unavailable. A request line (method, path and query) over 8190 bytes is refused by the HTTP server
itself, with a 400 of its own that is not JSON.

Deep paging goes by cursor: pass `next_cursor` back as `cursor`. `/export` gives up to
{EXPORT_LIMIT:,} records of a search in one file; more is a crawl of `/search` sorted by date.
"""

_ERROR_EXAMPLES = {
    400: {
        "error": {
            "status": 400,
            "message": "Some parameters are not valid.",
            "details": {"page_size": ["Must be greater than or equal to 1 and less than or equal to 100."]},
        }
    },
    404: {"error": {"status": 404, "message": "No record with id 'no-such-record'."}},
    429: {
        "error": {"status": 429, "message": "Too many searches: at most 120 in 1 minute. Try again in 12 s."}
    },
    503: {"error": {"status": 503, "message": "Search is unavailable: run `sherloc index rebuild`"}},
}
# Headers of an error response, by status.
_ERROR_HEADERS = {
    429: {
        "Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}
    },
}
_ERROR_RESPONSES = {
    400: ("BadRequest", "arguments or body not valid; `details` names them"),
    401: ("Unauthorized", "not logged in"),
    403: ("Forbidden", "logged in, but the account's role does not give access"),
    404: ("NotFound", "no such id"),
    409: ("Conflict", "the entry changed since the proposal was started; propose the change again"),
    413: ("TooLarge", "the body is over 2 MB"),
    429: ("TooManyRequests", "this client sent too many searches; try again after Retry-After seconds"),
    503: ("Unavailable", "search (or the data it needs) is unavailable; try again later"),
}

_SEARCH_EXAMPLE = {
    "query": "洗钱",
    "total": 1,
    "page": 1,
    "page_size": 10,
    "sort": "relevance",
    "filters": {"country": ["CN"]},
    "cross_language": True,
    "expansions": [
        {"crime_type": "money_laundering", "label": "Money laundering", "words": "洗钱", "language": "zh"}
    ],
    "next_cursor": None,
    "hits": [
        {
            "id": "cn-law-刑法-art-191",
            "kind": "provision",
            "score": 79.2,
            "title": "中华人民共和国刑法, 第一百九十一条",
            "country": "CN",
            "language": "zh",
            "law_id": "cn-law-刑法",
            "law_title": "中华人民共和国刑法",
            "label": "第一百九十一条",
            "number": "191",
            "heading": "洗钱罪",
            "date": "2023-12-29",
            "snippet": "为掩饰、隐瞒…的来源和性质，有下列行为之一的… <mark>洗钱</mark>…",
            "tags": {"crime_type": ["money_laundering"], "instrument_article": ["UNTOC 6", "UNCAC 23"]},
            "url": "/records/cn-law-%E5%88%91%E6%B3%95-art-191",
        }
    ],
    "facets": {"country": [{"value": "CN", "label": "China", "count": 1, "selected": True}]},
    "facet_labels": {"country": "Country"},
}


def document() -> dict[str, Any]:
    """The OpenAPI document of the current app, built once."""
    cached: dict[str, Any] | None = current_app.extensions.get(_CACHE_KEY)
    if cached is None:
        crime_types = [ct.id for ct in current_app.extensions["sherloc"].vocabulary.crime_types]
        cached = current_app.extensions[_CACHE_KEY] = build_document(crime_types)
    return cached


def build_document(crime_types: Sequence[str] | None = None) -> dict[str, Any]:
    """The document; `crime_types`: the ids the API knows (by default those of the default vocabulary)."""
    spec = APISpec(
        tags=TAGS,
        title="sherloc API",
        version=__version__,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION, "license": {"name": "MIT", "identifier": "MIT"}},
    )
    spec.components.schema("Error", schema=ErrorSchema)
    _register_body_schemas(spec)
    for status, (name, description) in _ERROR_RESPONSES.items():
        content: dict[str, Any] = {"schema": "Error"}
        if status in _ERROR_EXAMPLES:
            content["example"] = _ERROR_EXAMPLES[status]
        response: dict[str, Any] = {"description": description, "content": {"application/json": content}}
        if status in _ERROR_HEADERS:
            response["headers"] = _ERROR_HEADERS[status]
        spec.components.response(name, response)

    if crime_types is None:
        crime_types = [ct.id for ct in load_vocabulary().crime_types]
    paths = {**_paths(), **_sentencing_paths(crime_types), **_usage_paths(), **_account_paths()}
    paths.update(_editorial_paths())
    paths.update(directory_paths())
    paths.update(_mla_paths())
    for path, operations in paths.items():
        spec.path(path=API_PREFIX + path, operations=operations)
    out = spec.to_dict()
    _require_every_key(out["components"]["schemas"], optional=OPTIONAL_KEYS)
    _tidy_query_arguments(out["paths"])
    return out


# Keys a response may leave out: an error's details; a provenance entry is a span or an editor's mark;
# a party may have no role.
OPTIONAL_KEYS = {
    "ErrorBody": {"details"},
    "ProvenanceEntry": {"start", "end", "by", "user", "at"},
    "Party": {"role"},
}


def _require_every_key(schemas: dict[str, Any], optional: dict[str, set[str]]) -> None:
    """Responses always carry every key of their schemas (null where there is no value): say so, so that
    a client (and schemathesis) can rely on it. Request bodies (TagItem, TagBatch) keep their own."""
    for name, schema in schemas.items():
        if name in ("TagItem", "TagBatch") or "properties" not in schema:
            continue
        schema["required"] = [key for key in schema["properties"] if key not in optional.get(name, set())]


def _tidy_query_arguments(paths: dict[str, Any]) -> None:
    """Query arguments in a reader's order, and never null: an argument with no default (cursor, region)
    is absent from the query string, but the plugin reads its load_default of None as "nullable"."""
    for operations in paths.values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query":
                    continue
                if isinstance(schema.get("type"), list):
                    schema["type"] = [t for t in schema["type"] if t != "null"]
                    if len(schema["type"]) == 1:
                        schema["type"] = schema["type"][0]
                if schema.get("default", 0) in (None, ""):
                    del schema["default"]
            parameters.sort(key=_argument_rank)


def _argument_rank(parameter: dict[str, Any]) -> int:
    name = parameter.get("name")
    return _FIRST_ARGUMENTS.index(name) if name in _FIRST_ARGUMENTS else len(_FIRST_ARGUMENTS)


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _ERROR_RESPONSES[status][0] for status in statuses}


def _json(schema: Any, description: str, example: Any = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


def _paths() -> dict[str, dict[str, Any]]:
    csv_columns = ", ".join(COLUMNS)
    return {
        "/search": {
            "get": {
                "operationId": "search",
                "tags": ["search"],
                "summary": "Search laws, provisions and decisions",
                "description": "Facet filters: OR within a field, AND across fields; a selected value does "
                "not shrink its own facet's counts. Relevance pages stop at 10,000 results; sorted by date, "
                "the cursor reaches any depth.",
                "parameters": [{"in": "query", "schema": SearchArgsSchema}],
                "responses": {
                    "200": _json(
                        SearchResponseSchema, "one page of hits, with facet counts", _SEARCH_EXAMPLE
                    ),
                    **_errors(400, 429, 503),
                },
            }
        },
        "/facets": {
            "get": {
                "operationId": "facets",
                "tags": ["search"],
                "summary": "Only the facet counts of a search",
                "description": "The arguments of /search less paging and sorting, which do not change the "
                "counts; every facet is counted unless `facet` names some.",
                "parameters": [{"in": "query", "schema": FacetArgsSchema}],
                "responses": {
                    "200": _json(FacetsResponseSchema, "the facet counts"),
                    **_errors(400, 429, 503),
                },
            }
        },
        "/export": {
            "get": {
                "operationId": "export",
                "tags": ["search"],
                "summary": f"A search's records as a CSV or JSON-lines file (at most {EXPORT_LIMIT:,})",
                "description": f"Streamed as it is read, page by page. Columns: {csv_columns}. CSV: a "
                "header row, UTF-8 with a byte order mark (`bom=false` leaves it out), RFC 4180 quoting, "
                f"CRLF line ends, list columns joined by {LIST_SEPARATOR!r}, and a cell that begins with =, "
                "+, -, @, a tab or a carriage return prefixed with an apostrophe so that spreadsheets do "
                "not run it as a formula. JSON lines: one ExportRow object per line, lists as arrays. "
                "X-Total-Count says how many records the search matches; X-Export-Truncated is true when "
                "that is more than the file holds. A failure after the first bytes ends the transfer "
                "without its final chunk, so a client sees that the file is incomplete.",
                "parameters": [{"in": "query", "schema": ExportArgsSchema}],
                "responses": {
                    "200": {
                        "description": "the file, as an attachment",
                        "headers": {
                            "Content-Disposition": _header("attachment; filename=sherloc-export-….csv"),
                            "X-Total-Count": _header("records the search matches", "integer"),
                            "X-Export-Limit": _header("the most records this file holds", "integer"),
                            "X-Export-Truncated": _header("true when the search matches more", "boolean"),
                        },
                        "content": {
                            MEDIA_TYPES["csv"]: {"schema": {"type": "string"}},
                            MEDIA_TYPES["jsonl"]: {
                                "schema": {
                                    "type": "string",
                                    "description": "lines of #/components/schemas/ExportRow",
                                }
                            },
                            MEDIA_TYPES["bibtex"]: {"schema": {"type": "string"}},
                            MEDIA_TYPES["ris"]: {"schema": {"type": "string"}},
                            MEDIA_TYPES["csl-json"]: {"schema": {"type": "array", "items": {}}},
                        },
                    },
                    **_errors(400, 429, 503),
                },
            }
        },
        "/records/{record_id}": {
            "get": {
                "operationId": "getRecord",
                "tags": ["records"],
                "summary": "One record, with its provisions and stored tags",
                "parameters": [
                    _path_parameter("record_id", "a record id, as hits give it: cn-law-刑法-art-191")
                ],
                "responses": {"200": _json(RecordSchema, "the record"), **_errors(404)},
            }
        },
        "/records/{record_id}/citation": {
            "get": {
                "operationId": "getRecordCitation",
                "tags": ["records"],
                "summary": "One record as a reference: a cite-this line, BibTeX, RIS or CSL-JSON",
                "description": "A bibliography entry as imported; a law or provision as legislation, a "
                "decision as a legal case, a treaty as a treaty, a policy document as a report.",
                "parameters": [
                    _path_parameter("record_id", "a record id, as hits give it: cn-law-刑法-art-191"),
                    {"in": "query", "schema": CitationArgsSchema},
                ],
                "responses": {
                    "200": {
                        "description": "the reference",
                        "content": {
                            "text/plain": {"schema": {"type": "string"}},
                            "application/x-bibtex": {"schema": {"type": "string"}},
                            "application/x-research-info-systems": {"schema": {"type": "string"}},
                            "application/vnd.citationstyles.csl+json": {
                                "schema": {"type": "array", "items": {"type": "object"}}
                            },
                        },
                    },
                    **_errors(400, 404),
                },
            }
        },
        "/tag": {
            "post": {
                "operationId": "tag",
                "tags": ["tagging"],
                "summary": "Tag text with crime types, convention articles and cross-cutting issues",
                "description": f'Nothing is stored. One `sherloc tag` input object, or `{{"items": [...]}}` '
                f"of up to {MAX_TAG_ITEMS} of them (2 MB at most); the answer is `sherloc tag`'s output, "
                'or `{"items": [...]}` of them in the same order.',
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"oneOf": [_ref("TagItem"), _ref("TagBatch")]},
                            "example": {
                                "id": "a1",
                                "title": "Article 324-1",
                                "text": "Le blanchiment est le fait de faciliter...",
                                "language": "fr",
                            },
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "the tags of each input",
                        "content": {
                            "application/json": {
                                "schema": {"oneOf": [_ref("TagResult"), _ref("TagBatchResult")]}
                            }
                        },
                    },
                    **_errors(400, 413),
                },
            }
        },
        "/vocabulary": {
            "get": {
                "operationId": "vocabulary",
                "tags": ["vocabulary"],
                "summary": "Crime types, instruments with their articles, and cross-cutting issues",
                "responses": {"200": _json(VocabularySchema, "the whole vocabulary, in file order")},
            }
        },
        "/vocabulary/crime-types/{crime_type_id}": {
            "get": {
                "operationId": "getCrimeType",
                "tags": ["vocabulary"],
                "summary": "One crime type: labels, terms and the articles criminalizing it",
                "parameters": [_path_parameter("crime_type_id", "money_laundering")],
                "responses": {"200": _json(CrimeTypeSchema, "the crime type"), **_errors(404)},
            }
        },
        "/countries": {
            "get": {
                "operationId": "countries",
                "tags": ["places"],
                "summary": "Countries: names in the six UN languages, region, records held",
                "parameters": [{"in": "query", "schema": CountryArgsSchema}],
                "responses": {
                    "200": _json(CountryListSchema, "countries in code order"),
                    **_errors(400, 503),
                },
            }
        },
        "/countries/{code}": {
            "get": {
                "operationId": "getCountry",
                "tags": ["places"],
                "summary": "One country",
                "parameters": [_path_parameter("code", "ISO 3166-1 alpha-2 code, any case: FR")],
                "responses": {"200": _json(CountrySchema, "the country"), **_errors(404, 503)},
            }
        },
        **_explore_paths(),
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "tags": ["meta"],
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "the OpenAPI document")},
            }
        },
        "/docs": {
            "get": {
                "operationId": "docs",
                "tags": ["meta"],
                "summary": "Interactive documentation of this API",
                "responses": {
                    "200": {
                        "description": "an HTML page",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


def _explore_paths() -> dict[str, dict[str, Any]]:
    """The implementation matrix and country profiles (issue 9)."""
    return {
        "/matrix": {
            "get": {
                "operationId": "matrix",
                "tags": ["places"],
                "summary": "The implementation matrix: provisions per country and convention article",
                "description": "Rows: countries with records. Columns: the criminalization articles of "
                "UNTOC and its Protocols, then the crime types no such article covers. Each cell: the "
                "country's provisions tagged with the column, their number and the highest and mean "
                "confidence of those tags. `format=csv` gives the same cells, one row each (UTF-8 with a "
                "byte order mark, CRLF line ends).",
                "parameters": [{"in": "query", "schema": MatrixArgsSchema}],
                "responses": {
                    "200": {
                        "description": "the matrix",
                        "content": {
                            "application/json": {"schema": MatrixSchema},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    **_errors(400),
                },
            }
        },
        "/matrix/cell": {
            "get": {
                "operationId": "matrixCell",
                "tags": ["places"],
                "summary": "One cell of the matrix: a country's provisions tagged with an article",
                "description": "Definitional provisions first (the article's crime type named in their own "
                "heading, then in a chapter heading, then in the law's title), then by confidence.",
                "parameters": [{"in": "query", "schema": MatrixCellArgsSchema}],
                "responses": {
                    "200": _json(MatrixCellProvisionsSchema, "the cell and its provisions"),
                    **_errors(400, 404),
                },
            }
        },
        "/countries/{code}/profile": {
            "get": {
                "operationId": "getCountryProfile",
                "tags": ["places"],
                "summary": "A country's profile: records by kind and crime type, laws, latest decisions, "
                "provisions per convention article",
                "parameters": [
                    _path_parameter("code", "ISO 3166-1 alpha-2 code, any case: FR"),
                    {"in": "query", "schema": ProfileArgsSchema},
                ],
                "responses": {"200": _json(CountryProfileSchema, "the profile"), **_errors(400, 404, 503)},
            }
        },
    }


def _sentencing_paths(crime_types: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Sentencing figures from the case records (issue 10)."""
    bins = ", ".join(f"({low or 0}, {high if high is not None else '∞'}]" for low, high in TERM_BINS)
    return {
        "/sentencing": {
            "get": {
                "operationId": "sentencing",
                "tags": ["cases"],
                "summary": "Sentencing figures of a crime type: convictions, sentences, terms, fines",
                "description": "A conviction is a defendant of a case convicted on a charge of the crime "
                "type, counted once with the most severe sentence among such charges (the decision's own "
                "sentence before a first-instance one it quotes). Custodial terms are imprisonment and "
                "criminal detention with a term in months, suspended ones included (and counted apart); "
                "quartiles by Python's `statistics.quantiles(method='inclusive')`. Histogram bins, in "
                f"months, low exclusive and high inclusive: {bins}. Fines: per conviction the largest in "
                "each currency, then the median per currency. Years filter the decision date.",
                "parameters": [{"in": "query", "schema": SentencingArgsSchema(crime_types=crime_types)}],
                "responses": {
                    "200": _json(SentencingResponseSchema, "the figures (all zero when none match)"),
                    **_errors(400),
                },
            }
        },
    }


def _usage_paths() -> dict[str, dict[str, Any]]:
    """Usage figures, for administrators (issue 12)."""
    return {
        "/usage": {
            "get": {
                "operationId": "usage",
                "tags": ["admin"],
                "summary": "Usage figures: page views and searches per day, page kind and country",
                "description": "Counts only: nothing about visitors is stored. Successful GETs of pages and "
                "of API reads are counted, not those of bots, errors, redirects or administration pages. "
                "Countries are those of the records viewed. Needs an administrator's login (the portal's "
                "session cookie).",
                "parameters": [{"in": "query", "schema": UsageArgsSchema}],
                "responses": {"200": _json(UsageResponseSchema, "the figures"), **_errors(400, 401, 403)},
            }
        },
    }


def _mla_paths() -> dict[str, dict[str, Any]]:
    """The request writer for mutual legal assistance (issue 13): its rules (public) and the owning
    authority's register of requests (authority users; another authority's request is a 404)."""
    login = "Needs the login (session cookie) of an authority user; only the requests of the user's own "
    login += "authority are listed or found. "
    request_id = _path_parameter("request_id", "the request's number")
    request_id["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PATH_ID}
    return {
        "/mla/requirements": {
            "get": {
                "operationId": "mlaRequirements",
                "tags": ["mla"],
                "summary": "What a request for mutual legal assistance must contain, per step and type",
                "description": "The requirement rules of the request writer "
                "(corpus/vocab/mla_requirements.yaml), with the source of each (UNTOC arts 13 and 18, the "
                "Budapest Convention), in one language.",
                "parameters": [{"in": "query", "schema": MlaRequirementsArgsSchema}],
                "responses": {"200": _json(MlaRequirementsSchema, "the rules"), **_errors(400)},
            }
        },
        "/mla/requests": {
            "get": {
                "operationId": "mlaRequests",
                "tags": ["mla"],
                "summary": "The register: the authority's outgoing and incoming requests, and reminders",
                "description": login + "Reminders: pending requests past their due date, and outgoing ones "
                "sent and not acknowledged after SHERLOC_MLA_ACKNOWLEDGEMENT_DAYS.",
                "parameters": [{"in": "query", "schema": MlaRequestsArgsSchema}],
                "responses": {"200": _json(MlaRequestListSchema, "the requests"), **_errors(400, 401, 403)},
            }
        },
        "/mla/requests/{request_id}": {
            "get": {
                "operationId": "mlaRequest",
                "tags": ["mla"],
                "summary": "One request: its answers, what is missing (findings) and its history",
                "description": login,
                "parameters": [request_id],
                "responses": {"200": _json(MlaRequestDetailSchema, "the request"), **_errors(401, 403, 404)},
            }
        },
    }


def _account_paths() -> dict[str, dict[str, Any]]:
    """Accounts and the audit trail, read-only (issue 12); changes are made on the account pages."""
    login = "Needs the login (session cookie) of "
    return {
        "/admin/users": {
            "get": {
                "operationId": "adminUsers",
                "tags": ["admin"],
                "summary": "The accounts the logged-in user manages",
                "description": login + "an administrator (every account) or a reviewer (contributor and "
                "authority accounts). Authorities are given by their directory id only.",
                "responses": {"200": _json(AccountListSchema, "the accounts"), **_errors(401, 403)},
            }
        },
        "/admin/audit": {
            "get": {
                "operationId": "adminAudit",
                "tags": ["admin"],
                "summary": "The audit trail: who did what, and when, newest first",
                "description": login + "an administrator. Older events: pass `next_before` back as `before`.",
                "parameters": [{"in": "query", "schema": AuditArgsSchema}],
                "responses": {"200": _json(AuditTrailSchema, "one page of events"), **_errors(400, 401, 403)},
            }
        },
    }


def _editorial_paths() -> dict[str, dict[str, Any]]:
    """The editorial workflow (issue 12): proposals and versions. Needs a login (session cookie); writes
    also the CSRF token of the session in the X-CSRFToken header."""
    login = "Needs the login (session cookie) of a contributor, authority user or reviewer; writes need the "
    login += "session's CSRF token in the X-CSRFToken header. "
    revision_id = _path_parameter("revision_id", "the proposal's number")
    revision_id["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PATH_ID}
    body = {"required": True, "content": {"application/json": {"schema": ProposalBodySchema}}}
    reject_body = {"required": True, "content": {"application/json": {"schema": RejectBodySchema}}}
    return {
        "/revisions": {
            "get": {
                "operationId": "revisions",
                "tags": ["editorial"],
                "summary": "Proposals the user may see, newest first",
                "description": login,
                "parameters": [{"in": "query", "schema": RevisionArgsSchema}],
                "responses": {"200": _json(RevisionListSchema, "the proposals"), **_errors(400, 401, 403)},
            },
            "post": {
                "operationId": "propose",
                "tags": ["editorial"],
                "summary": "Propose a new entry or a change to one (a draft, or submitted with submit: true)",
                "description": login + "The content is checked as an ingest checks it; nothing is public "
                "before a reviewer publishes it.",
                "requestBody": body,
                "responses": {"201": _json(RevisionOneSchema, "the proposal"), **_errors(400, 401, 403, 404)},
            },
        },
        "/revisions/{revision_id}": {
            "get": {
                "operationId": "revision",
                "tags": ["editorial"],
                "summary": "One proposal, with the fields it changes",
                "description": login + "A proposal the user may not see answers 404.",
                "parameters": [revision_id],
                "responses": {"200": _json(RevisionDetailSchema, "the proposal"), **_errors(401, 403, 404)},
            },
            "put": {
                "operationId": "updateRevision",
                "tags": ["editorial"],
                "summary": "New content for a draft or a rejected proposal (its author or a reviewer)",
                "description": login,
                "parameters": [revision_id],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ProposalUpdateSchema}},
                },
                "responses": {"200": _json(RevisionOneSchema, "the proposal"), **_errors(400, 401, 403, 404)},
            },
        },
        **{
            f"/revisions/{{revision_id}}/{action}": {
                "post": {
                    "operationId": f"{action}Revision",
                    "tags": ["editorial"],
                    "summary": summary,
                    "description": login,
                    "parameters": [revision_id],
                    **({"requestBody": reject_body} if action == "reject" else {}),
                    "responses": {
                        "200": _json(RevisionOneSchema, "the proposal"),
                        **_errors(400, 401, 403, 404, *((409,) if action == "publish" else ())),
                    },
                }
            }
            for action, summary in (
                ("submit", "Submit a draft for review (its author)"),
                ("publish", "Publish a submitted proposal: the portal and search show it at once"),
                ("reject", "Reject a submitted proposal with a reason (reviewers)"),
            )
        },
        "/versions/{entity_type}/{entity_id}": {
            "get": {
                "operationId": "versions",
                "tags": ["editorial"],
                "summary": "The published versions of a record or directory entry, newest first",
                "description": "Needs a login: records' versions for contributors, reviewers and "
                "administrators; a directory entry's for authority users and reviewers.",
                "parameters": [
                    {
                        **_path_parameter("entity_type", "record or authority"),
                        "schema": {"type": "string", "enum": ["record", "authority"]},
                    },
                    _path_parameter("entity_id", "the record's or entry's id"),
                ],
                "responses": {"200": _json(VersionListSchema, "the versions"), **_errors(401, 403, 404)},
            }
        },
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _header(description: str, type_: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": type_}}


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "in": "path",
        "name": name,
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _register_body_schemas(spec: APISpec) -> None:
    """Schemas the operations reference by name (in oneOf, which the plugin does not resolve)."""
    spec.components.schema("TagItem", schema=TagItemSchema)
    spec.components.schema("TagBatch", schema=TagBatchSchema)
    spec.components.schema("TagResult", schema=TagResultSchema)
    spec.components.schema("TagBatchResult", schema=TagBatchResultSchema)
    spec.components.schema("ExportRow", schema=ExportRowSchema)


def docs_page() -> str:
    """The interactive docs: Swagger UI, served from the package (sherloc/web/static/apidocs)."""

    def static(name: str) -> str:
        return str(escape(url_for("static", filename=f"apidocs/{name}")))

    spec_url = escape(url_for("api.openapi_json"))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sherloc API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static("swagger-ui.css")}">
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec_url}"></div>
<noscript>This page needs JavaScript. The API is described in <a href="{spec_url}">{spec_url}</a>.</noscript>
<script src="{static("swagger-ui-bundle.js")}"></script>
<script src="{static("init.js")}"></script>
</body>
</html>
"""
