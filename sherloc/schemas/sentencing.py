"""Schemas of sentencing figures (GET /api/v1/sentencing, /sentencing): arguments in, figures out."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from werkzeug.datastructures import MultiDict

from sherloc.models.cases import COURT_LEVELS, SENTENCE_SOURCES
from sherloc.schemas.cases import CountryCode
from sherloc.services.sentencing import OUTCOMES, QUANTILE_METHOD, SentencingQuery
from sherloc.vocab.loader import UN_LANGUAGES

LIST_ARGS = ("country", "court_level", "sentence_source")
MIN_YEAR, MAX_YEAR = 1900, 2100
UNKNOWN_CRIME_TYPE = "unknown crime type {input!r}; GET /api/v1/vocabulary lists them"
YEARS_REVERSED = "year_from must not be after year_to"


def _year(description: str) -> fields.Integer:
    return fields.Integer(
        load_default=None,
        validate=validate.Range(MIN_YEAR, MAX_YEAR, error=f"a year from {MIN_YEAR} to {MAX_YEAR}"),
        metadata={"description": description},
    )


class SentencingArgsSchema(Schema):
    """The crime type and filters. Built with the vocabulary's crime types, it refuses any other id (and
    documents them as an enum); built without, it only checks the id's shape."""

    class Meta:
        unknown = RAISE

    crime_type = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$", error=UNKNOWN_CRIME_TYPE),
        metadata={"description": "a crime type of the vocabulary (GET /api/v1/vocabulary): drug_trafficking"},
    )
    country = fields.List(
        CountryCode(metadata={"pattern": "^[A-Za-z]{2,3}$"}),
        load_default=list,
        metadata={"description": "the case's country, ISO 3166-1 alpha-2 or alpha-3: CN (repeatable)"},
    )
    year_from = _year("first year of the decision date, inclusive")
    year_to = _year("last year of the decision date, inclusive")
    court_level = fields.List(
        fields.String(validate=validate.OneOf(COURT_LEVELS)),
        load_default=list,
        metadata={"description": f"the court's level: {', '.join(COURT_LEVELS)} (repeatable)"},
    )
    sentence_source = fields.List(
        fields.String(validate=validate.OneOf(SENTENCE_SOURCES)),
        load_default=list,
        metadata={
            "description": "whose sentences to count: decision (the decision's own) and first_instance (the "
            "lower court's, quoted on appeal); default both (repeatable)"
        },
    )
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(UN_LANGUAGES),
        metadata={"description": "language of the labels in the response"},
    )

    def __init__(self, *args: Any, crime_types: Collection[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if crime_types is not None:
            # A new list: the field's own is shared with the class's declared field.
            self.fields["crime_type"].validators = [
                validate.OneOf(list(crime_types), error=UNKNOWN_CRIME_TYPE)
            ]

    @validates_schema
    def _years_in_order(self, data: dict[str, Any], **_: Any) -> None:
        year_from, year_to = data.get("year_from"), data.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise ValidationError(YEARS_REVERSED, "year_from")


def args_to_dict(args: MultiDict[str, str], drop_blank: bool = False) -> dict[str, Any]:
    """Query-string arguments as the schema loads them: the repeatable ones as lists. `drop_blank` leaves
    out empty values, as a form with unset fields sends them."""
    out: dict[str, Any] = {}
    for key in args:
        values = [v for v in args.getlist(key) if not drop_blank or v.strip()]
        if values:
            out[key] = values if key in LIST_ARGS else values[-1]
    return out


def sentencing_query(data: dict[str, Any]) -> SentencingQuery:
    """The service's query from loaded arguments."""
    return SentencingQuery(
        crime_type=data["crime_type"],
        countries=tuple(dict.fromkeys(data["country"])),
        year_from=data["year_from"],
        year_to=data["year_to"],
        court_levels=tuple(dict.fromkeys(data["court_level"])),
        sources=tuple(s for s in SENTENCE_SOURCES if s in data["sentence_source"]) or SENTENCE_SOURCES,
    )


class SentencingFiltersSchema(Schema):
    countries = fields.List(fields.String(), metadata={"description": "alpha-2; empty: every country"})
    year_from = fields.Integer(allow_none=True)
    year_to = fields.Integer(allow_none=True)
    court_levels = fields.List(fields.String(), metadata={"description": "empty: every level"})
    sources = fields.List(fields.String(), metadata={"description": "the sentence sources counted"})


class TermBinSchema(Schema):
    low = fields.Integer(allow_none=True, metadata={"description": "months, exclusive; null: from 0"})
    high = fields.Integer(allow_none=True, metadata={"description": "months, inclusive; null: no bound"})
    count = fields.Integer()


class TermDistributionSchema(Schema):
    n = fields.Integer(metadata={"description": "custodial terms, suspended ones included"})
    suspended = fields.Integer(metadata={"description": "of which suspended"})
    min = fields.Integer(attribute="minimum", allow_none=True)
    q1 = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    q3 = fields.Float(allow_none=True)
    max = fields.Integer(attribute="maximum", allow_none=True)
    mean = fields.Float(allow_none=True)
    quantile_method = fields.Constant(
        QUANTILE_METHOD,
        metadata={
            "type": "string",
            "enum": [QUANTILE_METHOD],
            "description": "Python's statistics.quantiles method (type 7, as numpy's default)",
        },
    )
    histogram = fields.List(fields.Nested(TermBinSchema), metadata={"description": "bins (low, high]"})


class FineSummarySchema(Schema):
    currency = fields.String(metadata={"description": "ISO 4217"})
    count = fields.Integer()
    median = fields.Decimal(
        places=2,
        as_string=True,
        metadata={"type": "string", "pattern": r"^\d+\.\d{2}$", "description": "a decimal amount: 26000.00"},
    )


class CountryFiguresSchema(Schema):
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2"})
    name = fields.String()
    convictions = fields.Integer()
    custodial = fields.Integer(metadata={"description": "convictions with a custodial term"})
    median_months = fields.Float(allow_none=True, metadata={"description": "median custodial term"})


def _counts(description: str, keys: tuple[str, ...]) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(keys)),
        values=fields.Integer(),
        metadata={"description": f"{description}: {', '.join(keys)}"},
    )


class SentencingResponseSchema(Schema):
    crime_type = fields.String()
    label = fields.String(metadata={"description": "the crime type's name in `lang`"})
    filters = fields.Nested(SentencingFiltersSchema)
    decisions = fields.Integer(
        metadata={"description": "decisions of the crime type the portal holds under these filters"}
    )
    decisions_with_convictions = fields.Integer()
    convictions = fields.Integer(metadata={"description": "defendants convicted, each once per case"})
    custodial = fields.Integer(metadata={"description": "convictions with a custodial term, suspended too"})
    suspended = fields.Integer(metadata={"description": "of which suspended"})
    outcomes = _counts("convictions by the sentence counted", OUTCOMES)
    terms = fields.Nested(TermDistributionSchema)
    fines = fields.List(fields.Nested(FineSummarySchema))
    by_country = fields.List(fields.Nested(CountryFiguresSchema))
    sources_counted = _counts("convictions by the source of their sentence", SENTENCE_SOURCES)
