"""Logging in and out, who is logged in, the roles a view requires, and CSRF protection of every form.

The session cookie (signed by Flask, HttpOnly, SameSite=Lax, Secure unless the settings say otherwise)
carries only a random login token; the login itself is kept in the store (services.accounts), so it
can be ended on the server. Logging in clears the session and starts it afresh with a new token, so a
session planted before login (session fixation) is worth nothing after it.

CSRF: Flask-WTF's CSRFProtect checks a token on every POST/PUT/PATCH/DELETE to the pages (a hidden
`csrf_token` field, from `{{ csrf_token() }}`). The JSON API is exempt from the blanket check because
its writes so far (POST /api/v1/tag) use no cookie and change nothing; a write to the API that comes
with a logged-in session cookie is checked all the same (the X-CSRFToken header), so cookie-authenticated
API writes added later are protected without further work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

from sherloc.app import db, portal
from sherloc.models.accounts import ROLES, User
from sherloc.services import accounts
from sherloc.services.workflow import audit
from sherloc.settings import Settings

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()

LOGIN_KEY = "login"  # the session key holding the login token
# One message for every failure (unknown address, wrong password, locked or inactive account): the
# page never tells whether an address has an account.
LOGIN_FAILED = _l(
    "The email address or password is not right, or the account is locked for a while. "
    "Try again, or ask an administrator."
)

P = ParamSpec("P")
R = TypeVar("R")


def init_app(app: Flask, settings: Settings) -> None:
    """Cookie flags, CSRF protection, the login views and `current_user` in templates."""
    app.config.update(
        SESSION_COOKIE_NAME="sherloc_session",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session: a login form left open still works
    )
    csrf.init_app(app)
    from sherloc.web import api

    csrf.exempt(api.bp)
    app.register_blueprint(bp)

    @app.before_request
    def _protect_cookie_api_writes() -> None:
        if request.blueprint == api.bp.name and LOGIN_KEY in session:
            csrf.protect()

    @app.context_processor
    def _account_helpers() -> dict[str, Any]:
        return {"current_user": current_user}


def current_user() -> User | None:
    """The logged-in user of this request, or None (looked up once per request)."""
    if "current_user" not in g:
        token = session.get(LOGIN_KEY)
        g.current_user = accounts.user_for_token(db(), token) if isinstance(token, str) else None
    user: User | None = g.current_user
    return user


def require_role(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    """Let through users with one of `roles` (any logged-in user when none are named).

    Anonymous: a page redirects to the login page (and back after it), the API answers 401 in JSON. A
    logged-in user without the role gets 403. An administrator has only the rights of the roles named.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | ResponseReturnValue:
            from sherloc.web.errors import error_response, wants_json

            user = current_user()
            if user is None:
                if wants_json():
                    return error_response(401, _l("Log in to use this."))
                return redirect(url_for("auth.login", next=_here()))
            if roles and user.role not in roles:
                return error_response(403, _l("Your account does not give access to this page."))
            return view(*args, **kwargs)

        return guarded

    return decorate


def _here() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("pages.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")[:254]
        password = request.form.get("password", "")[:1024]
        settings = portal().settings
        store = db()
        outcome = accounts.authenticate(
            store,
            email,
            password,
            max_failures=settings.login_max_failures,
            lock_minutes=settings.login_lock_minutes,
        )
        if outcome.user is not None:
            old = session.get(LOGIN_KEY)
            if isinstance(old, str):
                accounts.end_login(store, old)
            token = accounts.start_login(store, outcome.user, settings.session_hours)
            audit(store, outcome.user, "login", f"user:{outcome.user.id}")
            store.commit()
            # A fresh session: nothing from before the login (its CSRF token included) survives.
            session.clear()
            g.pop("csrf_token", None)
            g.pop("current_user", None)
            session[LOGIN_KEY] = token
            log.info("user %s logged in", outcome.user.id)
            return redirect(_safe_next(request.form.get("next")))
        # Who failed is not known, only which account the address names (if any): the event's user is
        # None, its target that account. Never the password, nor an address that matches no account.
        known = accounts.find_user(store, email)
        audit(store, None, "login_failed", f"user:{known.id}" if known else "", outcome=outcome.result)
        store.commit()  # the failure count
        log.info("failed login (%s)", outcome.result)
        error = LOGIN_FAILED
    return render_template("login.html", error=error, email=email, next=request.values.get("next", ""))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    token = session.get(LOGIN_KEY)
    if isinstance(token, str):
        store = db()
        user = current_user()
        if user is not None:
            audit(store, user, "logout", f"user:{user.id}")
        accounts.end_login(store, token)
        store.commit()
    session.clear()
    g.pop("current_user", None)
    return redirect(url_for("pages.home"))
