"""The editorial workflow shared by pages and API: proposals drafted, submitted, then published or rejected
by a reviewer; every publication kept as a version that can be compared with any other and restored.

Each kind of entity plugs in an EntityHandler (records in services.record_editing, directory entries in
services.directory): how to read its published content, check a proposal, and write it to the portal's
tables. This module decides who may do what, keeps the versions and the audit trail, and tells the
caller what to re-index; it never commits (the caller does, then calls `index_pending`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import importlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sherloc.db import chunks
from sherloc.models.accounts import User
from sherloc.models.workflow import AuditEvent, Revision, Version
from sherloc.search import indexer
from sherloc.search.base import SearchBackend

log = logging.getLogger(__name__)

MAX_REASON = 4000


class WorkflowError(ValueError):
    """A proposal or an action that cannot be taken; the message says why, for the user."""


class NotAllowed(WorkflowError):
    """The user's role does not allow this action on this entity."""


class Conflict(WorkflowError):
    """The entity changed since the proposal was started."""


class EntityHandler(Protocol):
    entity_type: str

    def kinds(self) -> tuple[str, ...]:
        """The kinds a proposal of this entity type can have."""

    def current(self, session: Session, entity_id: str) -> dict[str, Any] | None:
        """The published content of the entity as proposal data, None when it does not exist."""

    def clean(
        self, session: Session, kind: str, data: Mapping[str, Any], entity_id: str | None
    ) -> dict[str, Any]:
        """`data` checked and normalised; raises WorkflowError("field: message") when it is not valid."""

    def new_id(self, session: Session, kind: str, data: Mapping[str, Any]) -> str:
        """An id for a new entity of `kind`, unused so far."""

    def describe(self, data: Mapping[str, Any]) -> tuple[str, str | None]:
        """(title, country) of a proposal, for queues and lists."""

    def may_edit(self, user: User, entity_id: str | None, data: Mapping[str, Any] | None) -> bool:
        """Whether `user` may propose changes to this entity (None: a new one) with this content."""

    def may_read(self, user: User | None, entity_id: str) -> bool:
        """Whether `user` may read proposals and versions of this entity."""

    def apply(
        self, session: Session, entity_id: str, kind: str, data: Mapping[str, Any], user: User | None
    ) -> None:
        """Write `data` as the entity's published content."""

    def search_ids(self, session: Session, entity_id: str) -> tuple[list[str], list[str]]:
        """The search index's records to refresh and to delete once this entity has changed."""


_HANDLERS: dict[str, EntityHandler] = {}


def register(handler: EntityHandler) -> None:
    _HANDLERS[handler.entity_type] = handler


def handler_for(entity_type: str) -> EntityHandler:
    _load_handlers()
    try:
        return _HANDLERS[entity_type]
    except KeyError:
        raise WorkflowError(f"entity_type: unknown entity type {entity_type!r}") from None


def _load_handlers() -> None:
    # Each handler's module registers it on import.
    for entity_type, module in (("record", "record_editing"), ("authority", "directory")):
        if entity_type not in _HANDLERS:
            importlib.import_module(f"sherloc.services.{module}")


# ---- who may do what ------------------------------------------------------------------------------


def is_reviewer(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == "reviewer"


def may_see(user: User | None, revision: Revision) -> bool:
    """Reviewers see every proposal; others their own, and an authority user its own authority's."""
    if user is None or not user.is_active:
        return False
    if is_reviewer(user):
        return True
    # Authorship gives access only while the role still reads such entries (a demoted authority user no
    # longer reads the directory entries of its old proposals).
    if not handler_for(revision.entity_type).may_read(user, revision.entity_id):
        return False
    if revision.author_id == user.id:
        return True
    # An authority user reads every published entry, but only its own authority's pending proposals.
    return (
        revision.entity_type == "authority"
        and user.role == "authority"
        and user.is_active
        and user.authority_id == revision.entity_id
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


# ---- proposals ------------------------------------------------------------------------------------


def latest_version(session: Session, entity_type: str, entity_id: str) -> int | None:
    found = session.scalar(
        select(func.max(Version.number)).where(
            Version.entity_type == entity_type, Version.entity_id == entity_id
        )
    )
    return int(found) if found is not None else None


def open_revision(session: Session, entity_type: str, entity_id: str) -> Revision | None:
    """The proposal still under way (draft or submitted) for this entity, if any."""
    return session.scalars(
        select(Revision)
        .where(
            Revision.entity_type == entity_type,
            Revision.entity_id == entity_id,
            Revision.state.in_(("draft", "submitted")),
        )
        .order_by(Revision.id)
    ).first()


def propose(
    session: Session,
    user: User,
    entity_type: str,
    kind: str,
    data: Mapping[str, Any],
    entity_id: str | None = None,
    submit_now: bool = False,
) -> Revision:
    """A new draft (submitted at once with `submit_now`): of a change to `entity_id`, or of a new entity."""
    handler = handler_for(entity_type)
    if kind not in handler.kinds():
        raise WorkflowError(f"kind: {kind!r} is not a kind of {entity_type}")
    _require(handler.may_edit(user, entity_id, data), "Your account cannot propose changes to this entry.")
    is_new = entity_id is None
    current = None
    if entity_id is not None:
        current = handler.current(session, entity_id)
        if current is None:
            raise WorkflowError(f"entity_id: no {entity_type} {entity_id!r}")
        if current.get("kind", kind) != kind:
            raise WorkflowError(f"kind: {entity_id} is a {current.get('kind')}, not a {kind}")
    if entity_id is not None:
        mine = session.scalar(
            select(Revision.id).where(
                Revision.entity_type == entity_type,
                Revision.entity_id == entity_id,
                Revision.author_id == user.id,
                Revision.state.in_(("draft", "submitted")),
            )
        )
        if mine is not None:
            raise Conflict(f"entity_id: your proposal {mine} for this entry is still open; edit that one")
    cleaned = handler.clean(session, kind, data, entity_id)
    if entity_id is None:
        entity_id = handler.new_id(session, kind, cleaned)
    title, country = handler.describe(cleaned)
    base_version = None if is_new else latest_version(session, entity_type, entity_id)
    revision = Revision(
        entity_type=entity_type,
        entity_id=entity_id,
        kind=kind,
        is_new=is_new,
        base_version=base_version,
        # Never versioned yet: what it was is told by its content (an ingest may change it meanwhile).
        base_hash=_fingerprint(current) if not is_new and base_version is None else None,
        data=cleaned,
        title=title[:2000],
        country=country,
        state="draft",
        author_id=user.id,
    )
    session.add(revision)
    session.flush()
    audit(session, user, "revision_created", _target(revision))
    if submit_now:
        submit(session, user, revision)
    return revision


def update(session: Session, user: User, revision: Revision, data: Mapping[str, Any]) -> Revision:
    """New content for a draft or a rejected proposal (which becomes a draft again)."""
    _require(
        revision.author_id == user.id or is_reviewer(user),
        "Only its author or a reviewer can edit a proposal.",
    )
    if revision.state not in ("draft", "rejected", "submitted"):
        raise WorkflowError("state: a published proposal cannot change; propose a new one")
    if revision.state == "submitted" and not is_reviewer(user):
        raise WorkflowError("state: a submitted proposal waits for review; it cannot change meanwhile")
    handler = handler_for(revision.entity_type)
    _require(
        handler.may_edit(user, None if revision.is_new else revision.entity_id, data),
        "Your account cannot propose changes to this entry.",
    )
    cleaned = handler.clean(session, revision.kind, data, None if revision.is_new else revision.entity_id)
    revision.data = cleaned
    revision.title, revision.country = handler.describe(cleaned)
    if revision.state == "rejected":
        revision.state, revision.reason = "draft", None
    audit(session, user, "revision_edited", _target(revision))
    return revision


def submit(session: Session, user: User, revision: Revision) -> Revision:
    _require(revision.author_id == user.id or is_reviewer(user), "Only its author can submit a proposal.")
    if revision.state not in ("draft", "rejected"):
        raise WorkflowError(f"state: a {revision.state} proposal cannot be submitted")
    revision.state, revision.reason = "submitted", None
    revision.submitted_at = _now()
    audit(session, user, "revision_submitted", _target(revision))
    return revision


def reject(session: Session, user: User, revision: Revision, reason: str) -> Revision:
    _require(is_reviewer(user), "Only a reviewer can reject a proposal.")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("reason: say why the proposal is rejected")
    if len(reason) > MAX_REASON:
        raise WorkflowError(f"reason: at most {MAX_REASON} characters")
    if revision.state != "submitted":
        raise WorkflowError(f"state: only a submitted proposal can be rejected, not a {revision.state} one")
    revision.state, revision.reason = "rejected", reason
    revision.reviewer_id, revision.decided_at = user.id, _now()
    audit(session, user, "revision_rejected", _target(revision), reason=reason)
    return revision


def publish(session: Session, user: User, revision: Revision) -> Version:
    """Apply a submitted proposal to the portal and keep it as a new version. The caller commits, then
    calls `index_pending` so search shows it."""
    _require(is_reviewer(user), "Only a reviewer can publish.")
    if revision.state != "submitted":
        raise WorkflowError(f"state: only a submitted proposal can be published, not a {revision.state} one")
    handler = handler_for(revision.entity_type)
    latest = latest_version(session, revision.entity_type, revision.entity_id)
    now = handler.current(session, revision.entity_id)
    if revision.is_new and now is not None:
        raise Conflict(f"entity_id: {revision.entity_id} exists already")
    if not revision.is_new and now is None:
        raise Conflict(f"entity_id: {revision.entity_id} is no longer in the portal")
    changed = latest != revision.base_version or (latest is None and _fingerprint(now) != revision.base_hash)
    if not revision.is_new and changed:
        raise Conflict(
            "The entry was changed since this proposal was started (now at version "
            f"{latest or 'as imported'}); compare them, and propose the change again on the current version."
        )
    # Re-checked against the portal as it is now (a linked record may have gone meanwhile).
    cleaned = handler.clean(
        session, revision.kind, revision.data, None if revision.is_new else revision.entity_id
    )
    version = _apply(
        session, handler, revision.entity_id, revision.kind, cleaned, user, "publication", revision
    )
    revision.state = "published"
    revision.reviewer_id, revision.decided_at = user.id, _now()
    audit(session, user, "revision_published", _target(revision), version=version.number)
    return version


def restore(session: Session, user: User, entity_type: str, entity_id: str, number: int) -> Version:
    """Publish again the content of version `number`, as a new version."""
    _require(is_reviewer(user), "Only a reviewer can restore a version.")
    handler = handler_for(entity_type)
    old = version(session, entity_type, entity_id, number)
    if old.data is None:
        raise WorkflowError("number: that version has no content to restore")
    kind = str(old.data.get("kind") or entity_type)
    cleaned = handler.clean(
        session, kind, old.data, entity_id if handler.current(session, entity_id) else None
    )
    new = _apply(
        session, handler, entity_id, kind, cleaned, user, "restore", None, note=f"restored version {number}"
    )
    audit(
        session, user, "version_restored", f"{entity_type}:{entity_id}", restored=number, version=new.number
    )
    return new


def record_change(
    session: Session,
    user: User | None,
    entity_type: str,
    entity_id: str,
    origin: str,
    note: str | None = None,
    before: dict[str, Any] | None = None,
    indexed: bool = False,
) -> Version | None:
    """Keep as a version a change written outside proposals (a correction from the command line, an
    import): `before` is the content before it, kept as the first version when there is none yet.
    None when the content is the same as the latest version's."""
    handler = handler_for(entity_type)
    now = handler.current(session, entity_id)
    latest = latest_version(session, entity_type, entity_id)
    if latest is None and before is not None and before != now:
        session.add(_version(entity_type, entity_id, 1, before, "source", None, None, indexed=True))
        latest = 1
    if latest is not None and now == version(session, entity_type, entity_id, latest).data:
        return None
    made = _version(entity_type, entity_id, (latest or 0) + 1, now, origin, user, None, note, indexed=indexed)
    session.add(made)
    session.flush()
    return made


def _apply(
    session: Session,
    handler: EntityHandler,
    entity_id: str,
    kind: str,
    data: dict[str, Any],
    user: User,
    origin: str,
    revision: Revision | None,
    note: str | None = None,
) -> Version:
    latest = latest_version(session, handler.entity_type, entity_id)
    before = handler.current(session, entity_id)
    if latest is None and before is not None:
        # The content as it came from its source, kept before the first editorial change.
        session.add(_version(handler.entity_type, entity_id, 1, before, "source", None, None, indexed=True))
        latest = 1
    handler.apply(session, entity_id, kind, data, user)
    session.flush()
    after = handler.current(session, entity_id)
    made = _version(handler.entity_type, entity_id, (latest or 0) + 1, after, origin, user, revision, note)
    session.add(made)
    session.flush()
    return made


def _version(
    entity_type: str,
    entity_id: str,
    number: int,
    data: dict[str, Any] | None,
    origin: str,
    user: User | None,
    revision: Revision | None,
    note: str | None = None,
    indexed: bool = False,
) -> Version:
    return Version(
        entity_type=entity_type,
        entity_id=entity_id,
        number=number,
        data=data,
        origin=origin,
        user_id=user.id if user is not None else None,
        revision_id=revision.id if revision is not None else None,
        note=note,
        indexed=indexed,
    )


# ---- reading --------------------------------------------------------------------------------------


def versions(session: Session, entity_type: str, entity_id: str) -> list[Version]:
    return list(
        session.scalars(
            select(Version)
            .where(Version.entity_type == entity_type, Version.entity_id == entity_id)
            .order_by(Version.number.desc())
        )
    )


def version(session: Session, entity_type: str, entity_id: str, number: int) -> Version:
    found = session.scalars(
        select(Version).where(
            Version.entity_type == entity_type, Version.entity_id == entity_id, Version.number == number
        )
    ).first()
    if found is None:
        raise LookupError(f"no version {number} of {entity_type} {entity_id}")
    return found


def edited_ids(session: Session, entity_type: str, ids: Sequence[str]) -> set[str]:
    """Those of `ids` changed by editors (they have versions): an ingest keeps them as edited."""
    out: set[str] = set()
    for chunk in chunks(list(ids)):
        out.update(
            session.scalars(
                select(Version.entity_id).where(
                    Version.entity_type == entity_type, Version.entity_id.in_(chunk)
                )
            )
        )
    return out


def proposals(
    session: Session,
    user: User,
    states: Iterable[str] | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int = 200,
) -> list[Revision]:
    """The proposals `user` may see, newest first: all for a reviewer, else their own (and an authority
    user's authority's)."""
    query = select(Revision).order_by(Revision.updated_at.desc(), Revision.id.desc()).limit(limit)
    if states:
        query = query.where(Revision.state.in_(tuple(states)))
    if entity_type:
        query = query.where(Revision.entity_type == entity_type)
    if entity_id:
        query = query.where(Revision.entity_id == entity_id)
    if not is_reviewer(user):
        if user.role == "authority" and user.authority_id:
            # Its own authority's proposals only, whoever wrote them.
            query = query.where(Revision.entity_type == "authority", Revision.entity_id == user.authority_id)
        elif user.role == "contributor":
            query = query.where(Revision.entity_type == "record", Revision.author_id == user.id)
        else:
            return []
    return list(session.scalars(query))


# ---- differences ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its old and new values as text, and a line diff of them."""

    field: str
    old: str
    new: str
    lines: tuple[tuple[str, str], ...]  # (" " | "-" | "+", line)


def as_text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[FieldChange]:
    """The fields that differ between two contents, in a stable order (the new content's first)."""
    old, new = old or {}, new or {}
    names = list(dict.fromkeys([*new.keys(), *old.keys()]))
    out: list[FieldChange] = []
    for name in names:
        before, after = as_text(old.get(name)), as_text(new.get(name))
        if before == after:
            continue
        lines = tuple(
            (line[0], line[2:])
            for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in (" ", "-", "+")
        )
        out.append(FieldChange(name, before, after, lines))
    return out


# ---- index and audit ------------------------------------------------------------------------------


def index_pending(session: Session, backend: SearchBackend | None) -> int:
    """Bring the search index up to date with every version not indexed yet (this request's, and any a
    crash left behind), then mark them indexed. Call after committing the publication."""
    pending = list(session.scalars(select(Version).where(Version.indexed.is_(False))))
    if not pending or backend is None:
        return 0
    changed: set[str] = set()
    deleted: set[str] = set()
    for made in pending:
        refresh, gone = handler_for(made.entity_type).search_ids(session, made.entity_id)
        changed.update(refresh)
        deleted.update(gone)
    n = indexer.sync(session, backend, changed=sorted(changed), deleted=sorted(deleted - changed))
    for made in pending:
        made.indexed = True
    session.commit()
    return n


def audit(session: Session, user: User | None, action: str, target: str = "", **detail: Any) -> None:
    session.add(
        AuditEvent(
            user_id=user.id if user is not None else None, action=action, target=target[:255], detail=detail
        )
    )


def _target(revision: Revision) -> str:
    return f"{revision.entity_type}:{revision.entity_id}#revision-{revision.id}"


def _fingerprint(content: Mapping[str, Any] | None) -> str | None:
    if content is None:
        return None
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
