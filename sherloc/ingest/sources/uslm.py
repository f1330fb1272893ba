"""Parser for US statutes in USLM XML (GPO public and private laws, statute compilations), one per file."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import defusedxml.ElementTree as safe_xml
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from sherloc.ingest.sources.legalize import mark_repeated_numbers
from sherloc.ingest.structure import collapse_spaces, is_repealed, join_paragraphs, refuse_xinclude
from sherloc.ingest.types import ParsedProvision, ParsedRecord, ParseError

USLM_NS = "http://schemas.gpo.gov/xml/uslm"
DC_NS = "http://purl.org/dc/elements/1.1/"
_NS = f"{{{USLM_NS}}}"

# Containers above sections; their num + heading give a section's path.
_LEVELS = frozenset(
    {"division", "subdivision", "title", "subtitle", "chapter", "subchapter", "part", "subpart"}
)
# Elements that start a paragraph of their own in flattened text.
_BLOCKS = frozenset(
    {
        *_LEVELS, "section", "subsection", "paragraph", "subparagraph", "clause", "subclause", "item",
        "subitem", "subsubitem", "level", "continuation", "p", "quotedContent", "appropriations", "tr",
        "note", "footnote", "longTitle", "docTitle", "officialTitle", "enactingFormula", "resolvingClause",
        "action", "recital", "preamble", "editorialNote", "sourceCredit", "elided",
    }
)  # fmt: skip
# Print layout and navigation, not text: margin notes, page numbers, tables of contents.
_SKIPPED = frozenset({"sidenote", "page", "toc", "meta", "processedBy"})
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_APPROVED = re.compile(r"Approved\s+([A-Z][a-z]+)\.?\s+(\d{1,2}),\s+(\d{4})")
_SECTION_NUMBER = re.compile(r"\d+[A-Za-z]*(?:[-–.]\d+[A-Za-z]*)*")
_STRIP_HEADING = " .—–-"


def _clean(text: str) -> str:
    """Whitespace collapsed and soft hyphens (GPO's "Representa\u00adtives") removed."""
    return collapse_spaces(text.replace("\u00ad", ""))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _uslm(name: str) -> str:
    return f"{_NS}{name}"


def read_xml(path: Path) -> Element:
    """The document's root element, parsed with entity expansion, external entities and DTD retrieval off.

    Every way the file can fail to be a USLM document becomes a ParseError that names the problem.
    """
    try:
        tree = safe_xml.parse(str(path), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        raise ParseError(
            f"{path.name}: the XML declares the entity '{exc.name}'; entity declarations are refused "
            "(they allow entity-expansion bombs and external-entity reads)"
        ) from exc
    except ExternalReferenceForbidden as exc:
        where = exc.sysid or exc.pubid
        raise ParseError(f"{path.name}: the XML refers to the external resource {where!r}, refused") from exc
    except DTDForbidden as exc:  # only if forbid_dtd is turned on; kept so the message stays clear
        raise ParseError(f"{path.name}: the XML has a DTD, which is refused") from exc
    except XMLSyntaxError as exc:
        raise ParseError(f"{path.name} is not well-formed XML ({exc})") from exc
    except (LookupError, ValueError) as exc:  # an encoding Python lacks, or one expat cannot read
        raise ParseError(f"{path.name}: the XML declares an encoding that cannot be read ({exc})") from exc
    except OSError as exc:
        raise ParseError(f"{path.name} cannot be read ({exc.strerror or exc})") from exc
    root = tree.getroot()
    if root is None or not root.tag.startswith(_NS):
        raise ParseError(f"{path.name} is XML but not USLM (root element {getattr(root, 'tag', None)!r})")
    refuse_xinclude(root, path.name)
    return root


# --------------------------------------------------------------------------------------------------
# Flattening
# --------------------------------------------------------------------------------------------------


@dataclass
class _Text:
    """Collects paragraphs: block elements start a new one, inline ones join the current one."""

    paragraphs: list[str] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    usc: list[str] = field(default_factory=list)  # "[8 U.S.C. 1777]" notes, kept apart from the text

    def flush(self) -> None:
        text = _clean("".join(self.buffer))
        if text:
            self.paragraphs.append(text)
        self.buffer = []

    def _ends_with_word(self) -> bool:
        text = "".join(self.buffer[-2:]).rstrip(" ")
        return bool(text) and text[-1].isalnum()

    def add(self, element: Element) -> None:
        """Flatten `element` (its tail is the caller's)."""
        name = _local(element.tag)
        if name in _SKIPPED:
            return
        if name == "editorialNote" and element.get("role") == "uscRef":
            self.usc.append(_clean("".join(element.itertext())).strip("[] "))
            return
        block = name in _BLOCKS
        if block:
            self.flush()
        if name in ("td", "th") and self.buffer:
            self.buffer.append(" | ")
        if name == "heading" and self._ends_with_word():
            self.buffer.append(" ")  # "TITLE I" + "DEPARTMENTAL ..."; "(a) " + "In General.—" needs none
        self.buffer.append(element.text or "")
        for child in element:
            self.add(child)
            self.buffer.append(child.tail or "")
        if block:
            self.flush()


def flatten(elements: list[Element]) -> _Text:
    """The paragraphs of `elements`, enumerators ("(a)", "(1)") and inline headings kept in place."""
    text = _Text()
    for element in elements:
        text.add(element)
        text.buffer.append(element.tail or "")
    text.flush()
    return text


def _heading_of(element: Element) -> tuple[str, str]:
    """(num, heading) of a level or section, whitespace collapsed; "" where absent."""
    num = element.find(_uslm("num"))
    heading = element.find(_uslm("heading"))
    num_text = _clean("".join(num.itertext())) if num is not None else ""
    heading_text = _clean("".join(heading.itertext())) if heading is not None else ""
    return num_text, heading_text


def level_heading(element: Element) -> str:
    """ "TITLE VII—IMPLEMENTATION OF 9/11 COMMISSION RECOMMENDATIONS", "Subtitle B—Terrorist Travel"."""
    num, heading = _heading_of(element)
    if num and heading and not num.endswith(("—", "-", "–")):
        return f"{num} {heading}"
    return f"{num}{heading}" or _local(element.tag).capitalize()


# --------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------


def section_number(section: Element) -> str | None:
    """ "7202" from <num value="7202">SEC. 7202. </num>; None for an unnumbered section."""
    num = section.find(_uslm("num"))
    if num is None:
        return None
    value = (num.get("value") or "").strip()
    if value:
        return value
    found = _SECTION_NUMBER.search("".join(num.itertext()))
    return found.group() if found else None


def _is_repealed_section(heading: str | None, paragraphs: list[str]) -> bool:
    # "Sec. 21. * * * [Repealed—1990]": the compilation elides the text and notes the repeal.
    kept = [p.strip("[] ") for p in paragraphs if p.strip("* ")]
    if heading and is_repealed(heading.strip("[]")):
        return True
    return bool(kept) and all(is_repealed(p) or re.match(r"Repealed\b", p) for p in kept)


def section_body(section: Element) -> list[Element]:
    """The children of a section or level other than its own <num> and <heading>."""
    own = {section.find(_uslm("num")), section.find(_uslm("heading"))}
    return [child for child in section if child not in own]


def parse_section(section: Element, path: list[str], position: int, body: list[Element]) -> ParsedProvision:
    """A numbered <section> as a provision, with `body` (its other children) flattened as its text."""
    num, heading = _heading_of(section)
    text = flatten(body)
    clean_heading = heading.strip(_STRIP_HEADING) or None
    attributes: dict[str, Any] = {}
    if section.get("identifier"):
        attributes["identifier"] = section.get("identifier")
    if text.usc:
        attributes["usc"] = text.usc
    return ParsedProvision(
        label=num.strip() or f"Sec. {section_number(section)}",
        number=section_number(section) or "",
        text=join_paragraphs(text.paragraphs),
        position=position,
        heading=clean_heading,
        path=list(path),
        status="repealed" if _is_repealed_section(clean_heading, text.paragraphs) else None,
        attributes=attributes,
    )


@dataclass
class _Walker:
    """Finds the law's sections under <main> and the text that lies outside them."""

    provisions: list[ParsedProvision] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    emitted: list[str] = field(default_factory=list)  # the headings last written into the outside text

    def walk(self, children: list[Element], path: list[str]) -> None:
        loose: list[Element] = []  # consecutive children holding no section: flattened together
        for child in children:
            name = _local(child.tag)
            if name in _SKIPPED or not _has_section(child):
                loose.append(child)
                continue
            self._outside(loose, path)
            loose = []
            if name == "section":
                self._section(child, path)
            elif name in _LEVELS:
                self.walk(section_body(child), [*path, level_heading(child)])
            else:  # an editorial note wrapping a repealed section (COMPS-1656 sec. 7), a division's body...
                self.walk(list(child), path)
        self._outside(loose, path)

    def _section(self, section: Element, path: list[str]) -> None:
        if section_number(section) is None:
            self._outside([section], path)  # a joint resolution's single unnumbered "That ..." section
            return
        body = section_body(section)
        # A codification act enacts a whole title inside one section, unquoted (113publ287's sec. 3 holds
        # title 54 with its 300-odd sections): those sections are provisions of their own, under this one.
        enacted = [child for child in body if _has_section(child)]
        text = [child for child in body if child not in enacted]
        provision = parse_section(section, path, len(self.provisions), text)
        self.provisions.append(provision)
        if enacted:
            label = f"{provision.label} {provision.heading}" if provision.heading else provision.label
            self.walk(enacted, [*path, label])

    def _outside(self, elements: list[Element], path: list[str]) -> None:
        # "* * *" marks text a compilation leaves out; outside sections it says nothing.
        paragraphs = [p for p in flatten(elements).paragraphs if p.strip("* ")]
        if not paragraphs:
            return
        shared = 0
        while shared < min(len(path), len(self.emitted)) and path[shared] == self.emitted[shared]:
            shared += 1
        self.outside.extend(path[shared:])  # the headings this text sits under, once each
        self.emitted = list(path)
        self.outside.extend(paragraphs)


def _has_section(element: Element) -> bool:
    """True if a law section (not one quoted in an amendment) is `element` or lies inside it."""
    name = _local(element.tag)
    if name == "section":
        return True
    if name in ("quotedContent", "toc"):
        return False
    return any(_has_section(child) for child in element)


# --------------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------------


def _texts(root: Element, path: str) -> list[str]:
    namespaces = {"uslm": USLM_NS, "dc": DC_NS}
    return [_clean("".join(e.itertext())) for e in root.findall(path, namespaces)]


def _first(root: Element, *paths: str) -> str | None:
    for path in paths:
        found = [text for text in _texts(root, path) if text]
        if found:
            return found[0]
    return None


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def _approved_date(root: Element) -> dt.date | None:
    """ "Approved March 27, 2017." in a public law's <action>."""
    for text in _texts(root, ".//uslm:actionDescription"):
        match = _APPROVED.search(text)
        if match and match[1][:3].lower() in _MONTHS:
            try:
                return dt.date(int(match[3]), _MONTHS[match[1][:3].lower()], int(match[2]))
            except ValueError:
                continue
    return None


def _amended_date(root: Element) -> dt.date | None:
    """A compilation's "[As Amended Through P.L. 116–260, Enacted December 27, 2020]"."""
    note = root.find(f"{_uslm('preface')}/{_uslm('editionNote')}")
    date = note.find(f".//{_uslm('date')}") if note is not None else None
    return _iso_date(date.get("date")) if date is not None else None


def _attributes(root: Element) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    kind = _first(root, "uslm:meta/dc:type")
    if kind:
        attributes["rank"] = kind.lower()
    citations = _texts(root, "uslm:meta/uslm:citableAs")
    law = next((c for c in citations if re.match(r"(Public|Private) Law", c)), None)
    if law:
        attributes["official_number"] = re.sub(r",\s*as amended$", "", law)
    statutes = [c for c in citations if "Stat." in c]
    if statutes:
        attributes["citation"] = statutes[0]
    congress = _first(root, "uslm:meta/uslm:congress")
    if congress:
        attributes["congress"] = congress
    short_titles = list(dict.fromkeys(_texts(root, "uslm:meta/uslm:containsShortTitle")))
    if short_titles:
        attributes["short_titles"] = short_titles
    # The preface's "[As Amended Through P.L. 116–260, ...]" is the one GPO keeps current; the meta copy of
    # COMPS-1656 still names the original law (89–304) while its preface says 109–479.
    through = _first(
        root,
        "uslm:preface/uslm:editionNote/uslm:currentThroughPublicLaw",
        "uslm:meta/uslm:currentThroughPublicLaw",
    )
    if through:
        attributes["amended_through"] = re.sub(r"^(?:Public Law|P\.L\.)\s*", "", through)
    return attributes


class UslmParser:
    """USLM XML from GPO: public and private laws (<pLaw>) and statute compilations (<statuteCompilation>).

    One record per file, keyed by the file stem without "-uslm" (the files carry no dc:identifier). Each
    numbered <section> is a provision ("SEC. 7202." -> "7202") with its <heading>; its text keeps the
    enumerators of subsections and paragraphs ("(a) Establishment.—...", "(1) ..."), one paragraph each.
    Sections quoted in amending text (<quotedContent>) stay in the amending section's text. The path comes
    from the enclosing division / title / subtitle / chapter / subchapter / part headings. Text outside any
    section (long title, enacting clause, appropriations paragraphs, approval) is the record's text.
    """

    name = "uslm"

    def detect(self, path: Path, head: str) -> bool:
        """An .xml file declaring the USLM namespace."""
        return path.suffix.lower() == ".xml" and f'xmlns="{USLM_NS}"' in head

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law in `path`."""
        root = read_xml(path)
        main = root.find(_uslm("main"))
        if main is None:
            raise ParseError(f"{path.name}: the USLM document has no <main> body")
        walker = _Walker()
        walker.walk(list(main), [])
        mark_repeated_numbers(walker.provisions)
        title = _first(root, "uslm:meta/dc:title", ".//uslm:officialTitle", ".//uslm:shortTitle")
        adopted = _iso_date(
            _first(root, "uslm:meta/uslm:approvedDate", "uslm:meta/dc:date")
        ) or _approved_date(root)
        yield ParsedRecord(
            source=self.name,
            source_key=_identifier(root) or re.sub(r"-uslm$", "", path.stem),
            kind="law",
            title=title or path.stem,
            country="US",
            language="en",
            text=join_paragraphs(walker.outside),
            date_adopted=adopted,
            date_amended=_later(_amended_date(root), adopted),
            attributes=_attributes(root),
            provisions=walker.provisions,
        )


def _later(amended: dt.date | None, adopted: dt.date | None) -> dt.date | None:
    """The amendment date, or None when it is not after the adoption (a compilation never amended)."""
    return amended if amended and (adopted is None or amended > adopted) else None


def _identifier(root: Element) -> str | None:
    return _first(root, "uslm:meta/dc:identifier")
