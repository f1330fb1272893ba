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


def _filter_list(description: str) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        metadata={"description": f"{description} (repeatable: any of the values)"},
    )


class FilterArgsSchema(Schema):
    """What selects records: the query and the facet filters. Search, facets and export all take them."""

    class Meta:
        unknown = RAISE

    q = fields.String(
        load_default="",
        validate=validate.Length(max=1000),
        metadata={"description": "the query (see the README's query language); empty: every record"},
    )
    cross_language = fields.Boolean(
        load_default=True,
        metadata={"description": "widen crime-type names to their tag and their terms in every language"},
    )
    # Facet filters: OR within one field, AND across fields.
    kind = _filter_list("kind of record: law, provision, decision ...")
    country = _filter_list("country, ISO 3166-1 alpha-2: FR")
    region = _filter_list("world region: africa, americas, asia, europe, oceania")
    subdivision = _filter_list("ISO 3166-2 code of a subnational unit, e.g. ES-CT")
    language = _filter_list("language of the record, ISO 639-1: fr")
    crime_type = _filter_list("tagged with the crime type: money_laundering")
    main_crime_type = _filter_list("about the crime type (its heading, chapter or charges name it)")
    law_crime_type = _filter_list("a provision of a law whose title names the crime type")
    instrument_article = _filter_list("tagged with the convention article: UNTOC 6")
    cross_cutting = _filter_list("tagged with the cross-cutting issue: confiscation_and_seizure")
    court = _filter_list("court of a decision")
    verdict = _filter_list("verdict on a decision's charges: convicted, acquitted, dismissed, other")
    sentence_range = _filter_list(
        "sentence band of a decision's convictions: up_to_1y, 1_3y, 3_5y, 5_10y, over_10y, life, death, "
        "non_custodial"
    )
    year = _filter_list("year of the record's date: 2019")
    status = _filter_list("status of a provision: in_force, repealed ...")
    parent_kind = _filter_list("kind of a provision's document: law, or treaty for a treaty's articles")


def search_params(data: dict[str, Any], **fixed: Any) -> SearchParams:
    """SearchParams from the loaded arguments of a FilterArgsSchema; `fixed`: the other fields."""
    filters = {name: tuple(dict.fromkeys(data[name])) for name in URL_FILTERS if data.get(name)}
    return SearchParams(q=data["q"], filters=filters, cross_language=data["cross_language"], **fixed)


def _lang() -> fields.String:
    return fields.String(
        load_default="en",
        validate=validate.OneOf(UN_LANGUAGES),
        metadata={"description": "language of the labels in the response"},
    )


def _facet_list(default: tuple[str, ...]) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(FACETS)),
        load_default=lambda: list(default),
        metadata={"description": f"facets to count (repeatable); default {', '.join(default)}"},
    )


class SearchArgsSchema(FilterArgsSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    page_size = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "next_cursor of the previous page (same q, filters, sort, page_size)"},
    )
    lang = _lang()
    facet = _facet_list(DEFAULT_FACETS)

    @post_load
    def make_params(self, data: dict[str, Any], **_: Any) -> SearchParams:
        return search_params(
            data,
            facets=tuple(dict.fromkeys(data["facet"])),
            sort=data["sort"],
            page=data["page"],
            page_size=data["page_size"],
            cursor=data["cursor"],
        )


class FacetArgsSchema(FilterArgsSchema):
    """GET /api/v1/facets: a search's facet counts alone; paging and sorting do not change them."""

    lang = _lang()
    facet = _facet_list(FACETS)

    @post_load
    def make_params(self, data: dict[str, Any], **_: Any) -> SearchParams:
        # One hit, unhighlighted, by date: no snippets to cut and no languages taking turns.
        return search_params(
            data, facets=tuple(dict.fromkeys(data["facet"])), sort="date_desc", page_size=1, highlight=False
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


class FacetsResponseSchema(Schema):
    query = fields.String(metadata={"description": "the query as it was understood"})
    total = fields.Integer(metadata={"description": "records the search matches"})
    filters = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    cross_language = fields.Boolean()
    expansions = fields.List(fields.Nested(ExpansionSchema))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetBucketSchema)))
    facet_labels = fields.Dict(keys=fields.String(), values=fields.String())


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
