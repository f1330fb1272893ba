"""Schemas of the implementation matrix and country profiles in /api/v1: arguments in, results out."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from sherloc.vocab.loader import UN_LANGUAGES


def _lang() -> fields.String:
    return fields.String(
        load_default="en",
        validate=validate.OneOf(UN_LANGUAGES),
        metadata={"description": "language of the labels in the response"},
    )


def _record_language() -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[a-z]{2,3}$"),
        metadata={"description": "only provisions in this language, ISO 639-1: fr"},
    )


class MatrixArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    language = _record_language()
    lang = _lang()
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "csv")),
        metadata={"description": "json, or csv: one row per cell (the same numbers)"},
    )


class MatrixCellArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    article = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "a convention article: UNTOC 6 (or give crime_type)"},
    )
    crime_type = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "a crime type: cybercrime (or give article)"},
    )
    country = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z]{2}$"),
        metadata={"description": "ISO 3166-1 alpha-2: FR"},
    )
    language = _record_language()
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))
    lang = _lang()

    @validates_schema
    def _one_column(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("article") is None) == (data.get("crime_type") is None):
            raise ValidationError("give either article or crime_type", "article")


class ProfileArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    lang = _lang()


class MatrixColumnSchema(Schema):
    key = fields.String(metadata={"description": "the article ('UNTOC 6') or crime type ('cybercrime')"})
    scheme = fields.String(metadata={"description": "instrument_article or crime_type"})
    crime_type = fields.String(allow_none=True, metadata={"description": "the crime type it criminalizes"})
    label = fields.String()


class MatrixRowSchema(Schema):
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    name = fields.String()


class MatrixCellSchema(Schema):
    country = fields.String()
    column = fields.String(metadata={"description": "a column's key"})
    count = fields.Integer(metadata={"description": "provisions of the country tagged with the column"})
    max_confidence = fields.Float(allow_none=True, metadata={"description": "null when count is 0"})
    mean_confidence = fields.Float(allow_none=True, metadata={"description": "null when count is 0"})


class MatrixSchema(Schema):
    kind = fields.String(metadata={"description": "the kind of record counted: provision"})
    language = fields.String(allow_none=True, metadata={"description": "the language filter, if any"})
    columns = fields.List(fields.Nested(MatrixColumnSchema))
    rows = fields.List(fields.Nested(MatrixRowSchema))
    cells = fields.List(
        fields.Nested(MatrixCellSchema), metadata={"description": "every row by every column"}
    )


class ProvisionRefSchema(Schema):
    id = fields.String()
    label = fields.String(allow_none=True)
    heading = fields.String(allow_none=True)
    law_id = fields.String(allow_none=True)
    law_title = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    confidence = fields.Float()
    placement = fields.String(
        metadata={"description": "where the tag's evidence is: heading, chapter, law_title or text"}
    )
    url = fields.String()


class MatrixCellProvisionsSchema(MatrixCellSchema):
    scheme = fields.String()
    label = fields.String()
    provisions = fields.List(
        fields.Nested(ProvisionRefSchema),
        metadata={"description": "the first `limit`: definitional first (by placement), then by confidence"},
    )


class ArticleCountSchema(Schema):
    article = fields.String()
    label = fields.String()
    count = fields.Integer(metadata={"description": "provisions tagged with it"})
    examples = fields.List(fields.Nested(ProvisionRefSchema))


class CrimeTypeCountSchema(Schema):
    crime_type = fields.String()
    label = fields.String()
    count = fields.Integer(metadata={"description": "records of any kind tagged with it"})


class RecordRefSchema(Schema):
    id = fields.String()
    title = fields.String()
    language = fields.String(allow_none=True)
    date = fields.String(allow_none=True)
    provisions = fields.Integer(allow_none=True, metadata={"description": "a law's provisions"})
    url = fields.String()


class TreatyRefSchema(Schema):
    id = fields.String()
    title = fields.String()
    other_parties = fields.List(fields.String(), metadata={"description": "ISO 3166-1 alpha-2 codes"})
    signed = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD, when the text states it"})
    subjects = fields.List(
        fields.String(), metadata={"description": "extradition, mutual_legal_assistance, asset_recovery ..."}
    )
    url = fields.String()


class FactSourceSchema(Schema):
    path = fields.String(metadata={"description": "the source file, relative to the shared corpora"})
    quote = fields.String(metadata={"description": "the sentence stating the fact"})
    record_id = fields.String(allow_none=True, metadata={"description": "that document in the store"})
    url = fields.String(allow_none=True)


class InstrumentStatusSchema(Schema):
    instrument = fields.String(metadata={"description": "UNTOC, TIP, SOM or FP"})
    title = fields.String()
    status = fields.String(
        allow_none=True,
        metadata={
            "description": "signature, ratification, acceptance, approval or accession; null when no "
            "source in the portal states one"
        },
    )
    date = fields.String(allow_none=True)
    date_kind = fields.String(allow_none=True, metadata={"description": "decision, instrument, deposit ..."})
    status_source = fields.Nested(FactSourceSchema, allow_none=True)
    entry_into_force = fields.String(allow_none=True, metadata={"description": "the instrument's"})
    entry_into_force_source = fields.Nested(FactSourceSchema, allow_none=True)
    parties = fields.Integer(
        allow_none=True, metadata={"description": "the latest number a UN document gives"}
    )
    parties_as_of = fields.String(allow_none=True)
    parties_source = fields.Nested(FactSourceSchema, allow_none=True)


class CountryProfileSchema(Schema):
    code = fields.String()
    name = fields.String()
    region = fields.String(allow_none=True)
    records = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "by kind"})
    record_count = fields.Integer()
    crime_types = fields.List(fields.Nested(CrimeTypeCountSchema))
    articles = fields.List(fields.Nested(ArticleCountSchema))
    laws = fields.List(fields.Nested(RecordRefSchema))
    latest_decisions = fields.List(fields.Nested(RecordRefSchema))
    treaties = fields.List(fields.Nested(TreatyRefSchema), metadata={"description": "it is a party to"})
    bibliography = fields.List(
        fields.Nested(RecordRefSchema), metadata={"description": "entries about it, the first 20"}
    )
    bibliography_count = fields.Integer()
    strategies = fields.List(fields.Nested(RecordRefSchema))
    untoc = fields.List(
        fields.Nested(InstrumentStatusSchema),
        metadata={"description": "UNTOC and its Protocols: the country's status, entry into force, parties"},
    )
