"""Attacks that must fail, tried the way an attacker would: reading restricted directory data through any
door (search, export, proposals, history, ids in sequence, old or forged session cookies), and publishing
as a contributor (every publishing route, a state smuggled into a proposal, a role changed by hand).

The route-by-role tables are in tests/test_access.py and tests/test_directory.py; script injection through
every field is in tests/test_hostile_content.py. This module is about the ways around them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from sqlalchemy import select

from sherloc.app import create_app, db
from sherloc.models import Record, Revision, User
from sherloc.models.directory import Authority
from sherloc.services import accounts
from sherloc.services import directory as directory_service
from sherloc.settings import Settings
from tests.conftest import PASSWORD, csrf_token, log_in, store_session
from tests.test_directory import OTHER_ENTRY, OWN, OWN_ENTRY, RESTRICTED, USERS
from tests.test_editorial import DECISION


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """Directory entries of two authorities, one account per role, and an empty index."""
    with store_session(settings) as session:
        for who, (role, authority) in USERS.items():
            accounts.create_user(session, f"{who}@example.org", PASSWORD, role, authority_id=authority)
        directory_service.import_entries(session, [OWN_ENTRY, OTHER_ENTRY])
    app = create_app(settings)
    app.config["TESTING"] = True
    from sherloc.search import indexer

    with app.app_context():
        indexer.rebuild(db(), app.extensions["sherloc"].search)
    yield app
    app.extensions["sherloc"].engine.dispose()


def _as(app: Flask, who: str | None) -> FlaskClient:
    client = app.test_client()
    if who is not None:
        assert log_in(client, f"{who}@example.org").status_code == 302
    return client


def _leaks(body: str) -> list[str]:
    return [value for value in RESTRICTED if value in body]


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


# -- restricted directory data ------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "contributor", "administrator"])
def test_restricted_directory_data_is_not_reached_through_search_export_or_proposals(
    app: Flask, who: str | None
) -> None:
    client = _as(app, who)
    # Searches by parts of the restricted values (a whole value would only be echoed back as the query).
    paths = [
        "/search?q=Placeholder",
        "/search?q=Exampleville",
        "/search?q=central",
        "/api/v1/search?q=Imaginary",
        "/api/v1/search?q=Maritime&facet=country",
        "/api/v1/export?q=Example&format=csv",
        "/api/v1/export?q=Example&format=jsonl",
        "/api/v1/facets?q=duty",
        "/revisions",
        "/api/v1/revisions",
        "/api/v1/revisions?entity_type=authority",
        f"/history/authority/{OWN}",
        f"/api/v1/directory/{OWN}",
        f"/directory/{OWN}/edit",
        "/directory/export?format=json",
        "/countries/FR",
        "/api/v1/countries/FR/profile",
        *[f"/revisions/{n}" for n in range(1, 8)],  # ids in sequence
        *[f"/api/v1/revisions/{n}" for n in range(1, 8)],
    ]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code < 500, (path, answer.status_code)
        assert not _leaks(answer.get_data(as_text=True)), (who, path)


def test_a_session_cookie_does_not_outlive_its_logout_or_its_user(app: Flask) -> None:
    authority = _as(app, "authority")
    assert "central@example.org" in authority.get(f"/directory/{OWN}").get_data(as_text=True)
    stolen = _session_cookie(authority)
    token = csrf_token(authority, f"/directory/{OWN}")
    assert authority.post("/logout", data={"csrf_token": token}).status_code == 302

    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    answer = replay.get(f"/directory/{OWN}")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert replay.get(f"/api/v1/directory/{OWN}").status_code == 401

    # A user an administrator deactivates loses the login held in a cookie at once.
    other = _as(app, "other-authority")
    held = _session_cookie(other)
    with app.app_context():
        user = db().scalars(select(User).where(User.email == "other-authority@example.org")).one()
        user_id = user.id
    admin = _as(app, "administrator")
    token = csrf_token(admin, f"/admin/users/{user_id}")
    assert admin.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token}).status_code == 302
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], held)
    assert replay.get(f"/api/v1/directory/{OWN}").status_code == 401


def test_a_forged_or_tampered_session_cookie_is_refused(app: Flask) -> None:
    authority = _as(app, "authority")
    real = _session_cookie(authority)
    # Signed with another key: what an attacker who guessed the cookie's shape would make.
    other_key = Flask("forger")
    other_key.secret_key = "not the portal's key"
    serializer = SecureCookieSessionInterface().get_signing_serializer(other_key)
    assert serializer is not None
    payload = authority.application.session_interface.get_signing_serializer(app).loads(real)  # type: ignore[attr-defined]
    forged = serializer.dumps(payload)
    for cookie in (forged, real[:-2] + ("AA" if not real.endswith("AA") else "BB")):
        client = app.test_client()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        assert client.get(f"/api/v1/directory/{OWN}").status_code == 401
        assert not _leaks(client.get(f"/directory/{OWN}").get_data(as_text=True))


def test_an_authority_user_cannot_read_another_authoritys_requests_or_edit_its_entry(app: Flask) -> None:
    other = _as(app, "other-authority")
    form = other.get(f"/directory/{OWN}/edit")
    assert form.status_code == 403
    token = csrf_token(other, "/directory")
    # Sent anyway, with a valid token: refused, and the entry is unchanged.
    answer = other.post(f"/directory/{OWN}/edit", data={"csrf_token": token, "email": "attacker@example.net"})
    assert answer.status_code == 403
    with app.app_context():
        entry = db().get(Authority, OWN)
        assert entry is not None and "attacker@example.net" not in str(directory_service.entry_dict(entry))


# -- publishing as a contributor ----------------------------------------------------------------------


PROPOSAL = {k: DECISION[k] for k in ("title", "country", "language", "date_decided", "text")}


def _propose(client: FlaskClient, **extra: object) -> int:
    body = {"entity_type": "record", "kind": "decision", "data": PROPOSAL, "submit": True, **extra}
    made = client.post(
        "/api/v1/revisions", json=body, headers={"X-CSRFToken": csrf_token(client, "/revisions")}
    )
    assert made.status_code == 201, made.text
    revision_id: int = made.get_json()["revision"]["id"]
    return revision_id


def _published(app: Flask) -> list[str]:
    with app.app_context():
        return list(db().scalars(select(Record.id).where(Record.title == DECISION["title"])))


def test_a_contributor_cannot_publish_by_any_route(app: Flask) -> None:
    contributor = _as(app, "contributor")
    revision_id = _propose(contributor)
    token = csrf_token(contributor, "/revisions")
    json_headers = {"X-CSRFToken": token}
    tries = [
        contributor.post(f"/revisions/{revision_id}/publish", data={"csrf_token": token}),
        contributor.post(f"/api/v1/revisions/{revision_id}/publish", headers=json_headers),
        contributor.post(
            f"/api/v1/revisions/{revision_id}/publish", json={"force": True}, headers=json_headers
        ),
        contributor.put(
            f"/api/v1/revisions/{revision_id}",
            json={"state": "published", "data": PROPOSAL},
            headers=json_headers,
        ),
        contributor.post(
            "/history/restore", data={"csrf_token": token, "entity_type": "record", "version": "1"}
        ),
    ]
    for answer in tries:
        assert answer.status_code in (400, 403, 404), (answer.request.path, answer.status_code, answer.text)

    # A state or a publisher smuggled into a new proposal is not taken.
    smuggled = _propose(contributor, state="published", published_by=1)
    # A role granted to oneself, through the administrators' form.
    with app.app_context():
        me = db().scalars(select(User).where(User.email == "contributor@example.org")).one()
        my_id = me.id
    grant = contributor.post(f"/admin/users/{my_id}/role", data={"csrf_token": token, "role": "reviewer"})
    assert grant.status_code == 403

    with app.app_context():
        states = {r.id: r.state for r in db().scalars(select(Revision))}
        assert states[revision_id] == "submitted" and states[smuggled] == "submitted", states
        assert db().get(User, my_id).role == "contributor"  # type: ignore[union-attr]
    assert _published(app) == []
    assert app.test_client().get("/api/v1/search?q=zorbleflax").get_json()["total"] == 0
    # The same proposal, published by a reviewer, is public at once: the refusals above were real.
    reviewer = _as(app, "reviewer")
    done = reviewer.post(
        f"/api/v1/revisions/{revision_id}/publish",
        headers={"X-CSRFToken": csrf_token(reviewer, "/revisions")},
    )
    assert done.status_code == 200
    assert len(_published(app)) == 1
    assert app.test_client().get("/api/v1/search?q=zorbleflax").get_json()["total"] == 1


def test_a_reviewer_action_needs_the_reviewers_own_csrf_token(app: Flask) -> None:
    contributor = _as(app, "contributor")
    revision_id = _propose(contributor)
    stolen_token = csrf_token(contributor, "/revisions")  # a token from another session is worthless
    reviewer = _as(app, "reviewer")
    answer = reviewer.post(f"/revisions/{revision_id}/publish", data={"csrf_token": stolen_token})
    assert answer.status_code == 400
    assert re.search(r"not sent from this site|expired", answer.get_data(as_text=True))
    assert _published(app) == []
