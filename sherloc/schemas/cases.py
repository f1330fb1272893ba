"""Case record schemas: `load` validates input (extraction, editors, API) into unsaved models, `dump` shows.

Every refusal names its field (the error's key path) and says what is expected: a victim's full name, a
negative age, a term without unit, a fine without currency, an unknown country code or verdict.
`CaseSchema().load(data)` returns a `Case` with its children, not yet numbered or added to a session; hand it
to `sherloc.models.cases.register_case`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import list_currencies
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates, validates_schema

from sherloc.models.cases import (
    APPEAL_OUTCOMES,
    ATTACHMENT_KINDS,
    COURT_LEVELS,
    DEFENDANT_ROLES,
    GENDERS,
    INITIALS_MESSAGE,
    LEGAL_SYSTEMS,
    PERSON_TYPES,
    PROCEEDING_TYPES,
    SENTENCE_KINDS,
    SENTENCE_SOURCES,
    TERMLESS_SENTENCE_KINDS,
    TEXT_KINDS,
    VERDICTS,
    Case,
    CaseAttachment,
    CaseText,
    Charge,
    CitedProvision,
    Court,
    Defendant,
    Sentence,
    Victim,
    country_by_code,
    is_initials,
)
from sherloc.schemas.times import UtcDateTime

MAX_AGE = 120
AGE_OF_MAJORITY = 18  # a "child" under the Trafficking in Persons Protocol, art. 3(d)
TERM_UNITS = {"months": 1, "years": 12}
# Fields a client reads but never sets; strip them before loading a dumped case back.
DUMP_ONLY = ("unodc_number", "created_at", "updated_at")


def _one_of(what: str, choices: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(choices, error=f"unknown {what} {{input!r}}; one of: {', '.join(choices)}")


def _age(what: str) -> fields.Integer:
    return fields.Integer(
        allow_none=True,
        strict=True,
        validate=validate.Range(
            0, MAX_AGE, error=f"{what} must be a whole number of years from 0 to {MAX_AGE}"
        ),
    )


@functools.cache
def _currencies() -> frozenset[str]:
    # ISO 4217 as CLDR knows it (Babel comes with flask-babel), less the codes for "no currency" and tests.
    return frozenset(list_currencies()) - {"XXX", "XTS"}


class CountryCode(fields.String):
    """An ISO 3166-1 code, alpha-2 or alpha-3 in any case, loaded as the portal's alpha-2 ("chn" -> "CN")."""

    default_error_messages = {
        "unknown": "unknown country code {input!r}: an ISO 3166-1 code is expected, e.g. 'CN' or 'CHN'"
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        country = country_by_code(code)
        if country is None:
            raise self.make_error("unknown", input=value)
        return country.code


class Currency(fields.String):
    default_error_messages = {
        "unknown": "unknown currency {input!r}: an ISO 4217 code is expected, e.g. 'CNY'"
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if code not in _currencies():
            raise self.make_error("unknown", input=value)
        return code


class Duration(fields.Field):
    """A term as {"value": 3, "unit": "years"}, loaded as whole months (36) and dumped in months."""

    default_error_messages = {
        "unit": 'a term needs its unit: {{"value": 3, "unit": "years"}}; units: months, years',
        "unknown_unit": "unknown unit {unit!r}; units: months, years",
        "value": "a term's value is a non-negative number, got {value!r}",
        "whole": "a term must come to whole months; {value} {unit} does not",
    }

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> dict[str, Any] | None:
        return None if value is None else {"value": int(value), "unit": "months"}

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if not isinstance(value, Mapping) or value.get("unit") in (None, ""):
            raise self.make_error("unit")
        unit = value["unit"]
        if set(value) - {"value", "unit"}:
            raise ValidationError(
                f"unknown keys {sorted(set(value) - {'value', 'unit'})}; a term has value, unit"
            )
        if unit not in TERM_UNITS:
            raise self.make_error("unknown_unit", unit=unit)
        raw = value.get("value")
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise self.make_error("value", value=raw)
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise self.make_error("value", value=raw) from None
        if not number.is_finite() or number < 0:
            raise self.make_error("value", value=raw)
        months = number * TERM_UNITS[unit]
        if months != months.to_integral_value():
            raise self.make_error("whole", value=raw, unit=unit)
        return int(months)


class ProvenanceEntrySchema(Schema):
    """Where one value came from: a span of the decision's text, or an editor."""

    start = fields.Integer(strict=True, validate=validate.Range(min=0))
    end = fields.Integer(strict=True, validate=validate.Range(min=0))
    by = fields.String(
        validate=validate.OneOf(
            ["editor", "source"],
            error="'by' is 'editor' when a person set the value, 'source' when the source's own data "
            "(a dataset's labels) gave it",
        )
    )
    # Who corrected it: kept in the store for the audit, never shown (the API and pages dump without it).
    user = fields.String(load_only=True)
    at = fields.String(metadata={"description": "when the editor set it, ISO 8601"})

    @validates_schema
    def _span_or_editor(self, data: dict[str, Any], **_kwargs: Any) -> None:
        span = "start" in data or "end" in data
        if span == ("by" in data):
            raise ValidationError('give a text span {"start": 10, "end": 42} or {"by": "editor"}, not both')
        if span and ("start" not in data or "end" not in data or data["end"] < data["start"]):
            raise ValidationError("a text span needs start and end, with end >= start")


def _provenance_field() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Nested(ProvenanceEntrySchema),
        load_default=dict,
        metadata={
            "description": 'field -> where its value came from: {"start", "end"} offsets in the '
            'decision\'s text, {"by": "editor"}, or {"by": "source"} for the source\'s own labels; '
            'nested fields are dotted ("court.name", "sentence.term")'
        },
    )


class _WithProvenance(Schema):
    provenance = _provenance_field()

    @validates("provenance")
    def _known_fields(self, value: dict[str, Any], **_kwargs: Any) -> None:
        unknown = sorted(key for key in value if key.split(".", 1)[0] not in self.fields)
        if unknown:
            raise ValidationError(f"provenance names fields this record does not have: {', '.join(unknown)}")


class CourtSchema(Schema):
    name = fields.String(allow_none=True)
    level = fields.String(allow_none=True, validate=_one_of("court level", COURT_LEVELS))
    location = fields.String(allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> Court:
        return Court(**data)


class FineSchema(Schema):
    # Exact to the cent, so written as a decimal string ("5000.00"), and described as one.
    amount = fields.Decimal(
        required=True,
        places=2,
        as_string=True,
        metadata={"type": "string", "format": "decimal", "description": 'e.g. "5000.00"'},
    )
    currency = Currency(
        required=True,
        error_messages={"required": "a fine needs its currency: an ISO 4217 code, e.g. 'CNY'"},
    )

    @validates("amount")
    def _not_negative(self, value: Decimal, **_kwargs: Any) -> None:
        if value < 0:
            raise ValidationError("a fine is a non-negative amount")


class SentenceSchema(Schema):
    kind = fields.String(allow_none=True, validate=_one_of("sentence kind", SENTENCE_KINDS))
    term = Duration(attribute="term_months", allow_none=True, metadata={"description": "custodial term"})
    suspended = fields.Boolean(allow_none=True)
    probation = Duration(attribute="probation_months", allow_none=True)
    fine = fields.Nested(FineSchema, allow_none=True)
    other_measures = fields.List(fields.String(validate=validate.Length(min=1)), allow_none=True)

    @validates_schema
    def _term_fits_kind(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("kind") in TERMLESS_SENTENCE_KINDS and data.get("term_months") is not None:
            raise ValidationError(f"a {data['kind']} sentence has no term", field_name="term")

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> Sentence:
        fine = data.pop("fine", None)
        if fine:
            data["fine_amount"], data["fine_currency"] = fine["amount"], fine["currency"]
        return Sentence(**data)


class ChargeSchema(_WithProvenance):
    charge = fields.String(required=True, validate=validate.Length(min=1))
    provision_id = fields.String(
        allow_none=True, metadata={"description": "the provision's record id, when the portal holds it"}
    )
    provision_text = fields.String(allow_none=True, metadata={"description": "the provision as cited"})
    verdict = fields.String(allow_none=True, validate=_one_of("verdict", VERDICTS))
    sentence = fields.Nested(SentenceSchema, allow_none=True)
    sentence_source = fields.String(
        allow_none=True,
        validate=_one_of("sentence source", SENTENCE_SOURCES),
        metadata={"description": "whose sentence: this decision's, or the first instance's an appeal quotes"},
    )
    crime_types = fields.List(
        fields.String(validate=validate.Length(min=1)),
        load_default=list,
        metadata={"description": "SHERLOC crime types the charge falls under"},
    )
    appeal_outcome = fields.String(allow_none=True, validate=_one_of("appeal outcome", APPEAL_OUTCOMES))

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> Charge:
        if data.get("sentence") is None:
            data["sentence"] = Sentence()
        return Charge(**data)


class DefendantSchema(_WithProvenance):
    person_type = fields.String(load_default="natural", validate=_one_of("person type", PERSON_TYPES))
    name = fields.String(allow_none=True, metadata={"description": "as published, or the court's label"})
    anonymised = fields.Boolean(load_default=False, metadata={"description": "name is a label, not a name"})
    gender = fields.String(allow_none=True, validate=_one_of("gender", GENDERS))
    age_at_offence = _age("age_at_offence")
    nationality = CountryCode(allow_none=True)
    role = fields.String(allow_none=True, validate=_one_of("role", DEFENDANT_ROLES))
    charges = fields.List(fields.Nested(ChargeSchema), load_default=list)

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> Defendant:
        for position, charge in enumerate(data.get("charges", [])):
            charge.position = position
        return Defendant(**data)


class VictimSchema(_WithProvenance):
    initials = fields.String(
        allow_none=True,
        metadata={"description": "initials only, e.g. 'M. L.'; a name is refused"},
    )
    gender = fields.String(allow_none=True, validate=_one_of("gender", GENDERS))
    age = _age("age")
    minor = fields.Boolean(allow_none=True, metadata={"description": "under 18, as the court found"})
    nationality = CountryCode(allow_none=True)

    @validates("initials")
    def _initials_only(self, value: str | None, **_kwargs: Any) -> None:
        if value is not None and not is_initials(value):
            raise ValidationError(INITIALS_MESSAGE)

    @validates_schema
    def _minor_fits_age(self, data: dict[str, Any], **_kwargs: Any) -> None:
        age, minor = data.get("age"), data.get("minor")
        if age is not None and minor is not None and (age < AGE_OF_MAJORITY) != minor:
            raise ValidationError(f"minor is {minor} but age is {age}", field_name="minor")

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> Victim:
        return Victim(**data)


class CaseTextSchema(_WithProvenance):
    kind = fields.String(required=True, validate=_one_of("text kind", TEXT_KINDS))
    language = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="an ISO 639-1 code, e.g. 'en'"),
    )
    text = fields.String(required=True, validate=validate.Length(min=1))

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> CaseText:
        return CaseText(**data)


class AttachmentSchema(_WithProvenance):
    kind = fields.String(load_default="judgment", validate=_one_of("attachment kind", ATTACHMENT_KINDS))
    uri = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2048),
        metadata={"description": "https://... or the stored file's path under the data dir"},
    )
    media_type = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^[\w.+-]+/[\w.+-]+$", error="a media type, e.g. 'application/pdf'"),
    )
    language = fields.String(allow_none=True, validate=validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"))
    title = fields.String(allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> CaseAttachment:
        return CaseAttachment(**data)


class CitedProvisionSchema(_WithProvenance):
    provision_id = fields.String(
        allow_none=True, metadata={"description": "the provision's record id, when the portal holds it"}
    )
    text = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "as cited"})

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> CitedProvision:
        return CitedProvision(**data)


class PartySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    role = fields.String(allow_none=True, metadata={"description": "as the decision says: Appellant, 被告人"})


class CaseSourceSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1))
    url = fields.Url(allow_none=True, schemes={"http", "https"})


class CaseSchema(_WithProvenance):
    unodc_number = fields.String(dump_only=True, metadata={"description": "ISO alpha-3 + running number"})
    record_id = fields.String(required=True, metadata={"description": "the decision record"})
    country = CountryCode(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    title = fields.String(required=True, validate=validate.Length(min=1))
    court = fields.Nested(CourtSchema, load_default=None)
    decision_date = fields.Date(allow_none=True)
    case_number = fields.String(allow_none=True, validate=validate.Length(max=255))
    citation = fields.String(allow_none=True)
    legal_system = fields.String(allow_none=True, validate=_one_of("legal system", LEGAL_SYSTEMS))
    proceeding_type = fields.String(allow_none=True, validate=_one_of("proceeding type", PROCEEDING_TYPES))
    judges = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    parties = fields.List(fields.Nested(PartySchema), load_default=list)
    disposition = fields.String(
        allow_none=True, metadata={"description": "the outcome, as the court wrote it"}
    )
    keywords = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    involved_countries = fields.List(CountryCode(), load_default=list)
    sources = fields.List(fields.Nested(CaseSourceSchema), load_default=list)
    texts = fields.List(fields.Nested(CaseTextSchema), load_default=list)
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list)
    defendants = fields.List(fields.Nested(DefendantSchema), load_default=list)
    victims = fields.List(fields.Nested(VictimSchema), load_default=list)
    cited_provisions = fields.List(fields.Nested(CitedProvisionSchema), load_default=list)
    extractor_version = fields.String(
        allow_none=True, metadata={"description": "the extractor that filled the case; none when typed"}
    )
    created_at = UtcDateTime(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)

    @validates_schema
    def _one_text_per_kind_and_language(self, data: dict[str, Any], **_kwargs: Any) -> None:
        seen = [(t.kind, t.language) for t in data.get("texts", [])]
        if len(seen) != len(set(seen)):
            raise ValidationError("one text per kind and language", field_name="texts")

    @post_load
    def _make(self, data: dict[str, Any], **_kwargs: Any) -> Case:
        if data.get("court") is None:
            data["court"] = Court()
        for children in ("defendants", "victims", "cited_provisions"):
            for position, child in enumerate(data.get(children, [])):
                child.position = position
        return Case(**data)
