"""The Directory of Competent National Authorities: its editorial handler (checks, ids, who may edit and
read, writing a published entry) and the reading functions shared by pages, API and commands.

Only authority users and reviewers read entries. Everyone else gets `public_summary`, which reads the
`country` and `mandates` columns and nothing more: no other field can reach it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from sherloc.models.accounts import User
from sherloc.models.cases import countries, country_by_code
from sherloc.models.directory import Authority
from sherloc.services import workflow
from sherloc.vocab.directory_mandates import DirectoryVocabulary, directory_vocabulary

ENTITY_TYPE = "authority"
KIND = "authority"
READERS = ("authority", "reviewer")  # the roles that read the directory

MAX_NAME = 500
MAX_SHORT = 100  # phone, fax
MAX_LINE = 300  # a contact person's name or title
MAX_TEXT = 20_000  # address, office hours, required documents, urgent procedures, remarks
MAX_CONTACTS = 20
MAX_LINKS = 50
MAX_URL = 2048
MAX_EMAIL = 254
# A pragmatic check of an address's shape (one @, a dot in the domain, no spaces); delivery is the proof.
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")

# Every field of an entry, in the order pages and exports show them (id and timestamps aside).
TEXT_FIELDS = (
    "address",
    "phone",
    "fax",
    "email",
    "website",
    "office_hours",
    "time_zone",
    "required_documents",
    "urgent_procedures",
    "remarks",
)
LIST_FIELDS = ("mandates", "contact_persons", "working_languages", "channels", "links")
FLAG_FIELDS = ("interpol_accepted", "untoc_extradition_basis")
FIELDS = ("country", "name", *LIST_FIELDS, *TEXT_FIELDS, *FLAG_FIELDS)
CONTACT_KEYS = ("name", "title", "phone", "email", "languages")


class InvalidFilter(ValueError):
    """A filter of the directory's listing that names no known country or mandate."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# ---- vocabulary helpers ---------------------------------------------------------------------------


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes (two letters) that Babel's CLDR data names."""
    from babel import Locale

    codes = (str(code) for code in Locale("en").languages)
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha())


def language_name(code: str, language: str | None = "en") -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(language or "en").languages.get(code) or code)
    except (ValueError, UnknownLocaleError):
        return code


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def country_name(code: str, language: str | None = "en") -> str:
    found = countries().get(code)
    return found.name(language) if found else code


# ---- the handler ----------------------------------------------------------------------------------


class AuthorityHandler:
    """How the editorial workflow reads, checks and writes directory entries."""

    entity_type = ENTITY_TYPE

    def kinds(self) -> tuple[str, ...]:
        return (KIND,)

    def current(self, session: Session, entity_id: str) -> dict[str, Any] | None:
        found = session.get(Authority, entity_id)
        return None if found is None else {**entry_dict(found), "kind": KIND}

    def clean(
        self, session: Session, kind: str, data: Mapping[str, Any], entity_id: str | None
    ) -> dict[str, Any]:
        if kind != KIND:
            raise workflow.WorkflowError(f"kind: {kind!r} is not a kind of directory entry")
        try:  # text a database cannot store (a lone surrogate) is refused, never stored half-way
            json.dumps(dict(data), ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise workflow.WorkflowError("data: contains text that is not valid Unicode") from None
        return clean_entry(data, directory_vocabulary())

    def new_id(self, session: Session, kind: str, data: Mapping[str, Any]) -> str:
        country = str(data.get("country") or "xx").lower()
        slug = slugify(str(data.get("name") or "")) or "authority"
        base = f"{country}-{slug}"[:58].rstrip("-")
        candidate, n = base, 1
        while session.get(Authority, candidate) is not None or _proposed_id(session, candidate):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def describe(self, data: Mapping[str, Any]) -> tuple[str, str | None]:
        country = data.get("country")
        return str(data.get("name") or ""), str(country) if country else None

    def may_edit(self, user: User, entity_id: str | None, data: Mapping[str, Any] | None) -> bool:
        if not user.is_active:
            return False
        if user.role == "reviewer":
            return True
        if user.role != "authority" or entity_id is None or entity_id != user.authority_id:
            return False
        # Moving an authority to another country is the secretariat's decision, not the authority's.
        if data is not None and data.get("country"):
            session = object_session(user)
            found = session.get(Authority, entity_id) if session is not None else None
            moved_to = country_by_code(str(data["country"]))  # an unknown code is for `clean` to refuse
            if found is not None and moved_to is not None and moved_to.code != found.country:
                return False
        return True

    def may_read(self, user: User | None, entity_id: str) -> bool:
        return may_read_directory(user)

    def apply(
        self, session: Session, entity_id: str, kind: str, data: Mapping[str, Any], user: User | None
    ) -> None:
        found = session.get(Authority, entity_id)
        if found is None:
            found = Authority(id=entity_id)
            session.add(found)
        for name in FIELDS:
            setattr(found, name, data.get(name))

    def search_ids(self, session: Session, entity_id: str) -> tuple[list[str], list[str]]:
        return [], []  # the directory is not in the public search index


def _proposed_id(session: Session, entity_id: str) -> bool:
    from sherloc.models.workflow import Revision

    return (
        session.scalar(
            select(Revision.id)
            .where(Revision.entity_type == ENTITY_TYPE, Revision.entity_id == entity_id)
            .limit(1)
        )
        is not None
    )


HANDLER = AuthorityHandler()
workflow.register(HANDLER)


def may_read_directory(user: User | None) -> bool:
    """Authority users and reviewers read the whole directory; nobody else reads any entry."""
    return user is not None and user.is_active and user.role in READERS


def may_edit_entry(user: User | None, entity_id: str | None) -> bool:
    return user is not None and HANDLER.may_edit(user, entity_id, None)


# ---- checking an entry ----------------------------------------------------------------------------


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].rstrip("-")


def _fail(field: str, message: str) -> workflow.WorkflowError:
    return workflow.WorkflowError(f"{field}: {message}")


def _text(data: Mapping[str, Any], field: str, limit: int, *, required: bool = False) -> str | None:
    value = data.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(field, "must be text")
    value = value.replace("\r\n", "\n").strip()
    if "\x00" in value:
        raise _fail(field, "contains a NUL character")
    if len(value) > limit:
        raise _fail(field, f"at most {limit} characters")
    if required and not value:
        raise _fail(field, "required")
    return value or None


def _email(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_EMAIL or not EMAIL.match(value):
        raise _fail(field, f"{value!r} is not an email address")
    return value


def _url(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise _fail(field, f"{value!r} is not an http(s) address")
    if len(value) > MAX_URL:
        raise _fail(field, f"at most {MAX_URL} characters")
    return value


def _list(data: Mapping[str, Any], field: str) -> list[Any]:
    value = data.get(field)
    if value is None or value == "":
        return []
    if isinstance(value, str):  # one value, or lines of a text area
        return [line for line in (v.strip() for v in re.split(r"[\n,]", value)) if line]
    if not isinstance(value, (list, tuple)):
        raise _fail(field, "must be a list")
    return list(value)


def _flag(data: Mapping[str, Any], field: str) -> bool | None:
    value = data.get(field)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in ("", "unknown", "none", "null"):
            return None
        if folded in ("yes", "true", "1", "y"):
            return True
        if folded in ("no", "false", "0", "n"):
            return False
    raise _fail(field, "must be yes, no or not stated")


def _languages(values: Iterable[Any], field: str) -> list[str]:
    out: list[str] = []
    for value in values:
        code = str(value).strip().lower() if isinstance(value, str) else ""
        if code not in language_codes():
            raise _fail(field, f"{value!r} is not an ISO 639-1 language code (e.g. en, fr, zh)")
        if code not in out:
            out.append(code)
    return out


def clean_entry(data: Mapping[str, Any], vocabulary: DirectoryVocabulary) -> dict[str, Any]:
    """`data` checked field by field and normalised; the first problem raises WorkflowError."""
    if not isinstance(data, Mapping):
        raise workflow.WorkflowError("entry: must be an object")
    unknown = set(data) - set(FIELDS) - {"kind", "id"}
    if unknown:
        raise _fail(sorted(unknown)[0], "unknown field")
    out: dict[str, Any] = {}
    code = _text(data, "country", 3, required=True) or ""
    country = country_by_code(code) if len(code) == 2 else None
    if country is None:
        raise _fail("country", f"{code!r} is not an ISO 3166-1 alpha-2 code of a known country")
    out["country"] = country.code
    out["name"] = _text(data, "name", MAX_NAME, required=True)

    mandates: list[dict[str, str]] = []
    for item in _list(data, "mandates"):
        mandate_id = item.get("mandate") if isinstance(item, Mapping) else item
        mandate = vocabulary.mandate(mandate_id) if isinstance(mandate_id, str) else None
        if mandate is None:
            raise _fail("mandates", f"{mandate_id!r} is not a mandate of the directory")
        if mandate.as_json() not in mandates:
            mandates.append(mandate.as_json())
    if not mandates:
        raise _fail("mandates", "name at least one mandate")
    order = vocabulary.mandate_order()
    out["mandates"] = sorted(mandates, key=lambda m: order[m["mandate"]])

    out["address"] = _text(data, "address", MAX_TEXT)
    out["phone"] = _text(data, "phone", MAX_SHORT)
    out["fax"] = _text(data, "fax", MAX_SHORT)
    out["email"] = _email(_text(data, "email", MAX_EMAIL), "email")
    out["website"] = _url(_text(data, "website", MAX_URL), "website")

    contacts = _list(data, "contact_persons")
    if len(contacts) > MAX_CONTACTS:
        raise _fail("contact_persons", f"at most {MAX_CONTACTS}")
    out["contact_persons"] = []
    for n, person in enumerate(contacts, start=1):
        field = f"contact_persons[{n}]"
        if not isinstance(person, Mapping):
            raise _fail(field, "must be an object with name, title, phone, email, languages")
        extra = set(person) - set(CONTACT_KEYS)
        if extra:
            raise _fail(f"{field}.{sorted(extra)[0]}", "unknown field")
        row = {
            "name": _text(person, "name", MAX_LINE),
            "title": _text(person, "title", MAX_LINE),
            "phone": _text(person, "phone", MAX_SHORT),
            "email": _email(_text(person, "email", MAX_EMAIL), f"{field}.email"),
            "languages": _languages(_list(person, "languages"), f"{field}.languages"),
        }
        if not any(row.values()):
            continue  # an empty row of the form
        if not row["name"]:
            raise _fail(f"{field}.name", "required")
        out["contact_persons"].append(row)

    out["office_hours"] = _text(data, "office_hours", MAX_TEXT)
    zone = _text(data, "time_zone", 64)
    if zone is not None and zone not in time_zones():
        raise _fail("time_zone", f"{zone!r} is not an IANA time zone (e.g. Europe/Madrid)")
    out["time_zone"] = zone
    out["working_languages"] = _languages(_list(data, "working_languages"), "working_languages")
    out["required_documents"] = _text(data, "required_documents", MAX_TEXT)

    channels: list[str] = []
    for value in _list(data, "channels"):
        if not isinstance(value, str) or vocabulary.channel(value.strip()) is None:
            raise _fail("channels", f"{value!r} is not a channel of the directory")
        if value.strip() not in channels:
            channels.append(value.strip())
    out["channels"] = channels
    out["interpol_accepted"] = _flag(data, "interpol_accepted")
    out["urgent_procedures"] = _text(data, "urgent_procedures", MAX_TEXT)
    out["untoc_extradition_basis"] = _flag(data, "untoc_extradition_basis")
    out["remarks"] = _text(data, "remarks", MAX_TEXT)

    links = _list(data, "links")
    if len(links) > MAX_LINKS:
        raise _fail("links", f"at most {MAX_LINKS}")
    out["links"] = []
    for value in links:
        if not isinstance(value, str):
            raise _fail("links", "each link must be text")
        link = _url(value.strip() or None, "links")
        if link and link not in out["links"]:
            out["links"].append(link)
    return {name: out[name] for name in FIELDS}


# ---- reading --------------------------------------------------------------------------------------


def entry_dict(found: Authority) -> dict[str, Any]:
    """Every field of an entry, JSON-able (its id first; timestamps aside, so that versions compare)."""
    return {"id": found.id, **{name: _copy(getattr(found, name)) for name in FIELDS}}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(v) if isinstance(v, dict) else v for v in value]
    return value


@dataclass(frozen=True)
class MandateCount:
    mandate: str
    instrument: str
    article: str
    authorities: int


@dataclass(frozen=True)
class CountrySummary:
    """What the public learns of a country's entries: the mandates covered and how many authorities."""

    country: str
    authorities: int
    mandates: tuple[MandateCount, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "authorities": self.authorities,
            "mandates": [
                {
                    "mandate": m.mandate,
                    "instrument": m.instrument,
                    "article": m.article,
                    "authorities": m.authorities,
                }
                for m in self.mandates
            ],
        }


def check_filters(country: str | None, mandate: str | None) -> tuple[str | None, str | None]:
    """The filters normalised (country upper-cased); InvalidFilter when one names nothing known."""
    code = None
    if country:
        found = country_by_code(country) if len(country.strip()) == 2 else None
        if found is None:
            raise InvalidFilter(
                "country", f"{country!r} is not an ISO 3166-1 alpha-2 code of a known country"
            )
        code = found.code
    if mandate and directory_vocabulary().mandate(mandate) is None:
        raise InvalidFilter("mandate", f"{mandate!r} is not a mandate of the directory")
    return code, mandate or None


def public_summary(
    session: Session, country: str | None = None, mandate: str | None = None
) -> list[CountrySummary]:
    """Per country, the mandates for which at least one authority is listed and how many: built from the
    `country` and `mandates` columns only, so that nothing restricted can reach the public."""
    country, mandate = check_filters(country, mandate)
    query = select(Authority.country, Authority.mandates)
    if country:
        query = query.where(Authority.country == country)
    vocabulary = directory_vocabulary()
    order = vocabulary.mandate_order()
    per_country: dict[str, list[list[dict[str, Any]]]] = {}
    for code, mandates in session.execute(query):
        per_country.setdefault(code, []).append(list(mandates or []))
    out = []
    for code, entries in per_country.items():
        if mandate and not any(m.get("mandate") == mandate for held in entries for m in held):
            continue
        counts: dict[str, int] = {}
        for held in entries:
            for mandate_id in {m.get("mandate") for m in held}:
                if isinstance(mandate_id, str) and mandate_id in order:
                    counts[mandate_id] = counts.get(mandate_id, 0) + 1
        rows = []
        for mandate_id in sorted(counts, key=order.__getitem__):
            known = vocabulary.mandate(mandate_id)
            assert known is not None
            rows.append(MandateCount(mandate_id, known.instrument, known.article, counts[mandate_id]))
        out.append(CountrySummary(code, len(entries), tuple(rows)))
    return sorted(out, key=lambda s: (country_name(s.country), s.country))


def country_mandates(session: Session, country: str) -> CountrySummary | None:
    """The public summary of one country (None when the directory lists no authority of it)."""
    found = public_summary(session, country=country)
    return found[0] if found else None


def listing(
    session: Session, country: str | None = None, mandate: str | None = None, language: str | None = "en"
) -> list[dict[str, Any]]:
    """Full entries for permitted readers (the caller checks who reads), sorted by country name then name."""
    country, mandate = check_filters(country, mandate)
    query = select(Authority)
    if country:
        query = query.where(Authority.country == country)
    found = [entry_dict(a) for a in session.scalars(query)]
    if mandate:
        found = [e for e in found if any(m.get("mandate") == mandate for m in e["mandates"])]
    return sorted(
        found, key=lambda e: (country_name(e["country"], language).casefold(), e["name"].casefold())
    )


def entry(session: Session, entity_id: str) -> dict[str, Any] | None:
    found = session.get(Authority, entity_id)
    return entry_dict(found) if found is not None else None


@dataclass(frozen=True)
class Export:
    """The directory as published at one moment: for its twice-yearly publication."""

    as_of: dt.date  # the date of the export
    latest_change: dt.datetime | None  # UTC, the last time an entry was written
    countries: tuple[tuple[str, tuple[dict[str, Any], ...]], ...]  # (country code, entries) by country name

    @property
    def total(self) -> int:
        return sum(len(entries) for _, entries in self.countries)

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "latest_change": self.latest_change.isoformat(timespec="seconds") + "Z"
            if self.latest_change
            else None,
            "total": self.total,
            "countries": [
                {"country": code, "authorities": list(entries)} for code, entries in self.countries
            ],
        }


def export_data(session: Session, language: str | None = "en", today: dt.date | None = None) -> Export:
    entries = listing(session, language=language)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for found in entries:
        grouped.setdefault(found["country"], []).append(found)
    latest = session.scalar(select(func.max(Authority.updated_at)))
    return Export(
        as_of=today or dt.datetime.now(dt.UTC).date(),
        latest_change=latest,
        countries=tuple((code, tuple(items)) for code, items in grouped.items()),
    )


# ---- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    index: int  # 1-based position in the file
    status: str  # new | updated | unchanged | failed
    entity_id: str | None
    message: str = ""


def import_entries(session: Session, items: Iterable[Any], user: User | None = None) -> list[ImportOutcome]:
    """Write entries as published content, each kept as a version (origin "import"). An entry with an
    "id" updates that entry (or creates it under that id); without one, it is matched by country and name.
    A bad entry is reported and skipped; an entry equal to what is published changes nothing."""
    vocabulary = directory_vocabulary()
    outcomes = []
    for n, item in enumerate(items, start=1):
        try:
            if not isinstance(item, Mapping):
                raise workflow.WorkflowError("entry: must be an object")
            cleaned = clean_entry(item, vocabulary)
            entity_id = item.get("id")
            if entity_id is not None and (
                not isinstance(entity_id, str)
                or not re.fullmatch(r"[a-z0-9-]{3,64}", entity_id)
                or entity_id in ("new", "export")  # the addresses /directory/new and /directory/export
            ):
                raise workflow.WorkflowError("id: lower-case letters, digits and hyphens, 3 to 64")
            if entity_id is None:
                entity_id = session.scalar(
                    select(Authority.id).where(
                        Authority.country == cleaned["country"], Authority.name == cleaned["name"]
                    )
                )
        except workflow.WorkflowError as exc:
            outcomes.append(ImportOutcome(n, "failed", None, str(exc)))
            continue
        before = HANDLER.current(session, entity_id) if entity_id else None
        if before is not None and {k: v for k, v in before.items() if k not in ("id", "kind")} == cleaned:
            outcomes.append(ImportOutcome(n, "unchanged", entity_id))
            continue
        if entity_id is None:
            entity_id = HANDLER.new_id(session, KIND, cleaned)
        HANDLER.apply(session, entity_id, KIND, cleaned, user)
        session.flush()
        workflow.record_change(
            session, user, ENTITY_TYPE, entity_id, "import", note="sherloc directory import", before=before
        )
        workflow.audit(session, user, "directory_imported", f"{ENTITY_TYPE}:{entity_id}")
        outcomes.append(ImportOutcome(n, "new" if before is None else "updated", entity_id))
    return outcomes
