"""Arguments of the usage figures (GET /api/v1/usage, /admin/usage): a range of days, how many countries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from sherloc.services.usage import today
from sherloc.vocab.loader import UN_LANGUAGES

DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_TOP = 250
DAYS_REVERSED = "from must not be after to"
RANGE_TOO_LONG = f"a range of at most {MAX_DAYS} days"
# `to` alone: the default range must begin on a day the calendar has (0001-01-01 at the earliest).
EARLIEST_END = dt.date.min + dt.timedelta(days=DEFAULT_DAYS - 1)


class UsageArgsSchema(Schema):
    """`from` and `to`, both included; without them, the last 30 days up to today (UTC)."""

    class Meta:
        unknown = RAISE

    start = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": f"first day, YYYY-MM-DD; default: {DEFAULT_DAYS - 1} days before `to`"},
    )
    end = fields.Date(
        data_key="to",
        load_default=None,
        metadata={"description": "last day, YYYY-MM-DD; default: today (UTC)"},
    )
    top = fields.Integer(
        load_default=20,
        validate=validate.Range(1, MAX_TOP),
        metadata={"description": "how many countries to list, the most viewed first"},
    )
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(UN_LANGUAGES),
        metadata={"description": "language of the country names in the response"},
    )

    @post_load
    def _default_range(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data["end"] is None:
            data["end"] = today() if data["start"] is None else max(today(), data["start"])
        if data["start"] is None:
            data["start"] = data["end"] - dt.timedelta(days=DEFAULT_DAYS - 1)
        return data

    @validates_schema
    def _range(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None:
            if start > end:
                raise ValidationError(DAYS_REVERSED, "from")
            if (end - start).days + 1 > MAX_DAYS:
                raise ValidationError(RANGE_TOO_LONG, "to")
        if start is not None and end is None and (today() - start).days + 1 > MAX_DAYS:
            raise ValidationError(RANGE_TOO_LONG, "from")
        if start is None and end is not None and end < EARLIEST_END:
            raise ValidationError(f"without `from`, a day from {EARLIEST_END.isoformat()} on", "to")


class UsageDaySchema(Schema):
    day = fields.Date(required=True)
    views = fields.Integer(required=True)
    searches = fields.Integer(required=True)


class UsagePageKindSchema(Schema):
    page_kind = fields.String(
        required=True,
        metadata={"description": "home, search, map, country, law, provision, decision, api ..."},
    )
    views = fields.Integer(required=True)
    searches = fields.Integer(required=True)


class UsageCountrySchema(Schema):
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2 code"})
    name = fields.String(required=True)
    views = fields.Integer(required=True, metadata={"description": "views of the country's page and records"})


class UsageResponseSchema(Schema):
    """The figures of a range of days: totals, per day, per page kind, per country (the most viewed)."""

    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)
    views = fields.Integer(required=True)
    searches = fields.Integer(required=True)
    days = fields.List(fields.Nested(UsageDaySchema), required=True, metadata={"description": "oldest first"})
    page_kinds = fields.List(fields.Nested(UsagePageKindSchema), required=True)
    countries = fields.List(fields.Nested(UsageCountrySchema), required=True)
    countries_viewed = fields.Integer(required=True, metadata={"description": "countries with views, all"})
    views_without_country = fields.Integer(
        required=True, metadata={"description": "views of pages that show no one country"}
    )
