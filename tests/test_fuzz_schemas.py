"""Every marshmallow schema of sherloc.schemas, fed anything JSON or a query string can hold, returns or
raises its own ValidationError (the API's 400), never anything else; a case record dumped and loaded
again dumps the same.

The schemas are found by walking Schema's subclasses after importing every module of the package, so a
new schema is fuzzed without being listed here. Each field gets values of its own type near its
validators' edges (choices, patterns, lengths, ranges) as well as values of any other type, so that
wrong-but-plausible input reaches the validators and post-load hooks rather than stopping at the first
type check.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

import sherloc.schemas
from sherloc.schemas import cases, search, sentencing
from sherloc.schemas.tagging import RecordIdField, TagItemSchema, load_tag_request
from tests.fuzzing import budget


def _schema_classes() -> list[type[Schema]]:
    for module in pkgutil.iter_modules(sherloc.schemas.__path__):
        importlib.import_module(f"{sherloc.schemas.__name__}.{module.name}")
    found: set[type[Schema]] = set()
    todo: list[type[Schema]] = [Schema]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith(f"{sherloc.schemas.__name__}."):
                found.add(subclass)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


SCHEMAS = _schema_classes()
# Query-string arguments: loaded from request.args, as the views load them (see QUERY_LOADERS).
ARG_SCHEMAS = [s for s in SCHEMAS if s.__name__.endswith("ArgsSchema")]
# The case schemas validate input into models and dump them for the API and the editors: both ways.
ROUND_TRIP_SCHEMAS = [s for s in SCHEMAS if s.__module__ == cases.__name__]


def _name(schema_class: type[Schema]) -> str:
    return f"{schema_class.__module__.rsplit('.', 1)[-1]}.{schema_class.__name__}"


def test_schemas_are_found() -> None:
    assert len(SCHEMAS) >= 50  # every module's, nested ones included
    assert ARG_SCHEMAS and ROUND_TRIP_SCHEMAS
    assert cases.CaseSchema in ROUND_TRIP_SCHEMAS and search.SearchArgsSchema in ARG_SCHEMAS


# -- values ----------------------------------------------------------------------------------------

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e",
    "\ufeff",
    "\r\n",
    "𝔘𝔫𝔦",
    "٣",  # an Arabic-Indic digit: int() reads it
    "1e999",
    "-1e999",
    "NaN",
    "sNaN",
    "Infinity",
    "-0",
    "0x10",
    "1_000",
    "9" * 5000,  # over int()'s 4300-digit limit
    "true",
    "null",
    "{}",
    "[]",
    "<script>",
    "../../etc/passwd",
    "0001-01-01",
    "9999-12-31",
    "2024-02-30",
    "2024-13-01",
    "1970-01-01T00:00:00Z",
    "+275760-09-13",
]
_TEXT_CHARACTERS = st.characters(exclude_categories=["Cs"])  # no lone surrogates: JSON cannot carry them
_TEXT = st.text(_TEXT_CHARACTERS, max_size=30)
_LONG_TEXT = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(300, 20_000))
STRINGS = st.one_of(st.sampled_from(NASTY_STRINGS), _TEXT, _LONG_TEXT)
_INTEGERS = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63) - 1, 10**400]),
)
_FLOATS = st.floats()  # nan and both infinities included
_SCALARS = st.one_of(st.none(), st.booleans(), _INTEGERS, _FLOATS, STRINGS)
JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
MAX_DEPTH = 6


def _near(low: int | None, high: int | None) -> st.SearchStrategy[int]:
    edges = [b + d for b in (low, high) if b is not None for d in (-1, 0, 1)]
    return st.sampled_from(edges) if edges else st.nothing()


def _by_validators(field: fields.Field, plausible: bool) -> list[st.SearchStrategy[Any]]:
    """Values at the edges of the field's validators: each choice, matches of each pattern, strings of
    the lengths allowed and just not, integers at the bounds of a range (inside them when `plausible`)."""
    out: list[st.SearchStrategy[Any]] = []
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            out.append(st.sampled_from(list(validator.choices)))
        elif isinstance(validator, validate.Regexp):
            out.append(st.from_regex(validator.regex, fullmatch=True))
        elif isinstance(validator, validate.Length):
            low, high = validator.min or 0, validator.max
            if plausible:
                out.append(st.text(_TEXT_CHARACTERS, min_size=low, max_size=min(high or low + 20, low + 20)))
            else:
                sizes = _near(low, high).filter(lambda n: 0 <= n <= 5000)
                out.append(st.builds(lambda n, c: c * n, sizes, st.sampled_from(["a", "é", "洗", "\x00"])))
        elif isinstance(validator, validate.Range):
            low = validator.min if isinstance(validator.min, int) else None
            high = validator.max if isinstance(validator.max, int) else None
            out.append(st.integers(low, high) if plausible else _near(low, high))
    return out


def _of_type(field: fields.Field, depth: int, plausible: bool) -> st.SearchStrategy[Any]:
    """Values of the field's own type: good ones when `plausible`, else good and bad."""
    if depth > MAX_DEPTH:
        return st.none() if plausible else JSON
    if isinstance(field, fields.Nested):
        nested = field.schema
        one = _payload(type(nested), depth + 1, plausible=True)
        return st.lists(one, max_size=2) if nested.many else one
    if isinstance(field, fields.List):
        return st.lists(_value(field.inner, depth + 1, plausible), max_size=2 if plausible else 4)
    if isinstance(field, fields.Dict):
        keys = _value(field.key_field, depth + 1, plausible) if field.key_field else _TEXT
        values = _value(field.value_field, depth + 1, plausible) if field.value_field else JSON
        return st.dictionaries(keys.filter(_hashable), values, max_size=3)
    if isinstance(field, cases.Duration):
        if plausible:
            units = st.sampled_from(list(cases.TERM_UNITS))
            return st.fixed_dictionaries({"value": st.integers(0, 600), "unit": units})
        return st.fixed_dictionaries(
            {
                "value": st.one_of(_INTEGERS, _FLOATS, st.decimals().map(str), STRINGS, st.booleans()),
                "unit": st.sampled_from(["months", "years", "days", "", None, 1]),
            },
            optional={"extra": JSON},
        )
    if isinstance(field, cases.CountryCode):
        good = ["CN", "chn", "fr", "USA", " cn "]
        return st.sampled_from(good if plausible else [*good, "ZZ", "xx", "C", "CHNA"])
    if isinstance(field, cases.Currency):
        good = ["CNY", "usd", " eur "]
        return st.sampled_from(good if plausible else [*good, "XXX", "XTS", "???"])
    if isinstance(field, RecordIdField):
        return st.one_of(STRINGS, _INTEGERS, st.booleans())
    if isinstance(field, fields.Url):
        good = ["https://example.org/", "http://[::1]:80/a?b#c"]
        bad = ["ftp://x/", "javascript:alert(1)", "https://"]
        return st.sampled_from(good if plausible else [*good, *bad])
    if isinstance(field, fields.Boolean):
        good = st.one_of(st.booleans(), st.sampled_from(["true", "False", "1", "0", "on", "yes"]))
        return good if plausible else st.one_of(good, st.sampled_from([2, -1, 1.5, "maybe"]))
    if isinstance(field, fields.Decimal):
        if plausible:
            return st.decimals(min_value=0, max_value=10**12, places=2).map(str)
        decimals = st.decimals(allow_nan=True, allow_infinity=True)
        return st.one_of(
            decimals.map(str), decimals, _FLOATS, st.sampled_from(["1e999999", "-0.001", "sNaN"])
        )
    if isinstance(field, fields.Integer):
        if plausible:
            return st.integers(0, 10_000)
        return st.one_of(_INTEGERS, _INTEGERS.map(str), _FLOATS, st.sampled_from(["1.0", "1.5", " 7 "]))
    if isinstance(field, fields.Float):
        return st.floats(0, 1) if plausible else st.one_of(_FLOATS, _FLOATS.map(str), _INTEGERS)
    if isinstance(field, fields.DateTime):
        good = st.datetimes().map(dt.datetime.isoformat)
        if plausible:
            return good
        bad = st.sampled_from(["2024-01-01T25:00:00", "2024-01-01T00:00:00+99:00", "0"])
        return st.one_of(good, st.dates().map(dt.date.isoformat), bad)
    if isinstance(field, fields.Date):
        good = st.dates().map(dt.date.isoformat)
        return good if plausible else st.one_of(good, st.datetimes().map(dt.datetime.isoformat))
    if isinstance(field, fields.String):
        return st.text(_TEXT_CHARACTERS, min_size=1, max_size=20) if plausible else STRINGS
    return JSON  # Raw, Constant, Field and the like


def _hashable(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _value(field: fields.Field, depth: int, plausible: bool = False) -> st.SearchStrategy[Any]:
    """A value for `field`: at its validators' edges, of its type, null; and unless `plausible`, any
    JSON at all."""
    by_validators = _by_validators(field, plausible)
    if plausible:
        choices = by_validators or [_of_type(field, depth, plausible)]
        if field.allow_none:
            choices.append(st.none())
    else:
        choices = [*by_validators, _of_type(field, depth, plausible), st.none(), JSON]
    return st.one_of(choices)


def _loadable(schema: Schema) -> dict[str, fields.Field]:
    """The fields a load reads, by the key it reads them from."""
    return {f.data_key or name: f for name, f in schema.fields.items() if not f.dump_only}


# Plausible values that only a schema's own validation method (not a field validator) checks.
_SPAN = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)).map(sorted)
_PROVENANCE_ENTRY = st.one_of(
    _SPAN.map(lambda span: {"start": span[0], "end": span[1]}),
    st.fixed_dictionaries(
        {"by": st.sampled_from(["editor", "source"])}, optional={"user": _TEXT, "at": _TEXT}
    ),
)
_INITIALS = st.sampled_from(["M. L.", "ML", "J.-P. D.", "王某", None])


@functools.cache
def _payload(schema_class: type[Schema], depth: int = 0, plausible: bool = False) -> st.SearchStrategy[Any]:
    """An object for the schema: any of its keys with a value for each, and (unless `plausible`) keys
    of its own, or something else than an object. `plausible`: its required keys always, and values
    of the right type and shape."""
    schema = schema_class()
    if plausible and schema_class is cases.ProvenanceEntrySchema:
        return _PROVENANCE_ENTRY
    loadable = _loadable(schema)
    values = {key: _value(field, depth, plausible) for key, field in loadable.items()}
    if plausible and "provenance" in values:
        values["provenance"] = st.dictionaries(
            st.sampled_from(sorted(schema.fields)), _PROVENANCE_ENTRY, max_size=2
        )
    if plausible and schema_class is cases.VictimSchema:
        values["initials"] = _INITIALS
    required = {key: values.pop(key) for key, field in loadable.items() if plausible and field.required}
    objects = st.fixed_dictionaries(required, optional=values)
    if plausible:
        return objects
    extra = st.dictionaries(_TEXT, JSON, max_size=2)
    with_extra = st.tuples(objects, extra).map(lambda pair: {**pair[1], **pair[0]})
    return st.one_of(objects, with_extra, JSON)


def _loads_or_refuses(load: Callable[[Any], Any], data: Any) -> Any:
    """The loaded value, or None when the schema refused the input with its own error."""
    try:
        return load(data)
    except ValidationError as exc:
        assert isinstance(exc.messages, dict | list | str)
        json.dumps(exc.messages)  # what the 400 envelope carries must be JSON
        return None


# -- the properties --------------------------------------------------------------------------------


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=_name)
@given(data=st.data())
@budget(25)
def test_any_input_loads_or_is_refused_with_a_validation_error(schema_class: type[Schema], data: Any) -> None:
    schema = schema_class()
    _loads_or_refuses(schema.load, data.draw(_payload(schema_class), label="input"))


def _query_value(field: fields.Field) -> st.SearchStrategy[str]:
    """One value of a query-string argument for `field` (a list field repeats its item's)."""
    if isinstance(field, fields.List):
        return _query_value(field.inner)
    return st.one_of(_value(field, MAX_DEPTH, plausible=True).map(_as_text), STRINGS)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str)


@functools.cache
def _query(schema_class: type[Schema]) -> st.SearchStrategy[MultiDict[str, str]]:
    known = _loadable(schema_class())
    pair = st.one_of(
        *(st.tuples(st.just(key), _query_value(field)) for key, field in known.items()),
        st.tuples(_TEXT, STRINGS),
    )
    return st.lists(pair, max_size=8).map(MultiDict)


# How the views turn request.args into what a schema loads (api.py, sentencing.py, mla.py, usage.py,
# accounts_admin.py): every one of them, whatever the schema, must end in a load or a ValidationError.
QUERY_LOADERS: dict[str, Callable[[MultiDict[str, str]], Any]] = {
    "search.args_to_dict": search.args_to_dict,
    "sentencing.args_to_dict": sentencing.args_to_dict,
    "sentencing.args_to_dict(drop_blank)": lambda args: sentencing.args_to_dict(args, drop_blank=True),
    "to_dict": MultiDict.to_dict,
    "multidict": lambda args: args,
    "non_blank": lambda args: {k: v for k, v in args.items() if v != ""},
}


@pytest.mark.parametrize("schema_class", ARG_SCHEMAS, ids=_name)
@given(data=st.data())
@budget(40)
def test_any_query_string_loads_or_is_refused(schema_class: type[Schema], data: Any) -> None:
    args = data.draw(_query(schema_class), label="args")
    schema = schema_class()
    for as_loaded in QUERY_LOADERS.values():
        _loads_or_refuses(schema.load, as_loaded(args))


@given(body=st.one_of(JSON, _payload(TagItemSchema), st.builds(dict, items=JSON)))
@budget(100)
def test_any_tag_body_loads_or_is_refused(body: Any) -> None:
    _loads_or_refuses(load_tag_request, body)


@pytest.mark.parametrize("schema_class", ROUND_TRIP_SCHEMAS, ids=_name)
@given(data=st.data())
@budget(40)
def test_what_loads_dumps_and_loads_again_the_same(schema_class: type[Schema], data: Any) -> None:
    schema = schema_class()
    loaded = _loads_or_refuses(schema.load, data.draw(_payload(schema_class, plausible=True), label="input"))
    if loaded is None:
        return
    dumped = _without_dump_only(schema.dump(loaded))
    again = schema.load(dumped)  # what the schema dumps, it loads
    assert _without_dump_only(schema.dump(again)) == dumped


def _without_dump_only(dumped: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in dumped.items() if key not in cases.DUMP_ONLY}
