"""Probes and metrics for machines: /healthz (the process answers), /readyz (store and search answer),
/metrics (Prometheus), and the per-request hooks that count, time and log every request.

These answers are JSON or plain text, carry `Cache-Control: no-store`, read no session (so set no cookie)
and are not usage (sherloc.web.usage counts only the pages and API blueprints).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
import uuid

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request, request_started

from sherloc.app import portal
from sherloc.observability import metrics
from sherloc.observability.readiness import Readiness
from sherloc.settings import Settings

log = logging.getLogger(__name__)
request_log = logging.getLogger("sherloc.request")

bp = Blueprint("health", __name__)
READINESS = "sherloc_readiness"  # app.extensions key of the app's Readiness
REQUEST_ID_HEADER = "X-Request-ID"
# A request id from a proxy or client is kept when it is a short token (it goes into logs and a header).
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
FORWARDED_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


def init_app(app: Flask, settings: Settings) -> None:
    """The probes' blueprint and the request hooks. Called first in create_app, so that the hooks see
    every request: the start is taken when the request starts (before any other hook), and the answer
    after every other after_request hook (they run in reverse order of registration)."""
    app.extensions[READINESS] = Readiness(app.extensions["sherloc"].engine, app.extensions["sherloc"].search)
    app.register_blueprint(bp)
    request_started.connect(_request_started, app)
    app.after_request(_request_finished)


def _request_started(_sender: Flask, **_extra: object) -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _request_finished(response: Response) -> Response:
    try:
        started = g.get("request_started")
        seconds = time.perf_counter() - started if started is not None else None
        endpoint = request.url_rule.endpoint if request.url_rule is not None else None
        metrics.observe_request(request.method, endpoint, response.status_code, seconds)
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        _log_request(endpoint, response.status_code, seconds)
    except Exception:  # observing must never break an answer
        log.exception("could not record a request")
    return response


def _log_request(endpoint: str | None, status: int, seconds: float | None) -> None:
    # The path, not the query string: searches can say more about a visitor than they would want kept.
    # No header, cookie or form field is logged.
    probe = endpoint is not None and endpoint.startswith(f"{bp.name}.")
    level = logging.DEBUG if probe else logging.INFO
    if not request_log.isEnabledFor(level):
        return
    duration_ms = round(seconds * 1000, 1) if seconds is not None else None
    path = repr(request.path)[1:-1]  # control characters escaped: one request, one line
    request_log.log(
        level,
        "%s %s %s %s ms",
        request.method,
        path,
        status,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "query_length": len(request.query_string),
            "status": status,
            "duration_ms": duration_ms,
            "endpoint": endpoint or metrics.UNMATCHED,
            "request_id": g.get("request_id"),
        },
    )


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers: no store, no search, no file."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when the store and the search index answer, else 503 with the failed checks and why."""
    readiness: Readiness = current_app.extensions[READINESS]
    results = readiness.run()
    body: dict[str, object] = {
        "status": "ready" if not any(results.values()) else "not ready",
        "checks": {name: "ok" if failure is None else "failed" for name, failure in results.items()},
    }
    reasons = {name: failure for name, failure in results.items() if failure is not None}
    if reasons:
        body["reasons"] = reasons
    return _no_store(jsonify(body)), 503 if reasons else 200


@bp.get("/metrics")
def prometheus_metrics() -> Response:
    """The Prometheus metrics, for the holder of SHERLOC_METRICS_TOKEN or, without one, this host only."""
    token = portal().settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            refusal = Response("a bearer token is required\n", 401, mimetype="text/plain")
            refusal.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return _no_store(refusal)
    elif not _from_this_host():
        abort(404)  # as if there were no such page
    return _no_store(Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE))


def _from_this_host() -> bool:
    """A request from a loopback address that no proxy forwarded (a proxy on this host would otherwise
    bring the whole Internet in from 127.0.0.1)."""
    if any(name in request.headers for name in FORWARDED_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback
