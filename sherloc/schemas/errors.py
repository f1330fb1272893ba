"""The error envelope every /api response with a status of 400 or more carries (see sherloc.web.errors)."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True, metadata={"description": "the HTTP status, repeated"})
    message = fields.String(required=True, metadata={"description": "what is wrong, for a person"})
    details = fields.Raw(
        metadata={
            "description": "where it is wrong, when known: the parameters or fields at fault, each with its "
            'messages ({"page": ["Must be greater than or equal to 1."]})'
        }
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)
