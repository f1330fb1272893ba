"""The Directory of Competent National Authorities: pages and API. Thin views over services.directory;
who may read and edit is checked here on every route (and again by the workflow on every change).

Anyone sees which countries have an authority for which mandates; names and contacts only reach
authority users and reviewers. A change to an entry is a proposal that waits for a reviewer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.routing import BuildError

from sherloc.app import db
from sherloc.models.workflow import Revision
from sherloc.schemas.directory import DirectoryArgsSchema, DirectoryListSchema
from sherloc.services import directory as service
from sherloc.services import workflow
from sherloc.services.workflow import NotAllowed, WorkflowError
from sherloc.vocab.directory_mandates import directory_vocabulary
from sherloc.web.auth import current_user, require_role
from sherloc.web.errors import error_response
from sherloc.web.i18n import page_language

bp = Blueprint("directory", __name__)
api = Blueprint("directory_api", __name__)

READERS = service.READERS
EMPTY_CONTACT_ROWS = 3  # blank rows the form adds after the entry's contact persons
FLAG_CHOICES = (("", _l("Not stated")), ("yes", _l("Yes")), ("no", _l("No")))
FIELD_LABELS = {
    "country": _l("Country"),
    "name": _l("Name of the authority"),
    "mandates": _l("Mandates"),
    "address": _l("Address"),
    "phone": _l("Telephone"),
    "fax": _l("Fax"),
    "email": _l("Email"),
    "website": _l("Website"),
    "contact_persons": _l("Contact persons"),
    "office_hours": _l("Office hours"),
    "time_zone": _l("Time zone"),
    "working_languages": _l("Working languages"),
    "required_documents": _l("Documents and information required to execute a request"),
    "channels": _l("Accepted channels and forms of communication"),
    "interpol_accepted": _l("Requests through INTERPOL accepted"),
    "urgent_procedures": _l("Urgent procedures"),
    "untoc_extradition_basis": _l("Takes UNTOC as the legal basis for extradition (art. 16(5))"),
    "remarks": _l("Remarks (legal requirements, bilateral and regional treaties)"),
    "links": _l("Links"),
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(api, url_prefix="/api/v1")

    @app.context_processor
    def _directory_helpers() -> dict[str, Any]:
        # The country profile's "Competent national authorities": the public summary, nothing else.
        return {
            "directory_summary": lambda code: service.country_mandates(db(), code),
            "directory_mandate_label": _mandate_text,
        }


def _mandate_text(mandate_id: str) -> str:
    """ "Mutual legal assistance (Organized Crime Convention, art. 18(13))" in the page's language."""
    language = page_language()
    vocabulary = directory_vocabulary()
    found = vocabulary.mandate(mandate_id)
    if found is None:
        return mandate_id
    instrument = vocabulary.instrument_name(found.instrument, language)
    where = (
        _l("%(instrument)s, art. %(article)s", instrument=instrument, article=found.article)
        if found.article
        else instrument
    )
    return f"{found.label(language)} ({where})"


# ---- helpers --------------------------------------------------------------------------------------


def _filters(*, strict: bool = False) -> tuple[str | None, str | None]:
    """The listing's filters, checked: a bad one is a 400 with its reason (never a 500). A page's form
    sends empty values for "all" and may carry other arguments; the API takes its two arguments only."""
    if strict:
        raw = request.args.to_dict()
    else:
        raw = {k: v for k, v in request.args.items() if k in ("country", "mandate") and v}
    try:
        args = DirectoryArgsSchema().load(raw)
        return service.check_filters(args["country"], args["mandate"])
    except service.InvalidFilter as exc:
        raise ValidationError({exc.field: [exc.message]}) from None


def _labels() -> dict[str, Any]:
    """What templates need to show mandates, channels, countries and languages in the page's language."""
    language = page_language()
    vocabulary = directory_vocabulary()

    def mandate_label(mandate_id: str) -> str:
        found = vocabulary.mandate(mandate_id)
        return found.label(language) if found else mandate_id

    def channel_label(channel_id: str) -> str:
        found = vocabulary.channel(channel_id)
        return found.label(language) if found else channel_id

    return {
        "vocabulary": vocabulary,
        "language": language,
        "mandate_label": mandate_label,
        "channel_label": channel_label,
        "instrument_name": lambda i: vocabulary.instrument_name(i, language),
        "country_name": lambda code: service.country_name(code, language),
        "language_name": lambda code: service.language_name(code, language),
        "field_label": lambda name: FIELD_LABELS.get(name, name),
    }


def country_choices(language: str) -> list[tuple[str, str]]:
    from sherloc.models.cases import countries

    return sorted(((c.code, c.name(language)) for c in countries()), key=lambda pair: pair[1].casefold())


def _revision_url(revision: Revision) -> str:
    try:
        return url_for("editorial.revision", revision_id=revision.id)
    except BuildError:  # the review pages are not installed: back to the entry
        return (
            url_for("directory.entry", authority_id=revision.entity_id)
            if not revision.is_new
            else url_for("directory.index")
        )


# ---- pages ----------------------------------------------------------------------------------------


@bp.get("/directory")
def index() -> ResponseReturnValue:
    country, mandate = _filters()
    user = current_user()
    full = service.may_read_directory(user)
    summary = service.public_summary(db(), country, mandate)
    entries = service.listing(db(), country, mandate, page_language()) if full else None
    return render_template(
        "directory.html",
        full=full,
        summary=summary,
        entries=entries,
        country=country,
        mandate=mandate,
        may_create=user is not None and workflow.is_reviewer(user),
        countries_listed=sorted({s.country for s in service.public_summary(db())}),
        **_labels(),
    )


@bp.get("/directory/export")
@require_role(*READERS)
def export() -> ResponseReturnValue:
    fmt = request.args.get("format", "html")
    if fmt not in ("html", "json"):
        return error_response(400, _l("format: html or json"))
    user = current_user()
    data = service.export_data(db(), page_language())
    workflow.audit(db(), user, "directory_exported", "authority:*", format=fmt, entries=data.total)
    db().commit()
    if fmt == "json":
        response = jsonify(data.as_json())
        response.headers["Content-Disposition"] = (
            f'attachment; filename="directory-{data.as_of.isoformat()}.json"'
        )
        return response
    return render_export(data)


def render_export(data: service.Export) -> str:
    """The printable export (also written by `sherloc directory export`)."""
    return render_template(
        "directory_export.html",
        export=data,
        as_of_text=_long_date(data.as_of),
        latest_text=_long_date(data.latest_change) if data.latest_change else "",
        **_labels(),
    )


def _long_date(value: dt.date) -> str:
    """ "24 November 2026" in English (the United Nations' style), the locale's long date otherwise."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, "d MMMM y" if page_language() == "en" else "long")


@bp.get("/directory/<authority_id>")
@require_role(*READERS)
def entry(authority_id: str) -> ResponseReturnValue:
    found = service.entry(db(), authority_id)
    if found is None:
        abort(404)
    user = current_user()
    return render_template(
        "directory_entry.html",
        entry=found,
        may_edit=service.may_edit_entry(user, authority_id),
        open_revision=workflow.open_revision(db(), service.ENTITY_TYPE, authority_id),
        **_labels(),
    )


@bp.route("/directory/new", methods=["GET", "POST"])
@require_role("reviewer")
def new() -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    if request.method == "GET":
        return _form(None, {"mandates": [], "contact_persons": []})
    data = form_data(request.form)
    try:
        revision = workflow.propose(
            db(), user, service.ENTITY_TYPE, service.KIND, data, None, submit_now=_submitting()
        )
    except NotAllowed:
        db().rollback()
        raise
    except WorkflowError as exc:
        db().rollback()
        return _form(None, data, error=str(exc))
    db().commit()
    return redirect(_revision_url(revision))


@bp.route("/directory/<authority_id>/edit", methods=["GET", "POST"])
@require_role(*READERS)
def edit(authority_id: str) -> ResponseReturnValue:
    user = current_user()
    assert user is not None
    if not service.may_edit_entry(user, authority_id):
        return error_response(403, _l("Your account cannot propose changes to this entry."))
    current = service.entry(db(), authority_id)
    if current is None:
        abort(404)
    open_revision = workflow.open_revision(db(), service.ENTITY_TYPE, authority_id)
    mine = open_revision is not None and (open_revision.author_id == user.id or workflow.is_reviewer(user))
    if request.method == "GET":
        values = dict(open_revision.data) if mine and open_revision is not None else current
        return _form(authority_id, values, open_revision=open_revision)
    data = form_data(request.form)
    if open_revision is not None and not mine:
        return _form(
            authority_id,
            data,
            status=409,
            open_revision=open_revision,
            error=str(
                _l(
                    "A proposal for this entry is already waiting for review; a new one can be made "
                    "once it is published or rejected."
                )
            ),
        )
    try:
        if (
            open_revision is not None
            and open_revision.state == "submitted"
            and not workflow.is_reviewer(user)
        ):
            raise WorkflowError(
                str(_l("Your proposal for this entry waits for review; it cannot change meanwhile."))
            )
        if open_revision is not None:
            revision = workflow.update(db(), user, open_revision, data)
            if _submitting() and revision.state == "draft":
                workflow.submit(db(), user, revision)
        else:
            revision = workflow.propose(
                db(), user, service.ENTITY_TYPE, service.KIND, data, authority_id, submit_now=_submitting()
            )
    except NotAllowed:
        db().rollback()
        raise
    except WorkflowError as exc:
        db().rollback()
        return _form(authority_id, data, error=str(exc), open_revision=open_revision)
    db().commit()
    return redirect(_revision_url(revision))


def _submitting() -> bool:
    return request.form.get("action") == "submit"


def _form(
    authority_id: str | None,
    values: Mapping[str, Any],
    *,
    error: str | None = None,
    status: int | None = None,
    open_revision: Revision | None = None,
) -> ResponseReturnValue:
    language = page_language()
    contacts = [c for c in values.get("contact_persons") or [] if isinstance(c, Mapping)]
    body = render_template(
        "directory_form.html",
        authority_id=authority_id,
        values=values,
        mandate_ids=_mandate_ids(values.get("mandates")),
        contacts=[*contacts, *({} for _ in range(EMPTY_CONTACT_ROWS))],
        error=error,
        open_revision=open_revision,
        countries=country_choices(language),
        flag_choices=FLAG_CHOICES,
        as_lines=_as_lines,
        flag_value=_flag_value,
        **_labels(),
    )
    return body, status or (400 if error else 200)


def _mandate_ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(m.get("mandate")) if isinstance(m, Mapping) else str(m) for m in value]


def _as_lines(value: Any, separator: str = "\n") -> str:
    if isinstance(value, list):
        return separator.join(str(v) for v in value)
    return str(value or "")


def _flag_value(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else value if value in ("yes", "no") else ""


def form_data(form: Any) -> dict[str, Any]:
    """A directory entry from its form: text fields, checkboxes, and the contact persons' rows."""
    data: dict[str, Any] = {name: form.get(name, "") for name in ("country", "name", *service.TEXT_FIELDS)}
    data["mandates"] = [v for v in form.getlist("mandates") if v]
    data["channels"] = [v for v in form.getlist("channels") if v]
    data["working_languages"] = form.get("working_languages", "")
    data["links"] = form.get("links", "")
    for name in service.FLAG_FIELDS:
        data[name] = form.get(name, "")
    contacts = []
    for n in range(service.MAX_CONTACTS + EMPTY_CONTACT_ROWS):
        row = {key: form.get(f"contact-{n}-{key}", "") for key in service.CONTACT_KEYS}
        if any(str(v).strip() for v in row.values()):
            contacts.append(row)
    data["contact_persons"] = contacts
    return data


# ---- API ------------------------------------------------------------------------------------------


@api.get("/directory")
def api_list() -> Response:
    """The public summary for anyone; the entries too for authority users and reviewers."""
    country, mandate = _filters(strict=True)
    full = service.may_read_directory(current_user())
    body = {
        "access": "full" if full else "public",
        "countries": [s.as_json() for s in service.public_summary(db(), country, mandate)],
        "authorities": service.listing(db(), country, mandate) if full else None,
    }
    return jsonify(DirectoryListSchema().dump(body))


@api.get("/directory/<authority_id>")
@require_role(*READERS)
def api_entry(authority_id: str) -> Response:
    found = service.entry(db(), authority_id)
    if found is None:
        abort(404, f"No directory entry with id {authority_id!r}.")
    return jsonify(found)
