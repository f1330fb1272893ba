"""Records of every kind (law, provision, decision, and later bibliography, treaty, strategy) and their tags.

One table holds what all kinds share (identity, place, language, title, dates, text, provenance); what
only one kind has goes in `attributes` (JSON) or, when it needs structure of its own (defendants,
charges...), in a table of its own that references `records.id`. So a new kind needs no redesign.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sherloc.models.base import Base

# The kinds of record the portal holds. Adding one is a data change here plus its labels.
KINDS = ("law", "provision", "decision", "bibliography", "treaty", "strategy", "policy_document")
# Tag schemes; each is also a search filter and facet of the same name.
TAG_SCHEMES = ("crime_type", "instrument_article", "cross_cutting")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Record(Base):
    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), index=True, default=None
    )
    source: Mapped[str] = mapped_column(String(64))  # the parser that produced it
    source_key: Mapped[str] = mapped_column(String(255))  # its identifier within that source
    source_path: Mapped[str | None] = mapped_column(String(1024), default=None)
    source_url: Mapped[str | None] = mapped_column(String(2048), default=None)

    country: Mapped[str | None] = mapped_column(String(2), index=True, default=None)  # ISO 3166-1 alpha-2
    subdivision: Mapped[str | None] = mapped_column(String(8), default=None)  # ISO 3166-2, e.g. ES-CT
    language: Mapped[str | None] = mapped_column(String(8), index=True, default=None)  # ISO 639-1
    declared_language: Mapped[str | None] = mapped_column(String(8), default=None)  # as the source says

    title: Mapped[str] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(String(255), default=None)  # "第一百九十一条", "Article 324-1"
    number: Mapped[str | None] = mapped_column(String(64), default=None)  # normalised: "191", "324-1"
    heading: Mapped[str | None] = mapped_column(Text, default=None)
    structure_path: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")

    date_adopted: Mapped[dt.date | None] = mapped_column(Date, default=None)
    date_amended: Mapped[dt.date | None] = mapped_column(Date, default=None)
    date_decided: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str | None] = mapped_column(String(32), default=None)  # in_force, repealed ...

    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The tagger version (sherloc.tagging.store.tagger_version) its tags were computed with; None: never
    # tagged. Not part of content_hash: tags are derived from the content, not content themselves.
    tagger_version: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    parent: Mapped[Record | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Record]] = relationship(
        back_populates="parent",
        order_by="Record.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    tags: Mapped[list[Tag]] = relationship(
        back_populates="record", cascade="all, delete-orphan", passive_deletes=True, order_by="Tag.id"
    )

    __table_args__ = (
        Index("ix_records_parent_position", "parent_id", "position"),
        Index("ix_records_source_key", "source", "source_key"),
    )

    @property
    def date(self) -> dt.date | None:
        """The date a reader sorts by: decided, else last amended, else adopted."""
        return self.date_decided or self.date_amended or self.date_adopted

    def __repr__(self) -> str:
        return f"<Record {self.id} {self.kind}>"


class Tag(Base):
    """A classification of a record: scheme (crime_type, instrument_article, cross_cutting) and value."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(128))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # tagger (computed from the record itself) | rollup (a law's, from its provisions) | editor (by hand).
    # Re-tagging replaces tagger and rollup tags only.
    origin: Mapped[str] = mapped_column(String(16), default="auto")

    record: Mapped[Record] = relationship(back_populates="tags")

    __table_args__ = (
        UniqueConstraint("record_id", "scheme", "value", name="uq_tags_record_scheme_value"),
        Index("ix_tags_scheme_value", "scheme", "value"),
    )


class IngestedFile(Base):
    """What the last ingest of a file found, so an unchanged file is skipped and a run can be audited."""

    __tablename__ = "ingested_files"

    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    parser: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(16))  # ok | skipped | failed
    message: Mapped[str | None] = mapped_column(Text, default=None)
    record_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Index bookkeeping: False until the search index holds this file's records; stale_ids are records
    # removed from the store whose removal from the index is still to do.
    indexed: Mapped[bool] = mapped_column(Boolean, default=False)
    stale_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
