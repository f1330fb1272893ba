"""The interface's language: chosen by the URL (/fr/search) or else the browser, in the six UN languages.

Every page answers both unprefixed (/search: the browser's language, from Accept-Language) and under a
language prefix (/ar/search). Links on a prefixed page keep its prefix: `url_for("pages.x")` is turned
into the prefixed endpoint while a prefixed page is being built (PortalFlask.url_for), so templates need
not know. Messages come from gettext catalogues under web/translations (flask-babel); labels of
vocabulary values (crime types, countries ...) come from the vocabulary data instead.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_babel import Babel, get_locale

from sherloc.vocab.loader import UN_LANGUAGES

LANGUAGES: tuple[str, ...] = tuple(UN_LANGUAGES)  # ar, en, es, fr, ru, zh
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})
PAGES = "pages"  # the pages blueprint, registered unprefixed
PREFIXED = "lang"  # ... and again under /<lang>
# Every blueprint served under /<lang> too, with the name of its prefixed registration.
PREFIXED_NAMES = {PAGES: PREFIXED, "mla": "lang_mla"}
# Each language's own name, for the language switcher (not translated: a reader finds their own).
NATIVE_NAMES = {
    "ar": "العربية",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ru": "Русский",
    "zh": "中文",
}


class PortalFlask(Flask):
    def url_for(self, endpoint: str, *args: Any, **values: Any) -> str:
        """A page link keeps the language prefix of the page it is on."""
        lang = g.get("url_language") if _in_request() else None
        if lang and "lang" not in values:
            name, _, view = endpoint.partition(".")
            if view and name in PREFIXED_NAMES:
                endpoint = f"{PREFIXED_NAMES[name]}.{view}"
                values["lang"] = lang
        return super().url_for(endpoint, *args, **values)


def _in_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def page_language() -> str:
    """The language of the page being built (or of the API's labels)."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def _select_locale() -> str:
    lang = g.get("url_language")
    if lang:
        return str(lang)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def register_prefixed(app: Flask, blueprint: Any, url_prefix: str = "") -> None:
    """Register a blueprint twice: unprefixed and under /<lang> (its name in PREFIXED_NAMES)."""
    app.register_blueprint(blueprint, url_prefix=url_prefix or None)
    app.register_blueprint(
        blueprint,
        url_prefix=f"/<any({','.join(LANGUAGES)}):lang>{url_prefix}",
        name=PREFIXED_NAMES[blueprint.name],
    )


def _prefixed(endpoint: str) -> bool:
    return endpoint.partition(".")[0] in PREFIXED_NAMES.values()


def init_app(app: Flask, pages_blueprint: Any) -> None:
    """Babel, and the pages blueprint registered twice: unprefixed and under /<lang>."""
    Babel(app, locale_selector=_select_locale, default_translation_directories="web/translations")
    register_prefixed(app, pages_blueprint)

    @app.url_value_preprocessor
    def _take_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if endpoint and _prefixed(endpoint) and values is not None:
            g.url_language = values.pop("lang", None)

    @app.context_processor
    def _language_helpers() -> dict[str, Any]:
        lang = page_language()
        return {
            "lang": lang,
            "text_direction": "rtl" if lang in RTL_LANGUAGES else "ltr",
            "language_links": language_links,
            "native_names": NATIVE_NAMES,
        }


def language_links() -> list[dict[str, Any]]:
    """This page in each language: (code, native name, URL, current?)."""
    endpoint = request.endpoint or f"{PAGES}.home"
    blueprint, _, name = endpoint.partition(".")
    prefixed = PREFIXED_NAMES.get(blueprint) or (blueprint if blueprint in PREFIXED_NAMES.values() else None)
    if request.url_rule is None or prefixed is None:
        prefixed, name = PREFIXED, "home"
    view_args = dict(request.view_args or {})
    current = page_language()
    links = []
    for code in LANGUAGES:
        url = Flask.url_for(_app(), f"{prefixed}.{name}", lang=code, **view_args)
        if request.query_string:
            url += "?" + request.query_string.decode("utf-8", "replace")
        links.append({"code": code, "name": NATIVE_NAMES[code], "url": url, "current": code == current})
    return links


def _app() -> Flask:
    from flask import current_app

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app
