"""Managing accounts in the portal: who may see and change which accounts, the changes with their audit
events, and the audit trail as administrators read it (shared by the account pages and the admin API).

A reviewer (the secretariat) grants access: they create and manage contributor and authority accounts.
An administrator manages every account. At least one active administrator always remains. Every change
adds an AuditEvent with the target "user:<id>" and never a password; nothing here commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sherloc.models.accounts import ROLES, User, normalise_email
from sherloc.models.directory import Authority
from sherloc.models.workflow import AuditEvent
from sherloc.services import accounts
from sherloc.services.accounts import MIN_PASSWORD_LENGTH, AccountError
from sherloc.services.workflow import audit

# The roles of the accounts each role manages.
MANAGES: dict[str, tuple[str, ...]] = {
    "administrator": ROLES,
    "reviewer": ("contributor", "authority"),
}
ACCOUNT_ACTIONS = (
    "user_created",
    "role_changed",
    "user_deactivated",
    "user_reactivated",
    "password_reset",
    "user_unlocked",
)
LOGIN_ACTIONS = ("login", "login_failed", "logout")
AUDIT_PAGE_SIZE = 50
MAX_AUDIT_PAGE_SIZE = 200


class AccountRefused(AccountError):
    """A change that cannot be made; `kind` names the reason (the pages word it in the reader's language)."""

    def __init__(self, kind: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.params = params


class NotAllowed(AccountRefused):
    """The acting user's role does not allow this on this account."""

    def __init__(self, message: str) -> None:
        super().__init__("not_allowed", message)


class UserNotFound(LookupError):
    pass


def generate_password() -> str:
    """A temporary password: 20 URL-safe characters (120 random bits)."""
    return secrets.token_urlsafe(15)


def user_target(user: User) -> str:
    return f"user:{user.id}"


# -- who may do what --------------------------------------------------------------------------------


def managed_roles(actor: User) -> tuple[str, ...]:
    return MANAGES.get(actor.role, ())


def may_manage(actor: User, user: User) -> bool:
    return user.role in managed_roles(actor)


def may_reset_password(actor: User, user: User) -> bool:
    return actor.role == "administrator" and may_manage(actor, user)


def visible_users(session: Session, actor: User) -> Sequence[User]:
    """The accounts `actor` sees and manages, by role then email."""
    roles = managed_roles(actor)
    if not roles:
        return []
    return session.scalars(select(User).where(User.role.in_(roles)).order_by(User.role, User.email)).all()


def managed_user(session: Session, actor: User, user_id: int) -> User:
    """The account `user_id`, if `actor` manages it (UserNotFound, NotAllowed otherwise)."""
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id)
    if not may_manage(actor, user):
        raise NotAllowed(f"a {actor.role} does not manage {user.role} accounts")
    return user


# -- changes ----------------------------------------------------------------------------------------


@dataclass
class NewAccount:
    email: str
    role: str
    authority_id: str = ""
    display_name: str = ""
    password: str = ""  # empty: one is generated


def create_account(session: Session, actor: User, new: NewAccount) -> tuple[User, str | None]:
    """Create an account; returns it and the generated password (None when the creator gave one)."""
    _check_role(actor, new.role)
    authority_id = _check_authority(session, new.role, new.authority_id)
    email = normalise_email(new.email)
    if "@" not in email.strip("@") or len(email) > 254:
        raise AccountRefused("invalid_email", f"{email!r} is not an email address", email=email)
    if accounts.find_user(session, email) is not None:
        raise AccountRefused("email_taken", f"there is already an account for {email}", email=email)
    generated = None if new.password else generate_password()
    password = new.password or generated or ""
    _check_password(password)
    user = accounts.create_user(
        session, email, password, new.role, authority_id=authority_id, display_name=new.display_name[:200]
    )
    audit(
        session,
        actor,
        "user_created",
        user_target(user),
        email=user.email,
        role=user.role,
        authority_id=user.authority_id,
    )
    return user, generated


def change_role(session: Session, actor: User, user: User, role: str, authority_id: str = "") -> bool:
    """Give `user` another role (and authority); False when nothing changes."""
    if not may_manage(actor, user):
        raise NotAllowed(f"a {actor.role} does not manage {user.role} accounts")
    _check_role(actor, role)
    new_authority = _check_authority(session, role, authority_id)
    if (role, new_authority) == (user.role, user.authority_id):
        return False
    if user.role == "administrator" and role != "administrator":
        _keep_an_administrator(session, user)
    before = {"role": user.role, "authority_id": user.authority_id}
    user.role, user.authority_id = role, new_authority
    session.flush()
    audit(
        session,
        actor,
        "role_changed",
        user_target(user),
        before=before,
        after={"role": role, "authority_id": new_authority},
    )
    return True


def deactivate(session: Session, actor: User, user: User) -> bool:
    """Deactivate `user` and end their logins; False when already inactive."""
    if not may_manage(actor, user):
        raise NotAllowed(f"a {actor.role} does not manage {user.role} accounts")
    if not user.is_active:
        return False
    if user.role == "administrator":
        _keep_an_administrator(session, user)
    user.is_active = False
    accounts.end_all_logins(session, user)
    session.flush()
    audit(session, actor, "user_deactivated", user_target(user))
    return True


def reactivate(session: Session, actor: User, user: User) -> bool:
    if not may_manage(actor, user):
        raise NotAllowed(f"a {actor.role} does not manage {user.role} accounts")
    if user.is_active:
        return False
    user.is_active = True
    session.flush()
    audit(session, actor, "user_reactivated", user_target(user))
    return True


def reset_password(session: Session, actor: User, user: User, password: str = "") -> str | None:
    """Set a new password (given, or generated and returned), unlock the account and end its logins."""
    if not may_reset_password(actor, user):
        raise NotAllowed("only administrators reset passwords")
    generated = None if password else generate_password()
    password = password or generated or ""
    _check_password(password)
    accounts.reset_password(session, user.email, password)
    audit(session, actor, "password_reset", user_target(user))
    return generated


def unlock(session: Session, actor: User, user: User) -> None:
    if not may_manage(actor, user):
        raise NotAllowed(f"a {actor.role} does not manage {user.role} accounts")
    accounts.unlock(session, user.email)
    audit(session, actor, "user_unlocked", user_target(user))


def _check_role(actor: User, role: str) -> None:
    if role not in ROLES:
        raise AccountRefused("unknown_role", f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    if role not in managed_roles(actor):
        raise NotAllowed(f"a {actor.role} cannot give the role {role}")


def _check_authority(session: Session, role: str, authority_id: str | None) -> str | None:
    authority_id = (authority_id or "").strip()
    if role != "authority":
        if authority_id:
            raise AccountRefused("authority_not_needed", "only authority users belong to an authority")
        return None
    if not authority_id:
        raise AccountRefused("authority_needed", "an authority user needs the id of their authority")
    if len(authority_id) > 64 or session.get(Authority, authority_id) is None:
        raise AccountRefused(
            "no_such_authority", f"there is no authority {authority_id!r} in the directory", id=authority_id
        )
    return authority_id


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(
            "password_too_short",
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            min=MIN_PASSWORD_LENGTH,
        )


def _keep_an_administrator(session: Session, leaving: User) -> None:
    """Refuse a change that would leave no active administrator."""
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "administrator", User.is_active.is_(True), User.id != leaving.id)
    )
    if not others:
        raise AccountRefused("last_administrator", "the portal needs at least one active administrator")


# -- the audit trail --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditQuery:
    action: str | None = None
    user: str | None = None  # the email address of who acted
    target: str | None = None
    before: int | None = None  # events with a smaller id (older) only
    limit: int = AUDIT_PAGE_SIZE


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    email: str | None  # of who acted; None: the command line, nobody logged in, or a deleted account


@dataclass
class AuditPage:
    rows: list[AuditRow] = field(default_factory=list)
    next_before: int | None = None  # pass as `before` for the next (older) page


def audit_trail(session: Session, query: AuditQuery) -> AuditPage:
    """One page of the audit trail, newest first; paged by id (`before`), never by offset."""
    limit = max(1, min(query.limit, MAX_AUDIT_PAGE_SIZE))
    stmt = select(AuditEvent, User.email).outerjoin(User, AuditEvent.user_id == User.id)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.user:
        stmt = stmt.where(User.email == normalise_email(query.user))
    if query.target:
        stmt = stmt.where(AuditEvent.target == query.target)
    if query.before is not None:
        stmt = stmt.where(AuditEvent.id < query.before)
    found = session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1)).all()
    rows = [AuditRow(event, email) for event, email in found[:limit]]
    more = len(found) > limit
    return AuditPage(rows, rows[-1].event.id if more and rows else None)


def audit_actions(session: Session) -> list[str]:
    """The actions one can filter by: the known ones, then any other the trail holds."""
    stored = set(session.scalars(select(AuditEvent.action).distinct()))
    known = [*LOGIN_ACTIONS, *ACCOUNT_ACTIONS]
    return known + sorted(stored - set(known))
