"""The portal's query language: parse user text into a small syntax tree, or fail with a clear message.

Pure: no engine, no I/O. Backends compile the tree into their own queries.

Grammar (EBNF; upper-case words are the operators, written in upper case only)::

    query     = [ or_expr ] ;                          (* empty or blank: None, "match everything" *)
    or_expr   = and_expr , { "OR" , and_expr } ;
    and_expr  = unary , { [ "AND" ] , unary } ;        (* clauses side by side are ANDed *)
    unary     = { "NOT" | "-" } , primary ;            (* NOT binds tighter than AND, AND than OR *)
    primary   = "(" , or_expr , ")"                    (* at most MAX_DEPTH levels *)
              | field , ":(" , or_expr , ")"           (* country:(FR OR BE): field applies inside *)
              | atom ;
    atom      = word | phrase | field , ":" , ( word | phrase ) ;
    phrase    = open-quote , { char | "\\" , escapable } , close-quote ;

Words, as a legal researcher types them:

* A word runs until white space, a quote, or a parenthesis. Everything else stays in the word, so
  ``324-1``, ``L.324-1``, ``§261``, ``art.``, ``l'article``, ``第191条``, ``غسل`` are single words
  (the backend's analyser splits them, not the parser). Case is kept as typed.
* A parenthesis directly after a letter, digit or ``)`` belongs to the word when the word closes it:
  ``6(1)(b)`` and ``第191条（洗钱罪）`` are words; ``foo(bar baz)`` is ``foo`` then a group.
* ``word*`` is a prefix search (``Term(prefix=True)``): ``*`` only at the end, after at least
  MIN_PREFIX_LENGTH characters. Inside quotes ``*`` is an ordinary character.
* ``and``/``or``/``not`` in lower case are ordinary words (French *or*, English *not* ...).
* ``-`` or ``+`` immediately before a clause: ``-word``, ``-"phrase"``, ``-field:value``, ``-(...)`` mean
  NOT; ``+word`` is just the word (everything is required already). Only at the start of a clause:
  ``324-1`` is one word; ``--x`` is NOT NOT x, i.e. x. A word made only of dashes/pluses
  (``money - laundering``, ``Code pénal – article``, ``—(a)``) is punctuation and is skipped: not
  searched, not an operator (so ``- money`` is just ``money``, and ``-`` alone is blank).
* ``field:value`` when ``field`` (any case) is in FIELD_ALIASES or TEXT_FIELDS; the value is the rest
  of the word (it may contain further colons and dashes: ``law:cn-law-刑法``) or a quoted phrase
  (``article:"UNTOC 6"``). A colon that is not a field separator keeps the word whole, colon
  included: the part before it is not an ASCII identifier (``12:30``, ``art.:``, ``刑法:第191条``),
  the part after it starts with ``/`` (``http://x``), or the part before it is a URI/identifier scheme
  (``ECLI:EU:C:2014:238``, ``urn:lex:...``, ``doi:...``). An identifier nobody knows as a field with
  nothing after the colon (``Summary:`` pasted from a document) is a word too; with a value
  (``foo:bar``) it is an error naming the field and listing the known ones. ``field:( ... )``
  applies the field to every bare word and phrase inside (a field written inside wins). A ``*`` in
  a bare filter value is an error (filters match exact values); in a quoted value it is literal.
* Range fields (RANGE_FIELDS) take one value (``year:2020``, ``date:2019-05`` -> Filter) or a range
  (``year:2010..2020``, ``year:2010..``, ``date:..2020-06-30``, ``date:>=2019-01-01``, ``year:<2020``)
  -> Range. Years are 1-4 digits; dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and real dates;
  the start may not be after the end. ``>``/``<`` become the inclusive neighbour (see Range).

Phrases: ``"..."`` and the typographic quotes “…” „…“ ”…” «…» »…« 「…」 『…』 (the double-quote family
is matched leniently: any of " “ ” ‟ closes a phrase opened with one of them or with „). Content is
trimmed and its white space collapsed; ``\\"`` (or a backslash before any closing quote or another
backslash) is a literal character; any other backslash is kept as is. An empty phrase is an error.

Before anything else the text is normalised, and error positions still point into the text as given:
zero-width, bidi-control and other invisible format characters are removed, full-width ASCII
(``ＡＮＤ``, ``（``, ``：``, ``＂``, ``２０２０``) becomes ASCII, every white-space or control character
separates words like a space, then Unicode NFC.

Tree shape: And/Or are flat (no And directly inside And, no Or in Or) with at least two items,
NOT NOT x is x, and `to_text` renders any tree parse_query produces back to a text that parses to the
same tree.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# Field filters a user may write as `field:value`. Keys are what users type, values the canonical
# filter name that backends know (see sherloc.search.base.FILTER_FIELDS).
FIELD_ALIASES: dict[str, str] = {
    "country": "country",
    "region": "region",
    "subdivision": "subdivision",
    "language": "language",
    "lang": "language",
    "kind": "kind",
    "type": "kind",
    "crime": "crime_type",
    "crime_type": "crime_type",
    "article": "instrument_article",
    "instrument": "instrument_article",
    "issue": "cross_cutting",
    "court": "court",
    "verdict": "verdict",
    "sentence": "sentence_range",
    "sentence_range": "sentence_range",
    "year": "year",
    "date": "date",
    "law": "parent_id",
    "parent_kind": "parent_kind",
    "id": "id",
}

# Fields that take text (analyzed) rather than an exact keyword value.
TEXT_FIELDS: dict[str, str] = {
    "title": "title",
    "heading": "heading",
    "text": "text",
    "number": "number",
}

RANGE_FIELDS = frozenset({"year", "date"})

# Limits. Depth bounds the parser's recursion whatever max_length a caller allows.
MAX_DEPTH = 20
MIN_PREFIX_LENGTH = 2


class QuerySyntaxError(ValueError):
    """The query cannot be understood. `message` is for the user; `position` is a 0-based index."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    """A word, as typed (case kept, punctuation kept: `L.324-1`, `12:30`, `6(1)(b)`).

    `field` is None for all text fields, or one of TEXT_FIELDS' values. The text may analyse to no
    token at all (`§`, `...`): backends should then drop the clause rather than match nothing.

    `language` is never set by the parser: cross-language expansion (sherloc.services.search) sets it on
    a vocabulary term ("blanchiment", "money laundering") to match it only in that language's analysed
    text, its words adjacent and in order.
    """

    text: str
    field: str | None = None
    prefix: bool = False  # written as `word*`; `text` is without the star
    language: str | None = None


@dataclass(frozen=True)
class Phrase:
    """A "quoted phrase", matched on the exact (unstemmed) form. Trimmed, single spaces, never empty."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Filter:
    """`country:FR`: an exact keyword match on a filter field (a canonical name from FIELD_ALIASES).

    `value` is as typed (`country:fr` gives "fr": case-fold with the backend's keyword rules). For
    `year` it is a canonical year ("2020"); for `date` a canonical YYYY, YYYY-MM or YYYY-MM-DD,
    a partial date meaning its whole period (the same as Range(date, v, v)).
    """

    field: str
    value: str


@dataclass(frozen=True)
class Range:
    """`year:2010..2020`, `date:>=2019-01-01`: inclusive bounds, None when open (never both None).

    Bounds are canonical strings: years without leading zeros ("800", "2020"), dates as YYYY, YYYY-MM
    or YYYY-MM-DD in ASCII digits. A partial date covers its whole period: a lower "2019" starts on
    2019-01-01, an upper "2019-02" ends on 2019-02-28. Strict bounds are already turned into the
    inclusive neighbour at the same precision (`year:<2020` -> upper "2019", `date:>2019-05` ->
    lower "2019-06", `date:<2020-06-30` -> upper "2020-06-29"), which is exact for days, months and
    years. The parser guarantees lower <= upper.
    """

    field: str
    lower: str | None
    upper: str | None


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | Phrase | Filter | Range | And | Or | Not


# ---------------------------------------------------------------------------------------------------
# Public API


def parse_query(text: str, *, max_length: int = 1000, max_clauses: int = 64) -> Node | None:
    """The tree for `text`, None when it is blank (match everything); QuerySyntaxError otherwise.

    Error positions are 0-based indexes into `text` as given (before normalisation).
    """
    if len(text) > max_length:
        raise QuerySyntaxError(
            f"the query is too long: {len(text)} characters, at most {max_length} are allowed", max_length
        )
    normalised, origins = _normalise(text)
    return _Parser(_Lexer(normalised, origins), max_clauses).parse()


def without_terms(node: Node | None, drop: Callable[[Term], bool]) -> Node | None:
    """`node` without the Terms `drop` selects, as if they could match nothing: an Or loses them, an And
    that needs one cannot match (None), a NOT of one excludes nothing and goes. None: no match."""
    if node is None:
        return None
    if isinstance(node, Term):
        return None if drop(node) else node
    if isinstance(node, Or):
        kept = [k for k in (without_terms(i, drop) for i in node.items) if k is not None]
        return None if not kept else kept[0] if len(kept) == 1 else Or(tuple(kept))
    if isinstance(node, And):
        items: list[Node] = []
        for item in node.items:
            if isinstance(item, Not):
                inner = without_terms(item.item, drop)
                if inner is not None:
                    items.append(Not(inner))
                continue
            kept_item = without_terms(item, drop)
            if kept_item is None:
                return None
            items.append(kept_item)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))
    if isinstance(node, Not):
        inner = without_terms(node.item, drop)
        return Not(inner) if inner is not None else node  # NOT of what cannot match: as it was, all
    return node


def to_text(node: Node | None) -> str:
    """Query text for `node`, with explicit AND/OR/NOT: parse_query(to_text(t)) == t for parsed trees.

    Also fine for showing the user how a query was understood. Trees parse_query cannot produce
    (a Term with a space, an empty And ...) are rendered as closely as the language allows.
    """
    return "" if node is None else _render(node)


# ---------------------------------------------------------------------------------------------------
# Normalisation: what the user meant, with a map back to what the user typed.

# Invisible characters that arrive with pasted text (zero-width spaces and joiners, bidi marks and
# embeddings, word joiner, BOM, soft hyphen). They never carry meaning for search, but left in they
# would glue or split words invisibly, or hide an operator (`A\u200bND`).
_INVISIBLE = frozenset(
    chr(code)
    for code in (
        *range(0x200B, 0x2010),  # zero-width space/non-joiner/joiner, LRM, RLM
        *range(0x202A, 0x202F),  # bidi embeddings and overrides
        *range(0x2060, 0x2065),  # word joiner, invisible math operators
        *range(0x2066, 0x206A),  # bidi isolates
        0x00AD,  # soft hyphen
        0x061C,  # Arabic letter mark
        0x180E,  # Mongolian vowel separator
        0xFEFF,  # byte-order mark / zero-width no-break space
    )
)

_FULL_WIDTH_OFFSET = 0xFF01 - 0x21  # U+FF01..U+FF5E mirror ASCII U+0021..U+007E


def _fold(char: str) -> str:
    """One character as the lexer should see it: same length, so positions survive."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - _FULL_WIDTH_OFFSET)
    # Control characters (C0, DEL, C1) separate words like white space rather than join them.
    if char.isspace() or code < 0x20 or 0x7F <= code <= 0x9F:
        return " "
    return char


def _normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters (plus its end), the index in `text`."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        if char not in _INVISIBLE:
            chars.append(_fold(char))
            origins.append(index)
    folded = "".join(chars)
    if not unicodedata.is_normalized("NFC", folded):
        folded, origins = _compose(folded, origins)
    return folded, [*origins, len(text)]


def _compose(text: str, origins: list[int]) -> tuple[str, list[int]]:
    """NFC, keeping positions: compose piece by piece, a piece being what NFC may merge together."""
    pieces = _nfc_pieces(text)
    out: list[str] = []
    out_origins: list[int] = []
    for start, end in pieces:
        raw = text[start:end]
        composed = unicodedata.normalize("NFC", raw)
        out.append(composed)
        # An unchanged piece keeps its map; a composed one points at where its cluster began.
        out_origins.extend(origins[start:end] if composed == raw else [origins[start]] * len(composed))
    result = "".join(out)
    whole = unicodedata.normalize("NFC", text)
    if result != whole:  # defensive: the text must be right even if a position is approximate
        return whole, [origins[min(i, len(origins) - 1)] for i in range(len(whole))]
    return result, out_origins


def _nfc_pieces(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that NFC can treat independently (cut before starters, merged when needed)."""
    cuts = [0, *(i for i in range(1, len(text)) if unicodedata.combining(text[i]) == 0), len(text)]
    pieces: list[tuple[int, int]] = []
    start, end = cuts[0], cuts[1]
    for nxt in cuts[2:]:
        left, right = text[start:end], text[end:nxt]
        nfc = unicodedata.normalize
        if nfc("NFC", left + right) == nfc("NFC", left) + nfc("NFC", right):
            pieces.append((start, end))
            start = end
        end = nxt  # otherwise (Hangul jamo, some Indic vowels) the starters compose: keep together
    pieces.append((start, end))
    return pieces


# ---------------------------------------------------------------------------------------------------
# Lexer

_OPERATORS: dict[str, Literal["AND", "OR", "NOT"]] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}

# Every opening quote and what may close it. The double-quote family is lenient because word
# processors turn only some of a user's quotes into curly ones; „ only opens (German/Polish „…“ „…”).
_CLOSE_DOUBLE = frozenset('"\u201c\u201d\u201f')  # " “ ” ‟
_QUOTE_PAIRS: dict[str, frozenset[str]] = {
    **{quote: _CLOSE_DOUBLE for quote in '"\u201c\u201d\u201e\u201f'},
    "\u00ab": frozenset("\u00bb"),  # « »
    "\u00bb": frozenset("\u00ab"),  # » « (Danish, German)
    "\u300c": frozenset("\u300d"),  # 「 」
    "\u300e": frozenset("\u300f"),  # 『 』
}
_ESCAPABLE = frozenset("\\").union(*_QUOTE_PAIRS.values())

# Scheme-like prefixes of identifiers people paste whole (`ECLI:EU:C:2014:238`); not fields.
_URI_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "urn", "doi", "ecli", "celex", "isbn", "issn"})

_EXAMPLES = {
    "country": "FR",
    "language": "fr",
    "crime_type": "money_laundering",
    "instrument_article": '"UNTOC 6"',
    "year": "2010..2020",
    "date": ">=2019-01-01",
    "parent_id": "cn-law-刑法",
    "title": '"Code pénal"',
}

_Kind = Literal["word", "phrase", "field", "group", "(", ")", "AND", "OR", "NOT", "end"]


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    pos: int  # index in the caller's text
    text: str = ""  # the word; the phrase or field value; "-" or "NOT" for a negation
    field: str = ""  # lower-cased field name for "field" and "group"
    quoted: bool = False  # a field value written in quotes


def _known_fields() -> set[str]:
    return set(FIELD_ALIASES) | set(TEXT_FIELDS)


def _is_field_syntax(name: str, value: str) -> bool:
    """Whether `name:value` is meant as a field (see the module docstring for the colons that are not)."""
    return (
        name.isascii()
        and name.isidentifier()
        and name.lower() not in _URI_SCHEMES
        and not value.startswith("/")
    )


def _is_dash_or_plus(char: str) -> bool:
    return char == "+" or unicodedata.category(char) == "Pd"


class _Lexer:
    """Turns the normalised text into tokens on demand, so errors come in reading order."""

    def __init__(self, text: str, origins: list[int]) -> None:
        self._s = text
        self._origins = origins
        self._i = 0
        self._glued_until = 0  # dashes before this index are known to be glued to a clause

    def next_token(self) -> _Token:
        while True:
            while self._i < len(self._s) and self._s[self._i] == " ":
                self._i += 1
            if self._i >= len(self._s):
                return _Token("end", self._at(len(self._s)))
            token = self._token_here()
            if token is not None:
                return token

    def _at(self, index: int) -> int:
        return self._origins[index]

    def _token_here(self) -> _Token | None:
        """The token at the cursor, or None when the cursor only skipped over something."""
        start = self._i
        char = self._s[start]
        if char == "(":
            self._i += 1
            return _Token("(", self._at(start))
        if char == ")":
            self._i += 1
            return _Token(")", self._at(start))
        if char in _QUOTE_PAIRS:
            return _Token("phrase", self._at(start), self._scan_quoted())
        run_end = self._lone_punctuation_end(start)
        if run_end is not None:
            self._i = run_end
            return None
        if char in "-+":  # glued to what follows: `-x` excludes it, `+x` is x
            self._i += 1
            return _Token("NOT", self._at(start), "-") if char == "-" else None
        return self._word(start)

    def _lone_punctuation_end(self, start: int) -> int | None:
        """End of a run of dashes/pluses standing alone (`money - laundering`), else None."""
        if start < self._glued_until:  # `-----x`: the run was measured once, not once per dash
            return None
        end = start
        while end < len(self._s) and _is_dash_or_plus(self._s[end]):
            end += 1
        if end > start and (end == len(self._s) or self._s[end] in " )"):
            return end
        self._glued_until = end
        return None

    def _scan_quoted(self) -> str:
        """The content of the phrase opening at the cursor, tidied; the cursor ends after it."""
        opened = self._i
        closers = _QUOTE_PAIRS[self._s[opened]]
        buf: list[str] = []
        i = opened + 1
        while i < len(self._s):
            char = self._s[i]
            if char == "\\" and i + 1 < len(self._s) and self._s[i + 1] in _ESCAPABLE:
                buf.append(self._s[i + 1])
                i += 2
                continue
            if char in closers:
                self._i = i + 1
                content = " ".join("".join(buf).split())  # trimmed, one space between words
                if not content:
                    raise QuerySyntaxError(
                        f"the quotes at position {self._at(opened)} are empty: put the words to search "
                        "between them",
                        self._at(opened),
                    )
                return content
            buf.append(char)
            i += 1
        raise QuerySyntaxError(
            f"the quote opened at position {self._at(opened)} is never closed", self._at(opened)
        )

    def _word_end(self, start: int) -> int:
        """End of the word at `start`: up to a space, a quote, or a parenthesis the word does not own."""
        opened: list[int] = []
        i = start
        while i < len(self._s):
            char = self._s[i]
            if char == " " or char in _QUOTE_PAIRS:
                break
            if char == "(":
                if not self._paren_in_word(start, i):
                    break
                opened.append(i)
            elif char == ")":
                if not opened:
                    break
                opened.pop()
            i += 1
        # `foo(bar baz)`: the word never closed its parenthesis, so the parenthesis opens a group.
        return opened[0] if opened else i

    def _paren_in_word(self, start: int, i: int) -> bool:
        """`6(1)(b)`: a parenthesis glued after a letter/digit/`)` is part of a legal reference."""
        before = self._s[i - 1]
        return (before.isalnum() or before == ")") and self._s[start:i] not in _OPERATORS

    def _word(self, start: int) -> _Token | None:
        end = self._word_end(start)
        raw = self._s[start:end]
        self._i = end
        pos = self._at(start)
        if all(_is_dash_or_plus(char) for char in raw):
            return None  # `–"x"`, `—(a)`: a dash glued to a quote or group is still only punctuation
        if raw in _OPERATORS:
            return _Token(_OPERATORS[raw], pos, raw)
        name, colon, value = raw.partition(":")
        if colon and _is_field_syntax(name, value):
            return self._field(name, value, pos)
        return _Token("word", pos, raw)

    def _field(self, name: str, value: str, pos: int) -> _Token:
        """The token for `name:value`, the cursor being right after the word."""
        key = name.lower()
        following = self._s[self._i] if self._i < len(self._s) else ""
        takes_value = bool(value) or following == "(" or following in _QUOTE_PAIRS
        if key not in _known_fields():
            if not takes_value:
                return _Token("word", pos, f"{name}:")  # `Summary:` in pasted prose
            raise QuerySyntaxError(
                f"unknown field '{name}' at position {pos}; the fields are: "
                f"{', '.join(sorted(_known_fields()))}. To search for the text itself, put it in quotes: "
                f'"{name}:{value}"',
                pos,
            )
        if value:
            return _Token("field", pos, value, key)
        if following in _QUOTE_PAIRS:
            return _Token("field", pos, self._scan_quoted(), key, quoted=True)
        if following == "(":
            self._i += 1
            return _Token("group", self._at(self._i - 1), field=key)
        example = _EXAMPLES.get(FIELD_ALIASES.get(key, TEXT_FIELDS.get(key, key)), "value")
        raise QuerySyntaxError(
            f"'{name}:' at position {pos} needs a value right after the colon, without a space "
            f"(for example {key}:{example})",
            pos,
        )


# ---------------------------------------------------------------------------------------------------
# Parser

_CLAUSE_STARTS = frozenset({"word", "phrase", "field", "group", "(", "NOT"})


def _describe(token: _Token) -> str:
    return "'-'" if token.text == "-" else token.kind


def _all_of(items: list[Node]) -> Node:
    flat = [part for item in items for part in (item.items if isinstance(item, And) else (item,))]
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _any_of(items: list[Node]) -> Node:
    flat = [part for item in items for part in (item.items if isinstance(item, Or) else (item,))]
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _negate(node: Node) -> Node:
    return node.item if isinstance(node, Not) else Not(node)


class _Parser:
    """Recursive descent over the grammar in the module docstring; one token of look-ahead."""

    def __init__(self, lexer: _Lexer, max_clauses: int) -> None:
        self._lexer = lexer
        self._max_clauses = max_clauses
        self._clauses = 0
        self._depth = 0
        self._tok = lexer.next_token()

    def parse(self) -> Node | None:
        if self._tok.kind == "end":
            return None
        node = self._or_expr(None)
        if self._tok.kind == ")":
            raise self._unmatched_close()
        return node

    def _advance(self) -> _Token:
        token = self._tok
        self._tok = self._lexer.next_token()
        return token

    def _unmatched_close(self) -> QuerySyntaxError:
        pos = self._tok.pos
        return QuerySyntaxError(
            f"the closing parenthesis at position {pos} has no matching opening parenthesis", pos
        )

    def _need_operand(self, operator: _Token) -> None:
        """An operator must have a clause after it: `money OR`, `NOT`, `AND AND` fail here."""
        if self._tok.kind in _CLAUSE_STARTS:
            return
        if operator.kind == "NOT":
            message = f"{_describe(operator)} at position {operator.pos} must be followed by what to exclude"
        else:
            message = f"{operator.kind} at position {operator.pos} has nothing on its right"
        if self._tok.kind in ("AND", "OR"):
            message += f" ({self._tok.kind} is an operator; write it in lower case to search for the word)"
        raise QuerySyntaxError(message, operator.pos)

    def _or_expr(self, field: str | None) -> Node:
        items = [self._and_expr(field)]
        while self._tok.kind == "OR":
            self._need_operand(self._advance())
            items.append(self._and_expr(field))
        return _any_of(items)

    def _and_expr(self, field: str | None) -> Node:
        items = [self._unary(field)]
        while True:
            if self._tok.kind == "AND":
                self._need_operand(self._advance())
            elif self._tok.kind not in _CLAUSE_STARTS:
                break
            items.append(self._unary(field))
        return _all_of(items)

    def _unary(self, field: str | None) -> Node:
        # A loop, not recursion: `- - - - x` must not eat the stack.
        negations = 0
        while self._tok.kind == "NOT":
            self._need_operand(self._advance())
            negations += 1
        node = self._primary(field)
        return _negate(node) if negations % 2 else node

    def _primary(self, field: str | None) -> Node:
        token = self._tok
        if token.kind == "(":
            self._advance()
            return self._group(field, token)
        if token.kind == "group":
            self._advance()
            return self._group(token.field, token)
        if token.kind in ("word", "phrase", "field"):
            self._advance()
            return self._atom(token, field)
        if token.kind == ")":
            raise self._unmatched_close()
        if token.kind == "end":  # not reachable through the grammar's own checks; kept for safety
            raise QuerySyntaxError(f"the query ends too early at position {token.pos}", token.pos)
        raise QuerySyntaxError(f"{token.kind} at position {token.pos} has nothing on its left", token.pos)

    def _group(self, field: str | None, opening: _Token) -> Node:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise QuerySyntaxError(
                f"parentheses are nested too deeply at position {opening.pos} (at most {MAX_DEPTH} levels)",
                opening.pos,
            )
        if self._tok.kind == ")":
            raise QuerySyntaxError(f"the parentheses at position {opening.pos} are empty", opening.pos)
        node = None if self._tok.kind == "end" else self._or_expr(field)
        if node is None or self._tok.kind != ")":
            raise QuerySyntaxError(
                f"the parenthesis opened at position {opening.pos} is never closed", opening.pos
            )
        self._advance()
        self._depth -= 1
        return node

    def _atom(self, token: _Token, field: str | None) -> Node:
        self._clauses += 1
        if self._clauses > self._max_clauses:
            raise QuerySyntaxError(
                f"too many search terms: at most {self._max_clauses} are allowed "
                f"(the one at position {token.pos} is one too many)",
                token.pos,
            )
        if token.kind == "field":
            return _field_atom(token.field, token.text, token.quoted, token.pos)
        if field is not None:  # inside `field:( ... )`
            return _field_atom(field, token.text, token.kind == "phrase", token.pos)
        if token.kind == "phrase":
            return Phrase(token.text)
        return _term(token.text, None, token.pos)


# ---------------------------------------------------------------------------------------------------
# Atoms: words, fields, ranges


def _term(raw: str, field: str | None, pos: int) -> Term:
    """A word, or a prefix search for `word*`, checked so it cannot match half the index."""
    if "*" not in raw:
        return Term(raw, field)
    example = "(for example launder*)"
    if not raw.strip("*"):
        raise QuerySyntaxError(
            f"'{raw}' at position {pos} is not a search: put a word before '*' {example}", pos
        )
    if raw.endswith("**"):
        raise QuerySyntaxError(
            f"'{raw}' at position {pos}: use a single '*' at the end of a word {example}", pos
        )
    if "*" in raw[:-1]:
        raise QuerySyntaxError(
            f"'{raw}' at position {pos}: '*' can only end a word, as a prefix search {example}", pos
        )
    stem = raw[:-1]
    if len(stem) < MIN_PREFIX_LENGTH:
        raise QuerySyntaxError(
            f"'{raw}' at position {pos}: a prefix search needs at least {MIN_PREFIX_LENGTH} characters "
            "before '*', because a shorter prefix would match far too many words",
            pos,
        )
    return Term(stem, field, prefix=True)


def _field_atom(name: str, value: str, quoted: bool, pos: int) -> Node:
    """`name:value` for a known field name (lower case): a Term/Phrase, a Filter or a Range."""
    if name in TEXT_FIELDS:
        field = TEXT_FIELDS[name]
        return Phrase(value, field) if quoted else _term(value, field, pos)
    field = FIELD_ALIASES[name]
    if field in RANGE_FIELDS:
        return _range_atom(field, value, pos)
    if "*" in value and not quoted:
        raise QuerySyntaxError(
            f"'{name}:{value}' at position {pos}: '*' prefix search works on words and text fields, "
            f"not on '{name}', which matches exact values",
            pos,
        )
    return Filter(field, value)


@dataclass(frozen=True)
class _Period:
    """A year or a (partial) date: its canonical text and the span it covers, as comparable integers
    (years for `year`, day ordinals for `date`)."""

    text: str
    first: int
    last: int


def _parse_year(text: str) -> _Period | None:
    if not (1 <= len(text) <= 4 and text.isdecimal()):
        return None
    year = int(text)  # also reads other scripts' digits; the canonical text is ASCII
    return _Period(str(year), year, year)


def _parse_date(text: str) -> _Period | None:
    parts = text.split("-")
    if [len(part) for part in parts] != [4, 2, 2][: len(parts)] or not all(p.isdecimal() for p in parts):
        return None
    numbers = [int(part) for part in parts]
    year, month, day = numbers[0], (numbers[1:2] or [1])[0], (numbers[2:3] or [1])[0]
    try:
        first = dt.date(year, month, day)
    except ValueError:
        return None
    if len(parts) == 1:
        last = dt.date(year, 12, 31)
    elif len(parts) == 2:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
    else:
        last = first
    return _Period(first.isoformat()[: len(text)], first.toordinal(), last.toordinal())


def _parse_period(field: str, text: str) -> _Period | None:
    return _parse_year(text) if field == "year" else _parse_date(text)


def _period(field: str, text: str, pos: int) -> _Period:
    period = _parse_period(field, text)
    if period is not None:
        return period
    if field == "year":
        hint = "write 1 to 4 digits, for example year:2020 or year:2010..2020"
    else:
        hint = "write YYYY, YYYY-MM or YYYY-MM-DD with a real calendar date, for example date:2019-01-31"
    raise QuerySyntaxError(f"'{text}' is not a valid {field} (in the clause at position {pos}): {hint}", pos)


def _neighbour(field: str, period: _Period, step: int) -> _Period | None:
    """The period just after (step 1) or before (step -1) at the same precision, None past the end."""
    if field == "year":
        year = period.first + step
        return _Period(str(year), year, year) if 0 <= year <= 9999 else None
    day = period.last + 1 if step > 0 else period.first - 1
    if not 1 <= day <= dt.date.max.toordinal():
        return None
    return _parse_date(dt.date.fromordinal(day).isoformat()[: len(period.text)])


def _range_atom(field: str, value: str, pos: int) -> Filter | Range:
    for operator in (">=", "<=", ">", "<"):
        if value.startswith(operator):
            return _open_range(field, operator, value[len(operator) :], pos)
    if ".." in value:
        return _closed_range(field, value, pos)
    return Filter(field, _period(field, value, pos).text)


def _open_range(field: str, operator: str, bound_text: str, pos: int) -> Range:
    """`>=x`, `<=x`, and `>x`/`<x` as the inclusive neighbour of x (exact for discrete years/days)."""
    written = _period(field, bound_text, pos)
    bound = written if "=" in operator else _neighbour(field, written, 1 if operator == ">" else -1)
    if bound is None:
        side = "after" if operator == ">" else "before"
        raise QuerySyntaxError(
            f"'{field}:{operator}{bound_text}' at position {pos} matches nothing: "
            f"there is no {field} {side} {bound_text}",
            pos,
        )
    return Range(field, bound.text, None) if operator.startswith(">") else Range(field, None, bound.text)


def _closed_range(field: str, value: str, pos: int) -> Range:
    lower_text, _, upper_text = value.partition("..")
    if not lower_text and not upper_text:
        raise QuerySyntaxError(
            f"'{field}:..' at position {pos} needs at least one bound, "
            f"for example {field}:{_EXAMPLES[field]}",
            pos,
        )
    lower = _period(field, lower_text, pos) if lower_text else None
    upper = _period(field, upper_text, pos) if upper_text else None
    if lower is not None and upper is not None and lower.first > upper.last:
        raise QuerySyntaxError(f"{field} range {value} at position {pos}: the start is after the end", pos)
    return Range(field, lower.text if lower else None, upper.text if upper else None)


# ---------------------------------------------------------------------------------------------------
# Rendering

_ESCAPE_IN_QUOTES = frozenset("\\") | _CLOSE_DOUBLE


def _quote(text: str) -> str:
    return '"' + "".join("\\" + c if c in _ESCAPE_IN_QUOTES else c for c in text) + '"'


def _alias(field: str, table: dict[str, str]) -> str:
    """The name users type for a canonical field: the first one listed (`crime`, `article`, `law`)."""
    return next((name for name, canonical in table.items() if canonical == field), field)


def _reads_back(text: str, node: Node) -> bool:
    """Whether `text` parses to exactly `node`. The parser itself decides what a bare word may hold,
    so to_text cannot drift from the lexer's rules."""
    try:
        return parse_query(text, max_length=len(text), max_clauses=1) == node
    except QuerySyntaxError:
        return False


def _render_leaf(node: Term | Phrase | Filter | Range) -> str:
    if isinstance(node, Range):
        return f"{_alias(node.field, FIELD_ALIASES)}:{node.lower or ''}..{node.upper or ''}"
    if isinstance(node, Filter):
        name = _alias(node.field, FIELD_ALIASES)
        bare = f"{name}:{node.value}"
        return bare if _reads_back(bare, node) else f"{name}:{_quote(node.value)}"
    field = "" if node.field is None else f"{_alias(node.field, TEXT_FIELDS)}:"
    if isinstance(node, Phrase):
        return field + _quote(node.text)
    bare = f"{field}{node.text}{'*' if node.prefix else ''}"
    return bare if node.prefix or _reads_back(bare, node) else field + _quote(node.text)


def _render(node: Node) -> str:
    if isinstance(node, Not):
        return "NOT " + _render_operand(node.item, (And, Or, Not))
    if isinstance(node, And):
        return " AND ".join(_render_operand(item, (And, Or)) for item in node.items)
    if isinstance(node, Or):
        # And inside Or needs no parentheses, but users misread `a AND b OR c`: show them.
        return " OR ".join(_render_operand(item, (And, Or)) for item in node.items)
    return _render_leaf(node)


def _render_operand(node: Node, wrap: tuple[type, ...]) -> str:
    text = _render(node)
    return f"({text})" if isinstance(node, wrap) else text
