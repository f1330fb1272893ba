"""Requests for mutual legal assistance: drafting with the request writer, finalising, the register of
outgoing and incoming requests with their status and reminders. Shared by the pages and the API.

Every function takes the user and checks ownership itself: a request belongs to one authority and only
that authority's active users reach it (`owned`); anyone else, reviewers and administrators included,
gets RequestNotFound, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from sherloc.mla.assemble import Heading, Lookups, assemble
from sherloc.mla.completeness import Context, DirectoryFacts, Finding, check, is_complete, required_documents
from sherloc.mla.document import Document
from sherloc.mla.rules import FieldRule, Rules, is_given
from sherloc.models.accounts import User
from sherloc.models.cases import countries, country_by_code
from sherloc.models.directory import Authority
from sherloc.models.mla import DIRECTIONS, PENDING, STATUSES, MlaEvent, MlaRequest
from sherloc.models.records import Record
from sherloc.numerals import DIGIT_FOLD, cn_article_number
from sherloc.services.directory import country_name, language_codes, language_name
from sherloc.vocab.directory_mandates import directory_vocabulary

ROLE = "authority"  # the only role that drafts and tracks requests
NOT_LINKED = "-"  # an offence's provision_record when the drafter declined the portal's suggestions
MAX_TEXT = 20_000  # one answer
MAX_LINE = 500  # a one-line answer
MAX_ITEMS = 50  # items of one group
MAX_REFERENCE = 100
# Lone surrogates cannot be stored or printed; C0 controls other than tab and line breaks cannot be in DOCX.
UNPRINTABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Explicit bidi embeddings, overrides and isolates: a reference is an identifier (in file names, lists and
# headings), where one would make "1-ABC" read as "CBA-1". LRM, RLM and ALM stay: they are how Arabic and
# Hebrew text marks direction.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Mandates that make an authority a destination for requests for mutual legal assistance.
MLA_MANDATE = re.compile(r"mutual_legal_assistance$")
# Which status may follow which; an outgoing request is sent only once finalised (checked apart).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "draft": ("sent",),
    "sent": ("acknowledged", "executed_in_part", "executed", "refused"),
    "acknowledged": ("executed_in_part", "executed", "refused"),
    "executed_in_part": ("executed", "refused"),
    "executed": (),
    "refused": (),
}
# The date column each status sets.
STATUS_DATES = {
    "sent": "sent_on",
    "acknowledged": "acknowledged_on",
    "executed": "executed_on",
    "refused": "executed_on",
}


class RequestNotFound(LookupError):
    """No such request for this user (it does not exist or another authority owns it)."""


class RequestError(ValueError):
    """A change that cannot be made as asked; `field` names what to fix. The message is translated into
    the interface's language when shown (a lazy string)."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Incomplete(RequestError):
    """Finalising refused: `findings` are the blocking ones."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(_l("The request is not complete."))
        self.findings = findings


def get_locale_language() -> str:
    """The interface's language in a request, English elsewhere (commands, tests)."""
    try:
        return str(get_locale() or "en")
    except RuntimeError:
        return "en"


def may_use(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == ROLE and bool(user.authority_id)


def _owner(user: User | None) -> str:
    if user is None or not may_use(user) or user.authority_id is None:
        raise RequestNotFound
    return user.authority_id


def owned(session: Session, user: User | None, request_id: int) -> MlaRequest:
    """The request, if `user` belongs to the authority that owns it."""
    owner = _owner(user)
    found = session.get(MlaRequest, request_id)
    if found is None or found.authority_id != owner:
        raise RequestNotFound
    return found


# ---- what the checks and the document need from the store ------------------------------------------


def facts_of(authority: Authority | None) -> DirectoryFacts | None:
    if authority is None:
        return None
    return DirectoryFacts(
        authority_id=authority.id,
        name=authority.name,
        country=authority.country,
        languages=tuple(authority.working_languages or ()),
        channels=tuple(authority.channels or ()),
        interpol_accepted=authority.interpol_accepted,
        required_documents=required_documents(authority.required_documents),
        urgent_procedures=authority.urgent_procedures,
        designated=_designated(authority),
    )


def requested_authority(session: Session, answers: Mapping[str, Any]) -> Authority | None:
    """The directory entry the drafter chose, if it is one."""
    chosen = answers.get("requested_authority")
    return session.get(Authority, chosen) if isinstance(chosen, str) and chosen else None


def _designated(authority: Authority) -> bool:
    """Whether the entry has a mandate for mutual legal assistance (under any instrument)."""
    mandates = authority.mandates or ()
    return any(isinstance(m, Mapping) and MLA_MANDATE.search(str(m.get("mandate", ""))) for m in mandates)


def mla_authorities(session: Session, country: str | None) -> list[Authority]:
    """The directory's authorities of `country` designated for mutual legal assistance."""
    if not country:
        return []
    rows = session.scalars(select(Authority).where(Authority.country == country).order_by(Authority.name))
    return [a for a in rows if _designated(a)]


@dataclass(frozen=True)
class TreatyChoice:
    id: str
    title: str
    between_both: bool  # both States are among its parties (as far as the portal records them)


def treaty_choices(session: Session, requesting: str | None, requested: str | None) -> list[TreatyChoice]:
    """The portal's treaties, those binding both States first."""
    out = []
    for record in session.scalars(select(Record).where(Record.kind == "treaty")):
        treaty = (record.attributes or {}).get("treaty")
        treaty = treaty if isinstance(treaty, Mapping) else {}
        parties = {str(p) for p in treaty.get("parties") or ()}
        both = bool(requesting and requested and {requesting, requested} <= parties)
        out.append(TreatyChoice(record.id, str(treaty.get("title") or record.title), both))
    out.sort(key=lambda t: (not t.between_both, t.title))
    return out


@cache
def _known_codes() -> tuple[frozenset[str], frozenset[str]]:
    """The country codes and channel ids answers are checked against (fixed vocabularies: read once)."""
    return frozenset(c.code for c in countries()), frozenset(c.id for c in directory_vocabulary().channels)


def context(today: dt.date | None = None) -> Context:
    country_codes, channel_ids = _known_codes()
    return Context(
        countries=country_codes,
        languages=language_codes(),
        channels=channel_ids,
        today=today or dt.date.today(),
    )


def findings(
    session: Session, rules: Rules, request: MlaRequest, today: dt.date | None = None
) -> list[Finding]:
    answers = request.answers or {}
    facts = facts_of(requested_authority(session, answers))
    return check(rules, answers, facts, context(today))


CN_ARTICLE = re.compile(r"第[〇零一二两三四五六七八九十百千0-9０-９]+条(?:之[一二三四五六七八九十]+)?")


def article_numbers(citation: str) -> list[str]:
    """The article numbers a citation gives, normalised as provisions store them: "article 191",
    "art. 324-1", "第一百九十一条" and "статья 210" give "191", "324-1", "191", "210"."""
    numbers = []
    for match in CN_ARTICLE.finditer(citation):
        try:
            numbers.append(cn_article_number(match.group(0)))
        except ValueError:
            continue
    numbers += re.findall(r"\d+(?:[-.]\d+)*(?<!\.)", citation.translate(DIGIT_FOLD))
    return list(dict.fromkeys(numbers))


def provision_suggestions(
    session: Session, country: str | None, citation: str, limit: int = 5
) -> list[Record]:
    """Provisions of `country`'s law in the portal that the drafter's citation may name: those with the
    article number it gives, those whose law's title shares the most words with it first."""
    numbers = article_numbers(citation)
    if not country or not numbers:
        return []
    query = select(Record).where(
        Record.kind == "provision", Record.country == country, Record.number.in_(numbers)
    )
    rows = list(session.scalars(query.order_by(Record.id).limit(200)))
    words = {w for w in re.findall(r"\w{2,}", CN_ARTICLE.sub(" ", citation).casefold()) if not w.isdigit()}

    def score(record: Record) -> int:
        title = f"{record.title} {record.parent.title if record.parent else ''}".casefold()
        return sum(w in title for w in words)

    rows.sort(key=score, reverse=True)
    return rows[:limit]


# ---- saving answers ---------------------------------------------------------------------------------


def _clean_text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RequestError(_l("expected text"))
    value = UNPRINTABLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(value) > limit:
        raise RequestError(_l("at most %(limit)s characters", limit=limit))
    return value or None


def _clean_reference(value: Any, limit: int) -> str | None:
    """A reference (ours or theirs) as text, without bidi controls (see BIDI_CONTROLS)."""
    return _clean_text(BIDI_CONTROLS.sub("", value) if isinstance(value, str) else value, limit)


def _clean_value(rule: FieldRule, value: Any) -> Any:
    if rule.type == "checkbox":
        return True if value in (True, "1", "on", "true", "yes") else None
    if rule.type in ("assistance", "required_documents"):
        if value is None:
            return []
        if not isinstance(value, list):
            raise RequestError(_l("expected a list"))
        texts = [_clean_text(v, MAX_LINE if rule.type == "assistance" else MAX_TEXT) for v in value]
        return list(dict.fromkeys(v for v in texts if v))
    if rule.type == "group":
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise RequestError(_l("expected a list of at most %(count)s items", count=MAX_ITEMS))
        items: list[dict[str, Any]] = []
        for item in value:
            if not isinstance(item, Mapping):
                raise RequestError(_l("expected an object per item"))
            cleaned: dict[str, Any] = {sub.id: _clean_value(sub, item.get(sub.id)) for sub in rule.fields}
            cleaned = {k: v for k, v in cleaned.items() if v is not None}
            if not is_given(cleaned):
                continue  # an item the drafter emptied (its provision link alone does not keep it)
            if rule.id == "offences" and (link := _clean_text(item.get("provision_record"), 255)):
                cleaned["provision_record"] = link
            items.append(cleaned)
        return items
    limit = MAX_TEXT if rule.type == "textarea" else MAX_LINE
    text = _clean_text(value, limit)
    # Codes are stored in short columns and named from lists: one outside them is refused at once.
    if text is not None and rule.type == "country" and country_by_code(text) is None:
        raise RequestError(_l("unknown country code %(code)s", code=text[:20]))
    if text is not None and rule.type == "language" and text not in language_codes():
        raise RequestError(_l("unknown language code %(code)s", code=text[:20]))
    return text


def clean_answers(rules: Rules, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as stored: known fields only, text trimmed and bounded, empty values left out.

    Completeness is not checked here (a draft may be incomplete); the form of a value is, where a wrong
    one could not be printed (not text, too long)."""
    out: dict[str, Any] = {}
    for rule in rules.all_fields():
        if rule.id not in answers:
            continue
        try:
            value = _clean_value(rule, answers[rule.id])
        except RequestError as exc:
            raise RequestError(f"{rule.label(get_locale_language())}: {exc.message}", field=rule.id) from exc
        if value is not None and value != []:
            out[rule.id] = value
    return out


def _denormalise(request: MlaRequest, rules: Rules) -> None:
    """Copy what the register lists and filters by out of the answers."""
    answers = request.answers or {}
    request.requesting_state = answers.get("requesting_state")
    request.requested_state = answers.get("requested_state")
    request.language = answers.get("language")
    request.assistance_types = [t for t in answers.get("assistance_types") or () if rules.assistance(t)]
    subject = answers.get("subject_matter") or answers.get("case_reference") or ""
    request.title = subject.splitlines()[0][:MAX_LINE] if subject else ""
    deadline = answers.get("deadline")
    try:
        request.due_on = dt.date.fromisoformat(deadline) if isinstance(deadline, str) else None
    except ValueError:
        request.due_on = None


def next_reference(session: Session, authority_id: str, direction: str, today: dt.date) -> str:
    """OUT-2026-0007: one more than the highest number of the year, never one given before (a deleted
    draft's number is not reused while a later one exists)."""
    prefix = f"{'OUT' if direction == 'outgoing' else 'IN'}-{today.year}-"
    taken = session.scalars(
        select(MlaRequest.reference).where(
            MlaRequest.authority_id == authority_id, MlaRequest.reference.startswith(prefix)
        )
    )
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _reference_taken(session: Session, request: MlaRequest, reference: str) -> bool:
    return (
        session.scalar(
            select(MlaRequest.id).where(
                MlaRequest.authority_id == request.authority_id,
                MlaRequest.reference == reference,
                MlaRequest.id != request.id,
            )
        )
        is not None
    )


def _event(request: MlaRequest, user: User, action: str, **values: Any) -> None:
    request.events.append(MlaEvent(action=action, user_id=user.id, **values))


def create_outgoing(session: Session, user: User, rules: Rules, today: dt.date | None = None) -> MlaRequest:
    owner = _owner(user)
    today = today or dt.date.today()
    authority = session.get(Authority, owner)
    answers: dict[str, Any] = {}
    if authority is not None:  # what the portal knows of the drafter's own authority
        answers = {"requesting_state": authority.country, "requesting_authority": authority.name}
    request = MlaRequest(
        authority_id=owner,
        direction="outgoing",
        reference=next_reference(session, owner, "outgoing", today),
        answers=answers,
        status="draft",
        created_by=user.id,
    )
    _denormalise(request, rules)
    _event(request, user, "created", on=today)
    session.add(request)
    session.flush()
    return request


def save_answers(
    session: Session, user: User, rules: Rules, request: MlaRequest, answers: Mapping[str, Any]
) -> None:
    """Merge `answers` (some fields, as a step's form gives them) into the draft."""
    owned(session, user, request.id)
    if request.direction != "outgoing" or request.status != "draft":
        raise RequestError(_l("Only a draft can be edited."))
    if request.finalised_at is not None:
        raise RequestError(_l("The request is finalised: reopen it to edit it."))
    merged = {**(request.answers or {}), **answers}
    request.answers = clean_answers(rules, merged)
    _denormalise(request, rules)


def set_reference(session: Session, user: User, request: MlaRequest, reference: str) -> None:
    owned(session, user, request.id)
    cleaned = _clean_reference(reference, MAX_REFERENCE)
    if not cleaned:
        raise RequestError(_l("A reference is required."), field="reference")
    if request.direction == "outgoing" and request.finalised_at is not None:
        raise RequestError(_l("The request is finalised with its reference: reopen it to change it."))
    if _reference_taken(session, request, cleaned):
        raise RequestError(_l("Another request of your authority has this reference."), field="reference")
    request.reference = cleaned


def finalise(
    session: Session,
    user: User,
    rules: Rules,
    request: MlaRequest,
    provision_url: Callable[[str], str | None],
    today: dt.date | None = None,
) -> None:
    """Check the request complete and fix it for signature: the assembled document is kept as it is now
    (dated today), and the DOCX and PDF are made from it."""
    owned(session, user, request.id)
    if request.direction != "outgoing" or request.status != "draft":
        raise RequestError(_l("Only a draft can be finalised."))
    found = findings(session, rules, request, today)
    if not is_complete(found):
        raise Incomplete([f for f in found if f.blocking])
    request.finalised_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    request.document = document(session, rules, request, provision_url, today).as_json()
    _event(request, user, "finalised", on=today or dt.date.today())


def reopen(session: Session, user: User, request: MlaRequest, today: dt.date | None = None) -> None:
    owned(session, user, request.id)
    if request.status != "draft" or request.finalised_at is None:
        raise RequestError(_l("Only a finalised draft can be reopened."))
    request.finalised_at = None
    request.document = None
    _event(request, user, "reopened", on=today or dt.date.today())


def delete_draft(session: Session, user: User, request: MlaRequest) -> None:
    owned(session, user, request.id)
    if request.status != "draft":
        raise RequestError(_l("Only a draft can be deleted; a sent request stays in the register."))
    session.delete(request)


def change_status(
    session: Session,
    user: User,
    request: MlaRequest,
    status: str,
    on: dt.date,
    note: str | None = None,
    ground: str | None = None,
    today: dt.date | None = None,
) -> None:
    owned(session, user, request.id)
    today = today or dt.date.today()
    if status not in STATUSES:
        raise RequestError(_l("Unknown status %(status)s.", status=status), field="status")
    if status not in NEXT_STATUSES[request.status]:
        raise RequestError(
            _l("A request that is %(old)s cannot become %(new)s.", old=request.status, new=status),
            field="status",
        )
    if status == "sent" and request.finalised_at is None:
        raise RequestError(_l("Finalise the request before recording that it was sent."), field="status")
    if on > today:
        raise RequestError(_l("The date cannot be in the future."), field="on")
    known = [d for d in (request.received_on, request.sent_on, request.acknowledged_on) if d is not None]
    if known and on < max(known):
        raise RequestError(
            _l("The date cannot be before the request's last change of status (%(date)s).", date=max(known)),
            field="on",
        )
    ground = _clean_text(ground, MAX_TEXT)
    if status == "refused" and not ground:
        raise RequestError(_l("Give the ground of refusal."), field="ground")
    request.status = status
    if status == "refused":
        request.refusal_ground = ground
    column = STATUS_DATES.get(status)
    if column:
        setattr(request, column, on)
    _event(request, user, "status", status=status, on=on, note=_clean_text(note, MAX_TEXT))


@dataclass(frozen=True)
class IncomingData:
    counterpart_reference: str | None
    requesting_state: str
    counterpart_authority: str | None
    title: str
    assistance_types: list[str]
    received_on: dt.date
    due_on: dt.date | None


def create_incoming(
    session: Session, user: User, rules: Rules, data: IncomingData, today: dt.date | None = None
) -> MlaRequest:
    owner = _owner(user)
    today = today or dt.date.today()
    if data.requesting_state not in {c.code for c in countries()}:
        raise RequestError(_l("Choose the requesting State."), field="requesting_state")
    if data.received_on > today:
        raise RequestError(_l("The date cannot be in the future."), field="received_on")
    if data.due_on is not None and data.due_on < data.received_on:
        raise RequestError(_l("The due date cannot be before the date received."), field="due_on")
    unknown = [t for t in data.assistance_types if rules.assistance(t) is None]
    if unknown:
        raise RequestError(
            _l("Unknown types of assistance: %(types)s.", types=", ".join(unknown)), field="assistance_types"
        )
    authority = session.get(Authority, owner)
    request = MlaRequest(
        authority_id=owner,
        direction="incoming",
        reference=next_reference(session, owner, "incoming", today),
        counterpart_reference=_clean_reference(data.counterpart_reference, 200),
        requesting_state=data.requesting_state,
        requested_state=authority.country if authority else None,
        counterpart_authority=_clean_text(data.counterpart_authority, MAX_LINE),
        title=_clean_text(data.title, MAX_LINE) or "",
        assistance_types=list(dict.fromkeys(data.assistance_types)),
        status="sent",
        received_on=data.received_on,
        sent_on=data.received_on,
        due_on=data.due_on,
        created_by=user.id,
    )
    _event(request, user, "status", status="sent", on=data.received_on)
    session.add(request)
    session.flush()
    return request


# ---- the register and its reminders -------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    request: MlaRequest
    reason: str  # "due": the due date has passed; "unacknowledged": sent long ago, no acknowledgement
    days: int  # days overdue, or days since sending


def register(
    session: Session, user: User, direction: str | None = None, status: str | None = None
) -> list[MlaRequest]:
    owner = _owner(user)
    query = select(MlaRequest).where(MlaRequest.authority_id == owner)
    if direction in DIRECTIONS:
        query = query.where(MlaRequest.direction == direction)
    if status in STATUSES:
        query = query.where(MlaRequest.status == status)
    return list(session.scalars(query.order_by(MlaRequest.updated_at.desc(), MlaRequest.id.desc())))


def reminders(requests: Iterable[MlaRequest], today: dt.date, acknowledgement_days: int) -> list[Reminder]:
    """Requests still pending whose due date has passed, and outgoing ones sent more than
    `acknowledgement_days` ago without an acknowledgement; the most overdue first."""
    out = []
    for request in requests:
        if request.status not in PENDING:
            continue
        if request.due_on is not None and request.due_on < today:
            out.append(Reminder(request, "due", (today - request.due_on).days))
        elif (
            request.direction == "outgoing"
            and request.status == "sent"
            and request.sent_on is not None
            and (today - request.sent_on).days > acknowledgement_days
        ):
            out.append(Reminder(request, "unacknowledged", (today - request.sent_on).days))
    out.sort(key=lambda r: -r.days)
    return out


# ---- the document -------------------------------------------------------------------------------------


def document(
    session: Session,
    rules: Rules,
    request: MlaRequest,
    provision_url: Callable[[str], str | None],
    today: dt.date | None = None,
) -> Document:
    answers = request.answers or {}
    authority = requested_authority(session, answers)
    channels = directory_vocabulary()

    def channel_label(code: str, lang: str) -> str:
        found = channels.channel(code)
        return found.label(lang) if found else code

    def treaty_title(record_id: str) -> str | None:
        record = session.get(Record, record_id)
        if record is None or record.kind != "treaty":
            return None
        treaty = (record.attributes or {}).get("treaty")
        return str(treaty.get("title") or record.title) if isinstance(treaty, Mapping) else record.title

    lookups = Lookups(
        country_name=country_name,
        language_name=language_name,
        channel_label=channel_label,
        treaty_title=treaty_title,
        provision_url=provision_url,
    )
    day = today or dt.date.today()
    # Not in the directory: the name the drafter typed.
    name = authority.name if authority else str(answers.get("requested_authority") or "")
    return assemble(rules, answers, Heading(request.reference, day, name), lookups)
