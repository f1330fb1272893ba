"""Who can read and write what: every route of the portal and its API, called as each role, answers as
declared here; a route missing from these tables fails the test, so a new one cannot ship unreviewed. A
refused write changes nothing in the store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sherloc.app import create_app, db
from sherloc.models import Authority, MlaRequest, Record, Revision, User, Version
from sherloc.services import accounts, workflow
from sherloc.services import directory as directory_service
from sherloc.services import mla as mla_service
from sherloc.settings import Settings
from tests.conftest import CORPUS, PASSWORD, csrf_token, ingest_into, log_in, store_session

LAW = CORPUS / "zh-cn-laws-lawrefbook" / "经济法" / "反洗钱法(2024-11-08).md"
ROLES = (None, "contributor", "authority", "reviewer", "administrator")
OWN, OTHER = "xx-own-authority", "xx-other-authority"
L = "login"  # a page's answer to an anonymous visitor: a redirect to the login page
OK = "ok"  # let through: whatever the outcome of the request itself (done, or refused as invalid)

ENTRIES = [
    {
        "id": OWN,
        "country": "FR",
        "name": "Example Own Authority",
        "mandates": ["untoc_mutual_legal_assistance"],
        "email": "own@example.org",
    },
    {
        "id": OTHER,
        "country": "ES",
        "name": "Example Other Authority",
        "mandates": ["untoc_extradition"],
        "email": "other@example.org",
    },
]


def _setup(tmp: Path) -> Flask:
    settings = Settings(data_dir=tmp / "data", secret_key="test")
    source = tmp / "src" / LAW.name
    source.parent.mkdir(parents=True)
    shutil.copy(LAW, source)
    ingest_into(settings, [source])
    with store_session(settings) as session:
        users, provision_id, current = seed_accounts_and_directory(session)
        accounts.create_user(session, "target@example.org", PASSWORD, "contributor")
        # A published change (so the record has versions), and a contributor's proposal under review.
        done = workflow.propose(
            session,
            users["contributor"],
            "record",
            "provision",
            {**current, "heading": "编辑"},
            provision_id,
            submit_now=True,
        )
        session.flush()
        workflow.publish(session, users["reviewer"], done)
        workflow.propose(
            session,
            users["contributor"],
            "record",
            "provision",
            {**current, "heading": "再次编辑"},
            provision_id,
            submit_now=True,
        )
        # Requests for mutual legal assistance: two drafts of the authority user's own authority, and one
        # of another authority (whose user is made here only to own it).
        other_user = accounts.create_user(
            session, "other-authority@example.org", PASSWORD, "authority", authority_id=OTHER
        )
        rules = mla_service_rules(settings)
        for owner in (users["authority"], users["authority"], other_user):
            mla_service.create_outgoing(session, owner, rules)
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


def seed_accounts_and_directory(session: Session) -> tuple[dict[str, User], str, dict[str, Any]]:
    """One account per role (role@example.org; the authority user belongs to OWN), the directory
    ENTRIES, and the first provision of the store with its current data, for proposals to change."""
    users = {
        role: accounts.create_user(
            session, f"{role}@example.org", PASSWORD, role, authority_id=OWN if role == "authority" else None
        )
        for role in ROLES
        if role
    }
    directory_service.import_entries(session, ENTRIES)
    provision = session.scalars(select(Record).where(Record.kind == "provision").order_by(Record.id)).first()
    assert provision is not None
    current = workflow.handler_for("record").current(session, provision.id)
    assert current is not None
    return users, provision.id, current


def mla_service_rules(settings: Settings) -> Any:
    from sherloc.mla.rules import load_rules

    return load_rules(settings.vocab_dir)


@pytest.fixture(scope="module")
def read_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = _setup(tmp_path_factory.mktemp("access"))
    yield app
    app.extensions["sherloc"].engine.dispose()


def _values(app: Flask) -> dict[str, Any]:
    with app.test_request_context():
        from sherloc.web.pages import permalink_url

        session = db()
        provision = session.scalars(
            select(Record).where(Record.kind == "provision").order_by(Record.id)
        ).first()
        assert provision is not None
        revision = session.scalars(select(Revision).where(Revision.state == "submitted")).one()
        target = session.scalars(select(User).where(User.email == "target@example.org")).one()
        own = session.scalars(
            select(MlaRequest.id).where(MlaRequest.authority_id == OWN).order_by(MlaRequest.id)
        )
        mla, spare = own.all()
        other = session.scalars(select(MlaRequest.id).where(MlaRequest.authority_id == OTHER)).one()
        return {
            "mla": mla,
            "mla_spare": spare,
            "mla_other": other,
            "record": provision.id,
            "permalink": permalink_url(provision),
            "revision": revision.id,
            "user": target.id,
        }


def _client(app: Flask, role: str | None) -> FlaskClient:
    """A browser of `role` (None: anonymous) whose API calls carry its session's CSRF token."""
    client = app.test_client()
    if role is not None:
        assert log_in(client, f"{role}@example.org").status_code == 302
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(client)
    return client


def _token(client: FlaskClient) -> str:
    return str(client.environ_base["HTTP_X_CSRFTOKEN"])


# (route as the url map writes it, method) -> (sample path, expected answer per role in ROLES order)
PUBLIC = (200, 200, 200, 200, 200)
MLA = (L, 403, 200, 403, 403)  # pages of the request writer: authority users only
MLA_API = (401, 403, 200, 403, 403)
MLA_WRITE = (L, 403, OK, 403, 403)
MLA_OTHERS = (L, 403, 404, 403, 403)  # another authority's request: as if it did not exist
GETS: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {
    ("/", "GET"): ("/", PUBLIC),
    ("/about", "GET"): ("/about", PUBLIC),
    ("/compare", "GET"): ("/compare?article=UNTOC%206&country=CN&country=FR", PUBLIC),
    ("/countries", "GET"): ("/countries", PUBLIC),
    ("/countries/<code>", "GET"): ("/countries/CN", PUBLIC),
    ("/crime-types", "GET"): ("/crime-types", PUBLIC),
    ("/crime-types/<crime_type_id>", "GET"): ("/crime-types/money_laundering", PUBLIC),
    ("/map", "GET"): ("/map", PUBLIC),
    ("/matrix", "GET"): ("/matrix", PUBLIC),
    ("/matrix.csv", "GET"): ("/matrix.csv", PUBLIC),
    ("/records/<path:record_id>", "GET"): ("/records/{record}", PUBLIC),
    ("/l/<country>/<kind>/<path:identifier>", "GET"): ("{permalink}", PUBLIC),
    ("/search", "GET"): ("/search?q=洗钱", PUBLIC),
    ("/sentencing", "GET"): ("/sentencing?crime_type=money_laundering", PUBLIC),
    ("/login", "GET"): ("/login", PUBLIC),
    ("/static/<path:filename>", "GET"): ("/static/style.css", PUBLIC),
    ("/api/v1/countries", "GET"): ("/api/v1/countries", PUBLIC),
    ("/api/v1/countries/<code>", "GET"): ("/api/v1/countries/CN", PUBLIC),
    ("/api/v1/countries/<code>/profile", "GET"): ("/api/v1/countries/CN/profile", PUBLIC),
    ("/api/v1/docs", "GET"): ("/api/v1/docs", PUBLIC),
    ("/api/v1/export", "GET"): ("/api/v1/export?q=洗钱", PUBLIC),
    ("/api/v1/facets", "GET"): ("/api/v1/facets", PUBLIC),
    ("/api/v1/matrix", "GET"): ("/api/v1/matrix", PUBLIC),
    ("/api/v1/matrix/cell", "GET"): ("/api/v1/matrix/cell?article=UNTOC%206&country=CN", PUBLIC),
    ("/api/v1/openapi.json", "GET"): ("/api/v1/openapi.json", PUBLIC),
    ("/api/v1/records/<path:record_id>", "GET"): ("/api/v1/records/{record}", PUBLIC),
    ("/api/v1/records/<path:record_id>/citation", "GET"): ("/api/v1/records/{record}/citation", PUBLIC),
    ("/api/v1/search", "GET"): ("/api/v1/search?q=洗钱", PUBLIC),
    ("/api/v1/sentencing", "GET"): ("/api/v1/sentencing?crime_type=money_laundering", PUBLIC),
    ("/api/v1/vocabulary", "GET"): ("/api/v1/vocabulary", PUBLIC),
    ("/api/v1/vocabulary/crime-types/<crime_type_id>", "GET"): (
        "/api/v1/vocabulary/crime-types/money_laundering",
        PUBLIC,
    ),
    # The directory: the public summary for everyone; entries for authority users and reviewers.
    ("/directory", "GET"): ("/directory", PUBLIC),
    ("/api/v1/directory", "GET"): ("/api/v1/directory", PUBLIC),
    ("/directory/<authority_id>", "GET"): (f"/directory/{OTHER}", (L, 403, 200, 200, 403)),
    ("/api/v1/directory/<authority_id>", "GET"): (f"/api/v1/directory/{OTHER}", (401, 403, 200, 200, 403)),
    ("/directory/<authority_id>/edit", "GET"): (f"/directory/{OWN}/edit", (L, 403, 200, 200, 403)),
    ("/directory/new", "GET"): ("/directory/new", (L, 403, 403, 200, 403)),
    ("/directory/export", "GET"): ("/directory/export", (L, 403, 200, 200, 403)),
    # Editorial work.
    ("/edit/new/<kind>", "GET"): ("/edit/new/law", (L, 200, 403, 200, 403)),
    ("/edit/records/<path:record_id>", "GET"): ("/edit/records/{record}", (L, 200, 403, 200, 403)),
    ("/revisions", "GET"): ("/revisions", (L, 200, 200, 200, 403)),
    ("/revisions/<int:revision_id>", "GET"): ("/revisions/{revision}", (L, 200, 404, 200, 403)),
    ("/revisions/<int:revision_id>/edit", "GET"): ("/revisions/{revision}/edit", (L, 200, 404, 200, 403)),
    ("/history/<entity_type>/<path:entity_id>", "GET"): ("/history/record/{record}", (L, 200, 403, 200, 200)),
    ("/api/v1/revisions", "GET"): ("/api/v1/revisions", (401, 200, 200, 200, 403)),
    ("/api/v1/revisions/<int:revision_id>", "GET"): (
        "/api/v1/revisions/{revision}",
        (401, 200, 404, 200, 403),
    ),
    ("/api/v1/versions/<entity_type>/<path:entity_id>", "GET"): (
        "/api/v1/versions/record/{record}",
        (401, 200, 403, 200, 200),
    ),
    # Accounts, audit trail, usage figures.
    ("/admin/users", "GET"): ("/admin/users", (L, 403, 403, 200, 200)),
    ("/admin/users/<int:user_id>", "GET"): ("/admin/users/{user}", (L, 403, 403, 200, 200)),
    ("/admin/audit", "GET"): ("/admin/audit", (L, 403, 403, 403, 200)),
    ("/admin/usage", "GET"): ("/admin/usage", (L, 403, 403, 403, 200)),
    ("/admin/usage.csv", "GET"): ("/admin/usage.csv", (L, 403, 403, 403, 200)),
    ("/api/v1/admin/users", "GET"): ("/api/v1/admin/users", (401, 403, 403, 200, 200)),
    ("/api/v1/admin/audit", "GET"): ("/api/v1/admin/audit", (401, 403, 403, 403, 200)),
    ("/api/v1/usage", "GET"): ("/api/v1/usage", (401, 403, 403, 403, 200)),
    # Requests for mutual legal assistance: authority users only, their own authority's only.
    ("/mla", "GET"): ("/mla", MLA),
    ("/mla/incoming/new", "GET"): ("/mla/incoming/new", MLA),
    ("/mla/<int:request_id>", "GET"): ("/mla/{mla}", MLA),
    ("/mla/<int:request_id>/steps/<step_id>", "GET"): ("/mla/{mla}/steps/states", MLA),
    ("/mla/<int:request_id>/request.html", "GET"): ("/mla/{mla}/request.html", MLA),
    # A draft not yet finalised has no DOCX or PDF.
    ("/mla/<int:request_id>/request.<any(docx, pdf):kind>", "GET"): (
        "/mla/{mla}/request.pdf",
        (L, 403, 409, 403, 403),
    ),
    ("/api/v1/mla/requirements", "GET"): ("/api/v1/mla/requirements?lang=ar", PUBLIC),
    ("/api/v1/mla/requests", "GET"): ("/api/v1/mla/requests", MLA_API),
    ("/api/v1/mla/requests/<int:request_id>", "GET"): ("/api/v1/mla/requests/{mla}", MLA_API),
    # Probes and metrics for machines (sherloc.web.health), the same for every role. /metrics answers
    # here because the test client calls from 127.0.0.1; from elsewhere it needs SHERLOC_METRICS_TOKEN
    # (tests/test_observability.py).
    ("/healthz", "GET"): ("/healthz", PUBLIC),
    ("/readyz", "GET"): ("/readyz", PUBLIC),
    ("/metrics", "GET"): ("/metrics", PUBLIC),
}
# More samples of routes above, where the answer depends on whose entry it is.
MORE_GETS: list[tuple[str, tuple[Any, ...]]] = [
    (f"/directory/{OWN}", (L, 403, 200, 200, 403)),
    (f"/directory/{OTHER}/edit", (L, 403, 403, 200, 403)),
    (f"/history/authority/{OWN}", (L, 403, 200, 200, 403)),
    (f"/api/v1/versions/authority/{OWN}", (401, 403, 200, 200, 403)),
    ("/fr/records/{record}", PUBLIC),
    ("/ar/mla", MLA),
    ("/mla/{mla_other}", MLA_OTHERS),
    ("/mla/{mla_other}/steps/case", MLA_OTHERS),
    ("/mla/{mla_other}/request.html", MLA_OTHERS),
    ("/mla/{mla_other}/request.docx", MLA_OTHERS),
    ("/api/v1/mla/requests/{mla_other}", (401, 403, 404, 403, 403)),
]

WRITES: dict[tuple[str, str], tuple[str, dict[str, Any], tuple[Any, ...]]] = {
    ("/login", "POST"): ("/login", {"email": "nobody@example.org", "password": "x"}, PUBLIC),
    ("/logout", "POST"): ("/logout", {}, (302, 302, 302, 302, 302)),
    ("/api/v1/tag", "POST"): (
        "/api/v1/tag",
        {"json": {"id": "t1", "text": "洗钱", "language": "zh"}},
        PUBLIC,
    ),
    ("/edit/new/<kind>", "POST"): (
        "/edit/new/law",
        {"title": "Example Act", "country": "GB"},
        (L, OK, 403, OK, 403),
    ),
    ("/edit/records/<path:record_id>", "POST"): (
        "/edit/records/{record}",
        {"title": "变更"},
        (L, OK, 403, OK, 403),
    ),
    ("/revisions/<int:revision_id>/edit", "POST"): (
        "/revisions/{revision}/edit",
        {"title": "变更"},
        (L, OK, 404, OK, 403),
    ),
    ("/revisions/<int:revision_id>/<any(submit, publish, reject):action>", "POST"): (
        "/revisions/{revision}/reject",
        {"reason": "Not sourced."},
        (L, 403, 404, OK, 403),
    ),
    ("/history/restore", "POST"): (
        "/history/restore",
        {"entity_type": "record", "entity_id": "{record}", "number": "1"},
        (L, 403, 403, OK, 403),
    ),
    ("/api/v1/revisions", "POST"): (
        "/api/v1/revisions",
        {"json": {"kind": "law", "data": {"title": "Example Act", "country": "GB"}}},
        (401, 201, 403, 201, 403),
    ),
    ("/api/v1/revisions/<int:revision_id>", "PUT"): (
        "/api/v1/revisions/{revision}",
        {"json": {"data": {"title": "变更"}}},
        (401, OK, 404, OK, 403),
    ),
    ("/api/v1/revisions/<int:revision_id>/submit", "POST"): (
        "/api/v1/revisions/{revision}/submit",
        {"json": {}},
        (401, OK, 404, OK, 403),
    ),
    ("/api/v1/revisions/<int:revision_id>/publish", "POST"): (
        "/api/v1/revisions/{revision}/publish",
        {"json": {}},
        (401, 403, 404, OK, 403),
    ),
    ("/api/v1/revisions/<int:revision_id>/reject", "POST"): (
        "/api/v1/revisions/{revision}/reject",
        {"json": {"reason": "no"}},
        (401, 403, 404, OK, 403),
    ),
    ("/directory/new", "POST"): (
        "/directory/new",
        {"name": "Example New", "country": "DE"},
        (L, 403, 403, OK, 403),
    ),
    ("/directory/<authority_id>/edit", "POST"): (
        f"/directory/{OTHER}/edit",
        {"name": "Changed"},
        (L, 403, 403, OK, 403),
    ),
    ("/admin/users", "POST"): (
        "/admin/users",
        {"email": "made@example.org", "role": "contributor", "password": PASSWORD},
        (L, 403, 403, OK, OK),
    ),
    ("/admin/users/<int:user_id>/role", "POST"): (
        "/admin/users/{user}/role",
        {"role": "contributor"},
        (L, 403, 403, OK, OK),
    ),
    ("/admin/users/<int:user_id>/unlock", "POST"): ("/admin/users/{user}/unlock", {}, (L, 403, 403, OK, OK)),
    ("/admin/users/<int:user_id>/reset-password", "POST"): (
        "/admin/users/{user}/reset-password",
        {},
        (L, 403, 403, 403, OK),
    ),
    ("/admin/users/<int:user_id>/reactivate", "POST"): (
        "/admin/users/{user}/reactivate",
        {},
        (L, 403, 403, OK, OK),
    ),
    ("/admin/users/<int:user_id>/deactivate", "POST"): (
        "/admin/users/{user}/deactivate",
        {},
        (L, 403, 403, OK, OK),
    ),
    ("/mla/new", "POST"): ("/mla/new", {}, MLA_WRITE),
    ("/mla/incoming/new", "POST"): (
        "/mla/incoming/new",
        {"requesting_state": "DE", "title": "Example incoming request", "received_on": "2026-01-05"},
        MLA_WRITE,
    ),
    ("/mla/<int:request_id>/steps/<step_id>", "POST"): (
        "/mla/{mla}/steps/states",
        {"requested_state": "DE", "action": "next"},
        MLA_WRITE,
    ),
    ("/mla/<int:request_id>/reference", "POST"): ("/mla/{mla}/reference", {"reference": "R-1"}, MLA_WRITE),
    ("/mla/<int:request_id>/finalise", "POST"): ("/mla/{mla}/finalise", {}, MLA_WRITE),
    ("/mla/<int:request_id>/reopen", "POST"): ("/mla/{mla}/reopen", {}, MLA_WRITE),
    ("/mla/<int:request_id>/status", "POST"): ("/mla/{mla}/status", {"status": "sent"}, MLA_WRITE),
    ("/mla/<int:request_id>/delete", "POST"): ("/mla/{mla_spare}/delete", {}, MLA_WRITE),
}
MORE_WRITES: list[tuple[str, dict[str, Any], tuple[Any, ...]]] = [
    ("/mla/{mla_other}/steps/states", {"requested_state": "DE"}, MLA_OTHERS),
    ("/mla/{mla_other}/reference", {"reference": "X"}, MLA_OTHERS),
    ("/mla/{mla_other}/finalise", {}, MLA_OTHERS),
    ("/mla/{mla_other}/status", {"status": "sent"}, MLA_OTHERS),
    ("/mla/{mla_other}/delete", {}, MLA_OTHERS),
    ("/revisions/{revision}/publish", {}, (L, 403, 404, OK, 403)),
    (f"/directory/{OWN}/edit", {"name": "Changed"}, (L, 403, OK, OK, 403)),
]


def _routes(app: Flask) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("lang.", "lang_mla.")):  # the same views under /<lang>/ (sampled)
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            out.add((rule.rule, method))
    return out


def test_every_route_is_in_the_tables(read_app: Flask) -> None:
    declared = set(GETS) | set(WRITES)
    assert _routes(read_app) == declared


def _check(answer: Any, expected: Any, where: str) -> None:
    status = answer.status_code
    if expected == L:
        assert status == 302 and answer.headers["Location"].startswith("/login"), (where, status)
    elif expected == OK:
        assert status in (200, 201, 302, 400, 409), (where, status, answer.text[:300])
        if status == 302:
            assert not answer.headers["Location"].startswith("/login"), where
    else:
        assert status == expected, (where, status, answer.text[:300])


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_role_reads_what_it_may(read_app: Flask, role: str | None) -> None:
    values = _values(read_app)
    client = _client(read_app, role)
    for (rule, _method), (sample, expected) in [*GETS.items(), *(((s, "GET"), (s, e)) for s, e in MORE_GETS)]:
        path = sample.format(**values)
        answer = client.get(path)
        answer.close()  # a static file's handle
        _check(answer, expected[ROLES.index(role)], f"{role} GET {path} ({rule})")


def _state(app: Flask) -> tuple[Any, ...]:
    """What a write could change (the audit trail and logins aside)."""
    with app.app_context():
        session = db()
        return (
            session.scalar(select(func.count()).select_from(Revision)),
            sorted((r.id, r.state, str(r.data)) for r in session.scalars(select(Revision))),
            session.scalar(select(func.count()).select_from(Version)),
            sorted((u.email, u.role, u.is_active, u.password_hash) for u in session.scalars(select(User))),
            sorted((a.id, a.name) for a in session.scalars(select(Authority))),
            sorted((r.id, r.content_hash, r.heading) for r in session.scalars(select(Record))),
            sorted(
                (m.id, m.reference, m.status, str(m.answers), m.finalised_at)
                for m in session.scalars(select(MlaRequest))
            ),
        )


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_role_writes_only_what_it_may_and_a_refusal_changes_nothing(
    tmp_path: Path, role: str | None
) -> None:
    app = _setup(tmp_path)
    try:
        values = _values(app)
        client = _client(app, role)
        writes = [(rule, *spec) for rule, spec in WRITES.items() if rule[0] not in ("/login", "/logout")]
        writes += [((sample, "POST"), sample, body, expected) for sample, body, expected in MORE_WRITES]
        for (rule, method), sample, body, expected in writes:
            path = sample.format(**values)
            want = expected[ROLES.index(role)]
            before = _state(app)
            if "json" in body:
                answer = client.open(path, method=method, json=body["json"])
            else:
                form = {k: str(v).format(**values) for k, v in body.items()}
                answer = client.open(path, method=method, data={**form, "csrf_token": _token(client)})
            _check(answer, want, f"{role} {method} {path} ({rule})")
            if want in (L, 401, 403, 404):
                assert _state(app) == before, f"{role} {method} {path} changed the store"
        # Logging out is open to anyone; logging in answers the form to anyone.
        assert client.post("/logout", data={"csrf_token": _token(client)}).status_code == 302
    finally:
        app.extensions["sherloc"].engine.dispose()


def test_a_write_without_the_csrf_token_is_refused_for_every_role(read_app: Flask) -> None:
    values = _values(read_app)
    for role in ROLES[1:]:
        client = _client(read_app, role)
        del client.environ_base["HTTP_X_CSRFTOKEN"]
        before = _state(read_app)
        for (rule, method), (sample, body, _expected) in WRITES.items():
            if rule == "/login":
                continue
            path = sample.format(**values)
            if "json" in body:
                answer = client.open(path, method=method, json=body["json"])
            else:
                answer = client.open(
                    path, method=method, data={k: str(v).format(**values) for k, v in body.items()}
                )
            assert answer.status_code == 400, (role, method, path, answer.status_code)
        assert _state(read_app) == before
