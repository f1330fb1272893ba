"""SHERLOC-style case records: the structured account of one decision (court, people, charges, sentences).

A `Case` belongs to exactly one `Record` of kind "decision" (records.id); the record keeps the judgment's
text, source and tags (crime types, convention articles, cross-cutting issues are Tag rows on the record and
are not repeated here). Deleting the record deletes its case, people and charges (ON DELETE CASCADE).

Provenance: every row has a `provenance` JSON mapping a field name (as the case schema names it, dotted for
nested values: "court.name", "sentence.term") to where its value came from, either a span of the decision
record's text {"start": 120, "end": 164} or a correction {"by": "editor"} (optionally "user", "at"). An
editor's correction replaces the span, so the page can show which values a person has checked.

Victims are recorded by initials only: `Victim.initials` refuses anything that is not initials, in Python
(`@validates`) and, for uppercase-less or long values written around the ORM, by a CHECK constraint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from decimal import Decimal
from typing import Any

import regex
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, Session, composite, mapped_column, relationship, validates

from sherloc.models.base import Base
from sherloc.models.records import Record, _now
from sherloc.vocab.places import Countries, Country, load_countries

# Controlled values; each tuple is also a CHECK constraint, so adding a value needs a migration.
LEGAL_SYSTEMS = ("civil_law", "common_law", "islamic_law", "customary_law", "mixed", "other")
PROCEEDING_TYPES = (
    "criminal",
    "civil",
    "administrative",
    "constitutional",
    "extradition",
    "mutual_legal_assistance",
    "asset_recovery",
    "other",
)
COURT_LEVELS = ("first_instance", "appellate", "supreme", "other")
TEXT_KINDS = ("facts", "commentary", "procedural_history")
ATTACHMENT_KINDS = ("judgment", "other")
PERSON_TYPES = ("natural", "legal")
GENDERS = ("female", "male", "other")
DEFENDANT_ROLES = ("principal", "accessory", "organizer", "leader", "member", "facilitator", "other")
VERDICTS = ("convicted", "acquitted", "dismissed", "other")
SENTENCE_KINDS = (
    "imprisonment",
    "criminal_detention",  # 拘役 and the like: short custodial terms served locally
    "public_surveillance",  # 管制: non-custodial supervision
    "life_imprisonment",
    "death",
    "death_with_reprieve",  # 死缓
    "fine_only",
    "community_service",
    "other",
)
# Kinds that carry no term: a term given with them is refused by the schema.
TERMLESS_SENTENCE_KINDS = ("life_imprisonment", "death", "death_with_reprieve", "fine_only")
APPEAL_OUTCOMES = ("upheld", "reversed", "modified", "remanded", "pending", "withdrawn", "other")
# Whose sentence a charge carries: this decision's own, or the first-instance judgment an appeal quotes.
SENTENCE_SOURCES = ("decision", "first_instance")

MAX_INITIALS_LENGTH = 12
# Initials are single letters: "M. L.", "M.L.", "M L", "J.-P. D.", "Ж. К.", "م. ل.", or two capitals run
# together ("ML"). A run of three or more letters is a name ("ANA", "TOM", "LI NA"), as is more than one
# Han character: Chinese courts anonymise a person as a surname and 某 ("王某", "王某某"), and a surname with
# a given name is a name ("张.三." is 张三).
_LETTER = r"[\p{Lu}\p{Lt}\p{Lo}]"
_HAN = r"\p{Han}"
_ANONYMISED_HAN = regex.compile(rf"{_HAN}某{{1,2}}")
_SEPARATED = regex.compile(rf"{_LETTER}\.?(?:(?:\.|\.?[\s\-]+){_LETTER}\.?){{0,3}}")
_RUN_TOGETHER = regex.compile(r"[\p{Lu}\p{Lt}]{2}")


class CaseError(ValueError):
    """A case that cannot be stored as given; the message says which field and why."""


def is_initials(value: str) -> bool:
    """True for initials ("M. L.", "ML", "J.-P. D.", "王某"); False for a name ("Maria Lopez", "MARIA",
    "ANA", "LI NA", "A. LEE", "王芳", "张.三.")."""
    value = value.strip()
    if not 0 < len(value) <= MAX_INITIALS_LENGTH:
        return False
    if _ANONYMISED_HAN.fullmatch(value) or _RUN_TOGETHER.fullmatch(value):
        return True
    if _SEPARATED.fullmatch(value) is None:
        return False
    letters = [c for c in value if regex.match(_LETTER, c)]
    han = [c for c in letters if regex.match(_HAN, c)]
    # A lone letter with no full stop or space is one initial; two undotted letters were taken above.
    return len(han) <= 1 and (len(letters) == 1 or any(c in value for c in ". -"))


INITIALS_MESSAGE = "victims are recorded by initials only, e.g. 'M. L.'"


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IS NULL OR {column} IN ({quoted})"


class Money(TypeDecorator[Decimal]):
    """NUMERIC(18, 2) read back as Decimal on every database (SQLite has no decimal type of its own)."""

    impl = Numeric(18, 2, asdecimal=False)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value if dialect.name != "sqlite" else str(Decimal(value).quantize(Decimal("0.01")))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


class ProvenanceMixin:
    """A `provenance` column: field -> {"start", "end"} (a span of the decision's text) or {"by": ...}."""

    provenance: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)

    def mark_edited(self, field: str, user: str | None = None) -> None:
        """Record that an editor set `field` (replacing the span it was extracted from)."""
        entry: dict[str, Any] = {"by": "editor"}
        if user:
            entry["user"] = user
        # A new dict, so SQLAlchemy sees the JSON column change.
        self.provenance = {**(self.provenance or {}), field: entry}


@dataclasses.dataclass
class Court:
    name: str | None = None
    level: str | None = None  # one of COURT_LEVELS
    location: str | None = None


@dataclasses.dataclass
class Sentence:
    """What a charge's verdict imposed. A term is in months; a fine always has its ISO 4217 currency."""

    kind: str | None = None  # one of SENTENCE_KINDS
    term_months: int | None = None
    suspended: bool | None = None
    probation_months: int | None = None
    fine_amount: Decimal | None = None
    fine_currency: str | None = None
    other_measures: list[str] | None = None  # confiscation, deportation, ban from office ...

    @property
    def fine(self) -> dict[str, Any] | None:
        if self.fine_amount is None:
            return None
        return {"amount": self.fine_amount, "currency": self.fine_currency}


class Case(ProvenanceMixin, Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), unique=True)
    # The UNODC-style number: alpha-3 of `country` and `serial`, the running number within that country.
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2, as records.country
    serial: Mapped[int] = mapped_column(Integer)
    unodc_number: Mapped[str] = mapped_column(String(16), unique=True)

    title: Mapped[str] = mapped_column(Text)
    court: Mapped[Court] = composite(
        mapped_column("court_name", Text, nullable=True, default=None),
        mapped_column("court_level", String(32), nullable=True, default=None),
        mapped_column("court_location", Text, nullable=True, default=None),
    )
    decision_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    case_number: Mapped[str | None] = mapped_column(String(255), default=None)  # the court's docket number
    citation: Mapped[str | None] = mapped_column(Text, default=None)  # as reported: "[2019] EWCA Crim 12"
    legal_system: Mapped[str | None] = mapped_column(String(32), default=None)
    proceeding_type: Mapped[str | None] = mapped_column(String(32), default=None)
    judges: Mapped[list[str]] = mapped_column(JSON, default=list)  # as the decision names them
    # Parties as the decision lists them, with their role: [{"name": "X Ltd", "role": "Appellant"}].
    parties: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    disposition: Mapped[str | None] = mapped_column(Text, default=None)  # as written: "AFFIRMED", "驳回上诉"
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    involved_countries: Mapped[list[str]] = mapped_column(JSON, default=list)  # alpha-2, transnational cases
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"title", "url"}]
    # The extractor that filled the case from its decision ("cn-judgment/1"); None for a case typed by hand.
    # A newer extractor refreshes what it filled and keeps what editors set.
    extractor_version: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    record: Mapped[Record] = relationship()
    texts: Mapped[list[CaseText]] = relationship(
        back_populates="case", cascade="all, delete-orphan", passive_deletes=True, order_by="CaseText.id"
    )
    attachments: Mapped[list[CaseAttachment]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CaseAttachment.id",
    )
    defendants: Mapped[list[Defendant]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Defendant.position",
    )
    victims: Mapped[list[Victim]] = relationship(
        back_populates="case", cascade="all, delete-orphan", passive_deletes=True, order_by="Victim.position"
    )
    cited_provisions: Mapped[list[CitedProvision]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CitedProvision.position",
    )

    __table_args__ = (
        UniqueConstraint("country", "serial", name="uq_cases_country_serial"),
        CheckConstraint("serial > 0", name="serial_positive"),
        CheckConstraint(_in("court_level", COURT_LEVELS), name="court_level"),
        CheckConstraint(_in("legal_system", LEGAL_SYSTEMS), name="legal_system"),
        CheckConstraint(_in("proceeding_type", PROCEEDING_TYPES), name="proceeding_type"),
    )

    @validates("record")
    def _validate_record(self, _key: str, record: Record) -> Record:
        if record is not None and record.kind != "decision":
            raise CaseError(f"record: a case belongs to a decision record, not a {record.kind} ({record.id})")
        return record

    def text(self, kind: str, language: str | None = None) -> CaseText | None:
        """The case's text of `kind` in `language`, else in any language."""
        texts = [t for t in self.texts if t.kind == kind]
        return next((t for t in texts if t.language == language), texts[0] if texts else None)

    def __repr__(self) -> str:
        return f"<Case {self.unodc_number} {self.record_id}>"


class CaseText(ProvenanceMixin, Base):
    """A fact summary, commentary or procedural history in one language; one per kind and language."""

    __tablename__ = "case_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))  # ISO 639-1
    text: Mapped[str] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="texts")

    __table_args__ = (
        UniqueConstraint("case_id", "kind", "language", name="uq_case_texts_case_kind_language"),
        CheckConstraint(_in("kind", TEXT_KINDS), name="kind"),
    )


class CaseAttachment(ProvenanceMixin, Base):
    """A document of the case, above all the original judgment: where it is stored and its media type."""

    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="judgment")
    uri: Mapped[str] = mapped_column(String(2048))  # https://..., or a path under the data dir
    media_type: Mapped[str | None] = mapped_column(String(128), default=None)  # application/pdf ...
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    title: Mapped[str | None] = mapped_column(Text, default=None)

    case: Mapped[Case] = relationship(back_populates="attachments")

    __table_args__ = (CheckConstraint(_in("kind", ATTACHMENT_KINDS), name="kind"),)


class Defendant(ProvenanceMixin, Base):
    __tablename__ = "case_defendants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    person_type: Mapped[str] = mapped_column(String(16), default="natural")  # natural | legal person
    name: Mapped[str | None] = mapped_column(Text, default=None)  # as published, or the court's label
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)  # `name` is a label ("Defendant A")
    gender: Mapped[str | None] = mapped_column(String(16), default=None)
    age_at_offence: Mapped[int | None] = mapped_column(Integer, default=None)
    nationality: Mapped[str | None] = mapped_column(String(2), default=None)  # ISO 3166-1 alpha-2
    role: Mapped[str | None] = mapped_column(String(32), default=None)

    case: Mapped[Case] = relationship(back_populates="defendants")
    charges: Mapped[list[Charge]] = relationship(
        back_populates="defendant",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Charge.position",
    )

    __table_args__ = (
        CheckConstraint(_in("person_type", PERSON_TYPES), name="person_type"),
        CheckConstraint(_in("gender", GENDERS), name="gender"),
        CheckConstraint(_in("role", DEFENDANT_ROLES), name="role"),
        CheckConstraint("age_at_offence IS NULL OR age_at_offence >= 0", name="age_at_offence"),
    )


class Victim(ProvenanceMixin, Base):
    """A victim, by initials only. Gender and minority are separate: `minor` may be known without age."""

    __tablename__ = "case_victims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    initials: Mapped[str | None] = mapped_column(String(MAX_INITIALS_LENGTH), default=None)
    gender: Mapped[str | None] = mapped_column(String(16), default=None)
    age: Mapped[int | None] = mapped_column(Integer, default=None)
    minor: Mapped[bool | None] = mapped_column(Boolean, default=None)
    nationality: Mapped[str | None] = mapped_column(String(2), default=None)  # ISO 3166-1 alpha-2

    case: Mapped[Case] = relationship(back_populates="victims")

    __table_args__ = (
        # Second line of defence for writes that bypass the ORM: short, and no lower case (upper() folds
        # ASCII on SQLite, all cased scripts on PostgreSQL), so "Maria Lopez" is refused by the database too.
        CheckConstraint(
            f"initials IS NULL OR (length(initials) <= {MAX_INITIALS_LENGTH} AND initials = upper(initials))",
            name="initials",
        ),
        CheckConstraint(_in("gender", GENDERS), name="gender"),
        CheckConstraint("age IS NULL OR age >= 0", name="age"),
    )

    @validates("initials")
    def _validate_initials(self, _key: str, value: str | None) -> str | None:
        if value is None:
            return None
        if not is_initials(value):
            raise CaseError(f"initials: {INITIALS_MESSAGE}")
        return " ".join(value.split())


class Charge(ProvenanceMixin, Base):
    """One charge against one defendant, with its verdict, sentence and appeal outcome."""

    __tablename__ = "case_charges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    defendant_id: Mapped[int] = mapped_column(
        ForeignKey("case_defendants.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    charge: Mapped[str] = mapped_column(Text)
    # The provision charged: its record when the portal holds it, else as the judgment cites it.
    provision_id: Mapped[str | None] = mapped_column(
        ForeignKey("records.id", ondelete="SET NULL"), index=True, default=None
    )
    provision_text: Mapped[str | None] = mapped_column(Text, default=None)
    verdict: Mapped[str | None] = mapped_column(String(16), default=None)
    sentence: Mapped[Sentence] = composite(
        mapped_column("sentence_kind", String(32), nullable=True, default=None),
        mapped_column("term_months", Integer, nullable=True, default=None),
        mapped_column("suspended", Boolean, nullable=True, default=None),
        mapped_column("probation_months", Integer, nullable=True, default=None),
        mapped_column("fine_amount", Money, nullable=True, default=None),
        mapped_column("fine_currency", String(3), nullable=True, default=None),
        mapped_column("other_measures", JSON, nullable=True, default=None),
    )
    sentence_source: Mapped[str | None] = mapped_column(String(16), default=None)  # SENTENCE_SOURCES
    appeal_outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    # The SHERLOC crime types the charge falls under (the tagger's reading of its name): sentencing
    # figures count a charge's own sentence under its own crime type, not the whole decision's tags.
    crime_types: Mapped[list[str]] = mapped_column(JSON, default=list)

    defendant: Mapped[Defendant] = relationship(back_populates="charges")
    provision: Mapped[Record | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("verdict", VERDICTS), name="verdict"),
        CheckConstraint(_in("sentence_kind", SENTENCE_KINDS), name="sentence_kind"),
        CheckConstraint(_in("appeal_outcome", APPEAL_OUTCOMES), name="appeal_outcome"),
        CheckConstraint(_in("sentence_source", SENTENCE_SOURCES), name="sentence_source"),
        CheckConstraint("term_months IS NULL OR term_months >= 0", name="term_months"),
        CheckConstraint("probation_months IS NULL OR probation_months >= 0", name="probation_months"),
        CheckConstraint(
            "fine_amount IS NULL OR (fine_amount >= 0 AND fine_currency IS NOT NULL)", name="fine_currency"
        ),
    )


class CitedProvision(ProvenanceMixin, Base):
    """A provision the decision cites or applies: its record when the portal holds it, and as written."""

    __tablename__ = "case_cited_provisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    provision_id: Mapped[str | None] = mapped_column(
        ForeignKey("records.id", ondelete="SET NULL"), index=True, default=None
    )
    text: Mapped[str] = mapped_column(Text)  # as cited: "《中华人民共和国刑法》第三百四十七条"

    case: Mapped[Case] = relationship(back_populates="cited_provisions")
    provision: Mapped[Record | None] = relationship()


@functools.cache
def _countries() -> Countries:
    from sherloc.vocab.loader import default_vocab_dir

    return load_countries(default_vocab_dir())


def countries() -> Countries:
    """The portal's country list (corpus/vocab/countries.json), read once."""
    return _countries()


def country_by_code(code: str | None) -> Country | None:
    """The country of an ISO 3166-1 alpha-2 or alpha-3 code, in any case; None when unknown."""
    if not code:
        return None
    code = code.strip().upper()
    if len(code) == 3:
        return next((c for c in countries() if c.alpha3 == code), None)
    return countries().get(code) if len(code) == 2 else None


def _record(session: Session, record_id: str) -> Record | None:
    """The record `record_id`, stored or only added to the session (without flushing a half-built case)."""
    found = session.get(Record, record_id)
    if found is None:
        found = next((r for r in session.new if isinstance(r, Record) and r.id == record_id), None)
    return found


def register_case(session: Session, case: Case) -> Case:
    """Check `case` can be stored, give it the next UNODC number of its country, and add it to `session`.

    The number is the country's ISO alpha-3 and a running number: CHN0001, CHN0002, FRA0001. Two writers
    numbering the same country at once collide on uq_cases_country_serial: the second one's transaction
    fails (an ingest reports the file as failed; running it again numbers the cases).
    """
    with session.no_autoflush:
        record = case.record if case.record is not None else _record(session, case.record_id)
        if record is None:
            raise CaseError(f"record_id: no record {case.record_id!r}")
        if record.kind != "decision":
            raise CaseError(f"record_id: a case belongs to a decision record, not a {record.kind}")
        country = country_by_code(case.country)
        if country is None:
            raise CaseError(f"country: unknown country code {case.country!r}")
        case.country = country.code
        linked = [c.provision_id for d in case.defendants for c in d.charges]
        linked += [cited.provision_id for cited in case.cited_provisions]
        for provision_id in linked:
            if provision_id is not None and _record(session, provision_id) is None:
                raise CaseError(f"provision_id: no record {provision_id!r} in the portal")
        if case.serial is None:
            # The last number given per country, read once per session and counted on from there: an
            # ingest numbers thousands of cases without a query each.
            last: dict[str, int] = session.info.setdefault("case_serials", {})
            if country.code not in last:
                stored = session.scalar(select(func.max(Case.serial)).where(Case.country == country.code))
                last[country.code] = stored or 0
            last[country.code] += 1
            case.serial = last[country.code]
            case.unodc_number = f"{country.alpha3}{case.serial:04d}"
    session.add(case)
    return case
