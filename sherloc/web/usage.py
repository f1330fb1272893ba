"""Usage figures in the web app: counting page views and searches after each request, and showing the
figures to administrators (/admin/usage, its CSV, GET /api/v1/usage).

What is counted: a 2xx answer to a GET for a page or an API read, under (day, view|search, page kind,
country of the record shown). Views tell the counter what they show with `note_view`; otherwise the page
kind is the endpoint's name. Not counted: static files, other methods (HEAD included), errors and
redirects, the login and administration pages, and clients whose User-Agent says they are bots. Nothing
about the visitor is read except the User-Agent, only to leave bots out, and nothing about them is kept.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from sherloc.app import portal
from sherloc.schemas.usage import (
    DAYS_REVERSED,
    MAX_DAYS,
    MAX_TOP,
    RANGE_TOO_LONG,
    UsageArgsSchema,
    UsageResponseSchema,
)
from sherloc.services.usage import SEARCH, VIEW, UsageCounter, UsageFigures, usage_figures, usage_rows
from sherloc.settings import Settings
from sherloc.vocab.labels import Labels
from sherloc.web.auth import require_role
from sherloc.web.i18n import PAGES, PREFIXED, page_language

log = logging.getLogger(__name__)

bp = Blueprint("usage", __name__)
_args = UsageArgsSchema()
_response = UsageResponseSchema()

EXTENSION = "sherloc_usage"  # app.extensions key of the app's UsageCounter
# Blueprints whose pages are counted without asking (others count a view only if it calls note_view).
COUNTED_BLUEPRINTS = {PAGES: None, PREFIXED: None, "api": "api"}
# Endpoints whose page kind is not their name.
ENDPOINT_KINDS = {"record": "record", "permalink": "record", "matrix_csv_file": "matrix"}
NOT_COUNTED_PATHS = ("/admin/", "/api/v1/admin/", "/api/v1/usage")
# Said by crawlers, link checkers, feed fetchers and previewers about themselves.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|scrap|archiver|preview|fetcher|monitor|headless", re.IGNORECASE
)

PAGE_KIND_LABELS = {
    "home": _l("Home page"),
    "search": _l("Search page"),
    "map": _l("World map"),
    "countries": _l("Countries"),
    "country": _l("Country pages"),
    "crime_types": _l("Crime types"),
    "crime_type": _l("Crime type pages"),
    "matrix": _l("Implementation matrix"),
    "compare": _l("Comparisons of countries"),
    "sentencing": _l("Sentencing"),
    "about": _l("About"),
    "record": _l("Records"),
    "api": _l("API"),
}


@dataclass(frozen=True)
class NotedView:
    page_kind: str
    country: str | None
    search: bool


def note_view(page_kind: str, country: str | None = None, *, search: bool = False) -> None:
    """Tell the usage counter what this page shows: its kind ("law", "country" ...), the country of its
    record, and whether it ran a search. Counted only if the answer is a success."""
    g.usage_view = NotedView(page_kind, country, search)


def counter(app: Flask | None = None) -> UsageCounter:
    found: UsageCounter = (app or current_app).extensions[EXTENSION]
    return found


def init_app(app: Flask, settings: Settings) -> None:
    """Count after each request; the figures' pages and API view."""
    app.extensions[EXTENSION] = UsageCounter(app.extensions["sherloc"].sessions, settings.usage_flush_seconds)
    app.register_blueprint(bp)

    @app.after_request
    def _count(response: Response) -> Response:
        try:
            count_response(counter(app), response)
        except Exception:  # counting must never break a page
            log.exception("could not count a request")
        return response


def count_response(usage: UsageCounter, response: Response) -> None:
    if request.method != "GET" or not 200 <= response.status_code < 300:
        return
    if request.path.startswith(NOT_COUNTED_PATHS) or BOT_AGENT.search(request.user_agent.string):
        return
    noted: NotedView | None = g.get("usage_view")
    kind = _page_kind(request.endpoint, noted)
    if kind is None:
        return
    country = noted.country if noted else None
    usage.count(VIEW, kind, country)
    if noted and noted.search:
        usage.count(SEARCH, kind, country)
    if usage.due():
        # After the answer is sent: the visitor does not wait for the write.
        response.call_on_close(usage.flush)


def _page_kind(endpoint: str | None, noted: NotedView | None) -> str | None:
    if noted is not None:
        return noted.page_kind
    if not endpoint or "." not in endpoint:
        return None  # static files, and pages of no blueprint
    blueprint, name = endpoint.split(".", 1)
    if blueprint not in COUNTED_BLUEPRINTS:
        return None
    return COUNTED_BLUEPRINTS[blueprint] or ENDPOINT_KINDS.get(name, name)


# -- the figures -------------------------------------------------------------------------------------------


def page_kind_label(kind: str, labels: Labels, language: str) -> str:
    if kind in PAGE_KIND_LABELS:
        return str(PAGE_KIND_LABELS[kind])
    return labels.label("kind", kind, language)  # kinds of record: law, provision, decision ...


def payload(figures: UsageFigures, labels: Labels, language: str) -> dict[str, Any]:
    """The figures as UsageResponseSchema dumps them, country names in `language`."""
    return {
        "start": figures.start,
        "end": figures.end,
        "views": figures.views,
        "searches": figures.searches,
        "days": [{"day": d.day, "views": d.views, "searches": d.searches} for d in figures.days],
        "page_kinds": [
            {"page_kind": k.page_kind, "views": k.views, "searches": k.searches} for k in figures.page_kinds
        ],
        "countries": [
            {"country": c.country, "name": labels.label("country", c.country, language), "views": c.views}
            for c in figures.countries
        ],
        "countries_viewed": figures.countries_viewed,
        "views_without_country": figures.views_without_country,
    }


def _figures(args: dict[str, Any]) -> UsageFigures:
    counter().flush()  # this process's waiting counts; other processes' show within their flush interval
    # A session of its own: the request's began (with the login check) before the flush, and SQLite would
    # show it the store as it was then.
    with portal().sessions() as session:
        return usage_figures(session, args["start"], args["end"], args["top"])


# On this blueprint rather than the api one, which imports note_view from here; the same address space.
@bp.get("/api/v1/usage")
@require_role("administrator")
def api() -> Response:
    args = _args.load(request.args.to_dict())
    return jsonify(_response.dump(payload(_figures(args), portal().labels, args["lang"])))


def _page_error(exc: ValidationError) -> str:
    """The first problem of the page's arguments, for a person, in the page's language."""
    messages = exc.messages if isinstance(exc.messages, dict) else {}
    if DAYS_REVERSED in messages.get("from", []):
        return _("The first day must not be after the last day.")
    if RANGE_TOO_LONG in (*messages.get("from", []), *messages.get("to", [])):
        return _("Choose a range of at most %(days)s days.", days=MAX_DAYS)
    if "from" in messages or "to" in messages:
        return _("A day must be written as YYYY-MM-DD, for example 2026-01-31.")
    if "top" in messages:
        return _("The number of countries must be from 1 to %(max)s.", max=MAX_TOP)
    return _("Some parameters are not valid.")


def _page_args() -> dict[str, Any]:
    raw = {k: v for k, v in request.args.to_dict().items() if v.strip()}
    try:
        loaded: dict[str, Any] = _args.load(raw)
    except ValidationError as exc:
        abort(400, description=_page_error(exc))
    return loaded


@bp.get("/admin/usage")
@require_role("administrator")
def page() -> str:
    args = _page_args()
    figures = _figures(args)
    labels, language = portal().labels, page_language()
    range_args = urlencode({"from": figures.start.isoformat(), "to": figures.end.isoformat()})
    return render_template(
        "usage.html",
        figures=figures,
        busiest=max((d.views for d in figures.days), default=0),
        page_kinds=[
            {"label": page_kind_label(k.page_kind, labels, language), "kind": k.page_kind, **vars(k)}
            for k in figures.page_kinds
        ],
        countries=[
            {
                "name": labels.label("country", c.country, language),
                "url": url_for("pages.country", code=c.country),
                "views": c.views,
            }
            for c in figures.countries
        ],
        csv_url=url_for("usage.csv_file") + "?" + range_args,
        api_url=url_for("usage.api") + "?" + range_args,
    )


@bp.get("/admin/usage.csv")
@require_role("administrator")
def csv_file() -> Response:
    """The stored counts of the range as they are: day, event, page_kind, country, count."""
    args = _page_args()
    counter().flush()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["day", "event", "page_kind", "country", "count"])
    with portal().sessions() as session:
        for row in usage_rows(session, args["start"], args["end"]):
            writer.writerow([row.day.isoformat(), row.event, row.page_kind, row.country, row.count])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    filename = f"sherloc-usage-{args['start']:%Y%m%d}-{args['end']:%Y%m%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
