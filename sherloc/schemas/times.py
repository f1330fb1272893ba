"""Times in API responses: the store keeps UTC without an offset; the API says so (RFC 3339)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import fields


class UtcDateTime(fields.DateTime):
    """A UTC time dumped with its offset, 2024-05-01T12:00:00+00:00, as the OpenAPI `date-time` format
    (RFC 3339) requires; the store's naive values are UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | float | None:
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)
