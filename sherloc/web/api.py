"""JSON API, /api/v1: thin views over the services; arguments and results go through marshmallow schemas."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request, url_for

from sherloc.app import db, portal
from sherloc.schemas.records import RecordSchema
from sherloc.schemas.search import SearchArgsSchema, args_to_dict
from sherloc.schemas.tagging import load_tag_request
from sherloc.services.records import get_record
from sherloc.services.search import SearchOutcome, run_search
from sherloc.vocab.labels import Labels

bp = Blueprint("api", __name__)
URL_SAFE = "!$&'()*+,/:;=@"  # what werkzeug leaves unquoted in a path (BaseConverter.to_url)

_search_args = SearchArgsSchema()
_record = RecordSchema()


def search_payload(outcome: SearchOutcome, labels: Labels, language: str) -> dict[str, Any]:
    """The search response, shaped as SearchResponseSchema documents it (a test holds them together).

    Built directly rather than through marshmallow's dump: on the busiest endpoint, dumping ten hits and
    their facets cost a fifth of the request."""
    params = outcome.params
    record_url = url_for("pages.record", record_id="_")[:-1]  # ids are quoted as the route would quote them
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
            "url": record_url + quote(hit.id, safe=URL_SAFE),
        }
        for hit in outcome.result.hits
    ]
    facets = {
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
    expansions = [
        {
            "crime_type": e.crime_type,
            "label": labels.label("crime_type", e.crime_type, language),
            "words": e.words,
            "language": e.language,
        }
        for e in outcome.expansions
    ]
    return {
        "query": outcome.understood_as,
        "total": outcome.result.total,
        "page": outcome.page,
        "page_size": params.page_size,
        "sort": params.sort,
        "filters": {k: list(v) for k, v in params.filters.items()},
        "cross_language": params.cross_language,
        "expansions": expansions,
        "next_cursor": outcome.next_cursor,
        "hits": hits,
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
    return jsonify(search_payload(outcome, app.labels, language))


@bp.get("/records/<path:record_id>")
def record(record_id: str) -> Response:
    return jsonify(_record.dump(get_record(db(), record_id)))


@bp.post("/tag")
def tag() -> Response:
    """Tag one `sherloc tag` record, or {"items": [...]} of them; the output is `sherloc tag`'s."""
    # Any content type: `curl -d` sends form-encoded; a body that is not JSON is a 400 below.
    items, batch = load_tag_request(request.get_json(force=True, silent=True))
    tagger = portal().tagger
    results = [tagger.tag(item).to_json() for item in items]
    return jsonify({"items": results} if batch else results[0])
