"""Schemas of /api/v1/countries: countries with their names, region and the records the portal holds."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sherloc.schemas.vocabulary import labels_field


class CountryArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    region = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "only countries of this world region: africa, americas, asia, europe ..."},
    )
    with_records = fields.Boolean(
        load_default=False, metadata={"description": "only countries the portal holds records of"}
    )


class CountrySchema(Schema):
    code = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    alpha3 = fields.String(metadata={"description": "ISO 3166-1 alpha-3"})
    numeric = fields.String(allow_none=True, metadata={"description": "ISO 3166-1 numeric"})
    names = labels_field()
    region = fields.String(allow_none=True)
    region_names = labels_field()
    subregion = fields.String(allow_none=True, metadata={"description": "in English"})
    records = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "records in the store by kind"},
    )
    record_count = fields.Integer(metadata={"description": "all records of the country in the store"})


class CountryListSchema(Schema):
    total = fields.Integer()
    countries = fields.List(fields.Nested(CountrySchema))
