"""The interface in six languages: every message translated in every catalogue, placeholders intact, .mo
files current, and every page rendered in each language with the right lang and dir."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from sherloc.settings import REPO_ROOT

PACKAGE = REPO_ROOT / "sherloc"
TRANSLATIONS = PACKAGE / "web" / "translations"
TRANSLATED = ("ar", "es", "fr", "ru", "zh")


def _method_map() -> list[tuple[str, str]]:
    """The [method: pattern] sections of babel.cfg, as babel's extractor takes them."""
    text = (REPO_ROOT / "babel.cfg").read_text(encoding="utf-8")
    return [(pattern, method) for method, pattern in re.findall(r"^\[(\w+):\s*([^\]]+)\]", text, re.M)]


@pytest.fixture(scope="module")
def source_messages() -> Catalog:
    """The messages of the sources, extracted afresh as `pybabel extract -F babel.cfg -k _l` does."""
    catalog = Catalog()
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), _method_map(), keywords=keywords
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _po(lang: str) -> Catalog:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def test_the_extraction_finds_the_interface_messages(source_messages: Catalog) -> None:
    assert len(source_messages) > 100
    assert "Cite this" in source_messages and "Crime types" in source_messages


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(source_messages: Catalog, lang: str) -> None:
    catalog = _po(lang)
    problems = []
    for message in source_messages:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(isinstance(s, str) and s.strip() for s in _strings(found.string)):
            problems.append(f"empty: {message.id!r}")
    assert not problems, f"{lang}: " + "; ".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_checks_pass(lang: str) -> None:
    catalog = _po(lang)
    errors = [(message.id, [str(e) for e in errs]) for message, errs in catalog.check()]
    assert not errors
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\((\w+)\)s", ids[0]))
        for text in _strings(message.string):
            assert set(re.findall(r"%\((\w+)\)s", text)) == wanted, (lang, message.id, text)
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, (lang, message.id)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_mo_matches_its_po(lang: str) -> None:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        compiled = read_mo(fh)
    po = _po(lang)

    def entries(catalog: Catalog) -> dict[object, tuple[str, ...]]:
        return {tuple(_strings(m.id)): _strings(m.string) for m in catalog if m.id}

    assert entries(po) == entries(compiled)


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(str(v) for v in value)
    return (str(value or ""),)


PAGES = (
    "/",
    "/search?q=blanchiment",
    "/about",
    "/crime-types",
    "/crime-types/money_laundering",
    "/l/FR/law/legitext000006070719",
    "/l/FR/provision/legitext000006070719-art-324-1",
    "/l/CN/decision/test_query-105",
)
LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_renders_in_each_language(client: FlaskClient, lang: str) -> None:
    direction = "rtl" if lang == "ar" else "ltr"
    for page in PAGES:
        response = client.get(f"/{lang}{page}")
        assert response.status_code == 200, (lang, page)
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}" dir="{direction}">' in html, (lang, page)
        assert len(response.data) < 100_000, (lang, page)


# Interface strings that must not show in English on a translated page (each is on every page below).
ENGLISH = ("Skip to content", "Crime types", "About the sources and licences", "Search laws and cases")
RECORD_ENGLISH = ("Permalink and citation", "Cite this", "Classification", "Type of record")


@pytest.mark.parametrize("lang", ("ar", "zh"))
def test_no_english_interface_strings_leak(client: FlaskClient, lang: str) -> None:
    for page in PAGES:
        html = client.get(f"/{lang}{page}").get_data(as_text=True)
        leaks = [s for s in ENGLISH if f">{s}<" in html or f'"{s}"' in html]
        if page.startswith("/l/"):
            leaks += [s for s in RECORD_ENGLISH if s in html]
        assert not leaks, (lang, page, leaks)


def test_the_browser_language_chooses_the_interface(client: FlaskClient) -> None:
    html = client.get("/about", headers={"Accept-Language": "ru,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru" dir="ltr">' in html and "Источники и лицензии" in html


def test_translation_files_ship_with_the_package() -> None:
    for lang in TRANSLATED:
        assert Path(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").is_file()
