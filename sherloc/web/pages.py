"""HTML pages: home, search with facets, record pages. Thin views over the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, render_template, request
from marshmallow import ValidationError

from sherloc.app import db, portal
from sherloc.schemas.search import SearchArgsSchema, args_to_dict
from sherloc.search.base import SearchUnavailable
from sherloc.services.records import counts_by_kind, get_record, neighbours
from sherloc.services.search import InvalidSearch, run_search

bp = Blueprint("pages", __name__)
_search_args = SearchArgsSchema()

KIND_LABELS = {"law": "Law", "provision": "Provision", "decision": "Decision"}
FACET_LABELS = {"country": "Country", "language": "Language", "kind": "Kind", "year": "Year"}
# Attributes shown on record pages, in this order (keys from sherloc.ingest.types).
ATTRIBUTE_LABELS = (
    ("court", "Court"),
    ("case_number", "Case number"),
    ("citation", "Citation"),
    ("procedure", "Procedure"),
    ("parties", "Parties"),
    ("judges", "Judges"),
    ("charges", "Charges"),
    ("disposition", "Disposition"),
    ("cited_statutes", "Legislation cited"),
    ("official_number", "Official number"),
    ("rank", "Rank"),
    ("document_type", "Document type"),
    ("licence", "Licence"),
)
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh": "Chinese",
}


@bp.get("/")
def home() -> str:
    return render_template("home.html", counts=counts_by_kind(db()))


@bp.get("/search")
def search() -> tuple[str, int] | str:
    try:
        params = _search_args.load(args_to_dict(request.args))
        outcome = run_search(portal().search, params)
    except ValidationError as exc:
        return render_template(
            "search.html", outcome=None, q=request.args.get("q", ""), error=exc.messages
        ), 400
    except InvalidSearch as exc:
        return render_template(
            "search.html", outcome=None, q=request.args.get("q", ""), error=exc.message
        ), 400
    except SearchUnavailable as exc:
        return render_template("search.html", outcome=None, q=request.args.get("q", ""), error=str(exc)), 503
    return render_template("search.html", outcome=outcome, q=params.q, error=None)


@bp.get("/records/<path:record_id>")
def record(record_id: str) -> str:
    session = db()
    item = get_record(session, record_id)
    before, after = neighbours(session, item)
    return render_template("record.html", record=item, before=before, after=after)


def _toggle_url(field: str, value: str) -> str:
    """The search URL with `field=value` switched on or off, back to page 1."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if (field, value) in pairs:
        pairs.remove((field, value))
    else:
        pairs.append((field, value))
    return "/search?" + urlencode(pairs)


def _page_url(page: int) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    pairs.append(("page", str(page)))
    return "/search?" + urlencode(pairs)


def link_target(url: str | None) -> str | None:
    """`url` when it is safe to put in an href (http or https), else None: sources are not trusted."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "toggle_url": _toggle_url,
            "page_url": _page_url,
            "kind_label": lambda k: KIND_LABELS.get(k, k.replace("_", " ").capitalize()),
            "facet_label": lambda f: FACET_LABELS.get(f, f.replace("_", " ").capitalize()),
            "language_name": lambda code: LANGUAGE_NAMES.get(code or "", code or ""),
            "anchor": lambda rec: f"art-{rec.number or rec.position}",
            "link_target": link_target,
            "attribute_labels": ATTRIBUTE_LABELS,
        }
