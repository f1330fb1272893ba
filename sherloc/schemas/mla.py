"""Arguments and responses of the request writer's API (GET /api/v1/mla/...)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sherloc.models.mla import DIRECTIONS, STATUSES
from sherloc.vocab.loader import UN_LANGUAGES


class MlaRequirementsArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(UN_LANGUAGES),
        metadata={"description": "language of the labels and help texts"},
    )


class MlaRequestsArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    direction = fields.String(
        load_default=None, validate=validate.OneOf(DIRECTIONS), metadata={"description": "only these"}
    )
    status = fields.String(
        load_default=None, validate=validate.OneOf(STATUSES), metadata={"description": "only this status"}
    )


class MlaRequirementsSchema(Schema):
    language = fields.String()
    steps = fields.List(fields.Dict(), metadata={"description": "the wizard's steps: id, label, help"})
    fields_ = fields.List(
        fields.Dict(),
        data_key="fields",
        metadata={
            "description": "the fields every request has: id, type, label, help, required, recommended, "
            "step, and where they apply `when`, `options`, a group's `fields` and `min_items`"
        },
    )
    assistance_types = fields.List(
        fields.Dict(), metadata={"description": "the types of assistance: id, label, source, fields"}
    )


class MlaRequestSchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"description": "the owning authority's reference"})
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    title = fields.String()
    requesting_state = fields.String(allow_none=True)
    requested_state = fields.String(allow_none=True)
    assistance_types = fields.List(fields.String())
    language = fields.String(allow_none=True)
    counterpart_reference = fields.String(allow_none=True)
    counterpart_authority = fields.String(allow_none=True)
    refusal_ground = fields.String(allow_none=True)
    finalised = fields.Boolean(metadata={"description": "checked complete and fixed for signature"})
    received_on = fields.Date(allow_none=True)
    sent_on = fields.Date(allow_none=True)
    acknowledged_on = fields.Date(allow_none=True)
    executed_on = fields.Date(allow_none=True, metadata={"description": "executed in full, or refused"})
    due_on = fields.Date(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()


class MlaReminderSchema(Schema):
    id = fields.Integer(metadata={"description": "the request"})
    reason = fields.String(validate=validate.OneOf(["due", "unacknowledged"]))
    days = fields.Integer(metadata={"description": "days overdue, or days since it was sent"})


class MlaRequestListSchema(Schema):
    requests = fields.List(fields.Nested(MlaRequestSchema))
    reminders = fields.List(fields.Nested(MlaReminderSchema))


class MlaFindingSchema(Schema):
    step = fields.String()
    field = fields.String(metadata={"description": "field id; group.index.field inside a group"})
    anchor = fields.String()
    kind = fields.String()
    blocking = fields.Boolean(metadata={"description": "true: the request cannot be finalised without it"})
    title = fields.String()
    message = fields.String()


class MlaEventSchema(Schema):
    action = fields.String()
    status = fields.String(allow_none=True)
    on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)
    at = fields.String()


class MlaRequestDetailSchema(MlaRequestSchema):
    answers = fields.Dict(metadata={"description": "the request writer's answers, by field id"})
    findings = fields.List(fields.Nested(MlaFindingSchema))
    events = fields.List(fields.Nested(MlaEventSchema))
