"""Account management pages (/admin/users, /admin/audit) and their read-only JSON (/api/v1/admin): thin
views over services.account_admin, which decides who may do what.

A temporary password (given or generated) is shown once, in the answer to the POST that set it, never
kept in the session or a flash message; that answer is not cached.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sherloc.app import db
from sherloc.models.accounts import User
from sherloc.schemas.accounts import AccountListSchema, AuditArgsSchema, AuditTrailSchema
from sherloc.services import account_admin
from sherloc.services.account_admin import AccountRefused, AuditPage, AuditQuery, NewAccount, NotAllowed
from sherloc.services.accounts import now_utc
from sherloc.web.auth import current_user, require_role
from sherloc.web.errors import error_response

bp = Blueprint("accounts", __name__, url_prefix="/admin")
api_bp = Blueprint("accounts_api", __name__, url_prefix="/api/v1/admin")

MANAGERS = ("reviewer", "administrator")
_audit_args = AuditArgsSchema()
_user_list = AccountListSchema()
_audit_page = AuditTrailSchema()

ROLE_LABELS = {
    "contributor": _l("Contributor"),
    "authority": _l("Authority user"),
    "reviewer": _l("Reviewer"),
    "administrator": _l("Administrator"),
}
ACTION_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "user_created": _l("Account created"),
    "role_changed": _l("Role changed"),
    "user_deactivated": _l("Account deactivated"),
    "user_reactivated": _l("Account reactivated"),
    "password_reset": _l("Password reset"),
    "user_unlocked": _l("Account unlocked"),
}
# The reasons services.account_admin gives for refusing a change, in the reader's language.
REFUSALS = {
    "invalid_email": _l("This is not an email address."),
    "email_taken": _l("There is already an account for this email address."),
    "password_too_short": _l("A password needs at least %(min)d characters."),
    "unknown_role": _l("Choose one of the roles offered."),
    "authority_needed": _l("An authority user needs the id of their authority."),
    "authority_not_needed": _l("Only authority users belong to an authority."),
    "no_such_authority": _l("There is no authority with the id %(id)s in the directory."),
    "last_administrator": _l("The portal needs at least one active administrator."),
    "not_allowed": _l("Your role does not allow this change to this account."),
}


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)


def _actor() -> User:
    user = current_user()
    assert user is not None  # require_role let the request through
    return user


def _refusal(exc: AccountRefused) -> str:
    message = REFUSALS.get(exc.kind)
    return str(message) % exc.params if message is not None else str(exc)


def _forbidden(exc: NotAllowed) -> ResponseReturnValue:
    return error_response(403, _refusal(exc))


def _managed(actor: User, user_id: int) -> User:
    try:
        return account_admin.managed_user(db(), actor, user_id)
    except account_admin.UserNotFound:
        abort(404)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "action_label": lambda action: ACTION_LABELS.get(action, action),
        "when": lambda value: format_datetime(value, "short") if value else "",
        "as_json": lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True) if value else "",
        "now": now_utc(),
    }


def _no_store(body: str, status: int = 200) -> Response:
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- accounts ---------------------------------------------------------------------------------------


def _users_page(actor: User, error: str | None = None, form: dict[str, str] | None = None) -> str:
    return render_template(
        "admin_users.html",
        users=account_admin.visible_users(db(), actor),
        roles=account_admin.managed_roles(actor),
        actor=actor,
        error=error,
        form=form or {},
    )


@bp.get("/users")
@require_role(*MANAGERS)
def users() -> ResponseReturnValue:
    return _users_page(_actor())


@bp.post("/users")
@require_role(*MANAGERS)
def create() -> ResponseReturnValue:
    actor = _actor()
    form = {key: request.form.get(key, "")[:254] for key in ("email", "role", "authority_id", "display_name")}
    new = NewAccount(**form, password=request.form.get("password", "")[:1024])
    store = db()
    try:
        user, generated = account_admin.create_account(store, actor, new)
    except NotAllowed as exc:
        store.rollback()
        return _forbidden(exc)
    except AccountRefused as exc:
        store.rollback()
        return _users_page(actor, _refusal(exc), form), 400
    store.commit()
    return _no_store(render_template("admin_password.html", user=user, password=generated, created=True))


@bp.get("/users/<int:user_id>")
@require_role(*MANAGERS)
def account(user_id: int) -> ResponseReturnValue:
    actor = _actor()
    try:
        user = _managed(actor, user_id)
    except NotAllowed as exc:
        return _forbidden(exc)
    return _account_page(actor, user)


def _account_page(actor: User, user: User, error: str | None = None) -> str:
    return render_template(
        "admin_user.html",
        user=user,
        actor=actor,
        roles=account_admin.managed_roles(actor),
        may_reset=account_admin.may_reset_password(actor, user),
        error=error,
    )


def _change(user_id: int, action: str) -> ResponseReturnValue:
    """Role, deactivate, reactivate, unlock: the change, then back to the account page with a message."""
    actor = _actor()
    store = db()
    try:
        user = _managed(actor, user_id)
        if action == "role":
            changed = account_admin.change_role(
                store, actor, user, request.form.get("role", ""), request.form.get("authority_id", "")[:254]
            )
            message = _("The role is changed.") if changed else _("Nothing changed.")
        elif action == "deactivate":
            changed = account_admin.deactivate(store, actor, user)
            message = _("The account is deactivated and logged out.") if changed else _("Nothing changed.")
        elif action == "reactivate":
            changed = account_admin.reactivate(store, actor, user)
            message = _("The account is active again.") if changed else _("Nothing changed.")
        else:
            account_admin.unlock(store, actor, user)
            message = _("The account is unlocked.")
    except NotAllowed as exc:
        store.rollback()
        return _forbidden(exc)
    except AccountRefused as exc:
        store.rollback()
        return _account_page(actor, _managed(actor, user_id), _refusal(exc)), 400
    store.commit()
    flash(message)
    return redirect(url_for("accounts.account", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
@require_role(*MANAGERS)
def change_role(user_id: int) -> ResponseReturnValue:
    return _change(user_id, "role")


@bp.post("/users/<int:user_id>/deactivate")
@require_role(*MANAGERS)
def deactivate(user_id: int) -> ResponseReturnValue:
    return _change(user_id, "deactivate")


@bp.post("/users/<int:user_id>/reactivate")
@require_role(*MANAGERS)
def reactivate(user_id: int) -> ResponseReturnValue:
    return _change(user_id, "reactivate")


@bp.post("/users/<int:user_id>/unlock")
@require_role(*MANAGERS)
def unlock(user_id: int) -> ResponseReturnValue:
    return _change(user_id, "unlock")


@bp.post("/users/<int:user_id>/reset-password")
@require_role("administrator")
def reset_password(user_id: int) -> ResponseReturnValue:
    actor = _actor()
    store = db()
    try:
        user = _managed(actor, user_id)
        generated = account_admin.reset_password(store, actor, user, request.form.get("password", "")[:1024])
    except NotAllowed as exc:
        store.rollback()
        return _forbidden(exc)
    except AccountRefused as exc:
        store.rollback()
        return _account_page(actor, _managed(actor, user_id), _refusal(exc)), 400
    store.commit()
    return _no_store(render_template("admin_password.html", user=user, password=generated, created=False))


# -- audit trail ------------------------------------------------------------------------------------


def _audit_query() -> AuditQuery:
    # Empty fields of the filter form mean "any".
    args = _audit_args.load({key: value for key, value in request.args.items() if value != ""})
    return AuditQuery(**args)


@bp.get("/audit")
@require_role("administrator")
def audit() -> ResponseReturnValue:
    query = _audit_query()
    page = account_admin.audit_trail(db(), query)
    # The filters stay in the links to older and to the newest events.
    keep: dict[str, Any] = {k: v for k, v in request.args.items() if v and k != "before"}
    older = None
    if page.next_before is not None:
        older = url_for("accounts.audit", **{**keep, "before": page.next_before})
    return render_template(
        "admin_audit.html",
        page=page,
        query=query,
        actions=account_admin.audit_actions(db()),
        older=older,
        newest=url_for("accounts.audit", **keep),
    )


# -- JSON -------------------------------------------------------------------------------------------


def user_payload(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "authority_id": user.authority_id,
        "is_active": user.is_active,
        "locked_until": user.locked_until if user.is_locked(now_utc()) else None,
        "last_login_at": user.last_login_at,
        "created_at": user.created_at,
    }


def audit_payload(page: AuditPage) -> dict[str, Any]:
    events = [
        {
            "id": row.event.id,
            "at": row.event.at,
            "user_id": row.event.user_id,
            "user_email": row.email,
            "action": row.event.action,
            "target": row.event.target,
            "detail": row.event.detail or {},
        }
        for row in page.rows
    ]
    return {"events": events, "next_before": page.next_before}


@api_bp.get("/users")
@require_role(*MANAGERS)
def api_users() -> Response:
    users_ = account_admin.visible_users(db(), _actor())
    return jsonify(_user_list.dump({"users": [user_payload(u) for u in users_]}))


@api_bp.get("/audit")
@require_role("administrator")
def api_audit() -> Response:
    page = account_admin.audit_trail(db(), _audit_query())
    return jsonify(_audit_page.dump(audit_payload(page)))
