"""Usage figures without tracking people: counts per day, event, page kind and country of the record
viewed. No address, no cookie, no account, no agent string: nothing that tells one visitor from another."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sherloc.models.base import Base


class UsageCount(Base):
    __tablename__ = "usage_counts"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    event: Mapped[str] = mapped_column(String(16), primary_key=True)  # view | search
    page_kind: Mapped[str] = mapped_column(String(32), primary_key=True)  # home, law, provision, api ...
    country: Mapped[str] = mapped_column(String(2), primary_key=True, default="")  # "" when none
    count: Mapped[int] = mapped_column(Integer, default=0)
