"""Schemas of the editorial API: proposals (revisions) and the versions of a record or directory entry."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from sherloc.models.records import KINDS
from sherloc.models.workflow import ENTITY_TYPES, STATES
from sherloc.schemas.times import UtcDateTime


class RevisionSchema(Schema):
    id = fields.Integer()
    entity_type = fields.String(metadata={"description": "record or authority"})
    entity_id = fields.String(metadata={"description": "the entry changed, or reserved for a new one"})
    kind = fields.String(metadata={"description": "the record kind, or authority"})
    new = fields.Boolean(attribute="is_new", metadata={"description": "proposes an entry not yet published"})
    state = fields.String(metadata={"description": "draft, submitted, published or rejected"})
    reason = fields.String(allow_none=True, metadata={"description": "why a reviewer rejected it"})
    title = fields.String()
    country = fields.String(allow_none=True)
    base_version = fields.Integer(
        allow_none=True, metadata={"description": "the version it was started from; null: new or unversioned"}
    )
    created_at = UtcDateTime(metadata={"description": "UTC"})
    updated_at = UtcDateTime(metadata={"description": "UTC"})
    submitted_at = UtcDateTime(allow_none=True, metadata={"description": "UTC"})
    decided_at = UtcDateTime(allow_none=True, metadata={"description": "UTC: published or rejected"})
    data = fields.Dict(keys=fields.String(), metadata={"description": "the whole content proposed"})


class RevisionListSchema(Schema):
    revisions = fields.List(
        fields.Nested(RevisionSchema),
        metadata={"description": "reviewers see every proposal; others their own (and their authority's)"},
    )


class RevisionOneSchema(Schema):
    revision = fields.Nested(RevisionSchema)


class FieldChangeSchema(Schema):
    field = fields.String()
    old = fields.String(metadata={"description": "the published value, as text (JSON for structures)"})
    new = fields.String(metadata={"description": "the proposed value, as text"})


class RevisionDetailSchema(Schema):
    revision = fields.Nested(RevisionSchema)
    changes = fields.List(fields.Nested(FieldChangeSchema), metadata={"description": "fields that differ"})


class RevisionArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    state = fields.List(
        # An empty value (a form's unset choice) is ignored, as the API ignores it.
        fields.String(validate=validate.OneOf(("", *STATES))),
        load_default=list,
        metadata={"description": "only proposals in these states (repeatable; an empty value is ignored)"},
    )


class ProposalBodySchema(Schema):
    entity_type = fields.String(load_default="record", validate=validate.OneOf(ENTITY_TYPES))
    entity_id = fields.String(
        load_default=None, metadata={"description": "the entry to change; leave out to propose a new one"}
    )
    kind = fields.String(
        load_default=None,
        validate=validate.OneOf((*KINDS, "authority")),
        metadata={"description": "the kind proposed; taken from the entry when it exists"},
    )
    data = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "the whole content (see the record page's form)"},
    )
    submit = fields.Boolean(load_default=False, metadata={"description": "submit for review at once"})


class ProposalUpdateSchema(Schema):
    data = fields.Dict(keys=fields.String(), required=True)


class RejectBodySchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class VersionSchema(Schema):
    number = fields.Integer()
    origin = fields.String(
        metadata={"description": "source (as imported), publication, restore or correction"}
    )
    user = fields.String(allow_none=True, metadata={"description": "who published it; null: imported"})
    created_at = UtcDateTime(metadata={"description": "UTC"})
    note = fields.String(allow_none=True)
    data = fields.Dict(keys=fields.String(), allow_none=True, metadata={"description": "the whole content"})


class VersionListSchema(Schema):
    versions = fields.List(fields.Nested(VersionSchema), metadata={"description": "newest first"})


def version_json(version: Any) -> dict[str, Any]:
    return {
        "number": version.number,
        "origin": version.origin,
        "user": version.user.name if version.user is not None else None,
        "created_at": version.created_at,
        "note": version.note,
        "data": version.data,
    }
