"""JSON API, /api/v1: thin views over the services; arguments and results go through marshmallow schemas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, jsonify, request, stream_with_context, url_for

from sherloc.app import db, portal
from sherloc.bibliography import cite, dump
from sherloc.models import Record
from sherloc.schemas.bibliography import CitationArgsSchema
from sherloc.schemas.countries import CountryArgsSchema
from sherloc.schemas.export import ExportArgsSchema, ExportRequest
from sherloc.schemas.records import RecordSchema
from sherloc.schemas.search import FacetArgsSchema, SearchArgsSchema, args_to_dict
from sherloc.schemas.tagging import load_tag_request
from sherloc.services import countries as country_service
from sherloc.services.bibliographic import entry_for_record, export_chunks, exportable
from sherloc.services.export import EXTENSIONS, MEDIA_TYPES, csv_chunks, jsonl_chunks, start_export
from sherloc.services.records import get_record_detail
from sherloc.services.search import SearchOutcome, run_search
from sherloc.services.vocabulary import VocabularyEntryNotFound, crime_type_document, vocabulary_document
from sherloc.vocab.labels import Labels
from sherloc.vocab.places import Countries
from sherloc.web import openapi
from sherloc.web.usage import note_view

bp = Blueprint("api", __name__)
URL_SAFE = "!$&'()*+,/:;=@"  # what werkzeug leaves unquoted in a path (BaseConverter.to_url)

_search_args = SearchArgsSchema()
_facet_args = FacetArgsSchema()
_export_args = ExportArgsSchema()
_country_args = CountryArgsSchema()
_record = RecordSchema()
_citation_args = CitationArgsSchema()


def record_url_maker(external: bool = False) -> Callable[[str], str]:
    """A function from a record id to its page's URL, as url_for would give it, without its cost per id."""
    prefix = url_for("pages.record", record_id="_", _external=external)[:-1]
    return lambda record_id: prefix + quote(record_id, safe=URL_SAFE)


def search_payload(outcome: SearchOutcome, labels: Labels, language: str) -> dict[str, Any]:
    """The search response, shaped as SearchResponseSchema documents it (a test holds them together).

    Built directly rather than through marshmallow's dump: on the busiest endpoint, dumping ten hits and
    their facets cost a fifth of the request."""
    params = outcome.params
    record_url = record_url_maker()
    hits = [
        {
            "id": hit.id,
            "kind": hit.kind,
            "score": hit.score,
            "title": hit.title,
            "country": hit.country,
            "language": hit.language,
            "law_id": hit.parent_id,
            "law_title": hit.parent_title,
            "label": hit.label,
            "number": hit.number,
            "heading": hit.heading,
            "date": hit.date.isoformat() if hit.date else None,
            "snippet": hit.snippet,
            "tags": hit.tags,
            "url": record_url(hit.id),
        }
        for hit in outcome.result.hits
    ]
    facets = _facets(outcome, labels, language)
    return {
        "query": outcome.understood_as,
        "total": outcome.result.total,
        "page": outcome.page,
        "page_size": params.page_size,
        "sort": params.sort,
        "filters": {k: list(v) for k, v in params.filters.items()},
        "cross_language": params.cross_language,
        "expansions": _expansions(outcome, labels, language),
        "next_cursor": outcome.next_cursor,
        "hits": hits,
        "facets": facets,
        "facet_labels": {name: labels.facet(name, language) for name in facets},
    }


def _facets(outcome: SearchOutcome, labels: Labels, language: str) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [
            {
                "value": b.value,
                "label": labels.label(name, b.value, language),
                "count": b.count,
                "selected": b.selected,
            }
            for b in buckets
        ]
        for name, buckets in outcome.result.facets.items()
    }


def _expansions(outcome: SearchOutcome, labels: Labels, language: str) -> list[dict[str, Any]]:
    return [
        {
            "crime_type": e.crime_type,
            "label": labels.label("crime_type", e.crime_type, language),
            "words": e.words,
            "language": e.language,
        }
        for e in outcome.expansions
    ]


def facets_payload(outcome: SearchOutcome, labels: Labels, language: str) -> dict[str, Any]:
    """The facets response, shaped as FacetsResponseSchema documents it: search_payload without paging."""
    facets = _facets(outcome, labels, language)
    return {
        "query": outcome.understood_as,
        "total": outcome.result.total,
        "filters": {k: list(v) for k, v in outcome.params.filters.items()},
        "cross_language": outcome.params.cross_language,
        "expansions": _expansions(outcome, labels, language),
        "facets": facets,
        "facet_labels": {name: labels.facet(name, language) for name in facets},
    }


@bp.get("/search")
def search() -> Response:
    args = args_to_dict(request.args)
    params = _search_args.load(args)
    language = args.get("lang", "en")  # validated by the schema
    app = portal()
    outcome = run_search(app.search, params, app.tagger if params.cross_language else None)
    note_view("api", search=True)
    return jsonify(search_payload(outcome, app.labels, language))


@bp.get("/records/<path:record_id>")
def record(record_id: str) -> Response:
    return jsonify(_record.dump(get_record_detail(db(), record_id)))


@bp.get("/records/<path:record_id>/citation")
def record_citation(record_id: str) -> Response:
    """One record as a reference: format=text (a "cite this" line), bibtex, ris or csl-json."""
    args = _citation_args.load(args_to_dict(request.args))
    record = db().get(Record, record_id)
    if record is None:
        abort(404, description=f"no record {record_id!r}")
    entry = exportable(entry_for_record(record, record_url_maker(external=True)(record.id)), args["format"])
    if args["format"] == "text":
        return Response(cite(entry, args["lang"]) + "\n", mimetype="text/plain")
    response = Response(dump([entry], args["format"]), mimetype=MEDIA_TYPES[args["format"]])
    filename = f"{record.id[:80]}.{EXTENSIONS[args['format']]}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/tag")
def tag() -> Response:
    """Tag one `sherloc tag` record, or {"items": [...]} of them; the output is `sherloc tag`'s."""
    # Any content type: `curl -d` sends form-encoded; a body that is not JSON is a 400 below.
    items, batch = load_tag_request(request.get_json(force=True, silent=True))
    tagger = portal().tagger
    results = [tagger.tag(item).to_json() for item in items]
    return jsonify({"items": results} if batch else results[0])


@bp.get("/facets")
def facets() -> Response:
    args = args_to_dict(request.args)
    params = _facet_args.load(args)
    app = portal()
    outcome = run_search(app.search, params, app.tagger if params.cross_language else None)
    return jsonify(facets_payload(outcome, app.labels, args.get("lang", "en")))


@bp.get("/export")
def export() -> Response:
    """The search's records as CSV or JSON lines, streamed; bounded by `limit` (at most EXPORT_LIMIT)."""
    asked: ExportRequest = _export_args.load(args_to_dict(request.args))
    app = portal()
    tagger = app.tagger if asked.params.cross_language else None
    running = start_export(app.search, asked.params, tagger, asked.limit)  # a bad search fails here, as 400
    record_url = record_url_maker(external=True)
    if asked.format == "csv":
        chunks = csv_chunks(running.hits, record_url, bom=asked.bom)
    elif asked.format == "jsonl":
        chunks = jsonl_chunks(running.hits, record_url)
    else:
        chunks = export_chunks(db(), running.hits, asked.format, record_url)
    response = Response(stream_with_context(chunks), mimetype=MEDIA_TYPES[asked.format])
    filename = f"sherloc-export-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.{EXTENSIONS[asked.format]}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Total-Count"] = str(running.total)
    response.headers["X-Export-Limit"] = str(running.limit)
    response.headers["X-Export-Truncated"] = "true" if running.truncated else "false"
    return response


@bp.get("/vocabulary")
def vocabulary() -> Response:
    return jsonify(vocabulary_document(portal().vocabulary))


@bp.get("/vocabulary/crime-types/<crime_type_id>")
def crime_type(crime_type_id: str) -> Response:
    try:
        return jsonify(crime_type_document(portal().vocabulary, crime_type_id))
    except VocabularyEntryNotFound:
        abort(404, f"No crime type with id {crime_type_id!r}; GET /api/v1/vocabulary lists them.")


def _countries() -> Countries:
    countries = portal().labels.countries
    if countries is None:
        abort(503, "The list of countries cannot be read; the error has been logged.")
    return countries


@bp.get("/countries")
def countries() -> Response:
    args = _country_args.load(request.args.to_dict())
    found = country_service.list_countries(
        db(), _countries(), portal().labels, region=args["region"], with_records=args["with_records"]
    )
    return jsonify({"total": len(found), "countries": found})


@bp.get("/countries/<code>")
def country(code: str) -> Response:
    found = country_service.get_country(db(), _countries(), portal().labels, code)
    if found is None:
        abort(404, f"No country with code {code!r}; codes are ISO 3166-1 alpha-2, such as FR.")
    return jsonify(found)


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi.document())


@bp.get("/docs")
def docs() -> str:
    return openapi.docs_page()


# -- the implementation matrix and country profiles (issue 9) ------------------------------------------

from sherloc.schemas.explore import MatrixArgsSchema, MatrixCellArgsSchema, ProfileArgsSchema  # noqa: E402
from sherloc.services.country_profile import (  # noqa: E402
    country_profile,
    ratification_data,
    sections_payload,
)
from sherloc.services.matrix import (  # noqa: E402
    MATRIX_KIND,
    PLACEMENTS,
    RankedProvision,
    UnknownColumn,
    build_matrix,
    cell_provisions,
    find_column,
    matrix_csv,
    matrix_rows,
)

_matrix_args = MatrixArgsSchema()
_cell_args = MatrixCellArgsSchema()
_profile_args = ProfileArgsSchema()
_CELL_KEYS = ("country", "column", "count", "max_confidence", "mean_confidence")


def _provision_ref(found: RankedProvision, record_url: Callable[[str], str]) -> dict[str, Any]:
    record = found.record
    return {
        "id": record.id,
        "label": record.label,
        "heading": record.heading,
        "law_id": record.parent_id,
        "law_title": record.parent.title if record.parent else None,
        "language": record.language,
        "confidence": found.confidence,
        "placement": PLACEMENTS[found.placement],
        "url": record_url(record.id),
    }


@bp.get("/matrix")
def matrix() -> Response:
    args = _matrix_args.load(request.args.to_dict())
    app, language = portal(), args["lang"]
    found = build_matrix(db(), app.vocabulary, args["language"])
    rows = matrix_rows(found, app.labels, language)
    if args["format"] == "csv":
        response = Response(matrix_csv(rows), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="sherloc-matrix.csv"'
        return response
    return jsonify(
        {
            "kind": MATRIX_KIND,
            "language": args["language"],
            "columns": [
                {
                    "key": c.key,
                    "scheme": c.scheme,
                    "crime_type": c.crime_type,
                    "label": app.labels.label(c.scheme, c.key, language),
                }
                for c in found.columns
            ],
            "rows": [
                {"country": code, "name": app.labels.label("country", code, language)}
                for code in found.countries
            ],
            "cells": [{k: row[k] for k in _CELL_KEYS} for row in rows],
        }
    )


@bp.get("/matrix/cell")
def matrix_cell() -> Response:
    args = _cell_args.load(request.args.to_dict())
    app, language = portal(), args["lang"]
    try:
        column = find_column(app.vocabulary, article=args["article"], crime_type=args["crime_type"])
    except UnknownColumn:
        what = args["article"] or args["crime_type"]
        abort(404, f"{what!r} is not a convention article or crime type; GET /api/v1/vocabulary lists them.")
    found = cell_provisions(db(), column, args["country"], None, args["language"])
    confidences = [p.confidence for p in found.provisions]
    record_url = record_url_maker()
    return jsonify(
        {
            "country": found.country,
            "column": column.key,
            "scheme": column.scheme,
            "label": app.labels.label(column.scheme, column.key, language),
            "count": found.total,
            "max_confidence": round(max(confidences), 3) if confidences else None,
            "mean_confidence": round(sum(confidences) / len(confidences), 3) if confidences else None,
            "provisions": [_provision_ref(p, record_url) for p in found.provisions[: args["limit"]]],
        }
    )


@bp.get("/countries/<code>/profile")
def country_profile_view(code: str) -> Response:
    args = _profile_args.load(request.args.to_dict())
    app, language = portal(), args["lang"]
    country = _countries().get(code)
    if country is None:
        abort(404, f"No country with code {code!r}; codes are ISO 3166-1 alpha-2, such as FR.")
    profile = country_profile(db(), app.vocabulary, country.code, ratification_data(app.settings.vocab_dir))
    record_url = record_url_maker()
    return jsonify(
        {
            "code": country.code,
            "name": app.labels.label("country", country.code, language),
            "region": country.region,
            "records": profile.by_kind,
            "record_count": profile.total,
            "crime_types": [
                {"crime_type": ct, "label": app.labels.label("crime_type", ct, language), "count": n}
                for ct, n in profile.by_crime_type.items()
            ],
            "articles": [
                {
                    "article": a.article,
                    "label": app.labels.label("instrument_article", a.article, language),
                    "count": a.count,
                    "examples": [_provision_ref(p, record_url) for p in a.examples],
                }
                for a in profile.articles
            ],
            "laws": [_record_ref(law.record, record_url, law.provisions) for law in profile.laws],
            "latest_decisions": [_record_ref(d, record_url, None) for d in profile.decisions],
            **sections_payload(profile, record_url),
        }
    )


def _record_ref(record: Any, record_url: Callable[[str], str], provisions: int | None) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "language": record.language,
        "date": record.date.isoformat() if record.date else None,
        "provisions": provisions,
        "url": record_url(record.id),
    }
