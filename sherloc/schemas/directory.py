"""Schemas of /api/v1/directory: the filters, the public summary and the restricted entries."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from sherloc.vocab.directory_mandates import directory_vocabulary


class DirectoryArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    country = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z]{2}$"),
        metadata={"description": "only authorities of this country (ISO 3166-1 alpha-2)"},
    )
    mandate = fields.String(
        load_default=None,
        validate=validate.OneOf([m.id for m in directory_vocabulary().mandates]),
        metadata={"description": "only authorities holding this mandate (GET /api/v1/directory lists them)"},
    )


class DirectoryMandateSchema(Schema):
    mandate = fields.String()
    instrument = fields.String(metadata={"description": "UNTOC, SOM, FP, C1988 (the 1988 Convention), UNCAC"})
    article = fields.String(metadata={"description": "the designating article, '' when none is stated"})


class DirectoryMandateCountSchema(DirectoryMandateSchema):
    authorities = fields.Integer(metadata={"description": "authorities of the country holding it"})


class DirectoryCountrySchema(Schema):
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    authorities = fields.Integer()
    mandates = fields.List(fields.Nested(DirectoryMandateCountSchema))


class DirectoryContactSchema(Schema):
    name = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    languages = fields.List(fields.String())


class DirectoryEntrySchema(Schema):
    id = fields.String()
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    name = fields.String()
    mandates = fields.List(fields.Nested(DirectoryMandateSchema))
    contact_persons = fields.List(fields.Nested(DirectoryContactSchema))
    working_languages = fields.List(fields.String(), metadata={"description": "ISO 639-1"})
    channels = fields.List(fields.String())
    links = fields.List(fields.String())
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    fax = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    office_hours = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True, metadata={"description": "IANA, e.g. Europe/Madrid"})
    required_documents = fields.String(allow_none=True)
    urgent_procedures = fields.String(allow_none=True)
    remarks = fields.String(allow_none=True)
    interpol_accepted = fields.Boolean(allow_none=True, metadata={"description": "null: not stated"})
    untoc_extradition_basis = fields.Boolean(
        allow_none=True,
        metadata={"description": "takes UNTOC as the legal basis for extradition (art. 16(5))"},
    )


class DirectoryListSchema(Schema):
    access = fields.String(
        validate=validate.OneOf(["public", "full"]),
        metadata={"description": "full for authority users and reviewers, public for anyone else"},
    )
    countries = fields.List(
        fields.Nested(DirectoryCountrySchema), metadata={"description": "the public summary"}
    )
    authorities = fields.List(
        fields.Nested(DirectoryEntrySchema),
        allow_none=True,
        metadata={"description": "the entries, sorted by country name (null unless access is full)"},
    )


def openapi_paths() -> dict[str, dict[str, Any]]:
    """The directory's operations for the OpenAPI document (sherloc.web.openapi adds them)."""

    def errors(*statuses: int) -> dict[str, str]:
        names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}
        return {str(status): names[status] for status in statuses}

    return {
        "/directory": {
            "get": {
                "operationId": "directory",
                "tags": ["places"],
                "summary": "The Directory of Competent National Authorities: which countries have designated "
                "an authority for which mandates; the entries themselves for authority users and reviewers",
                "description": "Anyone gets the public summary (`countries`): per country, the mandates for "
                "which an authority is listed and how many. Names and contact details (`authorities`) are "
                "given only with the session cookie of a logged-in authority user or reviewer; otherwise "
                "`authorities` is null and `access` is `public`.",
                "parameters": [{"in": "query", "schema": DirectoryArgsSchema}],
                "responses": {
                    "200": {
                        "description": "the summary (and the entries, for permitted users)",
                        "content": {"application/json": {"schema": DirectoryListSchema}},
                    },
                    **errors(400),
                },
            }
        },
        "/directory/{authority_id}": {
            "get": {
                "operationId": "getDirectoryEntry",
                "tags": ["places"],
                "summary": "One entry of the directory, for logged-in authority users and reviewers",
                "parameters": [
                    {
                        "in": "path",
                        "name": "authority_id",
                        "required": True,
                        "description": "the entry's id, e.g. fr-ministere-de-la-justice",
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the entry",
                        "content": {"application/json": {"schema": DirectoryEntrySchema}},
                    },
                    **errors(401, 403, 404),
                },
            }
        },
    }
