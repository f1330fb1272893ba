"""One plain-text reference line in Chicago author-date style, with UN document symbols and sales numbers."""

from __future__ import annotations

import re

from sherloc.bibliography.model import BibEntry, Name

_TERMS = {
    "en": {"and": "and", "nd": "n.d.", "ed": "ed.", "edited": "edited by", "in": "In", "sales": "Sales No.",
           "et_al": "et al.", "months": "January February March April May June July August September "
           "October November December"},
    "fr": {"and": "et", "nd": "s.d.", "ed": "éd.", "edited": "sous la direction de", "in": "Dans",
           "sales": "numéro de vente", "et_al": "et al.", "months": "janvier février mars avril mai juin "
           "juillet août septembre octobre novembre décembre"},
    "es": {"and": "y", "nd": "s.f.", "ed": "ed.", "edited": "editado por", "in": "En",
           "sales": "núm. de venta", "et_al": "et al.", "months": "enero febrero marzo abril mayo junio "
           "julio agosto septiembre octubre noviembre diciembre"},
}  # fmt: skip
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_LAW_TYPES = {"legislation", "bill", "regulation", "treaty", "legal_case"}
_ARTICLE_TYPES = {"article", "article-journal", "article-magazine", "article-newspaper"}
_IN_CONTAINER = {"chapter", "paper-conference", "entry", "entry-dictionary", "entry-encyclopedia"}


def _name(name: Name, inverted: bool) -> str:
    if name.literal:
        return name.literal
    family, given = name.family or "", name.given or ""
    if _CJK.search(family + given):
        return family + given  # Chinese, Japanese, Korean names: family name first, no comma
    if not family or not given:
        return family or given
    return f"{family}, {given}" if inverted else f"{given} {family}"


def _names(names: tuple[Name, ...], terms: dict[str, str], first_inverted: bool = True) -> str:
    if names and names[-1].literal == "others":
        return _names(names[:-1], terms, first_inverted) + f" {terms['et_al']}"
    out = [_name(n, inverted=first_inverted and i == 0) for i, n in enumerate(names)]
    if len(out) > 10:
        return ", ".join(out[:7]) + f", {terms['et_al']}"
    if len(out) <= 1:
        return "".join(out)
    if len(out) == 2:
        # Chicago: "Levi, Michael, and Peter Reuter" once the first name is inverted.
        comma = "," if first_inverted and "," in out[0] else ""
        return f"{out[0]}{comma} {terms['and']} {out[1]}"
    return ", ".join(out[:-1]) + f", {terms['and']} {out[-1]}"


def _end(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", "。", "？", "！")) else text + "."


def _full_date(issued: tuple[int, ...], terms: dict[str, str]) -> str:
    months = terms["months"].split()
    if len(issued) == 3:
        return f"{issued[2]} {months[issued[1] - 1]} {issued[0]}"
    if len(issued) == 2:
        return f"{months[issued[1] - 1]} {issued[0]}"
    return str(issued[0]) if issued else terms["nd"]


def _link(entry: BibEntry) -> str | None:
    if entry.doi:
        return entry.doi if entry.doi.startswith("http") else f"https://doi.org/{entry.doi}"
    return entry.url


def _publication(entry: BibEntry) -> str | None:
    if entry.publisher_place and entry.publisher:
        return f"{entry.publisher_place}: {entry.publisher}"
    return entry.publisher or entry.publisher_place


def cite(entry: BibEntry, language: str = "en") -> str:
    """A reference-list line: Author. Year. Title. Container. Place: Publisher. Symbol. Sales No. Link."""
    terms = _TERMS.get(language.split("-")[0].lower(), _TERMS["en"])
    year = str(entry.issued[0]) if entry.issued else terms["nd"]
    parts: list[str] = []
    if entry.type in _LAW_TYPES:
        # Laws, treaties and cases are cited by their title, then where they are published and when.
        parts.append(_end(entry.title))
        where = " ".join(p for p in (entry.container_title, entry.volume, entry.pages) if p)
        if where:
            parts.append(_end(where))
        if entry.document_symbol:
            parts.append(_end(entry.document_symbol))
        parts.append(_end(", ".join(p for p in (entry.publisher, _full_date(entry.issued, terms)) if p)))
    else:
        if entry.authors:
            parts.append(_end(_names(entry.authors, terms)))
        elif entry.editors:
            parts.append(_end(f"{_names(entry.editors, terms)}, {terms['ed']}"))
        parts.append(_end(year))
        if entry.type in _ARTICLE_TYPES or entry.type in _IN_CONTAINER:
            parts.append(f"“{_end(entry.title)}”")
        else:
            parts.append(_end(entry.title))
        if entry.type in _ARTICLE_TYPES and entry.container_title:
            journal = entry.container_title
            if entry.volume:
                journal += f" {entry.volume}"
            if entry.issue:
                journal += f" ({entry.issue})"
            if entry.pages:
                journal += f": {entry.pages}"
            parts.append(_end(journal))
        elif entry.container_title:
            inside = f"{terms['in']} {entry.container_title}"
            if entry.editors and entry.authors:
                inside += f", {terms['edited']} {_names(entry.editors, terms, first_inverted=False)}"
            if entry.pages:
                inside += f", {entry.pages}"
            parts.append(_end(inside))
        if entry.edition:
            edition = entry.edition
            parts.append(_end(f"{edition} {terms['ed']}" if edition.isdigit() else edition))
        if entry.type not in _ARTICLE_TYPES and (publication := _publication(entry)):
            parts.append(_end(publication))
        if entry.document_symbol:
            parts.append(_end(entry.document_symbol))
    if entry.un_sales_number:
        parts.append(_end(f"{terms['sales']} {entry.un_sales_number}"))
    if link := _link(entry):
        parts.append(_end(link))
    return " ".join(p for p in parts if p and p != ".")
