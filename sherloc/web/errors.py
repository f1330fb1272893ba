"""Every error handler in one place: JSON envelopes under /api, friendly pages elsewhere, no tracebacks."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge

from sherloc.db import store_unavailable
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


def retry_later(answer: tuple[Response | str, int], seconds: int = 30) -> Response:
    """An error answer (429, 503) that says when to try again, and that no cache keeps."""
    response = current_app.make_response(answer)
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


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
    def _unavailable(exc: SearchUnavailable) -> Response:
        # The reason (an index to rebuild, a server that does not answer) is for the operator's log.
        log.error("search unavailable: %s", exc)
        return retry_later(
            error_response(
                503,
                _l("Search is unavailable at the moment; record pages still work. Please try again later."),
            )
        )

    @app.errorhandler(SearchError)
    def _search_error(exc: SearchError) -> Response:
        log.exception("search failed")
        return retry_later(error_response(503, _l("Search failed; please try again.")))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _store_unavailable(exc: OperationalError | InterfaceError) -> Response | tuple[Response | str, int]:
        reason = store_unavailable(exc)
        if reason is None:  # not the store being away: a bug (a missing migration, a bad query)
            return _unexpected(exc)
        # A lost connection, a locked or full store: the next request gets a fresh connection (pool_pre_ping).
        log.warning("store unavailable: %s (%s)", reason, type(exc).__name__)
        # The error page must not ask the store again (who is logged in, for the menu): drop the request's
        # session, and show the page as to a visitor.
        session = g.pop("db", None)
        if session is not None:
            session.close()
        g.current_user = None
        message = _l("The database is unavailable at the moment. Please try again in a minute.")
        return retry_later(error_response(503, message))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Response | str, int]:
        log.info("refused a form without a valid CSRF token: %s", exc.description)
        return error_response(
            400, _l("This form was not sent from this site or has expired. Reload the page and try again.")
        )

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge) -> tuple[Response | str, int]:
        limit = current_app.config["MAX_CONTENT_LENGTH"] or 0
        return error_response(
            413, _l("The request is too large: this portal accepts at most %(size)s MB.", size=limit // 2**20)
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response | str, int]:
        if exc.code == 404 and exc.description == NotFound.description:
            return error_response(404, _l("There is no page at this address."))
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.error("unhandled error", exc_info=exc)
        return error_response(500, _l("Something went wrong on our side. The error has been logged."))
