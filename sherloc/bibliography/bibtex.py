"""BibTeX (and biblatex) reading and writing through bibtexparser 2.

Mapping (BibEntry field -> BibTeX field):
  key -> citation key; type -> entry type (table below), plus `sherloc-type` when the entry type does not
  give the CSL type back; title -> title; authors/editors -> author/editor ("Family, Given" joined with
  " and ", institutions as "{Literal Name}", "others" for et al.); container_title -> journal (articles) or
  booktitle (chapter, paper-conference, entry-*); publisher -> publisher (institution for report, school
  for thesis); publisher_place -> address; issued -> year, month and ISO `date` (when a month is known);
  language -> language (ISO 639-1; babel names such as "russian" are read too, also from langid);
  isbn, issn, doi, url, volume, edition, pages -> same names; issue -> number; abstract -> abstract;
  annotation -> annote (annotation is read too); keywords -> keywords (comma separated, a keyword holding
  a comma is braced); un_sales_number -> un-sales-number; document_symbol -> un-document-symbol;
  countries, crime_types, cross_cutting -> sherloc-countries, sherloc-crime-types, sherloc-cross-cutting
  (comma separated ids); research_method -> sherloc-research-method.
Text is written as UTF-8 with LaTeX's special characters escaped (\\&, \\%, \\{ ...) and read back through
pylatexenc, so accents written as LaTeX ({\\'e}) in real files come in as Unicode. url and doi are verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import bibtexparser
from bibtexparser import model as bm
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.library import Library
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from sherloc.bibliography.errors import BibliographyError, nul_lines
from sherloc.bibliography.model import BibEntry, Name
from sherloc.bibliography.vocabulary import (
    CSL_TYPES,
    iso_date,
    language_code,
    person,
    validate_issued,
    year_prefix,
)

# CSL type -> BibTeX entry type written.
TYPE_TO_BIBTEX = {
    "article": "article", "article-journal": "article", "article-magazine": "article",
    "article-newspaper": "article", "book": "book", "chapter": "incollection",
    "paper-conference": "inproceedings", "report": "techreport", "thesis": "phdthesis",
    "webpage": "online", "legislation": "legislation", "legal_case": "jurisdiction", "treaty": "legal",
    "manuscript": "unpublished", "pamphlet": "booklet", "patent": "patent", "standard": "standard",
    "software": "software", "dataset": "dataset", "periodical": "periodical",
}  # fmt: skip
# BibTeX/biblatex entry type read -> CSL type.
BIBTEX_TO_TYPE = {
    "article": "article-journal", "book": "book", "mvbook": "book", "collection": "book",
    "mvcollection": "book", "proceedings": "book", "manual": "book", "booklet": "pamphlet",
    "inbook": "chapter", "incollection": "chapter", "bookinbook": "chapter", "suppbook": "chapter",
    "inproceedings": "paper-conference", "conference": "paper-conference", "techreport": "report",
    "report": "report", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "online": "webpage", "www": "webpage", "electronic": "webpage", "legislation": "legislation",
    "jurisdiction": "legal_case", "legal": "treaty", "unpublished": "manuscript", "patent": "patent",
    "standard": "standard", "software": "software", "dataset": "dataset", "periodical": "periodical",
    "newspaper": "article-newspaper", "misc": "document",
}  # fmt: skip
_CONTAINER_AS_BOOKTITLE = {"chapter", "paper-conference", "entry", "entry-dictionary", "entry-encyclopedia"}
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        ("jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
         "aug august", "sep sept september", "oct october", "nov november", "dec december")
    )
    for name in names.split()
}  # fmt: skip
_LIST_FIELDS = {
    "keywords": "keywords",
    "sherloc-countries": "countries",
    "sherloc-crime-types": "crime_types",
    "sherloc-cross-cutting": "cross_cutting",
}
_PLAIN_FIELDS = {
    "isbn": "isbn", "issn": "issn", "volume": "volume", "number": "issue", "pages": "pages",
    "edition": "edition", "abstract": "abstract", "un-sales-number": "un_sales_number",
    "un-document-symbol": "document_symbol", "sherloc-research-method": "research_method",
}  # fmt: skip
_VERBATIM_FIELDS = {"url": "url", "doi": "doi"}

_TEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip
_TEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _TEX_SPECIALS))
_KEY_RE = re.compile(r"^[^\s,{}()\"#%'=\\]+$")


def _latex_decoder() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    # pylatexenc renders \textasciicircum as U+02C6; the escape written here stands for "^".
    db.add_context_category("sherloc", macros=[MacroTextSpec("textasciicircum", "^")], prepend=True)
    return LatexNodes2Text(latex_context=db, strict_latex_spaces=True)


_DECODER = _latex_decoder()


def tex_decode(value: str) -> str:
    if any(c in value for c in "\\$~%"):
        # Inside a field a bare % is text ("100% of cases"), not LaTeX's comment sign.
        value = re.sub(r"(?<!\\)%", r"\\%", value)
        try:
            return _DECODER.latex_to_text(value).strip()
        except RecursionError:  # pylatexenc descends once per brace: thousands of "{" exhaust the stack
            raise ValueError("a field nests its braces too deeply to be read") from None
    return value.replace("{", "").replace("}", "").strip()


def tex_encode(value: str) -> str:
    # "--" and "---" are TeX's en and em dashes: hyphens typed in a row stay hyphens ("-{}-").
    return _HYPHEN_BEFORE_HYPHEN.sub("-{}", _TEX_SPECIAL_RE.sub(lambda m: _TEX_SPECIALS[m.group(0)], value))


_HYPHEN_BEFORE_HYPHEN = re.compile(r"-(?=-)")


def _split_top_level(value: str, sep: str = ",") -> list[str]:
    """`value` split on `sep` outside braces."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(value):
        if c == "{" and (i == 0 or value[i - 1] != "\\"):
            depth += 1
        elif c == "}" and (i == 0 or value[i - 1] != "\\"):
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def _one_group(raw: str) -> bool:
    """`raw` is one brace group: "{World Health Organization}"."""
    if not (raw.startswith("{") and raw.endswith("}")):
        return False
    depth = 0
    for i, c in enumerate(raw):
        if c == "{" and (i == 0 or raw[i - 1] != "\\"):
            depth += 1
        elif c == "}" and raw[i - 1] != "\\":
            depth -= 1
            if depth == 0 and i != len(raw) - 1:
                return False
    return True


def _read_names(value: str) -> tuple[Name, ...]:
    names = []
    for raw in split_multiple_persons_names(value):
        raw = raw.strip()
        if raw == "others":
            names.append(Name(literal="others"))
        elif _one_group(raw):
            names.append(Name(literal=tex_decode(raw[1:-1])))
        else:
            parts = parse_single_name_into_parts(raw, strict=False)
            family = tex_decode(" ".join(parts.von + parts.last))
            if parts.jr:
                family = f"{family}, {tex_decode(' '.join(parts.jr))}"
            names.append(person(family, tex_decode(" ".join(parts.first))))
    return tuple(names)


def _protect(part: str) -> str:
    part = tex_encode(part)
    return "{" + part + "}" if ("," in part or re.search(r"\band\b", part, re.IGNORECASE)) else part


def _write_name(name: Name) -> str:
    if name.literal:
        return "others" if name.literal == "others" else "{" + tex_encode(name.literal) + "}"
    if name.family and name.given:
        return f"{_protect(name.family)}, {_protect(name.given)}"
    if name.family:
        return f"{_protect(name.family)},"
    return "{}, " + _protect(name.given or "")


def _entry_from_block(block: bm.Entry) -> BibEntry:
    f: dict[str, Any] = {k.lower(): v for k, v in ((fld.key, fld.value) for fld in block.fields)}
    f = {k: v.strip() if isinstance(v, str) else v for k, v in f.items()}
    raw_type = block.entry_type.lower()
    csl_type = f.get("sherloc-type") or BIBTEX_TO_TYPE.get(raw_type, "document")
    if csl_type not in CSL_TYPES:
        raise ValueError(f"sherloc-type {csl_type!r} is not a CSL 1.0.2 type")
    title = tex_decode(f.get("title", ""))
    if not title:
        raise ValueError(f"entry {block.key!r} has no title")
    kw: dict[str, Any] = {"key": block.key, "type": csl_type, "title": title}
    if f.get("author"):
        kw["authors"] = _read_names(f["author"])
    if f.get("editor"):
        kw["editors"] = _read_names(f["editor"])
    for field in ("journal", "journaltitle", "booktitle"):
        if f.get(field):
            kw["container_title"] = tex_decode(f[field])
            break
    for field in ("publisher", "institution", "school", "organization"):
        if f.get(field):
            kw["publisher"] = tex_decode(f[field])
            break
    for field in ("address", "location"):
        if f.get(field):
            kw["publisher_place"] = tex_decode(f[field])
            break
    issued: tuple[int, ...] = ()
    if f.get("date"):
        issued = year_prefix(f["date"])
    elif f.get("year"):
        issued = year_prefix(tex_decode(f["year"]))[:1]
        month = str(f.get("month", "")).strip().lower().rstrip(".")
        if issued and month:
            if month.isdigit():
                issued += (int(month),)
            elif month in _MONTHS:
                issued += (_MONTHS[month],)
    if issued:
        if problem := validate_issued(issued):
            raise ValueError(problem)
        kw["issued"] = issued
    lang = f.get("language") or f.get("langid")
    if lang:
        kw["language"] = language_code(tex_decode(lang))
    for field, attr in _PLAIN_FIELDS.items():
        if f.get(field):
            kw[attr] = tex_decode(f[field])
    for field, attr in _VERBATIM_FIELDS.items():
        if f.get(field):
            kw[attr] = f[field]
    note = f.get("annote") or f.get("annotation")
    if note:
        kw["annotation"] = tex_decode(note)
    for field, attr in _LIST_FIELDS.items():
        if f.get(field):
            kw[attr] = tuple(tex_decode(v) for v in _split_top_level(f[field]))
    return BibEntry(**kw)


def parse_bibtex(text: str) -> list[BibEntry]:
    refused = nul_lines(text)
    if refused:
        raise BibliographyError(refused)
    library = bibtexparser.parse_string(text)
    errors: list[tuple[int | None, str]] = []
    for failed in library.failed_blocks:
        line = failed.start_line + 1 if failed.start_line is not None else None
        if isinstance(failed, bm.DuplicateBlockKeyBlock):
            previous = failed.previous_block.start_line
            where = f" (first at line {previous + 1})" if previous is not None else ""
            errors.append((line, f"duplicate key {failed.key!r}{where}"))
        elif isinstance(failed.error, BlockAbortedException):
            reason = " ".join(failed.error.abort_reason.split())
            errors.append((line, f"entry not closed (unbalanced braces or quotes): {reason}"))
        else:
            errors.append((line, f"cannot read this block: {failed.error}"))
    entries = []
    for block in library.entries:
        try:
            entries.append(_entry_from_block(block))
        except ValueError as exc:
            errors.append((block.start_line + 1 if block.start_line is not None else None, str(exc)))
    if errors:
        raise BibliographyError(sorted(errors, key=lambda e: e[0] or 0))
    return entries


def _no_braces(value: str | None) -> str | None:
    return value.replace("{", "%7B").replace("}", "%7D") if value else value


def _fields(entry: BibEntry) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def add(name: str, value: str | None, encode: bool = True) -> None:
        if value:
            out.append((name, tex_encode(value) if encode else value))

    if entry.authors:
        out.append(("author", " and ".join(_write_name(n) for n in entry.authors)))
    if entry.editors:
        out.append(("editor", " and ".join(_write_name(n) for n in entry.editors)))
    add("title", entry.title)
    add("booktitle" if entry.type in _CONTAINER_AS_BOOKTITLE else "journal", entry.container_title)
    add("edition", entry.edition)
    publisher_field = {"report": "institution", "thesis": "school"}.get(entry.type, "publisher")
    add(publisher_field, entry.publisher)
    add("address", entry.publisher_place)
    if entry.issued:
        add("year", str(entry.issued[0]))
        if len(entry.issued) > 1:
            add("month", str(entry.issued[1]))
            add("date", iso_date(entry.issued))
    add("volume", entry.volume)
    add("number", entry.issue)
    add("pages", entry.pages)
    add("language", entry.language)
    add("isbn", entry.isbn)
    add("issn", entry.issn)
    # Written as they are (no LaTeX escaping), but a brace would close the field and let the value write
    # fields of its own: braces are percent-encoded, as in any URL.
    add("doi", _no_braces(entry.doi), encode=False)
    add("url", _no_braces(entry.url), encode=False)
    add("un-sales-number", entry.un_sales_number)
    add("un-document-symbol", entry.document_symbol)
    for field, attr in _LIST_FIELDS.items():
        values = getattr(entry, attr)
        if values:
            out.append((field, ", ".join(_protect(v) for v in values)))
    add("abstract", entry.abstract)
    add("annote", entry.annotation)
    add("sherloc-research-method", entry.research_method)
    bib_type = TYPE_TO_BIBTEX.get(entry.type, "misc")
    if BIBTEX_TO_TYPE.get(bib_type) != entry.type:
        out.append(("sherloc-type", entry.type))
    return out


def dump_bibtex(entries: Sequence[BibEntry]) -> str:
    bad = [
        (None, f"citation key {e.key!r} cannot be written in BibTeX")
        for e in entries
        if not _KEY_RE.match(e.key)
    ]
    if bad:
        raise BibliographyError(bad)
    library = Library()
    for entry in entries:
        fields = [bm.Field(name, "{" + value + "}") for name, value in _fields(entry)]
        library.add(bm.Entry(TYPE_TO_BIBTEX.get(entry.type, "misc"), entry.key, fields))
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.trailing_comma = True
    return bibtexparser.write_string(library, unparse_stack=[], bibtex_format=fmt)
