"""The request writer and the register of requests for mutual legal assistance: pages and API.

Thin views over services.mla, for authority users only; a request another authority owns is a 404 here as
it is in the service. The wizard works without scripts: each step is a form that saves the draft and
shows, field by field, what is still missing and what to add.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from werkzeug.datastructures import MultiDict

from sherloc.app import db, portal
from sherloc.mla import completeness as c
from sherloc.mla.completeness import Finding
from sherloc.mla.document import Document
from sherloc.mla.rules import FieldRule, Rules
from sherloc.models.mla import DIRECTIONS, STATUSES, MlaRequest
from sherloc.models.records import Record
from sherloc.schemas.mla import MlaRequestsArgsSchema, MlaRequirementsArgsSchema
from sherloc.services import mla as service
from sherloc.services.directory import country_name, language_codes, language_name
from sherloc.services.mla import IncomingData, Incomplete, RequestError, RequestNotFound
from sherloc.vocab.directory_mandates import directory_vocabulary
from sherloc.web.auth import csrf, current_user, require_role
from sherloc.web.directory import country_choices
from sherloc.web.errors import error_response
from sherloc.web.i18n import LANGUAGES, NATIVE_NAMES, page_language, register_prefixed

bp = Blueprint("mla", __name__)
api = Blueprint("mla_api", __name__)

ROLE = service.ROLE
STATUS_LABELS = {
    "draft": _l("Draft"),
    "sent": _l("Sent"),
    "acknowledged": _l("Acknowledged"),
    "executed_in_part": _l("Executed in part"),
    "executed": _l("Executed"),
    "refused": _l("Refused"),
}
INCOMING_STATUS_LABELS = {**STATUS_LABELS, "sent": _l("Received")}
DIRECTION_LABELS = {"outgoing": _l("Outgoing"), "incoming": _l("Incoming")}
MESSAGES = {
    c.MISSING: _l("Required: %(help)s"),
    c.TOO_FEW: _l("Give at least %(count)s."),
    c.RECOMMENDED: _l("Recommended, where possible: %(help)s"),
    c.INVALID: _l("This value is not valid: %(help)s"),
    c.PAST_DATE: _l("This date has passed."),
    c.LANGUAGE: _l(
        "%(authority)s accepts requests in %(accepted)s. Draft the request in one of these languages, or "
        "enclose a translation into one of them and give its language."
    ),
    c.CHANNEL: _l("%(authority)s accepts requests through: %(accepted)s. Choose one of these channels."),
    c.INTERPOL: _l(
        "INTERPOL may carry a request only in urgent circumstances (mark the request urgent under "
        "Confidentiality, urgency and time limits) and where the requested State accepts it."
    ),
    c.DOCUMENT: _l("%(authority)s requires: %(document)s. Enclose it, then tick it here."),
    c.WRONG_STATE: _l("%(authority)s is not an authority of the requested State: choose one of that State."),
    c.NO_ENTRY: _l(
        "This authority is not in the directory: check the languages, channels and documents it requires "
        "with it directly."
    ),
    c.SAME_STATE: _l("The requesting and the requested State are the same."),
    c.NOT_DESIGNATED: _l(
        "%(authority)s is not designated for mutual legal assistance in the directory: choose the "
        "requested State's central authority."
    ),
    c.UNKNOWN_TYPE: _l("Unknown type of assistance: %(value)s."),
}


def rules() -> Rules:
    return portal().mla_rules


def _user() -> Any:
    user = current_user()
    assert user is not None  # require_role let it through
    return user


def _owned(request_id: int) -> MlaRequest:
    try:
        return service.owned(db(), current_user(), request_id)
    except RequestNotFound:
        abort(404)


def _today() -> dt.date:
    return dt.date.today()


# ---- wording findings -----------------------------------------------------------------------------------


def _field_title(path: str, type_id: str | None = None) -> str:
    """The name of the field a finding is on, as the drafter sees it: "Offence 2 · Provision ..."."""
    lang = page_language()
    parts = path.split(".")
    rule = rules().field(parts[0])
    if rule is None:
        return path
    title = rule.label(lang)
    if len(parts) == 3 and rule.type == "group":
        sub = next((f for f in rule.fields if f.id == parts[2]), None)
        title = f"{rule.item_label(lang)} {int(parts[1]) + 1} · {sub.label(lang) if sub else parts[2]}"
    if type_id and (kind := rules().assistance(type_id)) is not None:
        title = f"{kind.label(lang)} · {title}"
    return title


def _rule_at(path: str) -> FieldRule | None:
    parts = path.split(".")
    rule = rules().field(parts[0])
    if rule is not None and len(parts) == 3:
        return next((f for f in rule.fields if f.id == parts[2]), None)
    return rule


def _languages_named(codes: str) -> str:
    lang = page_language()
    return ", ".join(language_name(code.strip(), lang) for code in codes.split(",") if code.strip())


def _channels_named(ids: str) -> str:
    vocabulary = directory_vocabulary()
    lang = page_language()
    names = []
    for channel_id in ids.split(","):
        found = vocabulary.channel(channel_id.strip())
        names.append(found.label(lang) if found else channel_id.strip())
    return ", ".join(names)


def describe(finding: Finding) -> dict[str, Any]:
    """A finding as the pages and the API show it: where, what, and what to add."""
    rule = _rule_at(finding.field)
    params = dict(finding.params)
    params.setdefault("help", rule.help_text(page_language()) if rule else "")
    if finding.kind == c.LANGUAGE:
        params["accepted"] = _languages_named(params.get("accepted", ""))
    elif finding.kind == c.CHANNEL:
        params["accepted"] = _channels_named(params.get("accepted", ""))
    template = MESSAGES.get(finding.kind, MESSAGES[c.INVALID])
    return {
        "step": finding.step,
        "field": finding.field,
        "anchor": "f-" + finding.field.replace(".", "-"),
        "kind": finding.kind,
        "blocking": finding.blocking,
        "title": _field_title(finding.field, finding.params.get("type")),
        "message": str(template) % params,
    }


# ---- the wizard's forms -----------------------------------------------------------------------------------


def _one(form: MultiDict[str, str], name: str) -> str:
    """A single-value field: posted twice, it is refused rather than one value silently kept."""
    values = form.getlist(name)
    if len(values) > 1:
        raise RequestError(_l("%(name)s was sent more than once.", name=name))
    return values[0] if values else ""


def _form_value(form: MultiDict[str, str], rule: FieldRule, prefix: str = "") -> Any:
    name = prefix + rule.id
    if rule.type in ("assistance", "required_documents"):
        return form.getlist(name)
    if rule.type == "checkbox":
        return _one(form, name) == "1"
    if rule.type == "authority" or rule.type == "treaty":
        chosen = _one(form, name)
        return chosen if chosen and chosen != "_other" else _one(form, name + "-other")
    return _one(form, name)


def _group_value(form: MultiDict[str, str], rule: FieldRule) -> list[dict[str, Any]]:
    """A group's items as posted (`offences-0-name` ...), in the order of their numbers."""
    pattern = re.compile(rf"^{re.escape(rule.id)}-(\d{{1,6}})-")
    numbers = sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})
    if any(
        re.match(rf"^{re.escape(rule.id)}-[^0-9]", key) or re.match(rf"^{re.escape(rule.id)}-\d{{7}}", key)
        for key in form
    ):
        raise RequestError(_l("%(name)s: items are numbered 0, 1, 2 ...", name=rule.id))
    items = []
    for n in numbers:
        prefix = f"{rule.id}-{n}-"
        if _one(form, prefix + "_remove") == "1":
            continue
        item = {sub.id: _form_value(form, sub, prefix) for sub in rule.fields}
        if rule.id == "offences":
            item["provision_record"] = _one(form, prefix + "provision_record")
        items.append(item)
    return items  # more than MAX_ITEMS is refused when saved, with the reason


def _step_answers(form: MultiDict[str, str], step: str) -> dict[str, Any]:
    """The answers a step's form posts: its fields, and on `assistance` the chosen types' fields."""
    fields = list(rules().step_fields(step))
    if step == "assistance":
        for type_id in form.getlist("assistance_types"):
            kind = rules().assistance(type_id)
            if kind is not None:
                fields += kind.fields
    answers: dict[str, Any] = {}
    for rule in fields:
        answers[rule.id] = _group_value(form, rule) if rule.type == "group" else _form_value(form, rule)
    return answers


def _link_provisions(answers: dict[str, Any], before: Mapping[str, Any]) -> None:
    """Check each offence's link to a provision of the portal (one of the requesting State's law) and,
    when the link is new, put that provision's text in the offence (replacing the text of an earlier
    link); an empty text is filled from the linked provision too."""
    state = answers.get("requesting_state") or before.get("requesting_state")
    earlier = {
        item.get("provision_record"): item.get("provision_text")
        for item in before.get("offences") or ()
        if isinstance(item, Mapping)
    }
    for item in answers.get("offences") or ():
        record_id = item.get("provision_record")
        if not record_id or record_id == service.NOT_LINKED:
            continue
        record = db().get(Record, record_id)
        if record is None or record.kind != "provision" or record.country != state:
            raise RequestError(_l("Link the offence to a provision of the requesting State's law."))
        text = "\n".join(p for p in (record.heading or "", record.text) if p)[: service.MAX_TEXT]
        if record_id not in earlier or not (item.get("provision_text") or "").strip():
            item["provision_text"] = text


def _suggestions(answers: Mapping[str, Any]) -> dict[int, list[Record]]:
    """Provisions of the portal an offence's citation may name, by offence, for those not yet linked
    (nor declined: NOT_LINKED)."""
    out = {}
    for n, item in enumerate(answers.get("offences") or ()):
        if item.get("provision") and not item.get("provision_record"):
            found = service.provision_suggestions(db(), answers.get("requesting_state"), item["provision"])
            if found:
                out[n] = found
    return out


def _provision_url(record_id: str) -> str | None:
    record = db().get(Record, record_id)
    if record is None:
        return None
    # Readable in the request as printed: the record id's own characters, not their percent-encoding.
    return unquote(url_for("pages.record", record_id=record.id, _external=True))


def _step_context(req: MlaRequest, step_id: str, checked: bool) -> dict[str, Any]:
    answers = req.answers or {}
    session = db()
    found = service.findings(session, rules(), req, _today())
    authority = service.requested_authority(session, answers)
    facts = service.facts_of(authority)
    suggestions = _suggestions(answers) if step_id == "case" else {}
    lang = page_language()
    step_findings = [describe(f) for f in found if f.step == step_id]
    return {
        "req": req,
        "rules": rules(),
        "step": rules().step(step_id),
        "steps": rules().steps,
        "answers": answers,
        "by_step": _missing_by_step(found),
        "findings": step_findings if checked else [],
        "field_findings": {f["field"]: f for f in step_findings} if checked else {},
        "facts": facts,
        "authority": authority,
        "authorities": service.mla_authorities(session, answers.get("requested_state")),
        "treaties": service.treaty_choices(
            session, answers.get("requesting_state"), answers.get("requested_state")
        ),
        "suggestions": suggestions,
        "countries": country_choices(lang),
        "ui_languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGES],
        "all_languages": _all_languages(lang, facts.languages if facts else ()),
        "channels": [(ch.id, ch.label(lang)) for ch in directory_vocabulary().channels],
        "language": lang,
        "accepted_languages": [language_name(code, lang) for code in facts.languages] if facts else [],
        "accepted_channels": _channels_named(",".join(facts.channels)) if facts else "",
    }


def _missing_by_step(found: list[Finding]) -> dict[str, int]:
    """How many required items each step still lacks (for the steps' navigation)."""
    return dict(Counter(f.step for f in found if f.blocking))


def _all_languages(lang: str, first: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every language, those the requested authority accepts first."""
    named = sorted(((code, language_name(code, lang)) for code in language_codes()), key=lambda p: p[1])
    return [p for p in named if p[0] in first] + [p for p in named if p[0] not in first]


# ---- pages ------------------------------------------------------------------------------------------------


@bp.get("/mla")
@require_role(ROLE)
def index() -> ResponseReturnValue:
    direction = request.args.get("direction") or None
    status = request.args.get("status") or None
    if direction is not None and direction not in DIRECTIONS:
        return error_response(400, _l("Unknown direction."))
    if status is not None and status not in STATUSES:
        return error_response(400, _l("Unknown status."))
    user = _user()
    everything = service.register(db(), user)
    shown = service.register(db(), user, direction, status) if (direction or status) else everything
    settings = portal().settings
    return render_template(
        "mla_register.html",
        requests=shown,
        reminders=service.reminders(everything, _today(), settings.mla_acknowledgement_days),
        direction=direction,
        status=status,
        statuses=STATUS_LABELS,
        status_label=_status_label,
        directions=DIRECTION_LABELS,
        country_name=lambda code: country_name(code, page_language()) if code else "",
        type_label=lambda t: k.label(page_language()) if (k := rules().assistance(t)) else t,
        acknowledgement_days=settings.mla_acknowledgement_days,
    )


def _status_label(req: MlaRequest) -> str:
    labels = INCOMING_STATUS_LABELS if req.direction == "incoming" else STATUS_LABELS
    return str(labels.get(req.status, req.status))


@bp.post("/mla/new")
@require_role(ROLE)
def new() -> ResponseReturnValue:
    req = service.create_outgoing(db(), _user(), rules(), _today())
    db().commit()
    return redirect(url_for("mla.step", request_id=req.id, step_id=rules().steps[0].id))


@bp.route("/mla/incoming/new", methods=["GET", "POST"])
@require_role(ROLE)
def new_incoming() -> ResponseReturnValue:
    error = None
    form = request.form
    if request.method == "POST":
        try:
            data = IncomingData(
                counterpart_reference=form.get("counterpart_reference"),
                requesting_state=form.get("requesting_state", ""),
                counterpart_authority=form.get("counterpart_authority"),
                title=form.get("title", ""),
                assistance_types=form.getlist("assistance_types"),
                received_on=_date(form.get("received_on"), "received_on") or _today(),
                due_on=_date(form.get("due_on"), "due_on"),
            )
            req = service.create_incoming(db(), _user(), rules(), data, _today())
            db().commit()
            return redirect(url_for("mla.show", request_id=req.id))
        except RequestError as exc:
            db().rollback()
            error = exc.message
    lang = page_language()
    return render_template(
        "mla_incoming.html",
        error=error,
        values=form,
        countries=country_choices(lang),
        types=[(t.id, t.label(lang)) for t in rules().assistance_types],
        today=_today().isoformat(),
    ), (400 if error else 200)


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RequestError(_("Give the date as YYYY-MM-DD."), field=field) from None


@bp.route("/mla/<int:request_id>/steps/<step_id>", methods=["GET", "POST"])
@require_role(ROLE)
def step(request_id: int, step_id: str) -> ResponseReturnValue:
    req = _owned(request_id)
    if rules().step(step_id) is None:
        abort(404)
    if req.direction != "outgoing":
        abort(404)
    if req.status != "draft" or req.finalised_at is not None:
        return redirect(url_for("mla.show", request_id=req.id))
    error = None
    checked = request.args.get("checked") == "1"
    if request.method == "POST":
        before = dict(req.answers or {})
        try:
            answers = _step_answers(request.form, step_id)
            _link_provisions(answers, before)
            service.save_answers(db(), _user(), rules(), req, answers)
            db().commit()
        except RequestError as exc:
            db().rollback()
            error = exc.message
        else:
            action = request.form.get("action", "save")
            step_ids = [s.id for s in rules().steps]
            blocking = [
                f for f in service.findings(db(), rules(), req, _today()) if f.step == step_id and f.blocking
            ]
            # Stay when the choices change what the step asks (a State's authorities, a type's fields).
            changed = any(
                before.get(key) != (req.answers or {}).get(key)
                for key in ("requested_state", "assistance_types")
            )
            # Stay when the portal holds provisions the offences cite, for the drafter to link them.
            changed = changed or (step_id == "case" and bool(_suggestions(req.answers or {})))
            if action in ("next", "skip") and (action == "skip" or not (blocking or changed)):
                index = step_ids.index(step_id)
                if index + 1 < len(step_ids):
                    return redirect(url_for("mla.step", request_id=req.id, step_id=step_ids[index + 1]))
                return redirect(url_for("mla.show", request_id=req.id))
            return redirect(url_for("mla.step", request_id=req.id, step_id=step_id, checked=1) + "#findings")
    context = _step_context(req, step_id, checked or error is not None)
    return render_template("mla_step.html", error=error, **context), (400 if error else 200)


@bp.get("/mla/<int:request_id>")
@require_role(ROLE)
def show(request_id: int) -> ResponseReturnValue:
    req = _owned(request_id)
    raw = service.findings(db(), rules(), req, _today()) if req.direction == "outgoing" else []
    found = [describe(f) for f in raw]
    lang = page_language()
    return render_template(
        "mla_request.html",
        req=req,
        rules=rules(),
        findings=found,
        blocking=[f for f in found if f["blocking"]],
        by_step=_missing_by_step(raw),
        status_label=_status_label,
        statuses=STATUS_LABELS if req.direction == "outgoing" else INCOMING_STATUS_LABELS,
        next_statuses=service.NEXT_STATUSES.get(req.status, ()),
        country_name=lambda code: country_name(code, lang) if code else "",
        type_label=lambda t: k.label(lang) if (k := rules().assistance(t)) else t,
        today=_today().isoformat(),
        document=(_finalised_document(req) or _document(req)) if req.direction == "outgoing" else None,
        users=_user_names(req),
    )


def _user_names(req: MlaRequest) -> dict[int, str]:
    from sherloc.models.accounts import User

    ids = {e.user_id for e in req.events if e.user_id}
    return {u.id: u.name for u in db().query(User).filter(User.id.in_(ids))} if ids else {}


def _document(req: MlaRequest) -> Any:
    return service.document(db(), rules(), req, _provision_url, _today())


def _act(request_id: int, action: Callable[[MlaRequest], object], refused: int = 409) -> ResponseReturnValue:
    """Do `action` on the user's own request and commit; a refusal (RequestError) is answered `refused`
    with its reason and changes nothing; done, back to the request."""
    req = _owned(request_id)
    try:
        action(req)
        db().commit()
    except Incomplete:
        db().rollback()
        return redirect(url_for("mla.show", request_id=req.id, incomplete=1) + "#findings")
    except RequestError as exc:
        db().rollback()
        return error_response(refused, exc.message)
    if inspect(req).deleted or inspect(req).detached:
        return redirect(url_for("mla.index"))
    return redirect(url_for("mla.show", request_id=req.id))


@bp.post("/mla/<int:request_id>/reference")
@require_role(ROLE)
def set_reference(request_id: int) -> ResponseReturnValue:
    reference = request.form.get("reference", "")
    return _act(request_id, lambda req: service.set_reference(db(), _user(), req, reference), refused=400)


@bp.post("/mla/<int:request_id>/finalise")
@require_role(ROLE)
def finalise(request_id: int) -> ResponseReturnValue:
    return _act(
        request_id, lambda req: service.finalise(db(), _user(), rules(), req, _provision_url, _today())
    )


@bp.post("/mla/<int:request_id>/reopen")
@require_role(ROLE)
def reopen(request_id: int) -> ResponseReturnValue:
    return _act(request_id, lambda req: service.reopen(db(), _user(), req, _today()))


@bp.post("/mla/<int:request_id>/delete")
@require_role(ROLE)
def delete(request_id: int) -> ResponseReturnValue:
    return _act(request_id, lambda req: service.delete_draft(db(), _user(), req))


@bp.post("/mla/<int:request_id>/status")
@require_role(ROLE)
def change_status(request_id: int) -> ResponseReturnValue:
    form = request.form

    def change(req: MlaRequest) -> None:
        on = _date(form.get("on"), "on") or _today()
        status = form.get("status", "")
        service.change_status(db(), _user(), req, status, on, form.get("note"), form.get("ground"), _today())

    return _act(request_id, change, refused=400)


def _finalised_document(req: MlaRequest) -> Document | None:
    """The request as finalised; None while it is not."""
    if req.direction != "outgoing":
        abort(404)
    if req.finalised_at is None or req.document is None:
        return None
    return Document.from_json(req.document)


def _download(body: bytes, mimetype: str, req: MlaRequest, extension: str) -> Response:
    # send_file gives an ASCII file name and the UTF-8 one (filename*): a Chinese reference stays readable.
    name = re.sub(r"[^\w-]+", "-", req.reference).strip("-")[:80] or str(req.id)
    return send_file(
        io.BytesIO(body),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"mla-request-{name}.{extension}",
    )


NOT_FINAL = _l("Finalise the request first: the DOCX and PDF are made only from a complete request.")
DOWNLOADS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@bp.get("/mla/<int:request_id>/request.<any(docx, pdf):kind>")
@require_role(ROLE)
def download(request_id: int, kind: str) -> ResponseReturnValue:
    """The finalised request as a DOCX or a PDF, for editing and signature."""
    req = _owned(request_id)
    document = _finalised_document(req)
    if document is None:
        return error_response(409, NOT_FINAL)
    if kind == "docx":
        from sherloc.mla.render_docx import render_docx as render
    else:
        from sherloc.mla.render_pdf import render_pdf as render
    return _download(render(document), DOWNLOADS[kind], req, kind)


@bp.get("/mla/<int:request_id>/request.html")
@require_role(ROLE)
def printable(request_id: int) -> ResponseReturnValue:
    """The request laid out for printing; a draft is marked as one."""
    req = _owned(request_id)
    if req.direction != "outgoing":
        abort(404)
    complete = c.is_complete(service.findings(db(), rules(), req, _today()))
    document = _finalised_document(req) or _document(req)
    return render_template("mla_print.html", document=document, req=req, complete=complete)


# ---- API --------------------------------------------------------------------------------------------------


def _args(schema: Any) -> dict[str, Any]:
    """The query's arguments loaded by `schema`; a bad one is the app's 400 (web.errors, ValidationError)."""
    loaded: dict[str, Any] = schema.load(request.args)
    return loaded


@api.get("/mla/requirements")
def api_requirements() -> ResponseReturnValue:
    """The requirement rules, in the language asked (`lang`, default English): public."""
    args = _args(MlaRequirementsArgsSchema())
    return jsonify(rules().as_json(args["lang"]))


def _request_json(req: MlaRequest, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": req.id,
        "reference": req.reference,
        "direction": req.direction,
        "status": req.status,
        "title": req.title,
        "requesting_state": req.requesting_state,
        "requested_state": req.requested_state,
        "assistance_types": list(req.assistance_types or ()),
        "language": req.language,
        "counterpart_reference": req.counterpart_reference,
        "counterpart_authority": req.counterpart_authority,
        "refusal_ground": req.refusal_ground,
        "finalised": req.finalised_at is not None,
        "received_on": _iso(req.received_on),
        "sent_on": _iso(req.sent_on),
        "acknowledged_on": _iso(req.acknowledged_on),
        "executed_on": _iso(req.executed_on),
        "due_on": _iso(req.due_on),
        "created_at": req.created_at.isoformat() + "Z",
        "updated_at": req.updated_at.isoformat() + "Z",
    }
    if full:
        out["answers"] = req.answers or {}
        out["findings"] = (
            [describe(f) for f in service.findings(db(), rules(), req, _today())]
            if req.direction == "outgoing"
            else []
        )
        out["events"] = [
            {
                "action": e.action,
                "status": e.status,
                "on": _iso(e.on),
                "note": e.note,
                "at": e.at.isoformat() + "Z",
            }
            for e in req.events
        ]
    return out


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@api.get("/mla/requests")
@require_role(ROLE)
def api_requests() -> ResponseReturnValue:
    args = _args(MlaRequestsArgsSchema())
    user = _user()
    everything = service.register(db(), user)
    shown = (
        service.register(db(), user, args["direction"], args["status"])
        if args["direction"] or args["status"]
        else everything
    )
    overdue = service.reminders(everything, _today(), portal().settings.mla_acknowledgement_days)
    return jsonify(
        requests=[_request_json(r) for r in shown],
        reminders=[{"id": r.request.id, "reason": r.reason, "days": r.days} for r in overdue],
    )


@api.get("/mla/requests/<int:request_id>")
@require_role(ROLE)
def api_request(request_id: int) -> ResponseReturnValue:
    req = _owned(request_id)
    return jsonify(_request_json(req, full=True))


def init_app(app: Flask) -> None:
    register_prefixed(app, bp)
    csrf.exempt(api)
    app.register_blueprint(api, url_prefix="/api/v1")

    @app.errorhandler(RequestNotFound)
    def _not_found(_exc: RequestNotFound) -> ResponseReturnValue:
        return error_response(404, _l("No such request."))
