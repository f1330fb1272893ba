"""The application factory: wires settings, store, search backend, blueprints and error handlers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from sherloc.db import make_engine, make_session_factory
from sherloc.search.backends import make_backend
from sherloc.search.base import SearchBackend
from sherloc.settings import Settings

if TYPE_CHECKING:
    from sherloc.mla.rules import Rules
    from sherloc.tagging.store import RecordTagging
    from sherloc.tagging.tagger import Tagger
    from sherloc.vocab import Vocabulary
    from sherloc.vocab.labels import Labels

log = logging.getLogger(__name__)


@dataclass
class Portal:
    """What a running app holds: one per app, kept in app.extensions["sherloc"]."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    search: SearchBackend

    # Built on first use, not at start: most requests need neither (a tagger takes tens of ms to build).
    @cached_property
    def vocabulary(self) -> Vocabulary:
        from sherloc.vocab import load_vocabulary

        return load_vocabulary(self.settings.vocab_dir)

    @cached_property
    def tagger(self) -> Tagger:
        return self.record_tagging.tagger

    @cached_property
    def record_tagging(self) -> RecordTagging:
        """The store's tagging step with this app's vocabulary, for publications (one tagger per app)."""
        from sherloc.tagging.store import RecordTagging

        return RecordTagging(self.settings.vocab_dir, self.vocabulary)

    @cached_property
    def mla_rules(self) -> Rules:
        """The request writer's requirement rules (corpus/vocab/mla_requirements.yaml)."""
        from sherloc.mla.rules import load_rules

        return load_rules(self.settings.vocab_dir)

    @cached_property
    def labels(self) -> Labels:
        from sherloc.vocab import VocabularyError
        from sherloc.vocab.labels import Labels

        try:
            return Labels(self.vocabulary, self.settings.vocab_dir)
        except (VocabularyError, OSError, ValueError):
            # Pages still render, with values as they are stored, rather than failing on labels.
            log.exception("cannot load the vocabulary; facets and tags are shown without labels")
            return Labels(None)


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app. `config` is a Settings object or overrides of the environment's settings."""
    settings = config if isinstance(config, Settings) else Settings.from_env(**dict(config or {}))
    if not settings.secret_key:
        # A key made up here would differ between gunicorn workers and restarts: logins would not hold.
        raise RuntimeError(
            "SHERLOC_SECRET_KEY is not set: set it to a long random value (sherloc up and sherloc serve "
            "--dev make one for local use)"
        )
    from sherloc.web.i18n import PortalFlask

    app = PortalFlask(__name__, template_folder="web/templates", static_folder="web/static")
    # <int:...> in every route stops at 2**31 - 1: a larger number is a 404, not an overflow in the store.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.config.update(SECRET_KEY=settings.secret_key, JSON_SORT_KEYS=False, MAX_CONTENT_LENGTH=2 * 2**20)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    engine = make_engine(settings.database_url)
    app.extensions["sherloc"] = Portal(
        settings=settings, engine=engine, sessions=make_session_factory(engine), search=make_backend(settings)
    )
    from sherloc.web import health

    health.init_app(app, settings)  # first: its request hooks must see every request (see health.init_app)

    # maps, explore, sentencing and usage add views to the pages (and api) blueprints: imported before
    # they are registered.
    from sherloc.web import api, auth, errors, explore, i18n, maps, pages, sentencing, usage  # noqa: F401

    i18n.init_app(app, pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    auth.init_app(app, settings)
    from sherloc.web import accounts_admin

    accounts_admin.register(app)
    from sherloc.web import editorial

    editorial.init_app(app)
    from sherloc.web import directory

    directory.init_app(app)
    from sherloc.web import mla

    mla.init_app(app)
    errors.register(app)
    from sherloc.web import security

    security.init_app(app, settings)
    pages.register_template_helpers(app)
    usage.init_app(app, settings)

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    return app


class BoundedIntegerConverter(IntegerConverter):
    def __init__(
        self, url_map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1
    ) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max)

    def to_python(self, value: str) -> Any:
        # Out of range is "no such thing" (404): werkzeug's ValidationError would only make this rule not
        # match, and another rule on the same path for other methods would answer 405 instead.
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


def portal() -> Portal:
    found: Portal = current_app.extensions["sherloc"]
    return found


def db() -> Session:
    """The request's store session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = portal().sessions()
    session: Session = g.db
    return session
