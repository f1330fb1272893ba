"""Account management pages and API: who may read and change which accounts (a test per role per route),
accounts created or reset there log in, deactivation and resets end logins, the last administrator stays,
CSRF on every form, and the audit trail (logins, account changes, `sherloc users`) without passwords."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from sherloc.app import create_app, db
from sherloc.cli import main
from sherloc.db import make_engine, make_session_factory
from sherloc.models import ROLES, AuditEvent, Authority, User
from sherloc.services import accounts
from sherloc.settings import Settings
from tests.conftest import PASSWORD, csrf_token, log_in, store_env, store_session

MAX_FAILURES = 3


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its real cost takes ~50 ms a hash; these tests check rights, not hashing."""
    monkeypatch.setattr(
        accounts, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """A portal on an empty store: two authorities in the directory, one account per role."""
    settings = replace(settings, login_max_failures=MAX_FAILURES, login_lock_minutes=10)
    with store_session(settings) as session:
        session.add_all(
            [
                Authority(id="FR-MLA-1", country="FR", name="Ministère de la Justice"),
                Authority(id="ES-MLA-1", country="ES", name="Ministerio de Justicia"),
            ]
        )
        for role in ROLES:
            accounts.create_user(
                session,
                f"{role}@example.org",
                PASSWORD,
                role,
                authority_id="FR-MLA-1" if role == "authority" else None,
                display_name=f"{role.title()} Person",
            )
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["sherloc"].engine.dispose()


def _client(app: Flask, who: str | None = None) -> FlaskClient:
    client = app.test_client()
    if who:
        assert log_in(client, f"{who}@example.org").status_code == 302
    return client


def _post(client: FlaskClient, path: str, **form: str) -> TestResponse:
    return client.post(path, data={**form, "csrf_token": csrf_token(client)})


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        found = accounts.find_user(db(), email)
        assert found is not None
        db().expunge(found)
        return found


def _id(app: Flask, role: str) -> int:
    return _user(app, f"{role}@example.org").id


def _events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        found = list(db().scalars(select(AuditEvent).order_by(AuditEvent.id)))
        for event in found:
            db().expunge(event)
        return found


def _shown_password(page: TestResponse) -> str:
    found = re.search(r'<code class="temporary-password">([^<]+)</code>', page.text)
    assert found, page.text
    return found.group(1)


# -- who may do what: a test per role per route -----------------------------------------------------

# name: (method, path, form); {contributor} is the contributor account's id.
ROUTES = {
    "users page": ("GET", "/admin/users", {}),
    "create": ("POST", "/admin/users", {"email": "new@example.org", "role": "contributor"}),
    "account page": ("GET", "/admin/users/{contributor}", {}),
    "role": ("POST", "/admin/users/{contributor}/role", {"role": "authority", "authority_id": "ES-MLA-1"}),
    "deactivate": ("POST", "/admin/users/{contributor}/deactivate", {}),
    "reactivate": ("POST", "/admin/users/{contributor}/reactivate", {}),
    "unlock": ("POST", "/admin/users/{contributor}/unlock", {}),
    "reset password": ("POST", "/admin/users/{contributor}/reset-password", {}),
    "audit page": ("GET", "/admin/audit", {}),
    "users api": ("GET", "/api/v1/admin/users", {}),
    "audit api": ("GET", "/api/v1/admin/audit", {}),
}
ALLOWED = {
    "users page": 200,
    "create": 200,
    "account page": 200,
    "role": 302,
    "deactivate": 302,
    "reactivate": 302,
    "unlock": 302,
    "reset password": 200,
    "audit page": 200,
    "users api": 200,
    "audit api": 200,
}
REVIEWER_REFUSED = {"reset password", "audit page", "audit api"}


def _expected(who: str | None, route: str) -> int:
    if who is None:
        return 401 if "api" in route else 302
    if who in ("contributor", "authority"):
        return 403
    if who == "reviewer" and route in REVIEWER_REFUSED:
        return 403
    return ALLOWED[route]


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("who", [None, "contributor", "authority", "reviewer", "administrator"])
def test_who_may_use_each_route(app: Flask, who: str | None, route: str) -> None:
    client = _client(app, who)
    method, path, form = ROUTES[route]
    path = path.format(contributor=_id(app, "contributor"))
    response = client.get(path) if method == "GET" else _post(client, path, **form)
    expected = _expected(who, route)
    assert response.status_code == expected, response.text
    if expected == 302 and who is None:
        assert response.headers["Location"].startswith("/login?next=/admin/")
    if expected in (401, 403) and path.startswith("/api/"):
        assert response.json and response.json["error"]["status"] == expected
    if expected == 403 and method == "POST":
        assert [e.action for e in _events(app)] == ["login"]  # no change was made


def test_the_api_lists_what_each_manager_manages(app: Flask) -> None:
    admin = _client(app, "administrator").get("/api/v1/admin/users").json
    assert admin and [u["role"] for u in admin["users"]] == sorted(ROLES)
    authority = next(u for u in admin["users"] if u["role"] == "authority")
    assert authority["authority_id"] == "FR-MLA-1" and "name" not in authority
    assert set(authority) == {
        "id", "email", "display_name", "role", "authority_id", "is_active", "locked_until", "last_login_at",
        "created_at",
    }  # fmt: skip
    reviewer = _client(app, "reviewer").get("/api/v1/admin/users").json
    assert reviewer and [u["email"] for u in reviewer["users"]] == [
        "authority@example.org",
        "contributor@example.org",
    ]


def test_the_users_page_shows_the_accounts(app: Flask) -> None:
    page = _client(app, "administrator").get("/admin/users").text
    for role in ROLES:
        assert f"{role}@example.org" in page
    assert "FR-MLA-1" in page and "Ministère" not in page  # the authority's id only
    reviewer_page = _client(app, "reviewer").get("/admin/users").text
    assert "contributor@example.org" in reviewer_page and "administrator@example.org" not in reviewer_page
    assert (
        '<option value="administrator"' not in reviewer_page and '<option value="authority"' in reviewer_page
    )


def test_the_menu_links_to_the_account_pages(app: Flask) -> None:
    admin = _client(app, "administrator").get("/about").text
    assert 'href="/admin/users"' in admin and 'href="/admin/audit"' in admin
    reviewer = _client(app, "reviewer").get("/about").text
    assert 'href="/admin/users"' in reviewer and 'href="/admin/audit"' not in reviewer
    for who in ("contributor", None):
        assert 'href="/admin/' not in _client(app, who).get("/about").text


@pytest.mark.parametrize("role", ["administrator", "reviewer"])
def test_a_reviewer_cannot_create_reviewers_or_administrators(app: Flask, role: str) -> None:
    client = _client(app, "reviewer")
    response = _post(client, "/admin/users", email="boss@example.org", role=role, password=PASSWORD)
    assert response.status_code == 403
    with app.app_context():
        assert accounts.find_user(db(), "boss@example.org") is None


def test_a_reviewer_cannot_touch_reviewer_or_administrator_accounts(app: Flask) -> None:
    client = _client(app, "reviewer")
    admin, reviewer, contributor = _id(app, "administrator"), _id(app, "reviewer"), _id(app, "contributor")
    assert client.get(f"/admin/users/{admin}").status_code == 403
    assert _post(client, f"/admin/users/{admin}/role", role="contributor").status_code == 403
    assert _post(client, f"/admin/users/{admin}/deactivate").status_code == 403
    assert _post(client, f"/admin/users/{reviewer}/deactivate").status_code == 403  # not even themselves
    assert _post(client, f"/admin/users/{contributor}/role", role="reviewer").status_code == 403
    assert _post(client, f"/admin/users/{contributor}/role", role="administrator").status_code == 403
    assert _user(app, "administrator@example.org").role == "administrator"
    assert _user(app, "administrator@example.org").is_active
    assert _user(app, "contributor@example.org").role == "contributor"


def test_a_reviewer_moves_an_account_between_contributor_and_authority(app: Flask) -> None:
    client = _client(app, "reviewer")
    contributor = _id(app, "contributor")
    moved = _post(client, f"/admin/users/{contributor}/role", role="authority", authority_id="ES-MLA-1")
    assert moved.status_code == 302
    assert "The role is changed." in client.get(moved.headers["Location"]).text
    user = _user(app, "contributor@example.org")
    assert (user.role, user.authority_id) == ("authority", "ES-MLA-1")
    back = _post(client, f"/admin/users/{contributor}/role", role="contributor", authority_id="")
    assert back.status_code == 302
    user = _user(app, "contributor@example.org")
    assert (user.role, user.authority_id) == ("contributor", None)


def test_an_unknown_account_is_not_found(app: Flask) -> None:
    client = _client(app, "administrator")
    assert client.get("/admin/users/9999").status_code == 404
    assert _post(client, "/admin/users/9999/deactivate").status_code == 404


# -- creating accounts ------------------------------------------------------------------------------


def test_an_account_created_with_a_given_password_logs_in(app: Flask) -> None:
    client = _client(app, "reviewer")
    form = {
        "email": "Clerk@Example.org",
        "role": "contributor",
        "display_name": "Clerk",
        "password": PASSWORD,
    }
    created = _post(client, "/admin/users", **form)
    assert created.status_code == 200 and "The account is created." in created.text
    assert "temporary-password" not in created.text and PASSWORD not in created.text
    assert "no-store" in created.headers["Cache-Control"]
    assert log_in(app.test_client(), "clerk@example.org").status_code == 302


def test_a_generated_password_is_shown_once_and_logs_in(app: Flask) -> None:
    client = _client(app, "administrator")
    form = {"email": "mla@example.es", "role": "authority", "authority_id": "ES-MLA-1"}
    created = _post(client, "/admin/users", **form)
    password = _shown_password(created)
    assert len(password) >= accounts.MIN_PASSWORD_LENGTH
    assert "no-store" in created.headers["Cache-Control"]
    assert password not in client.get(f"/admin/users/{_id_of(app, 'mla@example.es')}").text
    assert log_in(app.test_client(), "mla@example.es", password).status_code == 302
    assert _user(app, "mla@example.es").authority_id == "ES-MLA-1"


def _id_of(app: Flask, email: str) -> int:
    return _user(app, email).id


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"role": "authority", "authority_id": "XX-NONE"}, "There is no authority with the id XX-NONE"),
        ({"role": "authority"}, "An authority user needs the id of their authority."),
        ({"role": "contributor", "authority_id": "FR-MLA-1"}, "Only authority users belong to an authority."),
        ({"role": "contributor", "password": "short"}, "A password needs at least 12 characters."),
        ({"role": "contributor", "email": "reviewer@EXAMPLE.org"}, "There is already an account"),
        ({"role": "contributor", "email": "not an address"}, "This is not an email address."),
        ({"role": "visitor"}, "Choose one of the roles offered."),
    ],
)
def test_creating_an_account_checks_what_it_is_given(app: Flask, form: dict[str, str], message: str) -> None:
    client = _client(app, "administrator")
    response = _post(client, "/admin/users", **{"email": "new@example.org", **form})
    assert response.status_code == 400 and message in response.text
    with app.app_context():
        assert accounts.find_user(db(), "new@example.org") is None
        assert db().scalar(select(AuditEvent).where(AuditEvent.action == "user_created")) is None


# -- resets, deactivation, unlocking ------------------------------------------------------------------


def test_a_reset_ends_the_old_logins_and_sets_a_new_password(app: Flask) -> None:
    owner = _client(app, "reviewer")
    assert owner.get("/admin/users").status_code == 200
    admin = _client(app, "administrator")
    reset = _post(admin, f"/admin/users/{_id(app, 'reviewer')}/reset-password")
    assert reset.status_code == 200 and "The password is reset" in reset.text
    new_password = _shown_password(reset)
    assert owner.get("/admin/users").status_code == 302  # logged out
    assert log_in(app.test_client(), "reviewer@example.org").status_code == 200  # the old password: refused
    assert log_in(app.test_client(), "reviewer@example.org", new_password).status_code == 302


def test_a_deactivated_account_is_logged_out_and_cannot_log_in(app: Flask) -> None:
    owner = _client(app, "reviewer")
    admin = _client(app, "administrator")
    reviewer = _id(app, "reviewer")
    assert _post(admin, f"/admin/users/{reviewer}/deactivate").status_code == 302
    assert owner.get("/admin/users").status_code == 302
    assert log_in(app.test_client(), "reviewer@example.org").status_code == 200
    assert not _user(app, "reviewer@example.org").is_active
    assert _post(admin, f"/admin/users/{reviewer}/reactivate").status_code == 302
    assert log_in(app.test_client(), "reviewer@example.org").status_code == 302


def test_a_locked_account_is_unlocked(app: Flask) -> None:
    for _ in range(MAX_FAILURES):
        log_in(app.test_client(), "contributor@example.org", "wrong password, long")
    assert log_in(app.test_client(), "contributor@example.org").status_code == 200  # locked
    reviewer = _client(app, "reviewer")
    page = reviewer.get("/admin/users").text
    assert re.search(r"contributor@example\.org</a></th>(?:(?!</tr>).)*<td>[^<]*\d", page, re.S)
    assert _post(reviewer, f"/admin/users/{_id(app, 'contributor')}/unlock").status_code == 302
    assert log_in(app.test_client(), "contributor@example.org").status_code == 302


def test_the_last_administrator_stays(app: Flask) -> None:
    client = _client(app, "administrator")
    admin = _id(app, "administrator")
    refused = _post(client, f"/admin/users/{admin}/deactivate")
    assert refused.status_code == 400 and "at least one active administrator" in refused.text
    demoted = _post(client, f"/admin/users/{admin}/role", role="reviewer")
    assert demoted.status_code == 400 and "at least one active administrator" in demoted.text
    assert (
        _user(app, "administrator@example.org").role,
        _user(app, "administrator@example.org").is_active,
    ) == (
        "administrator",
        True,
    )
    # With a second administrator, either can go, but not both.
    _post(client, "/admin/users", email="second@example.org", role="administrator", password=PASSWORD)
    second = _id_of(app, "second@example.org")
    assert _post(client, f"/admin/users/{second}/deactivate").status_code == 302
    assert _post(client, f"/admin/users/{admin}/deactivate").status_code == 400
    assert _post(client, f"/admin/users/{second}/reactivate").status_code == 302
    assert _post(client, f"/admin/users/{admin}/role", role="reviewer").status_code == 302  # self-demotion
    assert client.get("/admin/audit").status_code == 403  # at once: the role is read at each request
    other = _client(app, None)
    assert log_in(other, "second@example.org").status_code == 302
    assert _post(other, f"/admin/users/{second}/deactivate").status_code == 400


# -- CSRF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged"])
def test_posts_without_a_valid_csrf_token_are_refused(app: Flask, token: str | None) -> None:
    client = _client(app, "administrator")
    form = {"email": "new@example.org", "role": "contributor", "password": PASSWORD}
    if token:
        form["csrf_token"] = token
    assert client.post("/admin/users", data=form).status_code == 400
    contributor = _id(app, "contributor")
    extra = {"csrf_token": token} if token else {}
    for action in ("deactivate", "reset-password", "unlock", "role"):
        assert client.post(f"/admin/users/{contributor}/{action}", data=extra).status_code == 400
    with app.app_context():
        assert accounts.find_user(db(), "new@example.org") is None
    assert _user(app, "contributor@example.org").is_active


# -- the audit trail ----------------------------------------------------------------------------------


def test_account_changes_and_logins_are_audited_without_passwords(app: Flask) -> None:
    anonymous = app.test_client()
    log_in(anonymous, "nobody@example.org", "a guess at a password")
    log_in(anonymous, "contributor@example.org", "another guess, long")
    admin = _client(app, "administrator")
    created = _post(admin, "/admin/users", email="new@example.org", role="contributor")
    generated = _shown_password(created)
    new = _id_of(app, "new@example.org")
    _post(admin, f"/admin/users/{new}/role", role="authority", authority_id="FR-MLA-1")
    _post(admin, f"/admin/users/{new}/deactivate")
    _post(admin, f"/admin/users/{new}/reactivate")
    reset = _shown_password(_post(admin, f"/admin/users/{new}/reset-password"))
    _post(admin, f"/admin/users/{new}/unlock")
    _post(admin, "/logout")

    admin_id, contributor = _id(app, "administrator"), _id(app, "contributor")
    events = [(e.action, e.user_id, e.target) for e in _events(app)]
    assert events == [
        ("login_failed", None, ""),
        ("login_failed", None, f"user:{contributor}"),
        ("login", admin_id, f"user:{admin_id}"),
        ("user_created", admin_id, f"user:{new}"),
        ("role_changed", admin_id, f"user:{new}"),
        ("user_deactivated", admin_id, f"user:{new}"),
        ("user_reactivated", admin_id, f"user:{new}"),
        ("password_reset", admin_id, f"user:{new}"),
        ("user_unlocked", admin_id, f"user:{new}"),
        ("logout", admin_id, f"user:{admin_id}"),
    ]
    details = {e.action: e.detail for e in _events(app)}
    assert details["role_changed"] == {
        "before": {"role": "contributor", "authority_id": None},
        "after": {"role": "authority", "authority_id": "FR-MLA-1"},
    }
    assert details["user_created"] == {
        "email": "new@example.org",
        "role": "contributor",
        "authority_id": None,
    }
    assert [e.detail for e in _events(app)[:2]] == [{"outcome": "unknown"}, {"outcome": "wrong_password"}]
    stored = json.dumps([e.detail for e in _events(app)])
    for secret in (PASSWORD, generated, reset, "a guess at a password", "another guess", "nobody@"):
        assert secret not in stored


def test_the_audit_page_filters_and_pages_newest_first(app: Flask) -> None:
    for _ in range(3):
        _client(app, "reviewer")
    admin = _client(app, "administrator")
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    assert page.text.count("reviewer@example.org") == 3 and "administrator@example.org" in page.text
    assert page.text.index("administrator@example.org") < page.text.index(
        "reviewer@example.org"
    )  # newest first
    filtered = admin.get("/admin/audit?action=login&user=Reviewer@example.org").text
    assert filtered.count('<tr id="event-') == 3 and "administrator@example.org" not in filtered
    first = admin.get("/api/v1/admin/audit?limit=2").json
    assert first and [e["action"] for e in first["events"]] == ["login", "login"]
    assert first["events"][0]["user_email"] == "administrator@example.org"
    assert first["events"][0]["id"] > first["events"][1]["id"] == first["next_before"]
    rest = admin.get(f"/api/v1/admin/audit?limit=2&before={first['next_before']}").json
    assert rest and len(rest["events"]) == 2 and rest["next_before"] is None
    assert all(e["id"] < first["next_before"] for e in rest["events"])
    older = re.search(r'href="([^"]+)" rel="next"', admin.get("/admin/audit?action=login&limit=2").text)
    assert older and "before=" in older.group(1) and "action=login" in older.group(1)
    assert admin.get("/api/v1/admin/audit?before=0").status_code == 400
    assert admin.get("/api/v1/admin/audit?limit=1000").status_code == 400
    assert admin.get("/api/v1/admin/audit?colour=red").status_code == 400


def test_the_users_commands_are_audited_as_the_command_line(tmp_path: Path, store_url: str) -> None:
    env = store_env(tmp_path / "data", store_url)
    runner = CliRunner()
    create = ["users", "create", "--email", "a@example.org", "--role", "administrator", "--password-stdin"]
    assert runner.invoke(main, create, env=env, input=PASSWORD).exit_code == 0
    reset = ["users", "reset-password", "a@example.org", "--password-stdin"]
    assert runner.invoke(main, reset, env=env, input=PASSWORD + "!").exit_code == 0
    assert runner.invoke(main, ["users", "unlock", "a@example.org"], env=env).exit_code == 0
    engine = make_engine(Settings.from_env(env).database_url)
    with make_session_factory(engine)() as session:
        events = [(e.action, e.user_id, e.target, e.detail) for e in session.scalars(select(AuditEvent))]
    engine.dispose()
    user_id = 1
    assert events == [
        ("user_created", None, f"user:{user_id}",
         {"email": "a@example.org", "role": "administrator", "authority_id": None}),
        ("password_reset", None, f"user:{user_id}", {}),
        ("user_unlocked", None, f"user:{user_id}", {}),
    ]  # fmt: skip
