"""Editorial pages and API: propose a record or a change to one, review the queue, publish or reject with
a reason, read a record's versions with what changed, and restore one. Thin views over services.workflow;
who may do what is decided there and enforced here again for every route.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from sherloc.app import db, portal
from sherloc.models.records import KINDS
from sherloc.models.workflow import STATES, Revision
from sherloc.schemas.workflow import RevisionSchema, VersionListSchema, version_json
from sherloc.services import workflow
from sherloc.services.record_editing import FIELDS
from sherloc.services.workflow import Conflict, NotAllowed, WorkflowError
from sherloc.web.auth import LOGIN_KEY, csrf, current_user, require_role
from sherloc.web.errors import error_response

log = logging.getLogger(__name__)

bp = Blueprint("editorial", __name__)
api = Blueprint("editorial_api", __name__)

EDITORS = ("contributor", "reviewer")
STAFF = ("contributor", "authority", "reviewer")  # who has proposals of their own
HISTORY_READERS = ("contributor", "authority", "reviewer", "administrator")
ENTITY_TYPES = ("record", "authority")
MAX_ID = 2**31 - 1  # ids and version numbers: beyond, the store cannot even compare them
JSON_FIELDS = ("attributes", "case")
STATE_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted for review"),
    "published": _l("Published"),
    "rejected": _l("Rejected"),
}
ORIGIN_LABELS = {
    "source": _l("As imported"),
    "publication": _l("Publication"),
    "restore": _l("Restore"),
    "correction": _l("Correction"),
}


@api.before_request
def _protect_cookie_writes() -> None:
    if LOGIN_KEY in session:
        csrf.protect()


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
    # Like the rest of the API: the token is checked whenever a login cookie comes with the request
    # (every write here needs one), so an anonymous call gets 401 rather than a CSRF error.
    csrf.exempt(api)
    app.register_blueprint(api, url_prefix="/api/v1")

    @app.errorhandler(WorkflowError)
    def _workflow_error(exc: WorkflowError) -> ResponseReturnValue:
        status = 403 if isinstance(exc, NotAllowed) else 409 if isinstance(exc, Conflict) else 400
        db().rollback()
        return error_response(status, str(exc))

    @app.after_request
    def _private_when_logged_in(response: Response) -> Response:
        # A page built for a logged-in user (their name, editing links, restricted data) is theirs only.
        if g.get("current_user") is not None:
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def _editorial_helpers() -> dict[str, Any]:
        return {
            "state_label": lambda s: STATE_LABELS.get(s, s),
            "origin_label": lambda s: ORIGIN_LABELS.get(s, s),
        }


# ---- forms ----------------------------------------------------------------------------------------


def form_data(form: MultiDict[str, str], kind: str) -> dict[str, Any]:
    """A record proposal from a submitted form: text fields as they are, tags from their checkboxes and
    the comma-separated articles, the JSON fields parsed (a parse error names its field)."""
    data: dict[str, Any] = {}
    for name in FIELDS:
        if name in ("kind", "tags", *JSON_FIELDS):
            continue
        if name in form:
            data[name] = form.get(name, "")
    tags: dict[str, list[str]] = {}
    for scheme in ("crime_type", "cross_cutting"):
        values = [v for v in form.getlist(f"tags.{scheme}") if v]
        if values:
            tags[scheme] = values
    articles = [a.strip() for a in str(form.get("tags.instrument_article", "")).split(",") if a.strip()]
    if articles:
        tags["instrument_article"] = articles
    data["tags"] = tags
    for name in JSON_FIELDS:
        raw = str(form.get(name, "") or "").strip()
        if not raw:
            continue
        try:
            data[name] = json.loads(raw)
        except ValueError as exc:
            raise WorkflowError(f"{name}: not valid JSON ({exc.args[0] if exc.args else exc})") from None
    if kind != "decision":
        data.pop("case", None)
    return data


def _form_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for name in JSON_FIELDS:
        value = data.get(name)
        values[name] = (
            ""
            if not value
            else value
            if isinstance(value, str)
            else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
        )
    tags = data.get("tags") or {}
    values["tags"] = tags if isinstance(tags, Mapping) else {}
    return values


def _render_form(
    kind: str,
    data: Mapping[str, Any],
    *,
    entity_id: str | None,
    revision: Revision | None,
    error: str | None,
    status: int = 200,
) -> ResponseReturnValue:
    vocabulary = portal().vocabulary
    return (
        render_template(
            "editorial_form.html",
            kind=kind,
            values=_form_values(data),
            entity_id=entity_id,
            revision=revision,
            error=error,
            crime_types=vocabulary.crime_types,
            cross_cutting=vocabulary.cross_cutting,
        ),
        status,
    )


def _save(
    kind: str, data_source: MultiDict[str, str], entity_id: str | None, revision: Revision | None
) -> ResponseReturnValue:
    """Save the form as a draft (or submit it): a new proposal, or the user's open one."""
    user = current_user()
    assert user is not None
    session = db()
    submit_now = request.form.get("action") == "submit"
    try:
        data = form_data(data_source, kind)
        if revision is None and entity_id is not None:
            open_one = workflow.open_revision(session, "record", entity_id)
            if open_one is not None and open_one.author_id == user.id and open_one.state == "draft":
                revision = open_one
        if revision is None:
            revision = workflow.propose(session, user, "record", kind, data, entity_id, submit_now=submit_now)
        else:
            workflow.update(session, user, revision, data)
            if submit_now and revision.state in ("draft", "rejected"):
                workflow.submit(session, user, revision)
        session.commit()
    except NotAllowed:
        raise
    except WorkflowError as exc:
        session.rollback()
        return _render_form(
            kind, data_source, entity_id=entity_id, revision=revision, error=str(exc), status=400
        )
    return redirect(url_for("editorial.revision", revision_id=revision.id))


@bp.route("/edit/new/<kind>", methods=["GET", "POST"])
@require_role(*EDITORS)
def new_record(kind: str) -> ResponseReturnValue:
    if kind not in KINDS:
        abort(404)
    if request.method == "POST":
        return _save(kind, request.form, None, None)
    return _render_form(kind, {"kind": kind}, entity_id=None, revision=None, error=None)


@bp.route("/edit/records/<path:record_id>", methods=["GET", "POST"])
@require_role(*EDITORS)
def edit_record(record_id: str) -> ResponseReturnValue:
    handler = workflow.handler_for("record")
    session = db()
    current = handler.current(session, record_id)
    if current is None:
        abort(404)
    kind = str(current["kind"])
    if request.method == "POST":
        return _save(kind, request.form, record_id, None)
    user = current_user()
    assert user is not None
    open_one = workflow.open_revision(session, "record", record_id)
    if open_one is not None and open_one.author_id == user.id and open_one.state == "draft":
        return redirect(url_for("editorial.edit_revision", revision_id=open_one.id))
    return _render_form(kind, current, entity_id=record_id, revision=None, error=None)


@bp.route("/revisions/<int:revision_id>/edit", methods=["GET", "POST"])
@require_role(*STAFF)
def edit_revision(revision_id: int) -> ResponseReturnValue:
    revision = _revision_for(revision_id)
    if revision.entity_type != "record":
        return redirect(url_for("directory.edit", authority_id=revision.entity_id))
    user = current_user()
    assert user is not None
    if revision.author_id != user.id and not workflow.is_reviewer(user):
        raise NotAllowed("Only its author or a reviewer can edit a proposal.")
    entity_id = None if revision.is_new else revision.entity_id
    if request.method == "POST":
        return _save(revision.kind, request.form, entity_id, revision)
    return _render_form(revision.kind, revision.data, entity_id=entity_id, revision=revision, error=None)


# ---- queue and review -----------------------------------------------------------------------------


def _revision_for(revision_id: int) -> Revision:
    """The proposal, when the user may see it; 404 otherwise (its existence is not disclosed)."""
    revision = db().get(Revision, revision_id)
    if revision is None or not workflow.may_see(current_user(), revision):
        abort(404)
    return revision


def _states() -> list[str]:
    states = [s for s in request.args.getlist("state") if s]
    bad = [s for s in states if s not in STATES]
    if bad:
        raise WorkflowError(f"state: one of {', '.join(STATES)}")
    return states


@bp.get("/revisions")
@require_role(*STAFF)
def revisions() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    states = _states() or (["submitted"] if workflow.is_reviewer(user) else [])
    items = workflow.proposals(db(), user, states=states)
    return render_template("revisions.html", items=items, states=states, all_states=STATES)


@bp.get("/revisions/<int:revision_id>")
@require_role(*STAFF)
def revision(revision_id: int) -> ResponseReturnValue:
    item = _revision_for(revision_id)
    handler = workflow.handler_for(item.entity_type)
    session = db()
    current = handler.current(session, item.entity_id)
    latest = workflow.latest_version(session, item.entity_type, item.entity_id)
    stale = not item.is_new and item.state == "submitted" and latest != item.base_version
    return render_template(
        "revision.html",
        item=item,
        changes=workflow.diff(current, item.data),
        current_exists=current is not None,
        stale=stale,
        latest=latest,
    )


@bp.post("/revisions/<int:revision_id>/<any(submit, publish, reject):action>")
@require_role(*STAFF)
def act(revision_id: int, action: str) -> ResponseReturnValue:
    item = _act(revision_id, action, request.form.get("reason", ""))
    return redirect(url_for("editorial.revision", revision_id=item.id))


# ---- versions -------------------------------------------------------------------------------------


def _readable(entity_type: str, entity_id: str) -> None:
    if entity_type not in ENTITY_TYPES:
        abort(404)
    handler = workflow.handler_for(entity_type)
    if not handler.may_read(current_user(), entity_id):
        raise NotAllowed("Your account does not give access to this history.")


def _number(name: str) -> int | None:
    raw = request.values.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except ValueError:
        raise WorkflowError(f"{name}: a version number") from None
    if not 1 <= value <= MAX_ID:
        raise WorkflowError(f"{name}: a version number")
    return value


@bp.get("/history/<entity_type>/<path:entity_id>")
@require_role(*HISTORY_READERS)
def history(entity_type: str, entity_id: str) -> ResponseReturnValue:
    _readable(entity_type, entity_id)
    session = db()
    items = workflow.versions(session, entity_type, entity_id)
    if not items and workflow.handler_for(entity_type).current(session, entity_id) is None:
        abort(404)
    shown = _number("version")
    against = _number("against")
    selected = changes = None
    if shown is not None:
        try:
            selected = workflow.version(session, entity_type, entity_id, shown)
            base_number = against if against is not None else shown - 1
            base = (
                workflow.version(session, entity_type, entity_id, base_number).data
                if base_number >= 1
                else None
            )
        except LookupError:
            abort(404)
        changes = workflow.diff(base, selected.data)
    return render_template(
        "history.html",
        entity_type=entity_type,
        entity_id=entity_id,
        items=items,
        selected=selected,
        changes=changes,
        against=against,
    )


@bp.post("/history/restore")
@require_role("reviewer")
def restore() -> ResponseReturnValue:
    entity_type = request.form.get("entity_type", "")
    entity_id = request.form.get("entity_id", "")
    number = _number("number")
    if entity_type not in ENTITY_TYPES or not entity_id or number is None:
        raise WorkflowError("entity_type, entity_id and number: the version to restore")
    user = current_user()
    assert user is not None
    session = db()
    try:
        made = workflow.restore(session, user, entity_type, entity_id, number)
    except LookupError:
        abort(404)
    session.commit()
    _index_published(session)
    return redirect(
        url_for("editorial.history", entity_type=entity_type, entity_id=entity_id, version=made.number)
    )


def _act(revision_id: int, action: str, reason: str) -> Revision:
    """Submit, publish or reject a proposal the user may see, and commit; a publication is indexed."""
    item = _revision_for(revision_id)
    user = current_user()
    assert user is not None
    session = db()
    if action == "submit":
        workflow.submit(session, user, item)
    elif action == "reject":
        workflow.reject(session, user, item, reason)
    else:
        workflow.publish(session, user, item)
    session.commit()
    if action == "publish":
        _index_published(session)
    return item


def _index_published(session: Any) -> None:
    """Search shows the publication at once; should the index be down, the publication stands (it is
    committed) and the next publication or ingest indexes it (its version stays marked unindexed)."""
    try:
        workflow.index_pending(session, portal().search)
    except Exception:  # noqa: BLE001 - any backend failure: logged, retried later, never a lost publication
        log.exception("the search index could not be updated after a publication; it will be retried")
        session.rollback()


# ---- JSON API -------------------------------------------------------------------------------------


def revision_json(item: Revision) -> dict[str, Any]:
    dumped: dict[str, Any] = RevisionSchema().dump(item)
    return dumped


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise WorkflowError("body: a JSON object")
    return body


@api.get("/revisions")
@require_role(*STAFF)
def api_revisions() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    items = workflow.proposals(db(), user, states=_states())
    return jsonify(revisions=[revision_json(i) for i in items])


@api.post("/revisions")
@require_role(*STAFF)
def api_propose() -> ResponseReturnValue:
    body = _body()
    user = current_user()
    assert user is not None
    entity_type = body.get("entity_type", "record")
    if entity_type not in ENTITY_TYPES:
        raise WorkflowError(f"entity_type: one of {', '.join(ENTITY_TYPES)}")
    entity_id = body.get("entity_id")
    if entity_id is not None and not isinstance(entity_id, str):
        raise WorkflowError("entity_id: a string")
    kind = body.get("kind")
    handler = workflow.handler_for(entity_type)
    if not handler.may_edit(user, entity_id, None):  # before any lookup: no probing for what exists
        raise NotAllowed("Your account cannot propose changes to this entry.")
    if kind is None and entity_id is not None:
        current = handler.current(db(), entity_id)
        kind = current.get("kind") if current else None
    if kind is None and len(handler.kinds()) == 1:
        kind = handler.kinds()[0]
    if not isinstance(kind, str):
        raise WorkflowError("kind: the kind of record proposed")
    data = body.get("data")
    if not isinstance(data, dict):
        raise WorkflowError("data: an object of fields")
    session = db()
    item = workflow.propose(
        session, user, entity_type, kind, data, entity_id, submit_now=bool(body.get("submit"))
    )
    session.commit()
    return jsonify(revision=revision_json(item)), 201


@api.get("/revisions/<int:revision_id>")
@require_role(*STAFF)
def api_revision(revision_id: int) -> ResponseReturnValue:
    item = _revision_for(revision_id)
    current = workflow.handler_for(item.entity_type).current(db(), item.entity_id)
    changes = [{"field": c.field, "old": c.old, "new": c.new} for c in workflow.diff(current, item.data)]
    return jsonify(revision=revision_json(item), changes=changes)


@api.put("/revisions/<int:revision_id>")
@require_role(*STAFF)
def api_update(revision_id: int) -> ResponseReturnValue:
    item = _revision_for(revision_id)
    user = current_user()
    assert user is not None
    data = _body().get("data")
    if not isinstance(data, dict):
        raise WorkflowError("data: an object of fields")
    session = db()
    workflow.update(session, user, item, data)
    session.commit()
    return jsonify(revision=revision_json(item))


@api.post("/revisions/<int:revision_id>/submit", defaults={"action": "submit"}, endpoint="api_submit")
@api.post("/revisions/<int:revision_id>/publish", defaults={"action": "publish"}, endpoint="api_publish")
@api.post("/revisions/<int:revision_id>/reject", defaults={"action": "reject"}, endpoint="api_reject")
@require_role(*STAFF)
def api_act(revision_id: int, action: str) -> ResponseReturnValue:
    body = request.get_json(silent=True)
    reason = body.get("reason") if isinstance(body, dict) else None
    item = _act(revision_id, action, reason if isinstance(reason, str) else "")
    return jsonify(revision=revision_json(item))


@api.get("/versions/<entity_type>/<path:entity_id>")
@require_role(*HISTORY_READERS)
def api_versions(entity_type: str, entity_id: str) -> ResponseReturnValue:
    _readable(entity_type, entity_id)
    items = workflow.versions(db(), entity_type, entity_id)
    if not items:
        abort(404)
    return jsonify(VersionListSchema().dump({"versions": [version_json(v) for v in items]}))
