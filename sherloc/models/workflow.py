"""Editorial workflow: proposed changes (revisions) under review, the published versions of every
entity, and the audit trail of who did what.

Published content lives in the portal's own tables (records, cases, authorities), which the public pages
and the search index read; a proposal lives here until a reviewer publishes it, so nothing unpublished
can reach a visitor or the index by a forgotten filter. A publication, a restore or an editor's
correction adds a Version: the whole content as published, who published it and when, so any two can
be compared and any one restored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sherloc.models.accounts import User
from sherloc.models.base import Base

# What a proposal can be: a draft its author still edits, submitted for review, published (applied to
# the portal) or rejected with a reason (its author may edit and submit it again).
STATES = ("draft", "submitted", "published", "rejected")
# What can be proposed: a record of any kind (law, provision, decision with its case, bibliography
# entry, treaty, strategy ...), or an entry of the directory of competent national authorities.
ENTITY_TYPES = ("record", "authority")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Revision(Base):
    """A proposed new content for one entity (a new one when the entity does not exist yet)."""

    __tablename__ = "revisions"
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'submitted', 'published', 'rejected')", name="state"),
        CheckConstraint("entity_type IN ('record', 'authority')", name="entity_type"),
        CheckConstraint("state <> 'rejected' OR reason IS NOT NULL", name="rejected_reason"),
        Index("ix_revisions_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(255))  # reserved at creation for a new entity
    kind: Mapped[str] = mapped_column(String(32))  # record kind, or "authority"
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)  # the entity did not exist when proposed
    # The version the author started from (None: new, or never versioned yet): a publication over a
    # newer version is refused, so no one's change is overwritten unseen.
    base_version: Mapped[int | None] = mapped_column(Integer, default=None)
    # For an entity never versioned yet: the SHA-256 of its content then, so a change by an ingest
    # meanwhile is caught the same way.
    base_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole proposed content
    title: Mapped[str] = mapped_column(Text, default="")  # for queues and lists
    country: Mapped[str | None] = mapped_column(String(2), index=True, default=None)
    state: Mapped[str] = mapped_column(String(16), index=True, default="draft")
    reason: Mapped[str | None] = mapped_column(Text, default=None)  # why it was rejected
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    def __repr__(self) -> str:
        return f"<Revision {self.id} {self.entity_type}:{self.entity_id} {self.state}>"


class Version(Base):
    """One published state of an entity, numbered from 1 per entity."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "number", name="uq_versions_entity_number"),
        CheckConstraint("entity_type IN ('record', 'authority')", name="entity_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(255))
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None: the entity was withdrawn
    # source: as imported, before the first editorial change | publication | restore | correction
    origin: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", ondelete="SET NULL"), default=None
    )
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # False until the search index holds this version: a crash in between is caught up later.
    indexed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Version {self.entity_type}:{self.entity_id} #{self.number}>"


class AuditEvent(Base):
    """Who did what to which account or content, and when (logins, grants, publications ...)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()
