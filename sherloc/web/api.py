"""JSON API, /api/v1: thin views over the services; arguments and results go through marshmallow schemas."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from sherloc.app import db, portal
from sherloc.schemas.records import RecordSchema
from sherloc.schemas.search import SearchArgsSchema, SearchResponseSchema, args_to_dict
from sherloc.schemas.tagging import load_tag_request
from sherloc.services.records import get_record
from sherloc.services.search import SearchOutcome, run_search
from sherloc.vocab.labels import Labels

bp = Blueprint("api", __name__)

_search_args = SearchArgsSchema()
_search_response = SearchResponseSchema()
_record = RecordSchema()


def search_payload(outcome: SearchOutcome, labels: Labels, language: str) -> dict[str, Any]:
    params = outcome.params
    hits = []
    for hit in outcome.result.hits:
        item = vars(hit).copy()
        item["url"] = url_for("pages.record", record_id=hit.id, _external=False)
        hits.append(item)
    facets = {
        name: [{**vars(b), "label": labels.label(name, b.value, language)} for b in buckets]
        for name, buckets in outcome.result.facets.items()
    }
    expansions = [
        {**vars(e), "label": labels.label("crime_type", e.crime_type, language)} for e in outcome.expansions
    ]
    return _search_response.dump(
        {
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
    )


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
