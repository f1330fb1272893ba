"""Schemas of the search API: arguments in, results out."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, post_load, validate
from werkzeug.datastructures import MultiDict

from sherloc.search.base import FACETS, FILTER_FIELDS, MAX_PAGE_SIZE, SORTS
from sherloc.services.search import DEFAULT_FACETS, SearchParams
from sherloc.vocab.loader import UN_LANGUAGES

# Facet filters a URL may carry as repeated parameters: ?country=FR&country=ES&kind=provision
URL_FILTERS = tuple(f for f in FILTER_FIELDS if f not in ("id", "parent_id"))
LIST_ARGS = (*URL_FILTERS, "facet")


def _filter_list() -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list)


class SearchArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(load_default="", validate=validate.Length(max=1000))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    page_size = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    cursor = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    cross_language = fields.Boolean(
        load_default=True,
        metadata={"description": "widen crime-type names to their tag and their terms in every language"},
    )
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(UN_LANGUAGES),
        metadata={"description": "language of the labels in the response"},
    )
    facet = fields.List(fields.String(validate=validate.OneOf(FACETS)), load_default=list(DEFAULT_FACETS))
    kind = _filter_list()
    country = _filter_list()
    region = _filter_list()
    language = _filter_list()
    crime_type = _filter_list()
    main_crime_type = _filter_list()  # records about the crime type (heading, chapter, charges), not mentions
    law_crime_type = _filter_list()  # provisions of laws whose title names the crime type
    instrument_article = _filter_list()
    cross_cutting = _filter_list()
    court = _filter_list()
    year = _filter_list()
    status = _filter_list()

    @post_load
    def make_params(self, data: dict[str, Any], **_: Any) -> SearchParams:
        filters = {name: tuple(dict.fromkeys(data.pop(name))) for name in URL_FILTERS if data.get(name)}
        for name in URL_FILTERS:
            data.pop(name, None)
        return SearchParams(
            q=data["q"],
            filters=filters,
            facets=tuple(dict.fromkeys(data["facet"])),
            sort=data["sort"],
            page=data["page"],
            page_size=data["page_size"],
            cross_language=data["cross_language"],
            cursor=data["cursor"],
        )


def args_to_dict(args: MultiDict[str, str]) -> dict[str, Any]:
    """Query-string arguments as a dict the schema loads: list arguments as lists, others single."""
    out: dict[str, Any] = {}
    for key in args:
        values = args.getlist(key)
        out[key] = values if key in LIST_ARGS else values[-1]
    return out


class FacetBucketSchema(Schema):
    value = fields.String()
    label = fields.String()
    count = fields.Integer()
    selected = fields.Boolean()


class ExpansionSchema(Schema):
    crime_type = fields.String()
    label = fields.String()
    words = fields.String(metadata={"description": "the query's words that name the crime type"})
    language = fields.String(metadata={"description": "the language of the term they matched"})


class HitSchema(Schema):
    id = fields.String()
    kind = fields.String()
    score = fields.Float()
    title = fields.String()
    country = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    law_id = fields.String(attribute="parent_id", allow_none=True)
    law_title = fields.String(attribute="parent_title", allow_none=True)
    label = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    heading = fields.String(allow_none=True)
    date = fields.Date(allow_none=True)
    snippet = fields.String(metadata={"description": "HTML: text escaped, matches in <mark>"})
    tags = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    url = fields.String()


class SearchResponseSchema(Schema):
    query = fields.String(metadata={"description": "the query as it was understood"})
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    sort = fields.String()
    filters = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    cross_language = fields.Boolean()
    expansions = fields.List(fields.Nested(ExpansionSchema))
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "pass as `cursor` for the next page; null on the last"}
    )
    hits = fields.List(fields.Nested(HitSchema))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetBucketSchema)))
    facet_labels = fields.Dict(keys=fields.String(), values=fields.String())
