"""SQLAlchemy 2 models: the record store, source of truth for everything the portal shows and indexes."""

from sherloc.models.accounts import ROLES, User, UserSession
from sherloc.models.base import Base
from sherloc.models.cases import Case, CaseAttachment, CaseText, Charge, Defendant, Victim
from sherloc.models.records import KINDS, TAG_SCHEMES, IngestedFile, Record, Tag

__all__ = [
    "KINDS",
    "ROLES",
    "TAG_SCHEMES",
    "Base",
    "Case",
    "CaseAttachment",
    "CaseText",
    "Charge",
    "Defendant",
    "IngestedFile",
    "Record",
    "Tag",
    "User",
    "UserSession",
    "Victim",
]
