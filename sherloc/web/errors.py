"""Every error handler in one place: JSON envelopes under /api, friendly pages elsewhere, no tracebacks."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, NotFound

from sherloc.search.base import SearchError, SearchUnavailable
from sherloc.services.records import RecordNotFound
from sherloc.services.search import InvalidSearch

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: object, details: object | None = None) -> tuple[Response | str, int]:
    """The API's JSON envelope (always in English) or an error page in the page's language; `message` may
    be a lazy translation."""
    if wants_json():
        with force_locale("en"):
            text = str(message)
        body: dict[str, object] = {"status": status, "message": text}
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
        return error_response(400, _l("Some parameters are not valid."), exc.messages)

    @app.errorhandler(RecordNotFound)
    def _not_found(exc: RecordNotFound) -> tuple[Response | str, int]:
        return error_response(404, _l("No record with id %(id)s.", id=repr(exc.args[0])))

    @app.errorhandler(SearchUnavailable)
    def _unavailable(exc: SearchUnavailable) -> tuple[Response | str, int]:
        return error_response(503, f"Search is unavailable: {exc}")

    @app.errorhandler(SearchError)
    def _search_error(exc: SearchError) -> tuple[Response | str, int]:
        log.exception("search failed")
        return error_response(503, _l("Search failed; please try again."))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Response | str, int]:
        log.info("refused a form without a valid CSRF token: %s", exc.description)
        return error_response(
            400, _l("This form was not sent from this site or has expired. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int]:
        if exc.code == 404 and exc.description == NotFound.description:
            return error_response(404, _l("There is no page at this address."))
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error")
        return error_response(500, _l("Something went wrong on our side. The error has been logged."))
