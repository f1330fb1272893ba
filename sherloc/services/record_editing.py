"""Editing records through the workflow: what a proposal of a law, provision, decision (with its case),
bibliography entry, treaty or strategy holds, how it is checked, and how a published one is written.

A proposal is the record's editable content as plain data: the shared columns, the tags an editor sets
(kept apart from the tagger's), the kind's own `attributes`, and for a decision its case record in the
CaseSchema form. Publishing writes the record, re-tags it (an editor's tags stand in place of the
tagger's), writes the case with every value marked as the editor's, and returns what to re-index.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sherloc.ingest.normalise import clean_text, content_hash, slug
from sherloc.models.accounts import User
from sherloc.models.cases import Case, country_by_code
from sherloc.models.records import KINDS, Record, Tag
from sherloc.schemas.cases import CaseSchema
from sherloc.services import workflow
from sherloc.services.workflow import WorkflowError

EDITOR_ROLES = ("contributor", "reviewer")
SOURCE = "editorial"  # Record.source of records created in the portal
STATUSES = ("in_force", "repealed")
MAX_TITLE = 2000
MAX_TEXT = 5_000_000
MAX_ATTRIBUTES = 200_000  # characters of JSON
TEXT_FIELDS = ("title", "subdivision", "label", "number", "heading", "text", "source_url")
DATE_FIELDS = ("date_adopted", "date_amended", "date_decided")
# The Record columns a proposal sets as they are (dates are ISO strings in a proposal, dates in the store).
COLUMNS = (
    "title",
    "country",
    "subdivision",
    "language",
    "parent_id",
    "label",
    "number",
    "heading",
    "status",
    "source_url",
    "text",
)
# Every field of a proposal, in the order forms and diffs show them: the columns, dates before the status.
_STATUS = COLUMNS.index("status")
FIELDS = ("kind", *COLUMNS[:_STATUS], *DATE_FIELDS, *COLUMNS[_STATUS:], "tags", "attributes", "case")
_LANGUAGE = re.compile(r"[a-z]{2}\Z")
_SUBDIVISION = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}\Z")
_URL = re.compile(r"https?://[^\s<>\"]+\Z", re.IGNORECASE)
_CASE_SCHEMA = CaseSchema()
_CASE_FIXED = (
    "record_id",
    "country",
    "provenance",
    "extractor_version",
    "unodc_number",
    "created_at",
    "updated_at",
)


class RecordHandler:
    entity_type = "record"

    def kinds(self) -> tuple[str, ...]:
        return KINDS

    # -- reading ---------------------------------------------------------------------------------

    def current(self, session: Session, entity_id: str) -> dict[str, Any] | None:
        record = session.get(Record, entity_id)
        if record is None:
            return None
        data: dict[str, Any] = {
            "kind": record.kind,
            **{name: getattr(record, name) for name in COLUMNS},
            **{name: _iso(getattr(record, name)) for name in DATE_FIELDS},
            "tags": editor_tags(session, record.id),
            "attributes": dict(record.attributes or {}),
        }
        if record.kind == "decision":
            data["case"] = case_data(session, record.id)
        return {name: data[name] for name in FIELDS if name in data}  # in the order forms show them

    def describe(self, data: Mapping[str, Any]) -> tuple[str, str | None]:
        return str(data.get("title") or ""), data.get("country") or None

    def may_edit(self, user: User, entity_id: str | None, data: Mapping[str, Any] | None) -> bool:
        return user.is_active and user.role in EDITOR_ROLES

    def may_read(self, user: User | None, entity_id: str) -> bool:
        return user is not None and user.is_active and user.role in (*EDITOR_ROLES, "administrator")

    def new_id(self, session: Session, kind: str, data: Mapping[str, Any]) -> str:
        country = str(data.get("country") or "xx").lower()
        base = slug(str(data.get("title") or kind))[:60].strip("-") or kind
        for _ in range(20):
            candidate = f"{country}-{kind}-ed-{base}-{secrets.token_hex(3)}"
            if session.get(Record, candidate) is None:
                from sherloc.models.workflow import Revision

                taken = session.scalar(select(Revision.id).where(Revision.entity_id == candidate))
                if taken is None:
                    return candidate
        raise WorkflowError("id: could not find a free identifier; try again")

    # -- checking --------------------------------------------------------------------------------

    def clean(
        self, session: Session, kind: str, data: Mapping[str, Any], entity_id: str | None
    ) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise WorkflowError("data: a proposal is an object of fields")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise WorkflowError(f"{unknown[0]}: not a field of a record")
        for name, value in data.items():
            _no_surrogates(value, name)
        out: dict[str, Any] = {"kind": kind}
        for name in TEXT_FIELDS:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise WorkflowError(f"{name}: must be text")
            value = clean_text(value) if value else ""
            out[name] = value if name == "text" else value.strip() or None
        if not out["title"]:
            raise WorkflowError("title: a record needs a title")
        if len(out["title"]) > MAX_TITLE:
            raise WorkflowError(f"title: at most {MAX_TITLE} characters")
        if len(out["text"]) > MAX_TEXT:
            raise WorkflowError(f"text: at most {MAX_TEXT:,} characters")
        for name in ("subdivision", "label", "number"):
            if out[name] and len(out[name]) > 255:
                raise WorkflowError(f"{name}: at most 255 characters")
        if out["source_url"] and (not _URL.match(out["source_url"]) or len(out["source_url"]) > 2048):
            raise WorkflowError("source_url: an http(s) address")
        country = data.get("country") or None
        if country is not None:
            found = country_by_code(country) if isinstance(country, str) else None
            if found is None:
                raise WorkflowError(f"country: unknown country code {country!r}")
            country = found.code
        out["country"] = country
        if out["subdivision"]:
            out["subdivision"] = out["subdivision"].upper()
            if not _SUBDIVISION.match(out["subdivision"]) or not out["subdivision"].startswith(f"{country}-"):
                raise WorkflowError("subdivision: an ISO 3166-2 code of the country, e.g. ES-CT")
        language = data.get("language") or None
        if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
            raise WorkflowError("language: a two-letter ISO 639-1 code, e.g. en")
        out["language"] = language
        for name in DATE_FIELDS:
            out[name] = _date(name, data.get(name))
        status = data.get("status") or None
        if status is not None and status not in STATUSES:
            raise WorkflowError(f"status: one of {', '.join(STATUSES)}, or none")
        out["status"] = status
        out["parent_id"] = self._parent(session, kind, data.get("parent_id"), entity_id)
        out["tags"] = self._tags(data.get("tags"))
        out["attributes"] = _attributes(data.get("attributes"))
        _check_kind_attributes(kind, out["attributes"])
        if kind == "decision":
            if not country:
                raise WorkflowError("country: a decision needs its country")
            out["case"] = _case(session, data.get("case"), entity_id, out)
        elif data.get("case"):
            raise WorkflowError(f"case: only a decision has a case record, not a {kind}")
        return out

    def _parent(self, session: Session, kind: str, parent_id: Any, entity_id: str | None) -> str | None:
        if kind != "provision":
            if parent_id:
                raise WorkflowError(f"parent_id: a {kind} belongs to no other record")
            return None
        if not parent_id or not isinstance(parent_id, str):
            raise WorkflowError("parent_id: a provision belongs to a law (give the law's record id)")
        parent = session.get(Record, parent_id.strip())
        if parent is None or parent.kind not in ("law", "treaty", "strategy", "policy_document"):
            raise WorkflowError(f"parent_id: no law {parent_id!r} in the portal")
        if parent.id == entity_id:
            raise WorkflowError("parent_id: a provision cannot belong to itself")
        return parent.id

    def _tags(self, tags: Any) -> dict[str, list[str]]:
        if tags in (None, ""):
            return {}
        if not isinstance(tags, Mapping):
            raise WorkflowError("tags: an object of scheme: [values]")
        from flask import current_app

        from sherloc.vocab import load_vocabulary

        vocabulary = (
            current_app.extensions["sherloc"].vocabulary if _in_app() else load_vocabulary(_vocab_dir())
        )
        known = {
            "crime_type": {c.id for c in vocabulary.crime_types},
            "cross_cutting": {c.id for c in vocabulary.cross_cutting},
            "instrument_article": {a.ref for i in vocabulary.instruments for a in i.articles},
        }
        out: dict[str, list[str]] = {}
        for scheme, values in tags.items():
            if scheme not in known:
                raise WorkflowError(f"tags: unknown scheme {scheme!r}")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise WorkflowError(f"tags.{scheme}: a list of values")
            for value in values:
                if value not in known[scheme]:
                    raise WorkflowError(f"tags.{scheme}: unknown value {value!r}")
            if values:
                out[scheme] = sorted(set(values))
        return out

    # -- writing ---------------------------------------------------------------------------------

    def apply(
        self, session: Session, entity_id: str, kind: str, data: Mapping[str, Any], user: User | None
    ) -> None:
        record = session.get(Record, entity_id)
        if record is None:
            record = Record(id=entity_id, kind=kind, source=SOURCE, source_key=entity_id, attributes={})
            session.add(record)
        elif record.kind != kind:
            raise WorkflowError(f"kind: {entity_id} is a {record.kind}")
        for name in COLUMNS:
            setattr(record, name, data.get(name))
        record.text = record.text or ""
        for name in DATE_FIELDS:
            value = data.get(name)
            setattr(record, name, dt.date.fromisoformat(value) if value else None)
        record.declared_language = record.declared_language or record.language
        record.attributes = dict(data.get("attributes") or {})
        record.content_hash = content_hash(record)
        session.flush()
        _replace_editor_tags(session, record.id, data.get("tags") or {})
        _retag(session, record)
        if kind == "decision":
            _write_case(session, record, data.get("case"), user)

    def search_ids(self, session: Session, entity_id: str) -> tuple[list[str], list[str]]:
        record = session.get(Record, entity_id)
        if record is None:
            return [], [entity_id]
        # Its provisions carry its title in the index.
        return [record.id, *(child.id for child in record.children)], []


workflow.register(RecordHandler())


# ---- tags -----------------------------------------------------------------------------------------


def editor_tags(session: Session, record_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    rows = session.execute(
        select(Tag.scheme, Tag.value)
        .where(Tag.record_id == record_id, Tag.origin == "editor")
        .order_by(Tag.value)
    )
    for scheme, value in rows:
        out.setdefault(scheme, []).append(value)
    return out


def _replace_editor_tags(session: Session, record_id: str, tags: Mapping[str, list[str]]) -> None:
    session.execute(delete(Tag).where(Tag.record_id == record_id, Tag.origin == "editor"))
    wanted = {(scheme, value) for scheme, values in tags.items() for value in values}
    if wanted:
        # An editor's tag replaces the tagger's same one.
        for scheme, value in wanted:
            session.execute(
                delete(Tag).where(Tag.record_id == record_id, Tag.scheme == scheme, Tag.value == value)
            )
        for scheme, value in sorted(wanted):
            session.add(
                Tag(
                    record_id=record_id,
                    scheme=scheme,
                    value=value,
                    confidence=1.0,
                    evidence=[{"field": "editor"}],
                    origin="editor",
                )
            )
    session.flush()
    session.expire_all()


def _retag(session: Session, record: Record) -> None:
    """The tagger's tags for the new content (and, for a law, its provisions' roll-up)."""
    if _in_app():
        from flask import current_app

        tagging = current_app.extensions["sherloc"].record_tagging
    else:
        from sherloc.tagging.store import RecordTagging

        tagging = RecordTagging(_vocab_dir())
    group = [record, *record.children] if record.children else [record]
    if record.parent is not None:
        group = [record.parent, *record.parent.children]
    tagging.apply(session, tagging.plan(group))


# ---- cases ----------------------------------------------------------------------------------------


def case_data(session: Session, record_id: str) -> dict[str, Any] | None:
    """The decision's case record as CaseSchema input, without what the store sets itself."""
    case = session.scalars(select(Case).where(Case.record_id == record_id)).first()
    if case is None:
        return None
    dumped = _CASE_SCHEMA.dump(case)
    for key in _CASE_FIXED:
        dumped.pop(key, None)
    return _strip_provenance(dumped)


def _strip_provenance(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_provenance(v) for k, v in value.items() if k not in ("provenance", "id")}
    if isinstance(value, list):
        return [_strip_provenance(v) for v in value]
    return value


def _case(
    session: Session, value: Any, entity_id: str | None, record: Mapping[str, Any]
) -> dict[str, Any] | None:
    if value in (None, "", {}):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise WorkflowError(f"case: not valid JSON ({exc})") from None
    if not isinstance(value, Mapping):
        raise WorkflowError("case: an object of case fields")
    fixed = sorted(set(value) & set(_CASE_FIXED))
    if fixed:
        raise WorkflowError(f"case.{fixed[0]}: set by the portal, not by an editor")
    candidate = {
        **_strip_provenance(dict(value)),
        "record_id": entity_id or "new",
        "country": record["country"],
    }
    candidate.setdefault("title", record["title"])
    errors = _CASE_SCHEMA.validate(candidate)
    if errors:
        field, message = _first_error(errors)
        raise WorkflowError(f"case.{field}: {message}")
    for pid in _provision_ids(candidate):
        if session.get(Record, pid) is None:
            raise WorkflowError(f"case: no provision {pid!r} in the portal")
    return json.loads(json.dumps(_strip_provenance(dict(value)), default=str))


def _provision_ids(case: Mapping[str, Any]) -> list[str]:
    ids = [c.get("provision_id") for d in case.get("defendants") or [] for c in d.get("charges") or []]
    ids += [c.get("provision_id") for c in case.get("cited_provisions") or []]
    return [i for i in ids if isinstance(i, str) and i]


def _write_case(session: Session, record: Record, value: Mapping[str, Any] | None, user: User | None) -> None:
    from sherloc.ingest.cases import CaseError, correct_case
    from sherloc.models.cases import register_case

    if not value:
        return
    stored = session.scalars(select(Case).where(Case.record_id == record.id)).first()
    try:
        if stored is None:
            loaded = _CASE_SCHEMA.load(
                {
                    **value,
                    "record_id": record.id,
                    "country": record.country,
                    "title": value.get("title") or record.title,
                }
            )
            with session.no_autoflush:
                register_case(session, loaded)
            return
        current = case_data(session, record.id) or {}
        changes = {k: v for k, v in value.items() if current.get(k) != v}
        if changes:
            correct_case(session, record.id, changes, user=str(user.id) if user is not None else None)
    except (CaseError, ValidationError) as exc:
        raise WorkflowError(f"case: {exc}") from exc


def _first_error(messages: Any, path: str = "") -> tuple[str, str]:
    if isinstance(messages, Mapping):
        key, value = next(iter(messages.items()))
        return _first_error(value, f"{path}.{key}" if path else str(key))
    if isinstance(messages, list) and messages:
        return _first_error(messages[0], path)
    return path or "case", str(messages)


# ---- helpers --------------------------------------------------------------------------------------


def _date(name: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise WorkflowError(f"{name}: a date as YYYY-MM-DD")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _attributes(value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise WorkflowError(f"attributes: not valid JSON ({exc})") from None
    if not isinstance(value, Mapping):
        raise WorkflowError("attributes: an object of fields")
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WorkflowError(f"attributes: {exc}") from None
    if len(text) > MAX_ATTRIBUTES:
        raise WorkflowError(f"attributes: at most {MAX_ATTRIBUTES:,} characters of JSON")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


# The facts a treaty's or strategy's page, its country's profile and its citation read from attributes,
# with the type of each (as the BOE parser writes them): anything else would break those pages.
_KIND_FACTS: dict[str, dict[str, str]] = {
    "treaty": {
        "title": "text",
        "kind": "text",
        "parties": "countries",
        "party_names": "texts",
        "organisation": "text",
        "subjects": "texts",
        "signed": "date",
        "signed_place": "text",
        "in_force": "date",
        "in_force_scope": "text",
        "quoted": "quotes",
    },
    "strategy": {
        "name": "text",
        "adopting_body": "text",
        "period": "text",
        "components": "texts",
        "quoted": "quotes",
    },
}


def _check_kind_attributes(kind: str, attributes: Mapping[str, Any]) -> None:
    """The facts a kind's pages read from its attributes must be readable there: typed as the parsers
    write them, or the public pages of the record and of its countries would fail."""
    from sherloc.bibliography.model import BibEntry

    for name in ("entry", "treaty", "strategy", "declared_tags"):
        if name in attributes and not isinstance(attributes[name], Mapping):
            raise WorkflowError(f"attributes.{name}: an object of fields")
    if "entry" in attributes:
        try:
            BibEntry.from_json(attributes["entry"])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise WorkflowError(f"attributes.entry: {exc}") from None
    for name, spec in _KIND_FACTS.items():
        facts = attributes.get(name)
        if facts is None:
            continue
        unknown = sorted(set(facts) - set(spec))
        if unknown:
            raise WorkflowError(f"attributes.{name}.{unknown[0]}: not a field of a {name}")
        for field, type_ in spec.items():
            if facts.get(field) is not None and not _is_type(facts[field], type_):
                raise WorkflowError(f"attributes.{name}.{field}: {_TYPE_NAMES[type_]}")
    for name in ("countries",):
        if attributes.get(name) is not None and not _is_type(attributes[name], "countries"):
            raise WorkflowError(f"attributes.{name}: {_TYPE_NAMES['countries']}")
    declared = attributes.get("declared_tags") or {}
    for scheme, values in declared.items():
        if not _is_type(values, "texts"):
            raise WorkflowError(f"attributes.declared_tags.{scheme}: {_TYPE_NAMES['texts']}")


_TYPE_NAMES = {
    "text": "text",
    "texts": "a list of texts",
    "countries": "a list of ISO 3166-1 alpha-2 codes",
    "date": "a date as YYYY-MM-DD",
    "quotes": "an object of texts",
}


def _is_type(value: Any, type_: str) -> bool:
    if type_ == "text":
        return isinstance(value, str)
    if type_ == "texts":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if type_ == "countries":
        return isinstance(value, list) and all(
            isinstance(v, str) and len(v) == 2 and country_by_code(v) is not None for v in value
        )
    if type_ == "date":
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    return isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())


def _no_surrogates(value: Any, name: str) -> None:
    """Text a database cannot store (a lone surrogate) is refused, never stored half-way."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise WorkflowError(f"{name}: contains characters that are not valid Unicode text") from None


def _in_app() -> bool:
    from flask import has_app_context

    return has_app_context()


def _vocab_dir() -> Any:
    if _in_app():
        from flask import current_app

        return current_app.extensions["sherloc"].settings.vocab_dir
    from sherloc.vocab import default_vocab_dir

    return default_vocab_dir()
