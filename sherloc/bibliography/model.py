"""The bibliography entry: one format-neutral record, stored as a stable JSON dict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Name:
    """A person (family/given) or an institution or unsplit name (literal)."""

    family: str | None = None
    given: str | None = None
    literal: str | None = (
        None  # an institution ("United Nations Office on Drugs and Crime") or a name not split
    )

    def to_json(self) -> dict[str, str]:
        return {
            k: v for k, v in (("family", self.family), ("given", self.given), ("literal", self.literal)) if v
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Name:
        return cls(family=data.get("family"), given=data.get("given"), literal=data.get("literal"))


# Fields holding tuples of Names, tuples of strings, and the date tuple: the rest are plain strings.
_NAME_FIELDS = ("authors", "editors")
_TUPLE_FIELDS = ("keywords", "countries", "crime_types", "cross_cutting")


@dataclass(frozen=True)
class BibEntry:
    key: str  # citation key / CSL id
    # a CSL 1.0.2 type: book, chapter, article-journal, report, legislation, legal_case, treaty, webpage,
    # document, thesis, paper-conference ...
    type: str
    title: str
    authors: tuple[Name, ...] = ()
    editors: tuple[Name, ...] = ()
    container_title: str | None = None
    publisher: str | None = None
    publisher_place: str | None = None
    issued: tuple[int, ...] = ()  # (), (year,), (year, month), (year, month, day)
    language: str | None = None  # BCP 47 / ISO 639-1 ("en", "zh")
    isbn: str | None = None
    issn: str | None = None
    doi: str | None = None
    un_sales_number: str | None = None  # "E.05.V.2"
    document_symbol: str | None = None  # "CTOC/COP/2020/4"
    url: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    edition: str | None = None
    abstract: str | None = None
    annotation: str | None = None  # key provisions or findings, as an editor summarises them
    keywords: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    crime_types: tuple[str, ...] = ()  # SHERLOC crime-type ids ("money_laundering")
    cross_cutting: tuple[str, ...] = ()  # cross-cutting issue ids
    research_method: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A plain dict in field order, empty fields left out (stable for a JSON column)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or value == "":
                continue
            if f.name in _NAME_FIELDS:
                out[f.name] = [n.to_json() for n in value]
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BibEntry:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown bibliography fields: {', '.join(sorted(unknown))}")
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            if name in _NAME_FIELDS:
                kwargs[name] = tuple(Name.from_json(n) for n in value)
            elif name in _TUPLE_FIELDS:
                kwargs[name] = tuple(str(v) for v in value)
            elif name == "issued":
                kwargs[name] = tuple(int(v) for v in value)
            else:
                kwargs[name] = value
        return cls(**kwargs)
