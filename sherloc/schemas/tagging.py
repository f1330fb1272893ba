"""Schemas of POST /api/v1/tag: one `sherloc tag` input object, or {"items": [...]} of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, validate

from sherloc.tagging.tagger import TagInput

MAX_TAG_ITEMS = 1000  # per request; the body is capped at 2 MB as well (app.config MAX_CONTENT_LENGTH)
KINDS = ("provision", "decision", "law")


class RecordIdField(fields.Field):
    """A string or an integer (not a boolean), as `sherloc tag` takes it; loaded as a string."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError("must be a string or an integer")
        text = str(value)
        if not text.strip() or len(text) > 255:
            raise ValidationError("must be 1 to 255 characters")
        return text


def _strings() -> fields.List:
    return fields.List(fields.String(validate=validate.Length(max=2000)), load_default=list, allow_none=True)


class TagItemSchema(Schema):
    """The `sherloc tag` input record. Other keys (a "gold" label of an evaluation set...) are ignored,
    as the command line ignores them."""

    class Meta:
        unknown = EXCLUDE

    id = RecordIdField(
        required=True,
        metadata={
            "type": ["string", "integer"],
            "minLength": 1,
            "maxLength": 255,
            "pattern": r"\S",  # not blank
            "description": "1 to 255 characters, not all blank",
        },
    )
    text = fields.String(load_default="", allow_none=True)
    language = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    title = fields.String(load_default="", allow_none=True)
    kind = fields.String(load_default="provision", allow_none=True, validate=validate.OneOf(KINDS))
    path = _strings()
    charges = _strings()

    @post_load
    def to_input(self, data: dict[str, Any], **_: Any) -> TagInput:
        try:  # the command line's own reading, so both take exactly the same records
            return TagInput.from_json({k: v for k, v in data.items() if v is not None})
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class TagBatchSchema(Schema):
    class Meta:
        unknown = RAISE

    items = fields.List(
        fields.Nested(TagItemSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_TAG_ITEMS),
    )


def load_tag_request(body: object) -> tuple[list[TagInput], bool]:
    """The inputs of a request body and whether it was a batch; ValidationError when it is not valid."""
    if not isinstance(body, dict):
        raise ValidationError(
            {"_schema": ['the body must be a JSON object: one record, or {"items": [records]}']}
        )
    if "items" not in body:
        return [TagItemSchema().load(body)], False
    items = body["items"]
    if isinstance(items, list) and len(items) > MAX_TAG_ITEMS:  # said before reading any of them
        raise ValidationError({"items": [f"at most {MAX_TAG_ITEMS} records per request, not {len(items)}"]})
    return list(TagBatchSchema().load(body)["items"]), True


# -- the answer, as `sherloc tag` prints it (documented in the OpenAPI document; built by TagResult.to_json)


class ImpliedArticleSchema(Schema):
    instrument = fields.String(metadata={"description": "UNTOC, TIP, SOM, FP, UNCAC"})
    article = fields.String(metadata={"description": "the article's number, as text: '6'"})


class TagResultSchema(Schema):
    id = fields.String()
    language = fields.String(allow_none=True, metadata={"description": "as given, else detected"})
    crime_types = fields.List(fields.String())
    instruments = fields.List(
        fields.Nested(ImpliedArticleSchema),
        metadata={"description": "the convention articles the crime types and issues implement"},
    )
    cross_cutting = fields.List(fields.String())
    evidence = fields.List(
        fields.Dict(),
        metadata={"description": "scheme, value, term, field, language, count, weight (heading, context)"},
    )
    confidence = fields.Dict(keys=fields.String(), values=fields.Float())


class TagBatchResultSchema(Schema):
    items = fields.List(fields.Nested(TagResultSchema), metadata={"description": "in the order of the input"})
