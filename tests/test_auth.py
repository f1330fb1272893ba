"""Accounts and login: argon2id hashing, one message for every failure, lock-out, session fixation, CSRF,
cookie flags, the roles a view requires, and the `sherloc users` commands."""

from __future__ import annotations

import datetime as dt
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

from sherloc.app import create_app, db
from sherloc.cli import main
from sherloc.db import make_engine, make_session_factory
from sherloc.models import ROLES, User, UserSession
from sherloc.services import accounts
from sherloc.settings import Settings, local_secret_key
from sherloc.web.auth import LOGIN_KEY, require_role
from tests.conftest import PASSWORD, csrf_token, log_in, store_env, store_session

MAX_FAILURES = 3
GENERIC = "The email address or password is not right"


@pytest.fixture
def auth_settings(settings: Settings) -> Settings:
    return replace(settings, login_max_failures=MAX_FAILURES, login_lock_minutes=10)


def _add_users(settings: Settings) -> None:
    with store_session(settings) as session:
        for role in ROLES:
            accounts.create_user(
                session,
                f"{role}@example.org",
                PASSWORD,
                role,
                authority_id="FR-MLA-1" if role == "authority" else None,
                display_name=f"{role.title()} Person",
            )


@pytest.fixture
def app(auth_settings: Settings) -> Iterator[Flask]:
    """A portal on an empty store with one user per role, and throwaway routes that require a role."""
    _add_users(auth_settings)
    app = create_app(auth_settings)
    app.config["TESTING"] = True

    @app.get("/test/reviewers")
    @require_role("reviewer", "administrator")
    def reviewers_page() -> str:
        return "for reviewers"

    @app.get("/api/v1/test/reviewers")
    @require_role("reviewer", "administrator")
    def reviewers_api() -> dict[str, str]:
        return {"for": "reviewers"}

    @app.get("/test/anyone-logged-in")
    @require_role()
    def logged_in_page() -> str:
        return "for anyone logged in"

    yield app
    app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    return app.test_client()


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db().scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def _session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("sherloc_session")
    return cookie.value if cookie else None


# -- hashing ----------------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2id_and_a_salt_each() -> None:
    first, second = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert first != second  # salted
    assert accounts.verify_password(first, PASSWORD)
    assert not accounts.verify_password(first, PASSWORD + "!")
    assert not accounts.verify_password("not a hash", PASSWORD)


def test_a_login_rehashes_a_password_hashed_with_older_parameters(app: Flask, web: FlaskClient) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context():
        user = db().scalar(select(User).where(User.email == "reviewer@example.org"))
        assert user is not None
        user.password_hash = weak
        db().commit()
    assert log_in(web, "reviewer@example.org").status_code == 302
    rehashed = _user(app, "reviewer@example.org").password_hash
    assert rehashed != weak and rehashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_emails_are_one_account_whatever_their_case(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(accounts.AccountError, match="already an account"):
            accounts.create_user(db(), "Reviewer@Example.ORG ", PASSWORD, "reviewer")
        found = accounts.find_user(db(), "REVIEWER@example.org")
        assert found is not None and found.email == "reviewer@example.org"


@pytest.mark.parametrize(
    ("role", "authority", "problem"),
    [
        ("authority", None, "needs the id of their authority"),
        ("reviewer", "FR-MLA-1", "only authority users"),
        ("visitor", None, "role must be one of"),
    ],
)
def test_roles_and_authorities_are_checked(
    app: Flask, role: str, authority: str | None, problem: str
) -> None:
    with app.app_context(), pytest.raises(accounts.AccountError, match=problem):
        accounts.create_user(db(), "new@example.org", PASSWORD, role, authority_id=authority)


def test_short_passwords_are_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(accounts.AccountError, match="at least 12"):
        accounts.create_user(db(), "new@example.org", "short", "contributor")


# -- login and logout -------------------------------------------------------------------------------


def test_a_login_shows_the_name_and_goes_back_where_asked(web: FlaskClient) -> None:
    anonymous = web.get("/about")
    assert 'href="/login"' in anonymous.text and "Log out" not in anonymous.text
    response = log_in(web, "Contributor@Example.org", next="/about?x=1")
    assert response.status_code == 302 and response.headers["Location"] == "/about?x=1"
    assert "Log out (Contributor Person)" in web.get("/about").text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "about"])
def test_a_login_does_not_redirect_off_the_site(web: FlaskClient, target: str) -> None:
    response = log_in(web, "contributor@example.org", next=target)
    assert response.headers["Location"] == "/"


def test_every_failure_gives_the_same_message(app: Flask, web: FlaskClient) -> None:
    with app.app_context():
        user = db().scalar(select(User).where(User.email == "authority@example.org"))
        assert user is not None
        user.is_active = False
        db().commit()
    pages = {
        "unknown address": log_in(web, "nobody@example.org"),
        "wrong password": log_in(web, "reviewer@example.org", "wrong password, long"),
        "inactive account": log_in(web, "authority@example.org"),
    }
    for _ in range(MAX_FAILURES):
        log_in(web, "contributor@example.org", "wrong password, long")
    pages["locked account, right password"] = log_in(web, "contributor@example.org")
    bodies = set()
    for why, page in pages.items():
        assert page.status_code == 200, why
        assert GENERIC in page.text, why
        bodies.add(re.sub(r'value="[^"]*"', "", page.text))  # the form's values aside
    assert len({re.sub(r"<input[^>]*>", "", body) for body in bodies}) == 1
    with web.session_transaction() as session:
        assert LOGIN_KEY not in session


def test_lock_out_after_repeated_failures_then_unlock(app: Flask, web: FlaskClient) -> None:
    email = "contributor@example.org"
    for n in range(1, MAX_FAILURES):
        log_in(web, email, "wrong password, long")
        assert _user(app, email).failed_logins == n and _user(app, email).locked_until is None
    log_in(web, email, "wrong password, long")
    locked = _user(app, email)
    assert locked.locked_until is not None and locked.locked_until > accounts.now_utc()
    assert GENERIC in log_in(web, email).text  # the right password does not get through a lock
    with app.app_context():
        accounts.unlock(db(), email)
        db().commit()
    assert log_in(web, email).status_code == 302
    assert _user(app, email).failed_logins == 0 and _user(app, email).last_login_at is not None


def test_a_lock_ends_by_itself(app: Flask, web: FlaskClient) -> None:
    email = "contributor@example.org"
    for _ in range(MAX_FAILURES):
        log_in(web, email, "wrong password, long")
    with app.app_context():
        user = db().scalar(select(User).where(User.email == email))
        assert user is not None and user.locked_until is not None
        user.locked_until = accounts.now_utc() - dt.timedelta(seconds=1)
        db().commit()
    assert log_in(web, email).status_code == 302


def test_a_success_resets_the_failure_count(app: Flask, web: FlaskClient) -> None:
    email = "contributor@example.org"
    for _ in range(MAX_FAILURES - 1):
        log_in(web, email, "wrong password, long")
    assert log_in(web, email).status_code == 302
    assert _user(app, email).failed_logins == 0


def test_logging_in_starts_a_fresh_session(app: Flask, web: FlaskClient) -> None:
    """Session fixation: what a session held before login (planted or not) is gone after it."""
    web.get("/login")
    before = _session_cookie(web)
    assert before is not None
    with web.session_transaction() as session:
        session["planted"] = "by someone else"
        csrf_before = session["csrf_token"]
    planted = _session_cookie(web)
    log_in(web, "reviewer@example.org")
    after = _session_cookie(web)
    assert after not in (None, before, planted)
    with web.session_transaction() as session:
        assert "planted" not in session and session.get("csrf_token") != csrf_before
        first_token = session[LOGIN_KEY]
    # The planted cookie, sent again, is anonymous.
    web.set_cookie("sherloc_session", planted or "")
    assert web.get("/test/reviewers").status_code == 302
    # Logging in again issues a new login token and ends the old one on the server.
    web.set_cookie("sherloc_session", after or "")
    log_in(web, "reviewer@example.org")
    with web.session_transaction() as session:
        assert session[LOGIN_KEY] != first_token
    with app.app_context():
        assert accounts.user_for_token(db(), first_token) is None


def test_logout_needs_a_post_with_the_csrf_token_and_ends_the_login(app: Flask, web: FlaskClient) -> None:
    log_in(web, "reviewer@example.org")
    logged_in = _session_cookie(web)
    assert web.get("/logout").status_code == 405
    assert web.post("/logout").status_code == 400
    assert web.get("/test/reviewers").status_code == 200  # still logged in
    token = csrf_token(web, "/about")
    response = web.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert web.get("/test/reviewers").status_code == 302
    # The cookie from before the logout no longer logs anyone in: the login ended on the server.
    web.set_cookie("sherloc_session", logged_in or "")
    assert web.get("/test/reviewers").status_code == 302
    with app.app_context():
        assert db().scalar(select(UserSession)) is None


def test_an_expired_login_is_anonymous(app: Flask, web: FlaskClient) -> None:
    log_in(web, "reviewer@example.org")
    with app.app_context():
        for login in db().scalars(select(UserSession)):
            login.expires_at = accounts.now_utc() - dt.timedelta(seconds=1)
        db().commit()
    assert web.get("/test/reviewers").status_code == 302


# -- CSRF -------------------------------------------------------------------------------------------


def test_a_login_post_without_a_valid_csrf_token_is_refused(web: FlaskClient) -> None:
    credentials = {"email": "reviewer@example.org", "password": PASSWORD}
    missing = web.post("/login", data=credentials)
    assert missing.status_code == 400 and "not sent from this site" in missing.text
    assert web.post("/login", data={**credentials, "csrf_token": "forged"}).status_code == 400
    other = csrf_token(web.application.test_client())  # a valid token, of another session
    assert web.post("/login", data={**credentials, "csrf_token": other}).status_code == 400
    assert web.post("/login", data={**credentials, "csrf_token": csrf_token(web)}).status_code == 302


def test_api_writes_need_the_token_only_with_a_login_cookie(web: FlaskClient) -> None:
    body = {"id": "x", "text": "money laundering"}
    assert web.post("/api/v1/tag", json=body).status_code == 200  # no cookie, no ambient authority
    log_in(web, "reviewer@example.org")
    refused = web.post("/api/v1/tag", json=body)
    assert refused.status_code == 400 and refused.json and refused.json["error"]["status"] == 400
    token = csrf_token(web, "/about")
    assert web.post("/api/v1/tag", json=body, headers={"X-CSRFToken": token}).status_code == 200


# -- cookies ----------------------------------------------------------------------------------------


def test_the_session_cookie_is_secure_httponly_and_samesite_lax(web: FlaskClient) -> None:
    header = log_in(web, "reviewer@example.org").headers["Set-Cookie"]
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_the_secure_flag_can_be_turned_off_for_plain_http(auth_settings: Settings) -> None:
    app = create_app(replace(auth_settings, session_cookie_secure=False))
    header = app.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" not in header and "HttpOnly" in header and "SameSite=Lax" in header
    app.extensions["sherloc"].engine.dispose()


def test_anonymous_pages_set_no_cookie(web: FlaskClient) -> None:
    assert "Set-Cookie" not in web.get("/about").headers


# -- roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "page", "api"),
    [
        (None, 302, 401),
        ("contributor", 403, 403),
        ("authority", 403, 403),
        ("reviewer", 200, 200),
        ("administrator", 200, 200),
    ],
)
def test_require_role(web: FlaskClient, who: str | None, page: int, api: int) -> None:
    if who:
        log_in(web, f"{who}@example.org")
    response = web.get("/test/reviewers?tab=2")
    assert response.status_code == page
    if page == 302:
        assert response.headers["Location"] == "/login?next=/test/reviewers?tab%3D2"
    answer = web.get("/api/v1/test/reviewers")
    assert answer.status_code == api
    if api != 200:
        assert answer.json and answer.json["error"]["status"] == api
    assert web.get("/test/anyone-logged-in").status_code == (302 if who is None else 200)


def test_a_deactivated_user_is_logged_out(app: Flask, web: FlaskClient) -> None:
    log_in(web, "reviewer@example.org")
    with app.app_context():
        user = db().scalar(select(User).where(User.email == "reviewer@example.org"))
        assert user is not None
        user.is_active = False
        db().commit()
    assert web.get("/test/reviewers").status_code == 302


def test_require_role_names_known_roles_only() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        require_role("editor")


# -- secret key -------------------------------------------------------------------------------------


def test_the_app_refuses_to_start_without_a_secret_key(settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="SHERLOC_SECRET_KEY"):
        create_app(replace(settings, secret_key=""))


def test_a_local_secret_key_is_made_once_and_kept(tmp_path: Path) -> None:
    key = local_secret_key(tmp_path / "data")
    assert len(key) == 64 and local_secret_key(tmp_path / "data") == key
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]


def test_serve_refuses_without_a_secret_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve"], env={"SHERLOC_DATA_DIR": str(tmp_path), "SHERLOC_SECRET_KEY": ""}
    )
    assert result.exit_code == 1 and "SHERLOC_SECRET_KEY is not set" in result.output


def test_settings_read_the_account_keys_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "SHERLOC_SESSION_COOKIE_SECURE": "false",
            "SHERLOC_LOGIN_MAX_FAILURES": "7",
            "SHERLOC_LOGIN_LOCK_MINUTES": "30",
            "SHERLOC_SESSION_HOURS": "2",
        }
    )
    assert (settings.session_cookie_secure, settings.login_max_failures) == (False, 7)
    assert (settings.login_lock_minutes, settings.session_hours) == (30, 2)
    assert Settings.from_env({}).session_cookie_secure is True
    with pytest.raises(ValueError, match="true or false"):
        Settings.from_env({"SHERLOC_SESSION_COOKIE_SECURE": "maybe"})
    with pytest.raises(ValueError, match="at least 1"):
        Settings.from_env({"SHERLOC_LOGIN_MAX_FAILURES": "0"})


# -- sherloc users ----------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, store_url: str) -> dict[str, str]:
    return store_env(tmp_path / "data", store_url)


def _users(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["users", *args], env=env, input=stdin)
    return result.exit_code, result.output


def _cli_store_user(env: dict[str, str], email: str) -> User:
    engine = make_engine(Settings.from_env(env).database_url)
    try:
        with make_session_factory(engine)() as session:
            user = accounts.find_user(session, email)
            assert user is not None
            return user
    finally:
        engine.dispose()


def test_users_create_list_reset_and_unlock(cli_env: dict[str, str]) -> None:
    admin = ["create", "--email", "Admin@Example.org", "--role", "administrator", "--name", "Ada"]
    code, out = _users(cli_env, *admin, "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "created administrator admin@example.org" in out
    authority = ["create", "--email", "mla@example.fr", "--role", "authority", "--authority", "FR-MLA-1"]
    code, out = _users(cli_env, *authority, stdin=f"{PASSWORD}\n{PASSWORD}\n")  # prompt, confirmation
    assert code == 0, out
    assert "Password" in out and PASSWORD not in out
    code, out = _users(cli_env, "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["email", "role", "authority", "state", "last", "login"]
    assert lines[1].split() == ["admin@example.org", "administrator", "-", "active", "-"]
    assert lines[2].split() == ["mla@example.fr", "authority", "FR-MLA-1", "active", "-"]

    engine = make_engine(Settings.from_env(cli_env).database_url)
    with make_session_factory(engine)() as session, session.begin():
        user = accounts.find_user(session, "admin@example.org")
        assert user is not None
        user.locked_until = accounts.now_utc() + dt.timedelta(minutes=5)
        token = accounts.start_login(session, user, 1)
    assert "locked" in _users(cli_env, "list")[1].splitlines()[1]
    code, out = _users(cli_env, "unlock", "ADMIN@example.org")
    assert code == 0 and "unlocked admin@example.org" in out
    assert _cli_store_user(cli_env, "admin@example.org").locked_until is None

    new_password = "another long passphrase"
    code, out = _users(cli_env, "reset-password", "admin@example.org", "--password-stdin", stdin=new_password)
    assert code == 0 and "new password set for admin@example.org" in out
    reset = _cli_store_user(cli_env, "admin@example.org")
    assert accounts.verify_password(reset.password_hash, new_password)
    assert not accounts.verify_password(reset.password_hash, PASSWORD)
    with make_session_factory(engine)() as session:
        assert accounts.user_for_token(session, token) is None  # a reset ends the account's logins
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["create", "--email", "x@example.org", "--role", "authority", "--password-stdin"], PASSWORD, 1,
         "needs the id of their authority"),
        (["create", "--email", "x@example.org", "--role", "visitor", "--password-stdin"], PASSWORD, 2,
         "Invalid value for '--role'"),
        (["create", "--email", "x@example.org", "--role", "reviewer", "--password-stdin"], "short", 1,
         "at least 12 characters"),
        (["create", "--email", "x@example.org", "--role", "reviewer", "--password-stdin"], "", 1,
         "no password"),
        (["reset-password", "nobody@example.org", "--password-stdin"], PASSWORD, 1, "no account for"),
        (["unlock", "nobody@example.org"], None, 1, "no account for nobody@example.org"),
    ],
)  # fmt: skip
def test_users_commands_report_problems(
    cli_env: dict[str, str], args: list[str], stdin: str | None, code: int, message: str
) -> None:
    got, out = _users(cli_env, *args, stdin=stdin)
    assert got == code and message in out


def test_users_create_refuses_a_second_account_for_an_address(cli_env: dict[str, str]) -> None:
    args = ["create", "--email", "r@example.org", "--role", "reviewer", "--password-stdin"]
    assert _users(cli_env, *args, stdin=PASSWORD)[0] == 0
    args[2] = "R@EXAMPLE.ORG"
    code, out = _users(cli_env, *args, stdin=PASSWORD)
    assert code == 1 and "already an account for r@example.org" in out


def test_the_cli_offers_the_models_roles() -> None:
    create = main.commands["users"].commands["create"]  # type: ignore[attr-defined]
    role = next(p for p in create.params if p.name == "role")
    assert tuple(role.type.choices) == ROLES
