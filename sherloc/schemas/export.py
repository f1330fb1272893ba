"""Schemas of GET /api/v1/export: a search's arguments plus format and bound in, one row per record out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from sherloc.schemas.search import FilterArgsSchema, search_params
from sherloc.search.base import SORTS
from sherloc.services.export import EXPORT_LIMIT, FORMATS
from sherloc.services.search import SearchParams


@dataclass(frozen=True)
class ExportRequest:
    params: SearchParams
    format: str
    limit: int
    bom: bool


class ExportArgsSchema(FilterArgsSchema):
    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(FORMATS),
        metadata={
            "description": "csv (a header row, UTF-8), jsonl (one JSON object per line), or references: "
            "bibtex, ris, csl-json (every record as a bibliographic entry)"
        },
    )
    sort = fields.String(
        load_default="date_desc",
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "date_desc (default) or date_asc: every record once, in a stable order; "
            "relevance: best first, as the search ranks them"
        },
    )
    limit = fields.Integer(
        load_default=EXPORT_LIMIT,
        validate=validate.Range(min=1, max=EXPORT_LIMIT),
        metadata={"description": f"the most records to export (at most {EXPORT_LIMIT:,})"},
    )
    bom = fields.Boolean(
        load_default=True,
        metadata={"description": "csv: begin with a UTF-8 byte order mark, so that Excel reads UTF-8"},
    )

    @post_load
    def make_request(self, data: dict[str, Any], **_: Any) -> ExportRequest:
        return ExportRequest(
            params=search_params(data, sort=data["sort"]),
            format=data["format"],
            limit=data["limit"],
            bom=data["bom"],
        )


def _strings(description: str) -> fields.List:
    return fields.List(fields.String(), metadata={"description": description})


class ExportRowSchema(Schema):
    """One line of a jsonl export; the csv columns are the same, in this order, lists joined by '; '."""

    id = fields.String()
    kind = fields.String()
    country = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    title = fields.String()
    law_id = fields.String(allow_none=True, metadata={"description": "a provision's law"})
    number = fields.String(allow_none=True)
    label = fields.String(allow_none=True)
    heading = fields.String(allow_none=True)
    date = fields.Date(allow_none=True)
    url = fields.String(metadata={"description": "the record's page, absolute"})
    crime_types = _strings("crime types the record is tagged with")
    instrument_articles = _strings("convention articles it is tagged with: 'UNTOC 6'")
    cross_cutting = _strings("cross-cutting issues it is tagged with")
