"""Parser for court judgments in Akoma Ntoso (LegalDocML) XML, as The National Archives publishes them."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only for the Element type; parsing goes through defusedxml
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from sherloc.ingest.structure import refuse_xinclude
from sherloc.ingest.types import ParsedRecord, ParseError

LICENCE = "Open Justice Licence"  # TNA publishes these judgments under it; the record carries the notice
_LEGISLATION_HOST = "legislation.gov.uk"
_LANGUAGES = {"eng": "en", "fra": "fr", "spa": "es", "rus": "ru", "ara": "ar", "zho": "zh", "cym": "cy"}

# ---- safe XML -------------------------------------------------------------------------------------


def parse_xml(data: bytes, name: str) -> ET.Element:
    """The document's root element. DTDs are refused outright (Akoma Ntoso needs none), so no entity can
    expand (billion laughs) and no external entity or DTD is fetched; a refusal says which construct."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DTDForbidden as exc:
        raise ParseError(
            f"{name} declares a document type (<!DOCTYPE {exc.name}>); DTDs are refused because their entity "
            "declarations can expand without bound or read external files"
        ) from exc
    except EntitiesForbidden as exc:
        raise ParseError(
            f"{name} declares the XML entity '{exc.name}'; entity declarations are refused"
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise ParseError(
            f"{name} refers to an external resource ({exc.sysid}); external references are refused"
        ) from exc
    except SafeET.ParseError as exc:
        line, column = exc.position
        raise ParseError(f"{name} is not well-formed XML (line {line}, column {column})") from exc
    except (LookupError, ValueError) as exc:  # an encoding Python lacks, or one expat cannot read
        raise ParseError(f"{name}: the XML declares an encoding that cannot be read ({exc})") from exc


def _local(tag: Any) -> str:
    """The tag without its namespace: TNA's files put the same uk: elements in two namespace spellings."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(root: ET.Element, name: str) -> ET.Element | None:
    return next((el for el in root.iter() if _local(el.tag) == name), None)


def _find_all(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if _local(el.tag) == name]


# ---- flattening -------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_NO_WORDS = re.compile(r"[\W_]*")  # separator rules ("- - - - -") and empty paragraphs carry no text
_SKIPPED = {"img", "meta", "presentation", "style", "authorialNote"}
_BLOCK_LEAVES = {"p", "heading", "subheading", "tocItem", "docTitle", "block"}
_SENTENCE_END = (".", ":", ";", "?", "!", '"', "'", "”", "’", ")", "]", "-", "—")


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass
class Block:
    """A paragraph of the flattened text.

    `lines` are the runs the header is read in: a paragraph's separately styled spans (the Word conversion
    puts "Date: 15/05/2020" and "Before:" in one paragraph) or, for a table row, each cell's paragraphs.
    """

    text: str
    lines: list[str] = field(default_factory=list)
    cells: list[list[str]] | None = None  # a table row: the paragraphs of each cell
    numbered: bool = False  # starts a numbered paragraph ("1.", "4.1", "(a)")
    continuable: bool = False  # a plain paragraph that a page break may have cut off from the one before


class _Flattener:
    """Walks judgment XML into Blocks: numbered paragraphs keep their number, footnotes follow them."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._pending_num: str | None = None

    def walk(self, element: ET.Element) -> list[Block]:
        self._container(element)
        if self._pending_num:
            self._emit(Block(self._pending_num))
        return self.blocks

    def _container(self, element: ET.Element) -> None:
        for child in element:
            tag = _local(child.tag)
            if tag in _SKIPPED:
                continue
            if tag == "num":
                self._pending_num = _inline(child, [])
            elif tag in _BLOCK_LEAVES:
                self._leaf(child)
            elif tag == "table":
                self._table(child)
            else:
                self._container(child)

    def _leaf(self, element: ET.Element) -> None:
        notes: list[ET.Element] = []
        text = _inline(element, notes)
        self._emit(Block(text, _runs(element, text), continuable=_local(element.tag) == "p"))
        for note in notes:
            marker = note.get("marker")
            body = " ".join(_inline(p, []) for p in note) or _inline(note, [])
            self._emit(Block(f"[{marker}] {body}" if marker else body))

    def _table(self, table: ET.Element) -> None:
        for row in (el for el in table.iter() if _local(el.tag) == "tr"):
            cells = [_Flattener().walk(cell) for cell in row if _local(cell.tag) in ("td", "th")]
            texts = [[block.text for block in cell if block.text] for cell in cells]
            text = " | ".join(" ".join(lines) for lines in texts if lines)
            self._emit(Block(text, [line for lines in texts for line in lines], cells=texts))

    def _emit(self, block: Block) -> None:
        if self._pending_num:
            block.text = f"{self._pending_num} {block.text}".strip()
            block.lines = [self._pending_num, *block.lines]
            block.numbered, block.continuable = True, False
            self._pending_num = None
        if not _NO_WORDS.fullmatch(block.text):
            self.blocks.append(block)


def _inline(element: ET.Element, notes: list[ET.Element]) -> str:
    """The element's text with whitespace collapsed; footnotes (authorialNote) are left out and collected."""
    parts: list[str] = []
    _collect(element, parts, notes)
    return collapse("".join(parts))


def _collect(element: ET.Element, parts: list[str], notes: list[ET.Element]) -> None:
    parts.append(element.text or "")
    for child in element:
        tag = _local(child.tag)
        if tag == "authorialNote":
            notes.append(child)
        elif tag in ("marker", "br"):
            parts.append(" ")  # tab stops and line breaks separate words
        elif tag not in _SKIPPED:
            _collect(child, parts, notes)
        parts.append(child.tail or "")


def _runs(element: ET.Element, text: str) -> list[str]:
    """A paragraph made only of child elements, one per line of the source layout, as those runs."""
    if (element.text or "").strip() or any((child.tail or "").strip() for child in element):
        return [text]
    runs = [_inline(child, []) for child in element if _local(child.tag) not in _SKIPPED]
    runs = [run for run in runs if run]
    return runs if len(runs) > 1 else [text]


def merge_page_breaks(blocks: list[Block]) -> list[Block]:
    """Join paragraphs that a page break of the Word original split in two.

    The conversion closes a numbered paragraph at a page end and puts the rest in a plain <level>: "…The
    Independent" / "Office for Police Conduct’s …". A plain paragraph continues the previous one when it
    starts in lower case, or when the previous one is long and stops without closing punctuation.
    """
    merged: list[Block] = []
    for block in blocks:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.cells is None
            and block.continuable
            and _continues(previous, block)
        ):
            previous.text = f"{previous.text} {block.text}"
            previous.lines = [previous.text]
            continue
        merged.append(block)
    return merged


def _continues(previous: Block, block: Block) -> bool:
    if block.text[:1].islower():
        return True
    return len(previous.text) > 80 and not previous.text.endswith(_SENTENCE_END)


@dataclass
class _Layout:
    """The flattened document: its text, and where each block starts in it."""

    blocks: list[Block]
    starts: list[int]
    text: str

    @classmethod
    def of(cls, blocks: list[Block]) -> _Layout:
        starts, position = [], 0
        for block in blocks:
            starts.append(position)
            position += len(block.text) + 2
        return cls(blocks, starts, "\n\n".join(block.text for block in blocks))

    def locate(self, value: str, first_block: int = 0) -> tuple[int, int] | None:
        """Offsets of the first occurrence of `value` in the text from block `first_block` on."""
        if not value:
            return None
        start = self.starts[first_block] if first_block < len(self.starts) else len(self.text)
        at = self.text.find(value, start)
        return (at, at + len(value)) if at >= 0 else None


# ---- the header: court, case numbers, judges, parties -----------------------------------------------

# "Before :", "B e f o r e :", or at the end of "Date: 29/05/2020 Before :".
_BEFORE = re.compile(r"(?:^|\s)b\s?e\s?f\s?o\s?r\s?e\s*(?::\s*(?P<rest>.*)|$)", re.IGNORECASE)
_BETWEEN = re.compile(r"^\s*(?:and\s+)?b\s*e\s*t\s*w\s*e\s*e\s*n\b\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_DASH_RULE = re.compile(r"^\s*(?:[-–—_]\s*){4,}$")
_SEPARATOR = re.compile(r"^[\s\-–—]*(?:and|v\.?|vs\.?|versus|-)?[\s\-–—]*$", re.IGNORECASE)
_INLINE_SEPARATOR = re.compile(r"\s+-\s*and\s*-\s+|^\s*-\s*and\s*-\s+|\s+-\s*and\s*-\s*$", re.IGNORECASE)
# A block that starts the list of counsel (or the hearing date) ends the parties.
_HEADER_END = re.compile(
    r"instructed\b|hearing dates?|approved judgment|^judgment\b|\b[QK]C\b|\bappeared\b|\bin person\b|"
    r"^transcript\b",
    re.IGNORECASE,
)
_MATTER = re.compile(r"^\s*(?:and\s+)?in the matter of\b", re.IGNORECASE)
_COURT_LINE = re.compile(
    r"^\s*IN THE\s+(?P<court>(?:COURT|HIGH COURT|SUPREME COURT|CROWN COURT)\b.*)$", re.IGNORECASE
)
_CASE_LABEL = re.compile(r"\b(?:Case|Appeal|Claim)\s+N(?:o|umber)s?\s*\.?\s*:?\s*", re.IGNORECASE)
_CASE_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9/.\-]*\d[A-Z0-9/.\-]*(?<![.\-])")
_CASE_NUMBER_JOIN = re.compile(r"\s*(?:,|&|\band\b)?\s*")
_NEUTRAL_CITATION = re.compile(r"\[\d{4}\]\s+[A-Z]+(?:\s+[A-Z][a-z]+)?\s+\d+(?:\s+\([A-Za-z]+\))?")
_PARENTHETICAL = re.compile(r"\([^()]*\)")
_JUDGE = re.compile(
    r"\bJUSTICE\b|^(?:THE\s+)?(?:RIGHT\s+HONOURABLE\s+)?(?:SIR|DAME|LORD|LADY|MASTER|PRESIDENT|CHANCELLOR|"
    r"HIS HONOUR|HER HONOUR|HHJ|JUDGE|RECORDER|MR JUSTICE|MRS JUSTICE)\b",
    re.IGNORECASE,
)
_LEADING_NUMBER = re.compile(r"^\s*\(?\d+\)\s*")
_TRAILING_NUMBER = re.compile(r"\s*\(\d+\)(?:\s*(?:to|-|–|and)\s*\(\d+\))?\s*$")
_NUMBER_INSIDE = re.compile(r"\s+(?=\(?\d+\)\s*[A-Z])")  # "2) STEVEN KNIGHT 3) CARASOL GROUP LTD"
_ORDINAL = re.compile(r"\b\d+\s*(?:st|nd|rd|th)\b\s*", re.IGNORECASE)
# A role the conversion ran into a name line: "Craig Wright Appellant", "HER MAJESTY’S Respondent REVENUE".
_INLINE_ROLE = re.compile(
    r"(?<!\S)(?P<role>(?:(?:First|Second|Third|Fourth|Fifth)\s+)?(?:Appellants?|Respondents?|Claimants?|"
    r"Defendants?|Applicants?|Interveners?|Petitioners?)(?:\s*/\s*[A-Z][a-z]+)?)(?!\S)"
)
_SMALL_WORDS = {"of", "and", "the", "for", "in", "on", "at", "to"}
_ROLE_CORE = {
    "appellant", "appellants", "respondent", "respondents", "claimant", "claimants", "defendant",
    "defendants", "applicant", "applicants", "petitioner", "petitioners", "intervener", "interveners",
    "intervenor", "intervenors", "party", "parties", "objector", "objectors", "appellee", "appellees",
    "plaintiff", "plaintiffs",
}  # fmt: skip
_ROLE_OTHER = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "interested", "proposed", "additional", "cross", "and", "to", "the", "joint", "intended", "original",
    "in", "appeal", "appeals", "father", "mother", "guardian", "media", "st", "nd", "rd", "th",
}  # fmt: skip


def title_case(text: str) -> str:
    """ "COURT OF APPEAL (CIVIL DIVISION)" -> "Court of Appeal (Civil Division)"."""
    words = text.lower().split()
    return " ".join(
        word if index and word in _SMALL_WORDS else re.sub(r"^(\W*)(\w)", lambda m: m[1] + m[2].upper(), word)
        for index, word in enumerate(words)
    )


def _role_words(line: str) -> list[str]:
    return re.findall(r"[a-z]+", line.lower())


def is_role(line: str) -> bool:
    """Only role words: "Claimant/Respondent", "Interested Parties", "Appellant (Defendant)", "1st Appellant";
    "Interested" alone is a role too, continued on the next line ("Party")."""
    words = _role_words(line)
    return (
        bool(words)
        and all(w in _ROLE_CORE or w in _ROLE_OTHER for w in words)
        and bool(set(words) - {"and", "to", "the", "in"})
    )


def _role_complete(role: str) -> bool:
    return any(w in _ROLE_CORE for w in _role_words(role)) and not role.rstrip().endswith("/")


def _role_text(lines: list[str]) -> str:
    unique = list(dict.fromkeys(collapse(_ORDINAL.sub("", line)) for line in lines))
    return re.sub(r"\s*/\s*", "/", " ".join(unique))


def _numbering_only(line: str) -> bool:
    return bool(re.fullmatch(r"\s*\(?\d+\)\s*", line))


@dataclass
class _PartyDraft:
    parts: list[str]
    role: str | None = None

    @property
    def open(self) -> bool:
        """Still being written: an unclosed bracket or a dangling "of" ("THE QUEEN on the application of")."""
        text = " ".join(self.parts)
        return text.count("(") > text.count(")") or bool(
            re.search(r"\b(?:of|and|for|&)\s*$", text, re.IGNORECASE)
        )

    @property
    def closed(self) -> bool:
        """Its last line ends with its number ("NP (1)"), so the next line is another party."""
        return bool(_TRAILING_NUMBER.search(self.parts[-1]))

    def name(self) -> str:
        parts = (_TRAILING_NUMBER.sub("", _LEADING_NUMBER.sub("", part)) for part in self.parts)
        return collapse(" ".join(parts)).strip(" ,;-–")


class _PartyReader:
    """Reads the "Between:" lines: names, "- and -" separators and role lines, in the page's order.

    A name wraps onto following lines (and table rows) until a separator, a numbered name ("(2) X") or a
    new group; a role names every party of its group that has none yet, whether it stands before the
    continuation of a name (role in the first row's right column) or after the names.
    """

    def __init__(self) -> None:
        self.parties: list[_PartyDraft] = []
        self._unassigned: list[_PartyDraft] = []
        self._role_lines: list[str] = []
        self._group_role: str | None = None
        self._new_group = True
        self._new_party = False
        self._after_role = False

    def name(self, line: str, role_follows: bool = False) -> None:
        """A name line; `role_follows` when its own paragraph or row goes on to give a role."""
        if self._role_lines and _role_complete(" ".join(self._role_lines)):
            self._close_role()
        if _numbering_only(line):
            self._new_party = True
            return
        last = self.parties[-1] if self.parties else None
        if last is not None and self._runs_on(last, line, role_follows):
            last.parts.append(line)
        else:
            draft = _PartyDraft([line])
            self.parties.append(draft)
            self._unassigned.append(draft)
        self._new_group = self._new_party = self._after_role = False

    def _runs_on(self, last: _PartyDraft, line: str, role_follows: bool) -> bool:
        """Does `line` continue the name `last` rather than start a new party?"""
        if line.startswith("(") and line[1:2].islower():  # "(by their children's guardian)"
            return True
        if last.open:  # an unfinished name runs on past a number, but not past "- and -"
            return not self._new_group
        numbered = bool(_LEADING_NUMBER.match(line) or _TRAILING_NUMBER.search(line))
        # After a role a name runs on ("THE QUEEN ON THE APPLICATION OF CAIT" | Appellant, then "COTTER …")
        # unless its own line gives a role too (the next appeal of a joined hearing).
        new = self._new_group or self._new_party or numbered or (self._after_role and role_follows)
        return not new and not last.closed

    def role(self, line: str) -> None:
        self._role_lines.append(line)

    def separator(self) -> None:
        self._close_role()
        for draft in self._unassigned:
            draft.role = self._group_role
        self._unassigned, self._group_role, self._new_group = [], None, True

    def finish(self) -> list[str]:
        self.separator()
        named = [(draft.name(), draft.role) for draft in self.parties]
        return [f"{role}: {name}" if role else name for name, role in named if name]

    def bounds(self) -> tuple[str, str] | None:
        """The first and the last line of the names, as written, to locate the block in the text."""
        return (self.parties[0].parts[0], self.parties[-1].parts[-1]) if self.parties else None

    def _close_role(self) -> None:
        if not self._role_lines:
            return
        role = _role_text(self._role_lines)
        targets = self._unassigned or [d for d in self.parties[-1:] if d.role is None]
        for draft in targets:
            draft.role = role
        self._unassigned, self._role_lines, self._group_role = [], [], role
        self._after_role = True


def _split_inline(line: str) -> Iterator[tuple[str, str]]:
    """("name" | "role" | "separator", text) for a line the conversion left in one piece:
    "Craig Wright Appellant - and - Roger Ver Respondent"."""
    pieces = _INLINE_SEPARATOR.split(line)
    for index, piece in enumerate(pieces):
        if index:
            yield "separator", "-and-"
        for part in _NUMBER_INSIDE.split(piece.strip()):
            if not part:
                continue
            match = _INLINE_ROLE.search(part)
            name = collapse(f"{part[: match.start()]} {part[match.end() :]}") if match else part
            if match and name and not is_role(part):
                yield "name", name
                yield "role", match["role"]
            else:
                yield ("role" if is_role(part) else "name"), part


@dataclass
class _Found:
    """A value read from the header, with where the text shows it."""

    value: Any
    span: tuple[int, int] | None = None


class HeaderReader:
    """Reads court, case numbers, judges and parties from a judgment's header blocks."""

    def __init__(self, layout: _Layout, first: int, last: int) -> None:
        self.layout = layout
        self.indexes = range(first, last)

    def _blocks(self) -> Iterator[tuple[int, Block]]:
        for index in self.indexes:
            yield index, self.layout.blocks[index]

    def court(self) -> _Found | None:
        """The court as the header names it: "IN THE COURT OF APPEAL (CIVIL DIVISION)" -> "Court of Appeal
        (Civil Division)"; the lower court that follows on the same line ("ON APPEAL FROM …") is left out."""
        for index, block in self._blocks():
            for line in block.lines:
                match = _COURT_LINE.match(line)
                if match:
                    court = re.split(r"\s+ON APPEAL\b", match["court"], maxsplit=1, flags=re.IGNORECASE)[0]
                    court = court[: court.index(")") + 1] if ")" in court else court
                    written = line[match.start() : match.start("court") + len(court)]
                    return _Found(title_case(court), self.layout.locate(written.strip(), index))
        return None

    def case_numbers(self) -> _Found | None:
        """The numbers after "Case No:" / "Appeal No:" in the first block that has any."""
        for index, block in self._blocks():
            numbers: list[str] = []
            for label in _CASE_LABEL.finditer(block.text):
                numbers.extend(_numbers_after(block.text, label.end()))
            if numbers:
                first = self.layout.locate(numbers[0], index)
                last = self.layout.locate(numbers[-1], index)
                span = (first[0], last[1]) if first and last else None
                return _Found(list(dict.fromkeys(numbers)), span)
        return None

    def judges(self) -> _Found | None:
        """The names after "Before:", up to "Between", a rule or the parties' matter."""
        names: list[str] = []
        start_block = None
        for index, line in self._lines_after(_BEFORE):
            if start_block is None:
                start_block = index
            if _ends_judges(line):
                break
            name = _judge_name(line)
            if name:
                names.append(name)
        if not names or start_block is None:
            return None
        return _Found(names, self._span(names, start_block))

    def parties(self) -> _Found | None:
        """The parties after "Between", with their roles: "Appellant: X"."""
        reader = _PartyReader()
        start_block = None
        for index, kind, line in self._party_lines():
            if start_block is None:
                start_block = index
            if kind == "separator":
                reader.separator()
            elif kind == "role":
                reader.role(line)
            else:
                reader.name(line, role_follows=kind == "name+role")
        parties, bounds = reader.finish(), reader.bounds()
        if not parties or start_block is None or bounds is None:
            return None
        return _Found(parties, self._span(list(bounds), start_block))

    def _lines_after(self, opening: re.Pattern[str]) -> Iterator[tuple[int, str]]:
        """The lines after the first line matching `opening` (its own rest included when not empty)."""
        opened = False
        for index, block in self._blocks():
            for line in block.lines:
                if opened:
                    yield index, line
                    continue
                match = opening.search(line)
                if match:
                    opened = True
                    if (match["rest"] or "").strip():
                        yield index, match["rest"]

    def _party_lines(self) -> Iterator[tuple[int, str, str]]:
        """(block index, kind, line) for the lines after "Between" up to the counsel or a rule."""
        between = next(
            (
                (i, at)
                for i, block in self._blocks()
                for at, line in enumerate(block.lines)
                if _BETWEEN.match(line)
            ),
            None,
        )
        if between is None:
            return
        seen_name = False
        for index, kind, line in self._classified(*between):
            if kind == "end":
                if seen_name:
                    return
                continue
            seen_name = seen_name or kind.startswith("name")
            yield index, kind, line

    def _classified(self, first: int, at: int) -> Iterator[tuple[int, str, str]]:
        """Classified lines from the "Between" line (line `at` of block `first`) on."""
        for index, block in self._blocks():
            if index < first:
                continue
            if index > first and (_HEADER_END.search(block.text) or _DASH_RULE.match(block.text)):
                yield index, "end", block.text
                continue
            if index == first:
                rest = _BETWEEN.match(block.lines[at])
                lines = ([rest["rest"]] if rest and rest["rest"].strip() else []) + block.lines[at + 1 :]
                items = [item for line in lines for item in _line_kinds(line, len(lines) == 1)]
            elif _CASE_LABEL.search(block.text) or _BETWEEN.match(block.text):
                items = [
                    ("separator", block.text)
                ]  # "Case no. A3/2019/0864", "And between:": the next appeal
            elif block.cells is not None and len(block.cells) > 1:
                items = list(_row_kinds(block.cells))
            else:
                items = [item for line in block.lines for item in _line_kinds(line, len(block.lines) == 1)]
            yield from ((index, kind, text) for kind, text in _mark_roles_ahead(items))

    def _span(self, names: list[str], first_block: int) -> tuple[int, int] | None:
        first = self.layout.locate(names[0], first_block)
        if first is None:
            return None
        end, cursor = first[1], first[0]
        for name in names[1:]:
            found = self.layout.locate(name, self._block_at(cursor))
            if found is not None and found[0] >= cursor:
                end, cursor = found[1], found[0]
        return first[0], end

    def _block_at(self, offset: int) -> int:
        index = 0
        for position, start in enumerate(self.layout.starts):
            if start > offset:
                break
            index = position
        return index


def _row_kinds(cells: list[list[str]]) -> Iterator[tuple[str, str]]:
    """A table row: its first cell holds names, the others the role."""
    names, *others = cells
    for line in names:
        yield from _line_kinds(line, False)
    role_lines = [line for cell in others for line in cell if line.strip()]
    if role_lines and not all(_SEPARATOR.match(line) for line in role_lines):
        yield "role", _role_text(role_lines) if all(is_role(x) for x in role_lines) else " ".join(role_lines)


def _mark_roles_ahead(items: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Names followed by a role in the same paragraph or row become "name+role"; a role fragment that
    continues the previous one ("/Mother") does not count."""
    for position, (kind, text) in enumerate(items):
        ahead = any(k == "role" and not t.lstrip().startswith("/") for k, t in items[position + 1 :])
        yield ("name+role" if kind == "name" and ahead else kind), text


def _line_kinds(line: str, whole_paragraph: bool) -> Iterator[tuple[str, str]]:
    """Classify one header line; a paragraph the conversion left in one piece is split further."""
    if _numbering_only(line):
        yield "name", line  # "(2)" alone: the reader starts a new party with the next name
        return
    if len(re.findall(r"\w", line)) < 2 or line.rstrip().endswith(":") or _CASE_LABEL.search(line):
        return  # stray letters, and labels such as "In the Liquidation Application A2/2020/0685:"
    if _SEPARATOR.match(line) or _BETWEEN.match(line):
        yield "separator", line
    elif is_role(line):
        yield "role", line
    elif whole_paragraph or _INLINE_SEPARATOR.search(line) or _NUMBER_INSIDE.search(line):
        yield from _split_inline(line)
    else:
        yield "name", line


def _numbers_after(text: str, position: int) -> list[str]:
    numbers: list[str] = []
    while True:
        match = _CASE_NUMBER.match(text, position)
        if match is None:
            return numbers
        numbers.append(match.group())
        joiner = _CASE_NUMBER_JOIN.match(text, match.end())
        position = joiner.end() if joiner else match.end()


def _ends_judges(line: str) -> bool:
    return bool(
        _BETWEEN.match(line)
        or _MATTER.match(line)
        or _DASH_RULE.match(line)
        or _HEADER_END.search(line)
        or re.match(r"\s*date\s*:", line, re.IGNORECASE)
    )


def _judge_name(line: str) -> str | None:
    """The judge a line names, without bracketed offices and "and"; None for titles and case names."""
    name = collapse(_PARENTHETICAL.sub(" ", line))
    name = re.sub(r"^(?:-?\s*and\s*-?|-)\s+|\s+(?:-?\s*and\s*-?|-)$", "", name, flags=re.IGNORECASE).strip(
        " ,-–"
    )
    return name if name and _JUDGE.search(name) and not name.upper().startswith("VICE PRESIDENT") else None


# ---- metadata -------------------------------------------------------------------------------------


@dataclass
class _Meta:
    """What the <meta> block says."""

    work_uri: str | None = None
    name: str | None = None
    date: dt.date | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, from FRBRcountry ("GB-UKM" -> "GB")
    language: str | None = None  # ISO 639-1, from FRBRlanguage ("eng" -> "en")
    citation: str | None = None
    author: str | None = None  # the court, as its TLCOrganization shows it


def read_meta(root: ET.Element) -> _Meta:
    """The FRBR work's URI, name, date and country, the expression's language and TNA's citation."""
    meta = _Meta()
    work = _find(root, "FRBRWork")
    if work is not None:
        meta.work_uri = _attribute(work, "FRBRthis", "value") or _attribute(work, "FRBRuri", "value")
        meta.name = _attribute(work, "FRBRname", "value")
        meta.date = _iso_date(_attribute(work, "FRBRdate", "date"))
        country = (_attribute(work, "FRBRcountry", "value") or "").split("-")[0].upper()
        meta.country = country if len(country) == 2 else None
        author = _attribute(work, "FRBRauthor", "href")
        if author:
            organisation = next(
                (el for el in _find_all(root, "TLCOrganization") if el.get("eId") == author.lstrip("#")), None
            )
            meta.author = organisation.get("showAs") if organisation is not None else None
    expression = _find(root, "FRBRExpression")
    language = _attribute(expression, "FRBRlanguage", "language") if expression is not None else None
    meta.language = _LANGUAGES.get(language.lower(), language) if language else None
    proprietary = _find(root, "proprietary")
    cite = _find(proprietary, "cite") if proprietary is not None else None
    if cite is not None and (cite.text or "").strip():
        meta.citation = collapse(cite.text or "")
    return meta


def _attribute(parent: ET.Element, name: str, attribute: str) -> str | None:
    element = _find(parent, name)
    value = element.get(attribute) if element is not None else None
    return value.strip() if value and value.strip() else None


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def citation_key(citation: str) -> str:
    """ "[2020] EWCA Civ 611" -> "2020-ewca-civ-611"."""
    return "-".join(re.findall(r"[a-z0-9]+", citation.lower()))


def _marked_parties(root: ET.Element) -> list[str]:
    """<party refersTo=… as="#appellant"> markup, with the role's TLCRole name."""
    roles = {el.get("eId"): el.get("showAs") for el in _find_all(root, "TLCRole")}
    parties = []
    for party in _find_all(root, "party"):
        name = _PartyDraft([_inline(party, [])]).name()
        role = roles.get((party.get("as") or "").lstrip("#"))
        if name:
            parties.append(f"{role}: {name}" if role else name)
    return list(dict.fromkeys(parties))


def _legislation_refs(root: ET.Element) -> list[str]:
    """The text of each <ref> to legislation (a legislation.gov.uk link or uk:type="legislation"), once."""
    refs = (
        _inline(ref, [])
        for ref in _find_all(root, "ref")
        if _LEGISLATION_HOST in (ref.get("href") or "")
        or any(_local(name) == "type" and value == "legislation" for name, value in ref.attrib.items())
    )
    return list(dict.fromkeys(ref for ref in refs if ref))


# ---- the parser -------------------------------------------------------------------------------------


@dataclass
class _Document:
    layout: _Layout
    header_range: tuple[int, int]


def flatten_judgment(root: ET.Element) -> _Document:
    """The judgment's text (header, then body) and which blocks form its header.

    TNA's older conversions leave <header/> empty and open the body with the header's lines as plain levels;
    there the header is everything before the first paragraph numbered with a digit.
    """
    header = _find(root, "header")
    body = _find(root, "judgmentBody")
    header_blocks = _Flattener().walk(header) if header is not None else []
    body_blocks = _Flattener().walk(body) if body is not None else []
    if header_blocks:
        blocks = header_blocks + merge_page_breaks(body_blocks)
        return _Document(_Layout.of(blocks), (0, len(header_blocks)))
    first_paragraph = next(
        (i for i, b in enumerate(body_blocks) if b.numbered and re.match(r"\(?\d", b.text)), len(body_blocks)
    )
    blocks = body_blocks[:first_paragraph] + merge_page_breaks(body_blocks[first_paragraph:])
    return _Document(_Layout.of(blocks), (0, first_paragraph))


class AkomaNtosoJudgmentParser:
    """Akoma Ntoso judgments (<akomaNtoso><judgment>), e.g. the England & Wales Court of Appeal from TNA.

    One record per file, keyed by the neutral citation ("2020-ewca-civ-611"), else the FRBR work URI. The text
    is the header then the judgment body, one paragraph per block, numbered paragraphs with their numbers and
    footnotes after their paragraph. Court, case numbers, judges and parties come from the header (its markup
    where TNA added it, else its layout); evidence offsets point at them in the text.
    """

    name = "akoma_ntoso"

    def detect(self, path: Path, head: str) -> bool:
        """An .xml file whose root is akomaNtoso holding a judgment."""
        return (
            path.suffix.lower() == ".xml"
            and re.search(r"<(?:\w+:)?akomaNtoso\b", head) is not None
            and re.search(r"<(?:\w+:)?judgment\b", head) is not None
        )

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one judgment in `path`."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ParseError(f"{path.name} cannot be read ({exc.strerror})") from exc
        root = parse_xml(data, path.name)
        refuse_xinclude(root, path.name)
        judgment = next((el for el in root if _local(el.tag) == "judgment"), None)
        if _local(root.tag) != "akomaNtoso" or judgment is None:
            raise ParseError(f"{path.name} is not an Akoma Ntoso judgment (no <akomaNtoso><judgment>)")
        yield self._record(judgment, path)

    def _record(self, judgment: ET.Element, path: Path) -> ParsedRecord:
        meta = read_meta(judgment)
        document = flatten_judgment(judgment)
        found = _Attributes()
        citation = meta.citation or _citation_in_header(judgment, document.layout)
        if citation:
            found.put("citation", _Found(citation, document.layout.locate(citation)))
        parties = _read_header(judgment, document, meta, found)
        statutes = _legislation_refs(judgment)
        if statutes:
            found.attributes["cited_statutes"] = statutes
        if meta.work_uri:
            found.attributes["frbr_uri"] = meta.work_uri
        found.attributes["licence"] = LICENCE
        key = citation_key(citation) if citation else meta.work_uri
        if not key:
            raise ParseError(f"{path.name} has neither a neutral citation nor an FRBR work URI to key it by")
        return ParsedRecord(
            source=self.name,
            source_key=key,
            kind="decision",
            title=meta.name or _title_from_parties(parties) or citation or key,
            country=meta.country,
            language=meta.language,
            text=document.layout.text,
            date_decided=meta.date or _marked_date(judgment),
            source_url=meta.work_uri if meta.work_uri and meta.work_uri.startswith("https://") else None,
            attributes=found.result(),
        )


class _Attributes:
    """Attributes being collected, with the evidence offsets of the values read from the text."""

    def __init__(self) -> None:
        self.attributes: dict[str, Any] = {}
        self.evidence: dict[str, dict[str, int]] = {}

    def put(self, key: str, found: _Found | None) -> None:
        if found is None or not found.value:
            return
        self.attributes[key] = found.value
        if found.span is not None:
            self.evidence[key] = {"start": found.span[0], "end": found.span[1]}

    def result(self) -> dict[str, Any]:
        return {**self.attributes, "evidence": self.evidence} if self.evidence else dict(self.attributes)


def _read_header(judgment: ET.Element, document: _Document, meta: _Meta, found: _Attributes) -> _Found | None:
    """Court, case numbers, judges and parties into `found`; the parties are returned for the title.

    The header's layout is read first; TNA's markup (<docketNumber>, <judge>, <party>) fills in where the
    layout gives nothing: the markup is partial in places (one <judge> of two in [2020] EWCA Civ 551).
    """
    layout = document.layout
    reader = HeaderReader(layout, *document.header_range)
    found.put("court", reader.court() or (_Found(meta.author) if meta.author else None))
    numbers = reader.case_numbers()
    marked_numbers = [_inline(el, []) for el in _find_all(judgment, "docketNumber")]
    if numbers is None and marked_numbers:
        numbers = _Found(list(dict.fromkeys(marked_numbers)), layout.locate(marked_numbers[0]))
    if numbers is not None:
        found.put("case_number", _Found("; ".join(numbers.value), numbers.span))
    judges = reader.judges()
    marked_judges = [_inline(el, []) for el in _find_all(judgment, "judge")]
    if judges is None and marked_judges:
        judges = _Found(list(dict.fromkeys(marked_judges)), layout.locate(marked_judges[0]))
    found.put("judges", judges)
    parties = reader.parties()
    if parties is None and _marked_parties(judgment):
        parties = _Found(_marked_parties(judgment))
    found.put("parties", parties)
    return parties


def _citation_in_header(judgment: ET.Element, layout: _Layout) -> str | None:
    marked = _find(judgment, "neutralCitation")
    if marked is not None and _inline(marked, []):
        return _inline(marked, [])
    match = re.search(r"Neutral Citation(?: Number)?\s*:?\s*(" + _NEUTRAL_CITATION.pattern + ")", layout.text)
    return match[1] if match else None


def _marked_date(judgment: ET.Element) -> dt.date | None:
    marked = _find(judgment, "docDate")
    return _iso_date(marked.get("date")) if marked is not None else None


def _title_from_parties(parties: _Found | None) -> str | None:
    if parties is None:
        return None
    names = [party.split(": ", 1)[-1] for party in parties.value]
    return " v ".join(names[:2]) if names else None
