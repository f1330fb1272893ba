"""Stable permalinks of records from country, kind and identifier: /l/FR/provision/legitext...-art-324-1.

Record ids are "<country>-<law|decision>-<key>" (a provision's id is its law's id plus "-art-<number>"), so
the permalink is the id's country (upper case), the record's own kind and the rest of the id; the id is
found again from those three, whatever the record's kind.
"""

from __future__ import annotations

# The middle part of ids by the kind of record (a provision carries its law's).
ID_KINDS = {"law": "law", "provision": "law", "decision": "decision"}


def permalink_parts(record_id: str, kind: str, country: str | None) -> tuple[str, str, str] | None:
    """(COUNTRY, kind, identifier) for a record, or None when its id does not follow the scheme."""
    if not country:
        return None
    prefix = f"{country.lower()}-{ID_KINDS.get(kind, kind)}-"
    if not record_id.startswith(prefix) or len(record_id) == len(prefix):
        return None
    return country.upper(), kind, record_id[len(prefix) :]


def record_id_of(country: str, kind: str, identifier: str) -> str | None:
    """The record id a permalink names, or None when it cannot name one."""
    if len(country) != 2 or not country.isalpha() or kind not in ID_KINDS or not identifier:
        return None
    return f"{country.lower()}-{ID_KINDS[kind]}-{identifier}"
