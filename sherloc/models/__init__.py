"""SQLAlchemy 2 models: the record store, source of truth for everything the portal shows and indexes."""

from sherloc.models.accounts import ROLES, User, UserSession
from sherloc.models.base import Base
from sherloc.models.cases import Case, CaseAttachment, CaseText, Charge, Defendant, Victim
from sherloc.models.directory import Authority
from sherloc.models.mla import MlaEvent, MlaRequest
from sherloc.models.records import KINDS, TAG_SCHEMES, IngestedFile, Record, Tag
from sherloc.models.usage import UsageCount
from sherloc.models.workflow import AuditEvent, Revision, Version

__all__ = [
    "AuditEvent",
    "Authority",
    "MlaEvent",
    "MlaRequest",
    "Revision",
    "UsageCount",
    "Version",
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
