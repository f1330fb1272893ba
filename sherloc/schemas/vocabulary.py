"""Schemas of the vocabulary the portal tags with: crime types, convention articles, cross-cutting issues."""

from __future__ import annotations

from marshmallow import Schema, fields

from sherloc.vocab.loader import UN_LANGUAGES


def labels_field() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": f"label by language: {', '.join(UN_LANGUAGES)}"},
    )


def terms_field(description: str, attribute: str | None = None, data_key: str | None = None) -> fields.Dict:
    return fields.Dict(
        attribute=attribute,
        data_key=data_key,
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": f"{description}, by language (the six UN languages and more)"},
    )


class ArticleSchema(Schema):
    ref = fields.String(metadata={"description": "how tags and filters name it: 'UNTOC 6'"})
    instrument = fields.String()
    number = fields.Integer()
    title = fields.String()
    crime_type = fields.String(
        allow_none=True, metadata={"description": "the crime type a criminalization article covers"}
    )


class InstrumentSchema(Schema):
    id = fields.String(metadata={"description": "UNTOC, TIP, SOM, FP, UNCAC"})
    title = fields.String()
    articles = fields.List(fields.Nested(ArticleSchema))


class CrimeTypeSchema(Schema):
    id = fields.String()
    labels = labels_field()
    terms = terms_field("names of the offence; one is evidence on its own")
    context = terms_field("words that only support a term (the object of the offence)")
    # Named apart from Schema.exclude (the fields to leave out), shown as "exclude".
    exclude_terms = terms_field(
        "phrases that contain a term but mean something else", attribute="exclude", data_key="exclude"
    )
    articles = fields.List(
        fields.Nested(ArticleSchema), metadata={"description": "the convention articles criminalizing it"}
    )


class CrossCuttingIssueSchema(Schema):
    id = fields.String()
    labels = labels_field()
    articles = fields.List(fields.String(), metadata={"description": "refs of the articles it is tied to"})
    terms = terms_field("names of the issue")
    context = terms_field("words that only support a term")
    # Named apart from Schema.exclude (the fields to leave out), shown as "exclude".
    exclude_terms = terms_field(
        "phrases that contain a term but mean something else", attribute="exclude", data_key="exclude"
    )


class VocabularySchema(Schema):
    label_languages = fields.List(fields.String())
    term_languages = fields.List(fields.String())
    crime_types = fields.List(fields.Nested(CrimeTypeSchema))
    instruments = fields.List(fields.Nested(InstrumentSchema))
    cross_cutting = fields.List(fields.Nested(CrossCuttingIssueSchema))
