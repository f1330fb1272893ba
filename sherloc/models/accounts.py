"""Accounts of the people who contribute, review and administer content, and their logins.

There is no account for the public: a visitor without one sees published content only. Emails are kept
lower-cased, so one address is one account whatever its case. A login lives in the store (UserSession),
keyed by a hash of the random token the session cookie carries: logging out, a password reset or a
deactivation ends it on the server, and a copy of the store gives no live login.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from sherloc.models.base import Base

# contributor: proposes and edits drafts; authority: a user of one competent national authority;
# reviewer: the secretariat, publishes and grants access; administrator: manages accounts.
ROLES = ("contributor", "authority", "reviewer", "administrator")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def normalise_email(email: str) -> str:
    """The stored form of an email address: trimmed and lower-cased (one account per address)."""
    return email.strip().lower()


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('contributor', 'authority', 'reviewer', 'administrator')", name="role"),
        # An authority user belongs to exactly one authority; no one else belongs to any.
        CheckConstraint(
            "(role = 'authority' AND authority_id IS NOT NULL) "
            "OR (role <> 'authority' AND authority_id IS NULL)",
            name="authority_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string with its parameters
    role: Mapped[str] = mapped_column(String(16))
    # The competent national authority an authority user belongs to (the directory's id for it).
    authority_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # in a row, since the last success
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)  # UTC
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("email")
    def _normalise_email(self, _key: str, email: str) -> str:
        return normalise_email(email)

    @property
    def name(self) -> str:
        """What the interface calls the user: the display name, else the email address."""
        return self.display_name or self.email

    def is_locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class UserSession(Base):
    """One login: the session cookie holds a random token, the store only its SHA-256."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="sessions")
