"""CSL-JSON reading and writing, items checked against CSL 1.0.2's types and variable names.

Mapping (BibEntry field -> CSL variable): key -> id; type -> type; title -> title; authors -> author;
editors -> editor (names as {family, given} or {literal}; non-dropping-particle and suffix are folded into
family when read); container_title -> container-title; publisher -> publisher; publisher_place ->
publisher-place; issued -> issued {"date-parts": [[y, m, d]]} ("raw"/"literal" dates read too); language,
ISBN, ISSN, DOI, URL, volume, issue, page, edition, abstract -> same names; annotation -> annote;
keywords -> keyword (joined with ", ") and custom.keywords (the exact list); document_symbol -> number and
custom.document_symbol. The rest go in the item's "custom" object: custom.un_sales_number,
custom.countries, custom.crime_types, custom.cross_cutting (lists of ids), custom.research_method.
CSL variables with no BibEntry field are accepted and left out; keys outside CSL's vocabulary are errors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from sherloc.bibliography.errors import BibliographyError
from sherloc.bibliography.model import BibEntry, Name
from sherloc.bibliography.vocabulary import (
    CSL_DATE_VARIABLES,
    CSL_ITEM_KEYS,
    CSL_NAME_VARIABLES,
    CSL_TYPES,
    language_code,
    validate_issued,
    year_prefix,
)

_STRINGS = {
    "container-title": "container_title", "publisher": "publisher", "publisher-place": "publisher_place",
    "ISBN": "isbn", "ISSN": "issn", "DOI": "doi", "URL": "url", "volume": "volume", "issue": "issue",
    "page": "pages", "edition": "edition", "abstract": "abstract", "annote": "annotation",
}  # fmt: skip
_CUSTOM_STRINGS = ("un_sales_number", "document_symbol", "research_method")
_CUSTOM_LISTS = ("keywords", "countries", "crime_types", "cross_cutting")
_NAME_KEYS = frozenset(
    [
        "family",
        "given",
        "literal",
        "dropping-particle",
        "non-dropping-particle",
        "suffix",
        "comma-suffix",
        "static-ordering",
        "parse-names",
    ]
)


def _unstorable(value: Any) -> str | None:
    """What in a decoded item no UTF-8 file or store can keep: a lone surrogate or NUL escape, a number
    JSON has no syntax for (1e999 reads as infinity); None when nothing. Iterative: nesting is the file's."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return "a lone surrogate escape (\\ud800-\\udfff)"
            if "\x00" in item:
                return "a NUL character (\\u0000)"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"a number JSON cannot hold ({item})"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _items_with_lines(text: str) -> tuple[list[tuple[int, Any]], list[tuple[int | None, str]]]:
    """The top-level array's elements with the line each starts on."""
    decoder = json.JSONDecoder()
    text = text.lstrip("\ufeff")

    counted = [0, 1]  # up to which offset lines are counted, and the line there: positions only grow

    def line_of(pos: int) -> int:
        if pos >= counted[0]:
            counted[1] += text.count("\n", counted[0], pos)
            counted[0] = pos
            return counted[1]
        return text.count("\n", 0, pos) + 1

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    pos = skip(0)
    if not text.startswith("[", pos):
        return [], [(line_of(pos), "CSL-JSON is an array of items: expected '['")]
    pos = skip(pos + 1)
    items: list[tuple[int, Any]] = []
    if text.startswith("]", pos):
        return items, []
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            return items, [(exc.lineno, f"invalid JSON: {exc.msg}")]
        except RecursionError:
            return items, [(line_of(pos), "invalid JSON: nested too deeply")]
        except ValueError as exc:  # a number past Python's digit limit for int conversion
            return items, [(line_of(pos), f"invalid JSON: {exc}")]
        problem = _unstorable(value)
        if problem:
            return items, [(line_of(pos), f"invalid text: {problem}")]
        items.append((line_of(pos), value))
        pos = skip(end)
        if text.startswith(",", pos):
            pos = skip(pos + 1)
        elif text.startswith("]", pos):
            rest = skip(pos + 1)
            if rest < len(text):
                return items, [(line_of(rest), "text after the closing ']'")]
            return items, []
        else:
            return items, [(line_of(pos), "expected ',' or ']' between items")]


def _name(value: Any, where: str) -> Name:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: a name is an object")
    unknown = set(value) - _NAME_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown name part(s) {sorted(unknown)}")
    if value.get("literal"):
        return Name(literal=str(value["literal"]))
    family = " ".join(str(value[k]) for k in ("non-dropping-particle", "family") if value.get(k))
    if value.get("suffix"):
        family = f"{family}, {value['suffix']}"
    given = " ".join(str(value[k]) for k in ("given", "dropping-particle") if value.get(k))
    if not family and not given:
        raise ValueError(f"{where}: a name needs family, given or literal")
    return Name(family=family or None, given=given or None)


def _date(value: Any) -> tuple[int, ...]:
    if not isinstance(value, dict):
        raise ValueError("issued: a date is an object with date-parts")
    parts = value.get("date-parts")
    if parts:
        if not isinstance(parts, list) or not isinstance(parts[0], list):
            raise ValueError("issued: date-parts is a list of lists")
        # Whole numbers, or their digits as strings ("2020"): not true, 2020.9 or "20x0".
        if not all(
            (isinstance(p, int) and not isinstance(p, bool)) or (isinstance(p, str) and p.strip().isdigit())
            for p in parts[0]
        ):
            raise ValueError(f"issued: date-parts {parts[0]!r} are not whole numbers")
        issued = tuple(int(p) for p in parts[0])
    else:
        issued = year_prefix(str(value.get("raw") or value.get("literal") or ""))
    if problem := validate_issued(issued):
        raise ValueError(f"issued: {problem}")
    return issued


def _entry(item: Any) -> BibEntry:
    if not isinstance(item, dict):
        raise ValueError("an item is a JSON object")
    unknown = set(item) - CSL_ITEM_KEYS
    if unknown:
        raise ValueError(f"not CSL variables: {', '.join(sorted(unknown))}")
    if "type" not in item:
        raise ValueError("item has no type")
    if item["type"] not in CSL_TYPES:
        raise ValueError(f"type {item['type']!r} is not a CSL 1.0.2 type")
    if item.get("id") in (None, ""):
        raise ValueError("item has no id")
    if not isinstance(item["id"], str | int) or isinstance(item["id"], bool):
        raise ValueError("id is a string or a number")
    if not isinstance(item.get("title"), str) or not item["title"].strip():
        raise ValueError("item has no title")
    for var in CSL_NAME_VARIABLES & set(item):
        if not isinstance(item[var], list):
            raise ValueError(f"{var} is a list of names")
    for var in CSL_DATE_VARIABLES & set(item):
        if not isinstance(item[var], dict):
            raise ValueError(f"{var} is a date object")
    custom = item.get("custom") or {}
    if not isinstance(custom, dict):
        raise ValueError("custom is an object")
    kw: dict[str, Any] = {"key": str(item["id"]), "type": item["type"], "title": item["title"]}
    if item.get("author"):
        kw["authors"] = tuple(_name(n, "author") for n in item["author"])
    if item.get("editor"):
        kw["editors"] = tuple(_name(n, "editor") for n in item["editor"])
    if item.get("issued") and (issued := _date(item["issued"])):
        kw["issued"] = issued
    if item.get("language"):
        kw["language"] = language_code(str(item["language"]))
    for var, attr in _STRINGS.items():
        value = item.get(var)
        if value not in (None, ""):
            if isinstance(value, bool) or not isinstance(value, str | int | float) or value != value:
                raise ValueError(f"{var} is a string or number")
            kw[attr] = str(value)
    # CSL's "number" is any item's number (a report's, a bill's): a UN symbol only when custom says so.
    if isinstance(custom.get("document_symbol"), str) and custom["document_symbol"].strip():
        kw["document_symbol"] = custom["document_symbol"].strip()
    elif item.get("number") not in (None, "") and item.get("type") in ("report", "document"):
        if not isinstance(item["number"], str | int) or isinstance(item["number"], bool):
            raise ValueError("number is a string or a number")
        kw["document_symbol"] = str(item["number"])
    if item.get("keyword"):
        if not isinstance(item["keyword"], str):
            raise ValueError("keyword is a string, the keywords separated by commas")
        kw["keywords"] = tuple(k.strip() for k in item["keyword"].split(",") if k.strip())
    for name in _CUSTOM_STRINGS:
        if custom.get(name):
            kw[name] = str(custom[name])
    for name in _CUSTOM_LISTS:
        if name in custom:
            if not isinstance(custom[name], list) or not all(isinstance(v, str) for v in custom[name]):
                raise ValueError(f"custom.{name} is a list of strings")
            kw[name] = tuple(custom[name])
    return BibEntry(**kw)


def parse_csl_json(text: str) -> list[BibEntry]:
    items, errors = _items_with_lines(text)
    entries: list[BibEntry] = []
    seen: dict[str, int] = {}
    for line, item in items:
        try:
            entry = _entry(item)
        except ValueError as exc:
            errors.append((line, str(exc)))
            continue
        if entry.key in seen:
            errors.append((line, f"duplicate id {entry.key!r} (first at line {seen[entry.key]})"))
            continue
        seen[entry.key] = line
        entries.append(entry)
    if errors:
        raise BibliographyError(sorted(errors, key=lambda e: e[0] or 0))
    return entries


def _item(entry: BibEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.key, "type": entry.type, "title": entry.title}
    if entry.authors:
        item["author"] = [n.to_json() for n in entry.authors]
    if entry.editors:
        item["editor"] = [n.to_json() for n in entry.editors]
    if entry.issued:
        item["issued"] = {"date-parts": [list(entry.issued)]}
    if entry.language:
        item["language"] = entry.language
    for var, attr in _STRINGS.items():
        if getattr(entry, attr):
            item[var] = getattr(entry, attr)
    if entry.document_symbol:
        item["number"] = entry.document_symbol
    if entry.keywords:
        item["keyword"] = ", ".join(entry.keywords)
    custom: dict[str, Any] = {}
    for name in _CUSTOM_STRINGS:
        if getattr(entry, name):
            custom[name] = getattr(entry, name)
    for name in _CUSTOM_LISTS:
        if getattr(entry, name):
            custom[name] = list(getattr(entry, name))
    if custom:
        item["custom"] = custom
    return item


def dump_csl_json(entries: Sequence[BibEntry]) -> str:
    return json.dumps([_item(e) for e in entries], ensure_ascii=False, indent=2) + "\n"
