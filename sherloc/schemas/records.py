"""Schemas of records as the API returns them."""

from __future__ import annotations

from marshmallow import Schema, fields

from sherloc.schemas.cases import CaseSchema
from sherloc.services.case_view import CITED_BY_LIMIT


class TagSchema(Schema):
    scheme = fields.String()
    value = fields.String()
    confidence = fields.Float()
    evidence = fields.List(fields.Dict())
    origin = fields.String(
        metadata={"description": "tagger, rollup (a law's, from its provisions) or editor"}
    )


class ProvisionSummarySchema(Schema):
    id = fields.String()
    label = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    heading = fields.String(allow_none=True)
    path = fields.List(fields.String(), attribute="structure_path")
    status = fields.String(allow_none=True)


class CitingDecisionSchema(Schema):
    id = fields.String(metadata={"description": "the decision record"})
    title = fields.String()
    unodc_number = fields.String()
    court = fields.String(allow_none=True)
    decision_date = fields.Date(allow_none=True)


class RecordSchema(Schema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    country = fields.String(allow_none=True)
    subdivision = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    declared_language = fields.String(allow_none=True)
    law_id = fields.String(attribute="parent_id", allow_none=True)
    label = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    heading = fields.String(allow_none=True)
    path = fields.List(fields.String(), attribute="structure_path")
    position = fields.Integer()
    text = fields.String()
    date_adopted = fields.Date(allow_none=True)
    date_amended = fields.Date(allow_none=True)
    date_decided = fields.Date(allow_none=True)
    status = fields.String(allow_none=True)
    source = fields.String()
    source_url = fields.String(allow_none=True)
    attributes = fields.Dict()
    content_hash = fields.String()
    tags = fields.List(fields.Nested(TagSchema))
    provisions = fields.List(fields.Nested(ProvisionSummarySchema), attribute="children")
    case = fields.Nested(
        CaseSchema,
        allow_none=True,
        metadata={
            "description": "a decision's case record (court, people, charges and sentences, each value's "
            "provenance); null for other records and decisions without one"
        },
    )
    cited_by = fields.List(
        fields.Nested(CitingDecisionSchema),
        allow_none=True,
        metadata={
            "description": f"a provision's: the decisions charging or citing it, newest first (at most "
            f"{CITED_BY_LIMIT}); null for other records"
        },
    )
    cited_by_total = fields.Integer(
        allow_none=True, metadata={"description": "a provision's: how many decisions charge or cite it"}
    )
