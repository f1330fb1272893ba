"""Arguments of the bibliographic endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from sherloc.bibliography import FORMATS
from sherloc.vocab.loader import UN_LANGUAGES


class CitationArgsSchema(Schema):
    format = fields.String(
        load_default="text",
        validate=validate.OneOf(("text", *FORMATS)),
        metadata={"description": "text (one reference line), bibtex, ris or csl-json"},
    )
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(UN_LANGUAGES),
        metadata={"description": "language of the words in a text reference (n.d., ed.)"},
    )
