"""HTML pages: home, search with facets, record pages. Thin views over the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from sherloc.app import db, portal
from sherloc.models import TAG_SCHEMES, Record
from sherloc.schemas.search import SearchArgsSchema, args_to_dict
from sherloc.search.base import SearchUnavailable
from sherloc.services.records import counts_by_kind, get_record, neighbours
from sherloc.services.search import PAGE_FACETS, InvalidSearch, run_search
from sherloc.vocab.labels import Labels
from sherloc.web.i18n import page_language

bp = Blueprint("pages", __name__)
_search_args = SearchArgsSchema()

TAG_GROUP_TITLES = {
    "crime_type": _l("Crime types"),
    "instrument_article": _l("Convention articles"),
    "cross_cutting": _l("Cross-cutting issues"),
}
# Where the tagger found a term (evidence "field"), in a reader's words.
EVIDENCE_PLACES = {
    "title": _l("heading"),
    "path": _l("chapter path"),
    "text": _l("text"),
    "charges": _l("charges"),
}
STATUS_LABELS = {"in_force": _l("in force"), "repealed": _l("repealed")}
# Attributes shown on record pages, in this order (keys from sherloc.ingest.types).
ATTRIBUTE_LABELS = (
    ("court", _l("Court")),
    ("case_number", _l("Case number")),
    ("citation", _l("Citation")),
    ("procedure", _l("Procedure")),
    ("parties", _l("Parties")),
    ("judges", _l("Judges")),
    ("charges", _l("Charges")),
    ("disposition", _l("Disposition")),
    ("cited_statutes", _l("Legislation cited")),
    ("official_number", _l("Official number")),
    ("rank", _l("Rank")),
    ("document_type", _l("Document type")),
    ("licence", _l("Licence")),
)


@bp.get("/")
def home() -> str:
    return render_template("home.html", counts=counts_by_kind(db()))


@bp.get("/search")
def search() -> tuple[str, int] | str:
    try:
        params = _search_args.load(args_to_dict(request.args))
        if "facet" not in request.args:
            params = replace(params, facets=PAGE_FACETS)
        app = portal()
        outcome = run_search(app.search, params, app.tagger if params.cross_language else None)
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
    groups = tag_groups(item, portal().labels, page_language())
    return render_template("record.html", record=item, before=before, after=after, tag_groups=groups)


def tag_groups(record: Record, labels: Labels, language: str) -> list[dict[str, Any]]:
    """The record's tags by scheme, each with its label, confidence, search link and evidence in words."""
    examples = {child.id: child.label or child.id for child in record.children}
    groups = []
    for scheme in TAG_SCHEMES:
        tags = [t for t in record.tags if t.scheme == scheme]
        tags.sort(key=lambda t: -t.confidence)
        if not tags:
            continue
        views = [
            {
                "value": t.value,
                "label": labels.label(scheme, t.value, language),
                "confidence": t.confidence,
                "origin": t.origin,
                "url": filter_url(scheme, t.value),
                "evidence": [
                    _evidence(e, record.kind, labels, language, examples)
                    for e in (t.evidence or [])
                    if isinstance(e, Mapping)
                ],
            }
            for t in tags
        ]
        groups.append({"scheme": scheme, "title": TAG_GROUP_TITLES[scheme], "tags": views})
    return groups


def _evidence(
    entry: Mapping[str, Any], kind: str, labels: Labels, language: str, examples: Mapping[str, str]
) -> dict[str, Any]:
    """One evidence entry as the record page shows it: a matched term and where, a law's provisions
    carrying the tag, or (for an article) the crime type or issue that implies it."""
    if "term" in entry:
        field = str(entry.get("field", ""))
        place = _("title") if field == "title" and kind != "provision" else EVIDENCE_PLACES.get(field, field)
        return {
            "kind": "term",
            "term": str(entry["term"]),
            "where": place,
            "context": entry.get("heading") if field == "path" else None,
            "count": entry.get("count") if isinstance(entry.get("count"), int) else None,
            "language": entry.get("language") or "",
        }
    if "provisions" in entry:
        ids = [str(i) for i in entry.get("examples") or []]
        return {
            "kind": "rollup",
            "provisions": entry["provisions"],
            "examples": [
                {"label": examples.get(i, i), "url": url_for("pages.record", record_id=i)} for i in ids
            ],
        }
    if "scheme" in entry and "value" in entry:
        scheme, value = str(entry["scheme"]), str(entry["value"])
        return {
            "kind": "via",
            "label": labels.label(scheme, value, language),
            "url": filter_url(scheme, value) if scheme in TAG_SCHEMES else None,
        }
    return {"kind": "other", "text": ", ".join(f"{k}: {v}" for k, v in entry.items())}


def _toggle_url(field: str, value: str) -> str:
    """The search URL with `field=value` switched on or off, back to page 1."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if (field, value) in pairs:
        pairs.remove((field, value))
    else:
        pairs.append((field, value))
    return url_for("pages.search") + "?" + urlencode(pairs)


def _switch_url(name: str, value: str | None) -> str:
    """The search URL with parameter `name` set to `value` (None: removed), back to page 1."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in (name, "page", "cursor")]
    if value is not None:
        pairs.append((name, value))
    return url_for("pages.search") + "?" + urlencode(pairs)


def filter_url(field: str, value: str) -> str:
    """The search for everything with `field=value` (a tag's link)."""
    return url_for("pages.search") + "?" + urlencode([(field, value)])


def _page_url(page: int) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    pairs.append(("page", str(page)))
    return url_for("pages.search") + "?" + urlencode(pairs)


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
            "switch_url": _switch_url,
            "status_label": lambda s: STATUS_LABELS.get(s, s.replace("_", " ")),
            "kind_label": lambda k: portal().labels.label("kind", k, page_language()),
            "facet_label": lambda f: portal().labels.facet(f, page_language()),
            "value_label": lambda f, v: portal().labels.label(f, v, page_language()),
            "language_name": lambda code: portal().labels.label("language", code or "", page_language()),
            "anchor": lambda rec: f"art-{rec.number or rec.position}",
            "link_target": link_target,
            "attribute_labels": ATTRIBUTE_LABELS,
            "tag_facets": TAG_SCHEMES,
            "filter_url": filter_url,
            "tag_label": lambda scheme, value: portal().labels.label(scheme, value, page_language()),
        }
