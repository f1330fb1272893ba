"""Schemas of /api/v1/admin: the accounts a reviewer or administrator manages, and the audit trail."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from sherloc.schemas.times import UtcDateTime
from sherloc.services.account_admin import AUDIT_PAGE_SIZE, MAX_AUDIT_PAGE_SIZE


class AccountSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role = fields.String(metadata={"description": "contributor, authority, reviewer or administrator"})
    authority_id = fields.String(
        allow_none=True, metadata={"description": "the directory id of an authority user's authority"}
    )
    is_active = fields.Boolean()
    locked_until = UtcDateTime(allow_none=True, metadata={"description": "UTC; null when not locked"})
    last_login_at = UtcDateTime(allow_none=True, metadata={"description": "UTC"})
    created_at = UtcDateTime(metadata={"description": "UTC"})


class AccountListSchema(Schema):
    users = fields.List(
        fields.Nested(AccountSchema),
        metadata={
            "description": "administrators see every account, reviewers contributor and authority ones"
        },
    )


class AuditArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    action = fields.String(
        load_default=None,
        validate=validate.Length(max=32),
        metadata={"description": "only events of this action: login, login_failed, user_created ..."},
    )
    user = fields.String(
        load_default=None,
        validate=validate.Length(max=254),
        metadata={"description": "only events by the account with this email address"},
    )
    target = fields.String(
        load_default=None,
        validate=validate.Length(max=255),
        metadata={"description": "only events on this target: user:12, record:..."},
    )
    before = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "only events older than this id (the previous page's next_before)"},
    )
    limit = fields.Integer(
        load_default=AUDIT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_AUDIT_PAGE_SIZE)
    )


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = UtcDateTime(metadata={"description": "UTC"})
    user_id = fields.Integer(allow_none=True, metadata={"description": "who acted; null: the command line"})
    user_email = fields.String(allow_none=True)
    action = fields.String()
    target = fields.String(metadata={"description": "what was acted on (user:12 ...), empty when nothing"})
    detail = fields.Dict(keys=fields.String(), metadata={"description": "what changed; never a password"})


class AuditTrailSchema(Schema):
    events = fields.List(fields.Nested(AuditEventSchema), metadata={"description": "newest first"})
    next_before = fields.Integer(
        allow_none=True, metadata={"description": "pass as `before` for older events; null: no more"}
    )
