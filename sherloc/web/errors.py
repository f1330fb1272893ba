"""Every error handler in one place: JSON envelopes under /api, friendly pages elsewhere, no tracebacks."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from sherloc.search.base import SearchError, SearchUnavailable
from sherloc.services.records import RecordNotFound
from sherloc.services.search import InvalidSearch

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, details: object | None = None) -> tuple[Response | str, int]:
    if _wants_json():
        body: dict[str, object] = {"status": status, "message": message}
        if details:
            body["details"] = details
        return jsonify(error=body), status
    return render_template("error.html", status=status, message=message, details=details), status


def register(app: Flask) -> None:
    @app.errorhandler(InvalidSearch)
    def _invalid_search(exc: InvalidSearch) -> tuple[Response | str, int]:
        return error_response(400, exc.message, {exc.field: [exc.message]})

    @app.errorhandler(ValidationError)
    def _invalid_args(exc: ValidationError) -> tuple[Response | str, int]:
        return error_response(400, "Some parameters are not valid.", exc.messages)

    @app.errorhandler(RecordNotFound)
    def _not_found(exc: RecordNotFound) -> tuple[Response | str, int]:
        return error_response(404, f"No record with id {exc.args[0]!r}.")

    @app.errorhandler(SearchUnavailable)
    def _unavailable(exc: SearchUnavailable) -> tuple[Response | str, int]:
        return error_response(503, f"Search is unavailable: {exc}")

    @app.errorhandler(SearchError)
    def _search_error(exc: SearchError) -> tuple[Response | str, int]:
        log.exception("search failed")
        return error_response(503, "Search failed; please try again.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int]:
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error")
        return error_response(500, "Something went wrong on our side. The error has been logged.")
