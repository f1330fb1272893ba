"""Stable permalinks of records from country, kind and identifier: /l/FR/provision/legitext...-art-324-1.

Record ids are "<country>-<kind>-<key>" (a provision's id is its law's id plus "-art-<number>"), so
the permalink is the id's country (upper case), the record's own kind and the rest of the id; the id is
found again from those three, whatever the record's kind.
"""

from __future__ import annotations

from sherloc.models.records import KINDS

# The middle part of ids by the kind of record: its own kind, except a provision, which carries its law's.
# (A treaty's articles are provisions too, under a treaty id: permalink_parts falls back on that.)
ID_KINDS = {kind: kind for kind in KINDS} | {"provision": "law"}


def permalink_parts(record_id: str, kind: str, country: str | None) -> tuple[str, str, str] | None:
    """(COUNTRY, kind, identifier) for a record, or None when its id does not follow the scheme."""
    if not country:
        return None
    for middle in dict.fromkeys((ID_KINDS.get(kind, kind), kind)):
        prefix = f"{country.lower()}-{middle}-"
        if record_id.startswith(prefix) and len(record_id) > len(prefix):
            return country.upper(), kind, record_id[len(prefix) :]
    return None


def record_id_of(country: str, kind: str, identifier: str) -> str | None:
    """The record id a permalink names, or None when it cannot name one."""
    if len(country) != 2 or not country.isalpha() or kind not in ID_KINDS or not identifier:
        return None
    return f"{country.lower()}-{ID_KINDS[kind]}-{identifier}"
