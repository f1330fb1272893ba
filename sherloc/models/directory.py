"""The Directory of Competent National Authorities: the bodies States designate to receive requests for
mutual legal assistance, extradition and the other forms of cooperation the conventions provide for.

Restricted: an entry names staff and personal contacts, so only authority users and reviewers read it.
The public learns only that a country has an authority for a mandate (country and `mandates`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sherloc.models.base import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Authority(Base):
    __tablename__ = "authorities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    # [{"mandate": "mutual_legal_assistance", "instrument": "UNTOC", "article": "18(13)"} ...]: public.
    mandates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    # Everything below is restricted.
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text, default=None)
    phone: Mapped[str | None] = mapped_column(String(100), default=None)
    fax: Mapped[str | None] = mapped_column(String(100), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    website: Mapped[str | None] = mapped_column(String(2048), default=None)
    # [{"name", "title", "phone", "email", "languages"}]: the people to contact.
    contact_persons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    office_hours: Mapped[str | None] = mapped_column(Text, default=None)
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)  # IANA, e.g. Europe/Madrid
    working_languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639-1
    required_documents: Mapped[str | None] = mapped_column(Text, default=None)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # accepted channels and forms
    interpol_accepted: Mapped[bool | None] = mapped_column(Boolean, default=None)  # None: not stated
    urgent_procedures: Mapped[str | None] = mapped_column(Text, default=None)
    # Whether the State takes the Convention as the legal basis for extradition (UNTOC art. 16(5)).
    untoc_extradition_basis: Mapped[bool | None] = mapped_column(Boolean, default=None)
    remarks: Mapped[str | None] = mapped_column(Text, default=None)  # legal requirements, treaties
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    def __repr__(self) -> str:
        return f"<Authority {self.id} {self.country}>"
