"""Hostile content and hostile parameters (issue 15): HTML, script, template syntax, bidi overrides and SQL
metacharacters in every field a source file or a user can fill are stored as text and shown as text on every
page and in every export; hostile query strings, form values and path segments never break the portal.

One store for the module (SQLite), built as the portal is fed: real input files through the ingest registry
(a Markdown law with front matter, an HTML law with a sidecar, a RIS bibliography, a juriscraper listing)
and the web forms (a decision and a bibliography entry proposed by a contributor and published by a
reviewer, a directory entry, a proposal left open, a rejection reason). Pages are read with an HTML parser:
no element or attribute of a payload may exist, only its text.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from sherloc.app import create_app, db
from sherloc.bibliography import parse as parse_references
from sherloc.models import Record, Revision
from sherloc.models.base import Base
from sherloc.services import accounts
from sherloc.services import directory as directory_service
from sherloc.settings import Settings
from tests import test_mla_web as mla_web
from tests.conftest import PASSWORD, csrf_token, ingest_into, log_in, store_session

# ---- the payloads -----------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
CLOSE = "</script><script>alert(2)</script>"  # ends a JSON-LD block that is not escaped
TEMPLATE = "{{7*7}}"
SVG = "<svg onload=alert(3)>"
SQL = "'; DROP TABLE records;--"
LIKE = "100% a_b c\\d"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
JS_URL = "javascript:alert(1)"
# Every field gets all of it at once; the override is closed (PDF) so that what follows reads normally.
HOSTILE = f"{SCRIPT} {IMG} {CLOSE} {TEMPLATE} {SVG} {RLO}lave{BIDI_CONTROLS[2]} {SQL} {LIKE}"
SHORT = f"{SCRIPT}{IMG}"[:100]  # for fields of at most 100 characters
FORMULA = '=HYPERLINK("https://example.org/x","click")'  # a cell a spreadsheet would run


def visible(text: str) -> str:
    """`text` as ingest stores titles and texts: without bidi controls (sherloc.search.analysis)."""
    return re.sub(f"[{BIDI_CONTROLS}\u200e\u200f]", "", text)


# ---- the store --------------------------------------------------------------------------------------------

AUTHORITY_ID = "fr-hostile-authority"
USERS = {
    "contributor": ("contributor", None),
    "reviewer": ("reviewer", None),
    "authority": ("authority", AUTHORITY_ID),
    "administrator": ("administrator", None),
}


def _write_sources(folder: Path) -> list[Path]:
    folder.mkdir()
    law = folder / "hostile-act.md"
    quoted = HOSTILE.replace("'", "''")
    law.write_text(
        f"---\ntitle: '{quoted}'\ncountry: GB\nlanguage: en\nsource_url: '{JS_URL}'\n---\n\n"
        f"Article 1 {HOSTILE}\n\n{HOSTILE} first paragraph on money laundering.\n\n"
        f"Article 2\n\nThe proceeds of crime: {HOSTILE}.\n",
        encoding="utf-8",
    )
    page = folder / "formula-law.html"
    page.write_text(
        "<!doctype html><html><head><title>"
        f"{html.escape(FORMULA)}</title>"
        "<script>alert(9)</script></head><body><h1>ignored</h1>"
        "<p>Article 1</p><p>&lt;img src=x onerror=alert(1)&gt; money laundering &lt;/script&gt;</p>"
        '<p><a href="javascript:alert(1)">a link</a> <img src=x onerror="alert(1)"></p>'
        "<p>Article 2</p><p>@SUM(1+1) -2+3 +cmd|' /C calc'!A0</p></body></html>",
        encoding="utf-8",
    )
    (folder / "formula-law.html.meta.json").write_text(
        json.dumps({"country": "FR", "language": "en"}), encoding="utf-8"
    )
    references = folder / "hostile.ris"
    references.write_text(
        "\n".join(
            [
                "TY  - JOUR",
                f"TI  - {HOSTILE}",
                f"AU  - {HOSTILE}",
                "AU  - Smith, <b>John</b>",
                f"JO  - {HOSTILE}",
                f"PB  - {HOSTILE}",
                f"CY  - {HOSTILE}",
                "PY  - 2020",
                f"AB  - {HOSTILE}",
                f"KW  - {HOSTILE}",
                f"N1  - {HOSTILE}",
                f"UR  - {JS_URL}",
                f"DO  - {JS_URL}",
                "ER  - ",
                "",
            ]
        ),
        encoding="utf-8",
    )
    listing = folder / "hostile-listing.jsonl"
    fields = ("case_names", "summaries", "judges", "lower_courts", "dispositions", "citations", "content")
    listing.write_text(
        json.dumps(
            {
                "court_scraper_id": "ag<script>",
                "case_dates": "2023-01-04",
                "download_urls": JS_URL,
                "docket_numbers": HOSTILE,
                **dict.fromkeys(fields, HOSTILE),
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return [law, page, references, listing]


DIRECTORY_ENTRY: dict[str, Any] = {
    "id": AUTHORITY_ID,
    "country": "FR",
    "name": HOSTILE,
    "mandates": ["untoc_mutual_legal_assistance"],
    "address": HOSTILE,
    "phone": SHORT,
    "fax": SHORT,
    "email": "central@example.org",
    "website": "https://example.org/?q=%3Cscript%3E",
    "contact_persons": [{"name": HOSTILE[:300], "title": HOSTILE[:300], "phone": SHORT, "languages": ["fr"]}],
    "office_hours": HOSTILE,
    "time_zone": "Europe/Paris",
    "working_languages": ["fr"],
    "required_documents": HOSTILE,
    "channels": ["email"],
    "urgent_procedures": HOSTILE,
    "remarks": HOSTILE,
    "links": ["https://example.org/a?b=%22%3E%3Cimg"],
}

CASE = {
    "court": {"name": HOSTILE, "level": "appellate", "location": HOSTILE},
    "case_number": HOSTILE[:255],
    "citation": HOSTILE,
    "judges": [HOSTILE],
    "parties": [{"name": HOSTILE, "role": HOSTILE}],
    "keywords": [HOSTILE],
    "texts": [{"kind": "facts", "language": "en", "text": HOSTILE}],
    "attachments": [{"kind": "judgment", "uri": JS_URL, "title": HOSTILE}],
    "sources": [{"title": HOSTILE, "url": "https://example.org/source"}],
    "defendants": [{"name": HOSTILE, "charges": [{"charge": HOSTILE, "verdict": "convicted"}]}],
    "cited_provisions": [{"text": HOSTILE}],
}
DECISION_FORM = {
    "title": HOSTILE,
    "country": "GB",
    "language": "en",
    "date_decided": "2024-03-01",
    "text": f"{HOSTILE}\n\nMoney laundering through a money service business. {HOSTILE}",
    "source_url": "https://example.org/decision",
    "tags.crime_type": "money_laundering",
    "case": json.dumps(CASE),
}
BIB_ENTRY = {
    "key": "hostile2024",
    "type": "book",
    "title": HOSTILE,
    "authors": [{"family": HOSTILE, "given": HOSTILE}],
    "publisher": HOSTILE,
    "container_title": HOSTILE,
    "abstract": HOSTILE,
    "annotation": HOSTILE,
    "keywords": [HOSTILE],
    "url": JS_URL,
    "doi": '10.1000/"><script>alert(1)</script>',
    "issued": [2024],
}


def _client(app: Flask, who: str | None) -> FlaskClient:
    client = app.test_client()
    if who is not None:
        answer = log_in(client, f"{who}@example.org")
        assert answer.status_code == 302, answer.text
    return client


def _post(
    client: FlaskClient, path: str, data: dict[str, Any], token_page: str = "/revisions"
) -> TestResponse:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_page)})


def _revision_id(answer: TestResponse) -> int:
    assert answer.status_code == 302, answer.text
    found = re.search(r"/revisions/(\d+)", answer.headers["Location"])
    assert found, answer.headers["Location"]
    return int(found.group(1))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The portal holding hostile content in every field, entered by files and by forms."""
    base = tmp_path_factory.mktemp("hostile")
    # No rate limits: the module asks thousands of pages, and a 429 would hide what a view does.
    settings = Settings(data_dir=base / "data", secret_key="test", rate_limits=False)
    report = ingest_into(settings, _write_sources(base / "src"))
    assert report.count("failed") == 0, report.problems
    with store_session(settings) as session:
        for who, (role, authority) in USERS.items():
            accounts.create_user(
                session,
                f"{who}@example.org",
                PASSWORD,
                role,
                authority_id=authority,
                display_name=HOSTILE[:100],
            )
        outcomes = directory_service.import_entries(session, [DIRECTORY_ENTRY, *mla_web.ENTRIES])
        assert {o.status for o in outcomes} == {"new"}, outcomes
        accounts.create_user(session, "mla@example.org", PASSWORD, "authority", authority_id=mla_web.OWN)
    app = create_app(settings)
    app.config["TESTING"] = True
    contributor, reviewer = _client(app, "contributor"), _client(app, "reviewer")
    # A decision and a bibliography entry typed into the editorial forms, then published.
    published = []
    made = _post(
        contributor, "/edit/new/decision", {**DECISION_FORM, "action": "submit"}, "/edit/new/decision"
    )
    published.append(_revision_id(made))
    bib = {"title": HOSTILE, "attributes": json.dumps({"entry": BIB_ENTRY}), "action": "submit"}
    published.append(
        _revision_id(_post(contributor, "/edit/new/bibliography", bib, "/edit/new/bibliography"))
    )
    for revision_id in published:
        answer = _post(reviewer, f"/revisions/{revision_id}/publish", {})
        assert answer.status_code == 302, answer.text
    # A change to a provision left for review, and a proposal rejected with a hostile reason.
    with app.app_context():
        provision = db().scalars(select(Record).where(Record.id == "gb-law-hostile-act-art-1")).one()
        fields = {
            "title": provision.title,
            "country": provision.country,
            "language": provision.language,
            "parent_id": provision.parent_id,
            "label": provision.label,
            "number": provision.number,
            "heading": HOSTILE,
            "text": f"{provision.text}\n{HOSTILE} (proposed)",
        }
    pending = _post(
        contributor,
        f"/edit/records/{provision.id}",
        {**fields, "action": "submit"},
        f"/edit/records/{provision.id}",
    )
    app.config["pending_revision"] = _revision_id(pending)
    law = {"title": HOSTILE, "country": "GB", "language": "en", "text": HOSTILE, "action": "submit"}
    rejected = _revision_id(_post(contributor, "/edit/new/law", law, "/edit/new/law"))
    assert _post(reviewer, f"/revisions/{rejected}/reject", {"reason": HOSTILE}).status_code == 302
    app.config["rejected_revision"] = rejected
    # The authority proposes a change to its directory entry through the form.
    authority = _client(app, "authority")
    entry_form = {
        **{k: v for k, v in DIRECTORY_ENTRY.items() if isinstance(v, str) and k != "id"},
        "mandates": "untoc_mutual_legal_assistance",
        "channels": "email",
        "working_languages": "fr",
        "links": "",
        "remarks": f"{HOSTILE} (changed)",
        "contact-1-name": HOSTILE[:300],
        "action": "submit",
    }
    edit = f"/directory/{AUTHORITY_ID}/edit"
    answer = _post(authority, edit, entry_form, edit)
    assert answer.status_code == 302, answer.text
    yield app
    app.extensions["sherloc"].engine.dispose()


def _record_ids(app: Flask) -> list[str]:
    with app.app_context():
        return list(db().scalars(select(Record.id).order_by(Record.id)))


# ---- what a page may hold ---------------------------------------------------------------------------------

_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset")
_BAD_SCHEMES = re.compile(r"^\s*(?:javascript|data|vbscript)\s*:", re.IGNORECASE)
# What an HTML parser sees as a new element when a payload escapes its text: none of these, anywhere.
_PAYLOAD_TAGS = ("img", "iframe", "object", "embed", "b")


def assert_inert(answer: TestResponse, where: str, status: int = 200) -> lxml.html.HtmlElement:
    """Parse the page; no payload became an element, attribute, script or clickable URL. The tree back."""
    assert answer.status_code == status, (where, answer.status_code, answer.text[:500])
    tree = lxml.html.document_fromstring(answer.get_data(as_text=True))
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        assert tag not in _PAYLOAD_TAGS, (where, lxml.html.tostring(element)[:200])
        assert tag != "svg" or element.get("role") == "img", (where, element.attrib)  # the charts' own
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, tag, name, value)
            if name.lower() in _URL_ATTRIBUTES:
                # "data:," is the API docs page's own empty icon, nothing a payload could carry.
                assert value == "data:," or not _BAD_SCHEMES.match(value), (where, tag, name, value)
        if tag == "script":
            body = element.text or ""
            # A payload's own script, or markup a script builder let through unescaped.
            assert not body.strip().startswith("alert("), (where, body[:300])
            assert not re.search(r"<(?:/?script|img|svg)", body, re.IGNORECASE), (where, body[:300])
            if element.get("type") == "application/ld+json":
                json.loads(body)  # whole: no </script> in a value closed it early
    return tree


def text_of(tree: lxml.html.HtmlElement) -> str:
    return tree.text_content()


def assert_isolated(tree: lxml.html.HtmlElement, where: str) -> None:
    """Every piece of text holding a bidi control sits in an element that isolates it (a dir attribute,
    <bdi>): an override in a title or name must not reorder the page around it."""
    leaks = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("title", "script", "style"):
            continue
        for piece, holder in ((element.text, element), (element.tail, element.getparent())):
            if not piece or not any(c in piece for c in BIDI_CONTROLS) or holder is None:
                continue
            if holder.tag in ("textarea", "title"):  # form fields and the window title isolate themselves
                continue
            isolating = [a for a in (holder, *holder.iterancestors()) if a.tag == "bdi" or a.get("dir")]
            # The page's own <html dir> does not count: the text must be isolated where it stands.
            if not isolating or isolating[0].tag == "html":
                leaks.append((holder.tag, holder.get("class"), piece[:40]))
    assert not leaks, (where, leaks)


# ---- pages ------------------------------------------------------------------------------------------------


def test_the_store_holds_the_payloads_as_text(hostile: Flask) -> None:
    ids = _record_ids(hostile)
    with hostile.app_context():
        titles = {r.id: r.title for r in db().scalars(select(Record))}
    assert visible(HOSTILE) in titles.values()
    assert FORMULA in titles.values()
    assert len([t for t in titles.values() if t == visible(HOSTILE) or t == HOSTILE]) >= 4, titles
    assert len(ids) >= 8, ids


def test_every_record_page_shows_the_payloads_as_text_and_its_json_ld_whole(hostile: Flask) -> None:
    client = _client(hostile, None)
    with hostile.app_context():
        titles = {r.id: r.title for r in db().scalars(select(Record))}
    for record_id, title in titles.items():
        for prefix in ("", "/ar"):
            where = f"{prefix}/records/{record_id}"
            tree = assert_inert(client.get(where), where)
            assert_isolated(tree, where)
            blocks = [s for s in tree.iter("script") if s.get("type") == "application/ld+json"]
            assert len(blocks) == 1, where
            doc = json.loads(blocks[0].text or "")
            assert title in doc["name"], (where, doc)  # the title as it is, not cut or escaped
            assert title in text_of(tree), where


SEARCHES = [
    "alert",
    "script",
    "onerror",
    "DROP TABLE records",
    '"DROP TABLE"',
    "money laundering",
    "lave",
    "HYPERLINK",
]


@pytest.mark.parametrize("q", SEARCHES)
def test_search_results_snippets_and_facets_show_the_payloads_as_text(hostile: Flask, q: str) -> None:
    client = _client(hostile, None)
    for path in ("/search", "/ar/search"):
        for extra in ({}, {"kind": "decision"}, {"sort": "date_desc"}, {"cross_language": "0"}):
            answer = client.get(path, query_string={"q": q, **extra})
            tree = assert_inert(answer, f"{path}?q={q}&{extra}")
            assert_isolated(tree, f"{path}?q={q}")
            # The highlighter's <mark> is the only markup a snippet holds.
            for snippet in tree.find_class("snippet"):
                assert {e.tag for e in snippet.iterdescendants()} <= {"mark"}, lxml.html.tostring(snippet)
    hits = client.get("/api/v1/search", query_string={"q": "alert"}).get_json()["hits"]
    assert hits and all(visible(HOSTILE) in visible(h["title"]) or h["title"] == FORMULA for h in hits[:1])


def test_a_snippet_is_the_text_escaped_then_marked(hostile: Flask) -> None:
    client = _client(hostile, None)
    tree = assert_inert(client.get("/search", query_string={"q": "onerror"}), "/search?q=onerror")
    snippets = tree.find_class("snippet")
    assert snippets
    text = " ".join(s.text_content() for s in snippets)
    assert "<img src=x onerror=alert(1)>" in text  # the payload's characters, shown
    assert any(m.text and "onerror" in m.text.lower() for s in snippets for m in s.iter("mark"))


PUBLIC_PAGES = [
    "/",
    "/about",
    "/countries",
    "/countries/GB",
    "/countries/FR",
    "/countries/US",
    "/crime-types",
    "/crime-types/money_laundering",
    "/map",
    "/map?kind=law",
    "/matrix",
    "/compare?country=GB&country=FR&crime_type=money_laundering",
    "/sentencing",
    "/directory",
    "/directory?country=FR",
    "/ar/countries/GB",
    "/zh/map",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_that_list_the_records_hold_no_payload_markup(hostile: Flask, path: str) -> None:
    tree = assert_inert(_client(hostile, None).get(path), path)
    assert_isolated(tree, path)


def test_the_country_profile_lists_the_hostile_records_as_text(hostile: Flask) -> None:
    client = _client(hostile, None)
    for code in ("GB", "US"):
        tree = assert_inert(client.get(f"/countries/{code}"), code)
        assert visible(HOSTILE) in visible(text_of(tree)), code


RESTRICTED_PAGES = {
    "authority": [
        "/directory",
        f"/directory/{AUTHORITY_ID}",
        f"/directory/{AUTHORITY_ID}/edit",
        "/directory/export",
        "/mla",
    ],
    "reviewer": [
        "/revisions",
        "/revisions?state=rejected",
        "/revisions?state=published",
        "/directory",
        f"/directory/{AUTHORITY_ID}",
        "/directory/export",
        "/directory/new",
        f"/history/authority/{AUTHORITY_ID}",
        "/edit/records/gb-law-hostile-act-art-1",
        "/edit/records/gb-law-hostile-act",
        "/history/record/gb-law-hostile-act-art-1",
    ],
    "contributor": ["/revisions", "/edit/new/decision", "/edit/new/bibliography"],
    "administrator": ["/admin/users", "/admin/audit", "/admin/usage"],
}


@pytest.mark.parametrize("who", sorted(RESTRICTED_PAGES))
def test_editorial_directory_and_admin_pages_hold_no_payload_markup(hostile: Flask, who: str) -> None:
    client = _client(hostile, who)
    paths = list(RESTRICTED_PAGES[who])
    if who in ("reviewer", "contributor"):
        pending, rejected = hostile.config["pending_revision"], hostile.config["rejected_revision"]
        paths += [f"/revisions/{pending}", f"/revisions/{rejected}", f"/revisions/{rejected}/edit"]
        with hostile.app_context():
            ids = list(db().scalars(select(Revision.id)))
        paths += [f"/revisions/{i}" for i in ids if who == "reviewer"]
        paths += [f"/history/record/{r}" for r in _record_ids(hostile) if who == "reviewer"]
    for path in paths:
        tree = assert_inert(client.get(path), f"{who} {path}")
        assert_isolated(tree, f"{who} {path}")
    if who == "reviewer":
        page = client.get(f"/revisions/{hostile.config['pending_revision']}")
        assert visible(HOSTILE) in visible(text_of(lxml.html.document_fromstring(page.text)))
    if who == "authority":
        page = client.get(f"/directory/{AUTHORITY_ID}")
        assert HOSTILE in text_of(lxml.html.document_fromstring(page.text))


def _csv_cells(body: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for cell in row]


def _assert_no_formula(cells: list[str], where: str) -> None:
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (where, cell)


def test_csv_exports_keep_the_text_and_run_no_formula(hostile: Flask) -> None:
    client = _client(hostile, None)
    answer = client.get("/api/v1/export", query_string={"format": "csv"})
    assert answer.status_code == 200, answer.text
    cells = _csv_cells(answer.get_data(as_text=True))
    _assert_no_formula(cells, "export")
    assert "'" + FORMULA in cells
    assert any(visible(HOSTILE) in visible(c) for c in cells)
    for path in ("/matrix.csv", "/matrix.csv?language=en"):
        matrix = client.get(path)
        assert matrix.status_code == 200
        _assert_no_formula(_csv_cells(matrix.get_data(as_text=True)), path)
    usage = _client(hostile, "administrator").get("/admin/usage.csv")
    assert usage.status_code == 200
    _assert_no_formula(_csv_cells(usage.get_data(as_text=True)), "usage")


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csl-json"])
def test_reference_exports_keep_the_text_as_text(hostile: Flask, fmt: str) -> None:
    client = _client(hostile, None)
    answer = client.get("/api/v1/export", query_string={"format": fmt, "kind": "bibliography"})
    assert answer.status_code == 200, answer.text
    entries = parse_references(answer.get_data(as_text=True), fmt)
    titles = {e.title for e in entries}
    assert visible(HOSTILE) in {visible(t) for t in titles}, titles


def test_json_exports_and_the_api_give_the_raw_text(hostile: Flask) -> None:
    client = _client(hostile, None)
    lines = client.get("/api/v1/export", query_string={"format": "jsonl"}).get_data(as_text=True).splitlines()
    titles = {json.loads(line)["title"] for line in lines if line.strip()}
    assert FORMULA in titles and visible(HOSTILE) in titles
    with hostile.app_context():
        stored = {r.id: r.title for r in db().scalars(select(Record))}
    for record_id, title in stored.items():
        answer = client.get(f"/api/v1/records/{record_id}")
        assert answer.status_code == 200 and answer.mimetype == "application/json"
        assert answer.get_json()["title"] == title  # as stored: JSON is not HTML, nothing to escape
        cited = client.get(f"/api/v1/records/{record_id}/citation")
        assert cited.status_code == 200 and cited.mimetype != "text/html", cited.text


def test_directory_exports_keep_the_text_as_text(hostile: Flask) -> None:
    data = _client(hostile, "authority").get("/directory/export", query_string={"format": "json"})
    assert data.status_code == 200 and data.mimetype == "application/json"
    entries = [a for c in data.get_json()["countries"] for a in c["authorities"] if a["id"] == AUTHORITY_ID]
    entry = entries[0]
    assert entry["address"] == HOSTILE and entry["contact_persons"][0]["name"] == HOSTILE


# ---- hostile parameters -----------------------------------------------------------------------------------

# Percent-encoded as a client may send them: SQL and LIKE metacharacters, NUL, invalid UTF-8 (a stray
# byte, an overlong "/", an encoded surrogate), %u escapes, markup, a bidi override, numbers out of range,
# query syntax gone wrong, and 10,000 characters.
HOSTILE_VALUES = [
    "%27%3B%20DROP%20TABLE%20records%3B--",
    "%25",
    "%5C",
    "%00",
    "%ff%fe",
    "%c0%af",
    "%ed%a0%80",
    "%uD800",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%E2%80%AE",
    "99999999999999999999999999",
    "1e309",
    "%22unbalanced",
    "((a%20OR%20b",
    "a))%20AND%20(",
    "year%3A99999999999999999999..1",
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 10_000,
]
# Every query parameter a page or the API reads (schemas and views), and one nobody reads.
PARAMS = [
    "q", "page", "page_size", "sort", "cursor", "facet", "kind", "country", "subdivision", "crime_type",
    "instrument_article", "cross_cutting", "language", "year", "year_from", "year_to", "cross_language",
    "part", "format", "article", "limit", "mandate", "state", "version", "start", "end", "before", "lang",
    "status", "direction", "checked", "style", "fields", "bom", "by", "user", "action", "role", "next",
    "court_level", "currency", "quantile_method", "no_such_parameter",
]  # fmt: skip
PATH_VALUES = {
    "lang": "ar",
    "code": "GB",
    "crime_type_id": "money_laundering",
    "record_id": "gb-law-hostile-act-art-1",
    "country": "GB",
    "kind": "provision",
    "identifier": "hostile-act-art-1",
    "authority_id": AUTHORITY_ID,
    "entity_type": "record",
    "entity_id": "gb-law-hostile-act-art-1",
    "user_id": "1",
    "step_id": "states",
    "filename": "style.css",
}
# Tables that reading a page may write to: sessions, usage counts and the audit trail (exports are audited).
WRITTEN_BY_READING = ("user_sessions", "usage_counts", "audit_events")


def _store_state(app: Flask) -> dict[str, Any]:
    with app.app_context():
        session = db()
        counts: dict[str, Any] = {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name not in WRITTEN_BY_READING
        }
        counts["record_hashes"] = sorted(session.scalars(select(Record.content_hash)))
        counts["revision_states"] = sorted((r.id, r.state) for r in session.scalars(select(Revision)))
        return counts


def _get_routes(app: Flask, revision_id: int) -> list[tuple[str, str]]:
    """(who, path) for every GET route, its path filled with values that exist; who: the role to ask as."""
    routes = []
    values = {**PATH_VALUES, "revision_id": str(revision_id), "request_id": "1"}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^<>]*:)?{name}>", values[name], path)
        path = re.sub(r"<any\(([^,)]+)[^)]*\):\w+>", lambda m: m.group(1).strip(), path)
        who = "reviewer"
        if path.startswith(("/admin", "/api/v1/admin", "/api/v1/usage")):
            who = "administrator"
        elif "/mla" in path or path.startswith("/directory"):
            who = "authority"
        routes.append((who, path))
    # The /<lang>/ copies of the pages run the same views: three of them are enough.
    kept = [(w, p) for w, p in routes if not p.startswith("/ar/") or p in ("/ar/search", "/ar/map", "/ar/")]
    return sorted(set(kept))


def _assert_refused_or_answered(answer: TestResponse, where: str) -> None:
    answer.close()  # a static file's handle
    assert answer.status_code < 500 and answer.status_code != 429, (
        where,
        answer.status_code,
        answer.text[:500],
    )
    if answer.status_code in (400, 404):
        if answer.mimetype == "application/json":
            assert answer.get_json()["error"]["message"], where
        elif answer.mimetype == "text/html":
            tree = lxml.html.document_fromstring(answer.get_data(as_text=True))
            said = tree.xpath("//*[@role='alert' or contains(@class, 'error')]")
            assert said and any(e.text_content().strip() for e in said), (where, answer.text[:300])


def test_every_get_route_survives_hostile_values_in_every_parameter(hostile: Flask) -> None:
    before = _store_state(hostile)
    clients = {who: _client(hostile, who) for who in ("reviewer", "administrator", "authority")}
    clients["anonymous"] = _client(hostile, None)
    routes = _get_routes(hostile, hostile.config["pending_revision"])
    assert len(routes) > 50, routes
    for who, path in routes:
        # Each value in every parameter at once, twice over (a repeated parameter), as its role and as
        # the public ...
        for n, value in enumerate(HOSTILE_VALUES):
            query = "&".join(f"{name}={value}&{name}={value[:8]}" for name in PARAMS)
            for asker in (who, "anonymous") if n < 6 else (who,):
                answer = clients[asker].get(f"{path}?{query}")
                _assert_refused_or_answered(answer, f"{asker} {path}?*={value[:40]}")
                if answer.mimetype == "text/html" and answer.status_code in (200, 400):
                    assert_inert(answer, f"{asker} {path}?*={value[:40]}", answer.status_code)
        # Markup in every parameter, as pages repeat them (the search box, filters, links): text only.
        query = "&".join(f"{name}={quote(HOSTILE)}" for name in PARAMS)
        answer = clients[who].get(f"{path}?{query}")
        _assert_refused_or_answered(answer, f"{who} {path}?*=HOSTILE")
        if answer.mimetype == "text/html" and answer.status_code in (200, 400):
            assert_inert(answer, f"{who} {path}?*=HOSTILE", answer.status_code)
        for name in ("q", "kind", "country", "language", "crime_type", "sort", "format", "state"):
            answer = clients[who].get(f"{path}?{name}={quote(HOSTILE)}")
            _assert_refused_or_answered(answer, f"{who} {path}?{name}=HOSTILE")
            if answer.mimetype == "text/html" and answer.status_code in (200, 400):
                assert_inert(answer, f"{who} {path}?{name}=HOSTILE", answer.status_code)
        if path.startswith("/static/"):
            continue
        # ... and one parameter at a time, the others absent, so that no refusal hides another.
        for name in PARAMS:
            value = f"{HOSTILE_VALUES[0]}%ff%fe%c0%af%00"  # (the 10,000 characters are in the pass above)
            _assert_refused_or_answered(clients[who].get(f"{path}?{name}={value}"), f"{who} {path}?{name}")
    assert _store_state(hostile) == before


PATH_SEGMENTS = ["%ff%fe", "%c0%af", "%ed%a0%80", "%00", "..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "x" * 5000]
PATH_SEGMENTS += [HOSTILE_VALUES[0], "%3Cscript%3E", "%E2%80%AE", "99999999999999999999999999"]


def test_hostile_path_segments_are_not_found_never_an_error(hostile: Flask) -> None:
    before = _store_state(hostile)
    client = _client(hostile, "reviewer")
    authority = _client(hostile, "authority")
    for segment in PATH_SEGMENTS:
        for template in (
            "/records/{}",
            "/records/gb-law-hostile-act/{}",
            "/ar/records/{}",
            "/l/{}/law/{}",
            "/l/GB/{}/hostile-act",
            "/countries/{}",
            "/crime-types/{}",
            "/revisions/{}",
            "/history/record/{}",
            "/history/{}/x",
            "/edit/records/{}",
            "/edit/new/{}",
            "/static/{}",
            "/api/v1/records/{}",
            "/api/v1/records/{}/citation",
            "/api/v1/countries/{}",
            "/api/v1/countries/{}/profile",
            "/api/v1/vocabulary/crime-types/{}",
            "/api/v1/versions/record/{}",
            "/api/v1/revisions/{}",
            "/{}/search",
            "/{}",
        ):
            path = template.replace("{}", segment)
            _assert_refused_or_answered(client.get(path), path)
        for template in (
            "/directory/{}",
            "/directory/{}/edit",
            "/api/v1/directory/{}",
            "/mla/{}",
            "/mla/1/steps/{}",
        ):
            path = template.replace("{}", segment)
            _assert_refused_or_answered(authority.get(path), path)
    assert _store_state(hostile) == before


FORM_FIELDS = [
    "title", "country", "subdivision", "language", "parent_id", "label", "number", "heading", "date_decided",
    "date_adopted", "date_amended", "status", "source_url", "text", "tags.crime_type", "tags.cross_cutting",
    "tags.instrument_article", "case", "attributes", "action", "base_version", "reason", "entity_type",
    "entity_id", "version", "email", "password", "role", "authority_id", "display_name", "name", "mandates",
    "channels", "working_languages", "links", "website", "phone", "time_zone", "contact-1-name",
    "contact-1-languages", "reference", "on", "note", "ground", "requesting_state", "requested_state",
    "received_on", "due_on", "counterpart_authority", "counterpart_reference", "assistance_types", "next",
]  # fmt: skip
FORM_VALUES = [
    "%27%3B%20DROP%20TABLE%20records%3B--",
    "%ff%fe%c0%af",
    "%00",
    "%ed%a0%80",
    quote(HOSTILE),
    "x" * 10_000,
]


def test_every_form_refuses_hostile_values_and_stores_nothing(hostile: Flask) -> None:
    """Every field of every form at once: a country, date, kind or action that is no such thing is refused
    with a message, and nothing is written."""
    before = _store_state(hostile)
    pending = hostile.config["pending_revision"]
    posts = {
        "reviewer": [
            *(
                f"/edit/new/{kind}"
                for kind in ("law", "provision", "decision", "bibliography", "treaty", "x%27")
            ),
            "/edit/records/gb-law-hostile-act-art-1",
            f"/revisions/{pending}/edit",
            "/history/restore",
            "/directory/new",
            f"/directory/{AUTHORITY_ID}/edit",
        ],
        "authority": [
            f"/directory/{AUTHORITY_ID}/edit",
            "/mla/incoming/new",
            "/mla/1/status",
            "/mla/1/steps/x",
        ],
        "administrator": ["/admin/users", "/admin/users/1/role"],
        "anonymous": ["/login"],
    }
    for who, paths in posts.items():
        client = _client(hostile, None if who == "anonymous" else who)
        token = csrf_token(client, "/login" if who == "anonymous" else paths[0].replace("/status", ""))
        for path in paths:
            for value in FORM_VALUES:
                body = "&".join(f"{quote(name)}={value}" for name in FORM_FIELDS) + f"&csrf_token={token}"
                answer = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
                _assert_refused_or_answered(answer, f"{who} POST {path} *={value[:30]}")
                refused = (200, 401) if path == "/login" else (400, 403, 404, 409)  # login: the form again
                assert answer.status_code in refused, (who, path, answer.status_code)
                if answer.mimetype == "text/html":
                    assert_inert(answer, f"{who} POST {path}", answer.status_code)
    # The JSON API: hostile kinds, ids and bodies that are not JSON or not UTF-8.
    client = _client(hostile, "reviewer")
    token = csrf_token(client, "/revisions")
    for body in (
        b'{"kind": "\\u0027; DROP TABLE records;--", "data": {}}',
        b'{"kind": "law", "data": {"title": "x", "country": "\\u0000"}}',
        b'{"kind": "law", "data": {"title": "\xff\xfe"}}',
        b"{'kind': 'law'",
        b"\xc0\xaf",
        b'{"kind": "law", "data": {"title": "' + b"x" * 100_000 + b'", "country": "ZZ"}}',
    ):
        for path, method in (("/api/v1/revisions", "POST"), (f"/api/v1/revisions/{pending}", "PUT")):
            answer = client.open(
                path,
                method=method,
                data=body,
                content_type="application/json",
                headers={"X-CSRFToken": token},
            )
            assert 400 <= answer.status_code < 500, (path, body[:40], answer.status_code, answer.text[:300])
            assert answer.get_json()["error"]["message"], answer.text
    answer = client.post(
        "/api/v1/tag",
        data=b'{"text": "\xff\xfe"}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code < 500, answer.text
    assert _store_state(hostile) == before


# ---- requests for mutual legal assistance -----------------------------------------------------------------


def _hostile_answers(answers: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: (f"{HOSTILE} {v}" if k in fields else v) for k, v in answers.items()}


def test_a_request_for_assistance_keeps_hostile_answers_as_text_in_every_output(hostile: Flask) -> None:
    drafter = mla_web.Drafter(_client(hostile, "mla"))
    case_fields = (
        "requesting_authority", "authority_in_charge", "subject_matter", "facts_summary", "offences-0-name",
        "offences-0-provision", "offences-0-penalty", "persons_concerned-0-name", "purpose",
    )  # fmt: skip
    contact_fields = ("contact_name", "contact_function", "signatory", "place_of_signature")
    reference = drafter.client.post(
        f"{drafter.path}/reference", data={"csrf_token": drafter.token, "reference": f"{SCRIPT}{RLO}1"}
    )
    assert reference.status_code == 302, reference.text
    for step, data in (
        ("states", {**mla_web.STATES, "language": "en"}),
        ("legal_basis", {"legal_basis": "untoc"}),
        ("case", {**_hostile_answers(mla_web.CASE, case_fields), "offences-0-provision_record": "-"}),
        (
            "assistance",
            {"assistance_types": ["freezing_proceeds"], **_hostile_answers(mla_web.FREEZING, ("fp_holder",))},
        ),
        ("handling", _hostile_answers(mla_web.HANDLING, ("confidentiality_reasons",))),
        ("documents", _hostile_answers(mla_web.DOCUMENTS, ("enclosures",))),
        ("contacts", _hostile_answers(mla_web.CONTACTS, contact_fields)),
    ):
        drafter.step(step, data)
        page = drafter.client.get(f"{drafter.path}/steps/{step}")
        assert_isolated(assert_inert(page, f"step {step}"), f"step {step}")
    finalised = drafter.client.post(f"{drafter.path}/finalise", data={"csrf_token": drafter.token})
    assert finalised.status_code == 302 and finalised.headers["Location"] == drafter.path
    for path in ("/mla", drafter.path, f"{drafter.path}/request.html"):
        tree = assert_inert(drafter.client.get(path), path)
        assert_isolated(tree, path)
        if path != "/mla":
            assert visible(HOSTILE) in visible(text_of(tree)), path
        assert f"{SCRIPT}1" in text_of(tree)  # the reference, its override dropped (an identifier)
    document = drafter.client.get(f"{drafter.path}/request.docx")
    assert document.status_code == 200
    assert visible(HOSTILE) in visible(mla_web.docx_bytes_text(document.data).decode())
    assert drafter.client.get(f"{drafter.path}/request.pdf").status_code == 200
