"""Requests for mutual legal assistance an authority drafts, sends and receives, and their status history.

Restricted to the authority that owns them: only its own users read or change them, not reviewers, not
administrators, never the public or the search index. An outgoing request keeps the drafter's answers to
the request writer (`answers`, checked against sherloc/mla/rules.py); an incoming one is a register entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sherloc.models.base import Base

DIRECTIONS = ("outgoing", "incoming")
# The life of a request; `refused` carries its ground. An incoming request starts at `sent` (received).
STATUSES = ("draft", "sent", "acknowledged", "executed_in_part", "executed", "refused")
# Statuses in which the other side (outgoing) or the authority itself (incoming) still has to act.
PENDING = ("sent", "acknowledged", "executed_in_part")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class MlaRequest(Base):
    __tablename__ = "mla_requests"
    __table_args__ = (
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("status <> 'refused' OR refusal_ground IS NOT NULL", name="refusal_ground"),
        CheckConstraint("direction = 'outgoing' OR status <> 'draft'", name="incoming_not_draft"),
        Index("ix_mla_requests_owner", "authority_id", "direction", "status"),
        UniqueConstraint("authority_id", "reference"),  # a reference names one request of its authority
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The directory id of the owning authority: its users alone see the request.
    authority_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    reference: Mapped[str] = mapped_column(String(100))  # the owner's own reference
    counterpart_reference: Mapped[str | None] = mapped_column(String(200), default=None)
    title: Mapped[str] = mapped_column(String(500), default="")  # a short subject for the register
    requesting_state: Mapped[str | None] = mapped_column(String(2), default=None)
    requested_state: Mapped[str | None] = mapped_column(String(2), default=None)
    counterpart_authority: Mapped[str | None] = mapped_column(Text, default=None)
    assistance_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the request writer's answers
    status: Mapped[str] = mapped_column(String(16), default="draft")
    refusal_ground: Mapped[str | None] = mapped_column(Text, default=None)
    # Set when the request was checked complete and fixed for signature; cleared if it is reopened.
    finalised_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # The request as finalised (sherloc.mla.document.Document as JSON): the DOCX and PDF are made from it,
    # so what is signed does not change with later edits of the directory or the portal's records.
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    received_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # incoming
    sent_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    acknowledged_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    executed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # in full, or refused
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # when an answer or execution is due
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    events: Mapped[list[MlaEvent]] = relationship(
        back_populates="request", cascade="all, delete-orphan", passive_deletes=True, order_by="MlaEvent.id"
    )

    def __repr__(self) -> str:
        return f"<MlaRequest {self.id} {self.direction} {self.status}>"


class MlaEvent(Base):
    """One step in a request's history: created, edited, finalised, reopened, or a change of status."""

    __tablename__ = "mla_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("mla_requests.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # created | finalised | reopened | status
    status: Mapped[str | None] = mapped_column(String(16), default=None)  # the new status (action status)
    on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # the date it happened, as given
    note: Mapped[str | None] = mapped_column(Text, default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)  # when it was recorded

    request: Mapped[MlaRequest] = relationship(back_populates="events")
