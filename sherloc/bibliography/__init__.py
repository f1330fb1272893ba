"""Bibliography entries: BibTeX, RIS and CSL-JSON import and export, a "cite this" line; no Flask, no DB."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import PurePath

from sherloc.bibliography.bibtex import dump_bibtex, parse_bibtex
from sherloc.bibliography.cite import cite
from sherloc.bibliography.csljson import dump_csl_json, parse_csl_json
from sherloc.bibliography.errors import BibliographyError
from sherloc.bibliography.model import BibEntry, Name
from sherloc.bibliography.ris import dump_ris, parse_ris
from sherloc.bibliography.vocabulary import CSL_TYPES

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MEDIA_TYPES",
    "BibEntry",
    "BibliographyError",
    "Name",
    "cite",
    "detect_format",
    "dump",
    "parse",
]

FORMATS = ("bibtex", "ris", "csl-json")
MEDIA_TYPES = {
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
EXTENSIONS = {"bibtex": ".bib", "ris": ".ris", "csl-json": ".json"}

_BIBTEX_HEAD = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
# Extensions of the documents other parsers read: never taken for a bibliography by their content.
_OTHER_DOCUMENTS = frozenset(
    {".html", ".htm", ".md", ".markdown", ".txt", ".text", ".docx", ".pdf", ".xml", ".yaml", ".yml"}
)
_RIS_HEAD = re.compile(r"^\s*TY  - ", re.MULTILINE)
_CSL_TYPE_IN_HEAD = re.compile(r'"type"\s*:\s*"([a-z_-]+)"')


def _is_csl_json(head: str) -> bool:
    """A list of objects with a CSL type and an id or title; `head` may be cut short. Never raises: a
    pathological head (thousands of nested brackets) is simply not CSL-JSON."""
    try:
        return _looks_like_csl_json(head)
    except (RecursionError, ValueError):
        return False


def _looks_like_csl_json(head: str) -> bool:
    text = head.lstrip("\ufeff").lstrip()
    if not text.startswith("["):
        return False
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, list):
        return bool(data) and all(
            isinstance(i, dict) and i.get("type") in CSL_TYPES and ("id" in i or "title" in i) for i in data
        )
    try:  # the first item alone, when the head stops inside a later one
        first, _ = json.JSONDecoder().raw_decode(text[1:].lstrip())
        return (
            isinstance(first, dict) and first.get("type") in CSL_TYPES and ("id" in first or "title" in first)
        )
    except json.JSONDecodeError:
        m = _CSL_TYPE_IN_HEAD.search(text)
        return bool(m and m.group(1) in CSL_TYPES and ('"id"' in text or '"title"' in text))


def detect_format(filename: str, head: str) -> str | None:
    """ "bibtex", "ris" or "csl-json" from the file's extension and first characters, or None."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".bib", ".bibtex"):
        return "bibtex"
    if suffix == ".ris":
        return "ris"
    if suffix == ".json":
        return "csl-json" if _is_csl_json(head) else None
    if suffix in (".txt", ".text"):
        # Reference managers export RIS and BibTeX as .txt: taken when the file opens as one, never
        # because a line somewhere in a text law looks like "TY  - ".
        first = head.lstrip("\ufeff").lstrip()
        if first.startswith("TY  - "):
            return "ris"
        return "bibtex" if re.match(r"@\s*[A-Za-z]+\s*[{(]", first) else None
    if suffix in _OTHER_DOCUMENTS:
        return None  # a law as HTML, Markdown ... even when a line looks like "@page {" or "TY  - "
    if _is_csl_json(head):
        return "csl-json"
    if _RIS_HEAD.search(head[:2048]) and re.search(r"^(TY|ER)  -", head, re.MULTILINE):
        return "ris"
    if _BIBTEX_HEAD.search(head):
        return "bibtex"
    return None


def parse(text: str, fmt: str) -> list[BibEntry]:
    """Every entry of `text`, or BibliographyError listing every bad line: never a partial list."""
    if fmt == "bibtex":
        return parse_bibtex(text)
    if fmt == "ris":
        return parse_ris(text)
    if fmt == "csl-json":
        return parse_csl_json(text)
    raise ValueError(f"unknown bibliography format {fmt!r}; one of {', '.join(FORMATS)}")


def dump(entries: Sequence[BibEntry], fmt: str) -> str:
    if fmt == "bibtex":
        return dump_bibtex(entries)
    if fmt == "ris":
        return dump_ris(entries)
    if fmt == "csl-json":
        return dump_csl_json(entries)
    raise ValueError(f"unknown bibliography format {fmt!r}; one of {', '.join(FORMATS)}")
