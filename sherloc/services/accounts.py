"""Accounts: password hashing, login with lock-out, logins kept in the store, and the administrator's
account commands (shared by the web login and `sherloc users`).

Passwords are hashed with argon2id (argon2-cffi) at RFC 9106's "low memory" profile: 3 passes over
64 MiB with 4 lanes, a 16-byte random salt and a 32-byte hash; about 50 ms a hash on one core. The
parameters are stored in each hash, so changing PASSWORD_HASHER later re-hashes each password at its
owner's next successful login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sherloc.models.accounts import ROLES, User, UserSession, normalise_email

log = logging.getLogger(__name__)

PASSWORD_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
MIN_PASSWORD_LENGTH = 12  # NIST SP 800-63B asks for 8 at least; no rules on character classes

LoginResult = Literal["ok", "unknown", "inactive", "locked", "wrong_password"]


class AccountError(ValueError):
    """An account command that cannot be done, with the reason in words."""


def now_utc() -> dt.datetime:
    """Naive UTC, as the store keeps times."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def hash_password(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy_hash() -> str:
    """A hash to verify against when there is no account, so that answering takes as long either way."""
    return hash_password(secrets.token_urlsafe(16))


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    *,
    authority_id: str | None = None,
    display_name: str = "",
) -> User:
    """A new active account (flushed, not committed)."""
    email = normalise_email(email)
    if "@" not in email.strip("@"):
        raise AccountError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "authority" and not authority_id:
        raise AccountError("an authority user needs the id of their authority (--authority)")
    if role != "authority" and authority_id:
        raise AccountError("only authority users belong to an authority")
    if find_user(session, email) is not None:
        raise AccountError(f"there is already an account for {email}")
    check_new_password(password)
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        authority_id=authority_id or None,
        display_name=display_name.strip(),
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class LoginOutcome:
    result: LoginResult
    user: User | None = None  # set when result is "ok"

    @property
    def ok(self) -> bool:
        return self.result == "ok"


def authenticate(
    session: Session, email: str, password: str, *, max_failures: int, lock_minutes: int
) -> LoginOutcome:
    """Check a login (flushes its effects; the caller commits).

    The password is checked (or a decoy hash, for an unknown address) whatever the account's state, so
    the time taken does not tell whether an address has an account. `max_failures` wrong passwords in a
    row lock the account for `lock_minutes`; attempts while locked fail without counting, even with the
    right password. A success clears the count and re-hashes a password hashed with older parameters.
    """
    now = now_utc()
    user = find_user(session, email)
    if user is None:
        verify_password(_decoy_hash(), password)
        return LoginOutcome("unknown")
    correct = verify_password(user.password_hash, password)
    if not user.is_active:
        return LoginOutcome("inactive")
    if user.is_locked(now):
        return LoginOutcome("locked")
    if not correct:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = now + dt.timedelta(minutes=lock_minutes)
            user.failed_logins = 0  # after the lock, another max_failures tries
            log.warning("account %s locked after %d failed logins", user.id, max_failures)
        session.flush()
        return LoginOutcome("wrong_password")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return LoginOutcome("ok", user)


# -- logins kept in the store -----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start_login(session: Session, user: User, hours: int) -> str:
    """A new login for `user`; returns the token for the session cookie (the store keeps its hash)."""
    token = secrets.token_urlsafe(32)
    now = now_utc()
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))  # tidy as we go
    session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a login token belongs to, or None (unknown, expired, or the account is inactive)."""
    found = session.get(UserSession, _token_hash(token))
    if found is None or found.expires_at <= now_utc() or not found.user.is_active:
        return None
    return found.user


def end_login(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def end_all_logins(session: Session, user: User) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


# -- administrators' commands ---------------------------------------------------------------------


def _existing(session: Session, email: str) -> User:
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"no account for {normalise_email(email)}")
    return user


def reset_password(session: Session, email: str, password: str) -> User:
    """Set a new password (an administrator's reset); unlocks the account and ends its logins."""
    user = _existing(session, email)
    check_new_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_all_logins(session, user)
    session.flush()
    return user


def unlock(session: Session, email: str) -> User:
    user = _existing(session, email)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.role, User.email)).all()
