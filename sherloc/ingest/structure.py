"""Source-independent recognition of article labels, structural headings and repeal notes in legal texts."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sherloc.ingest.types import ParsedProvision, ParseError
from sherloc.numerals import CN_NUMERAL_CHARS as _CN_NUMERAL_CHARS
from sherloc.numerals import ascii_int as _ascii_int
from sherloc.numerals import chinese_to_int, cn_article_number

__all__ = ["chinese_to_int", "cn_article_number"]  # re-exported: parsers and tests import them from here

# --------------------------------------------------------------------------------------------------
# Number words (Chinese numerals live in sherloc.numerals)
# --------------------------------------------------------------------------------------------------

_ES_CARDINALS = {
    "uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciséis": 16, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiuno": 21, "veintiuna": 21, "veintidós": 22, "veintidos": 22, "veintitrés": 23, "veintitres": 23,
    "veinticuatro": 24, "veinticinco": 25, "veintiséis": 26, "veintiseis": 26, "veintisiete": 27,
    "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60,
    "setenta": 70, "ochenta": 80, "noventa": 90, "cien": 100, "ciento": 100,
}  # fmt: skip
_ES_ORDINALS = {
    "primero": 1, "primer": 1, "segundo": 2, "tercero": 3, "tercer": 3, "cuarto": 4, "quinto": 5,
    "sexto": 6, "séptimo": 7, "septimo": 7, "sétimo": 7, "octavo": 8, "noveno": 9, "nono": 9,
    "décimo": 10, "decimo": 10, "undécimo": 11, "undecimo": 11, "duodécimo": 12, "duodecimo": 12,
    "vigésimo": 20, "vigesimo": 20, "trigésimo": 30, "trigesimo": 30, "cuadragésimo": 40,
    "cuadragesimo": 40, "quincuagésimo": 50, "quincuagesimo": 50, "sexagésimo": 60, "sexagesimo": 60,
    "septuagésimo": 70, "septuagesimo": 70, "octogésimo": 80, "octogesimo": 80, "nonagésimo": 90,
    "nonagesimo": 90, "centésimo": 100, "centesimo": 100,
}  # fmt: skip
_ES_UNITS = {**_ES_CARDINALS, **_ES_ORDINALS}


def _es_word_value(word: str, table: dict[str, int] = _ES_UNITS) -> int | None:
    word = word.lower()
    if word in table:
        return table[word]
    # Feminine ordinals ("primera", "undécima") share the masculine value.
    if word.endswith("a") and word[:-1] + "o" in _ES_ORDINALS:
        return _ES_ORDINALS[word[:-1] + "o"]
    # "decimotercero", "decimoséptima", "decimoctavo": ten plus the unit ordinal.
    for prefix in ("decimo", "décimo", "decim"):
        if word.startswith(prefix) and len(word) > len(prefix):
            unit = _es_word_value(word[len(prefix) :], _ES_ORDINALS)
            if unit is not None and unit < 10:
                return 10 + unit
    return None


def spanish_ordinal_to_int(word: str) -> int | None:
    """A single Spanish ordinal word to an int ("primera" -> 1, "decimoctavo" -> 18); cardinals give None."""
    return _es_word_value(word.strip(), _ES_ORDINALS)


def spanish_number_to_int(words: str) -> int | None:
    """Spanish number words to an int: "primero" -> 1, "vigésimo primero" -> 21, "treinta y uno" -> 31."""
    tokens = [t for t in re.split(r"[\s-]+", words.strip().lower()) if t and t != "y"]
    if not tokens:
        return None
    total = 0
    for token in tokens:
        value = _es_word_value(token)
        if value is None:
            return None
        total += value
    return total


_AR_NORMALISE = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"})
_AR_UNITS = {
    "الاولي": 1, "الاول": 1, "الحاديه": 1, "الحادية": 1, "الحادي": 1,
    "الثانيه": 2, "الثانية": 2, "الثاني": 2, "الثالثة": 3, "الثالث": 3,
    "الرابعة": 4, "الرابع": 4, "الخامسة": 5, "الخامس": 5, "السادسة": 6, "السادس": 6,
    "السابعة": 7, "السابع": 7, "الثامنة": 8, "الثامن": 8, "التاسعة": 9, "التاسع": 9,
    "العاشرة": 10, "العاشر": 10,
}  # fmt: skip
_AR_TEENS = {"عشرة", "عشر", "عشره"}
_AR_AFTER = "بعد"
_AR_TENS = {
    "العشرون": 20, "العشرين": 20, "الثلاثون": 30, "الثلاثين": 30, "الاربعون": 40, "الاربعين": 40,
    "الخمسون": 50, "الخمسين": 50, "الستون": 60, "الستين": 60, "السبعون": 70, "السبعين": 70,
    "الثمانون": 80, "الثمانين": 80, "التسعون": 90, "التسعين": 90,
}  # fmt: skip
_AR_HUNDREDS = {
    "المائة": 100, "المئة": 100, "المائه": 100, "المائتان": 200, "المائتين": 200, "المئتين": 200,
    "الثلاثمائة": 300, "الثلاثمئة": 300, "الاربعمائة": 400, "الاربعمئة": 400, "الخمسمائة": 500,
}  # fmt: skip


def _ar_token_value(token: str) -> int | None:
    if token in _AR_UNITS:
        return _AR_UNITS[token]
    if token in _AR_TEENS:
        return 10
    return _AR_TENS.get(token, _AR_HUNDREDS.get(token))


def _arabic_ordinal_prefix(tokens: list[str]) -> tuple[int, int]:
    """(value, number of tokens used) for the numeral words at the start of `tokens`; (0, 0) when none."""
    total = used = 0
    for index, raw in enumerate(tokens):
        word = raw.translate(_AR_NORMALISE).strip(":.-–()")
        if word == _AR_AFTER:  # "الأولى بعد المائة": a unit "after" the hundred
            continue
        value = _ar_token_value(word)
        if value is None and word.startswith("و"):  # conjunction glued to the tens: "والعشرون"
            value = _ar_token_value(word[1:])
        if value is None:
            break  # the number ends where the words stop being numerals (e.g. a title follows)
        total, used = total + value, index + 1
    return total, used


def arabic_ordinal_to_int(text: str) -> int | None:
    """Arabic article numbers to an int: "الحادية والعشرون" -> 21, "الثالثة بعد المائة" -> 103, "١٥" -> 15."""
    as_digits = _ascii_int(text.strip("() "))
    if as_digits is not None:
        return as_digits
    value, used = _arabic_ordinal_prefix(text.split())
    return value if used else None


# --------------------------------------------------------------------------------------------------
# Article labels
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleMatch:
    """An article label recognised at the start of a line."""

    label: str  # as written, e.g. "Artículo 301."
    number: str  # normalised, e.g. "301"
    rest: str  # the remainder of the line: the article's heading or the start of its text


_LATIN = r"(?:bis|ter|qu[aá]ter|[a-z]{2,}ies)"  # bis, ter, quater (es: quáter), quinquies ... vicies
_ES_WORD_SET = {*_ES_UNITS, *(w[:-1] + "a" for w in _ES_UNITS if w.endswith("o")), "único", "única", "unico"}
_ES_WORD = "|".join(sorted(_ES_WORD_SET, key=len, reverse=True))  # longest first so "primera" beats "primer"
_ES_WORDS = rf"(?:(?:decimo|décimo|decim)?(?:{_ES_WORD}))(?:\s+(?:y\s+)?(?:{_ES_WORD}))*"
_ES_NUM = rf"(?:\d+(?:\s?\.?\s?[º°])?|{_ES_WORDS})(?:\s+{_LATIN})?"
_AR_LETTERS = "\u0621-\u064a"


def _fr_number(match: re.Match[str]) -> str:
    if match["annex"]:
        return " ".join(match["annex"].split())
    if match["word"]:
        return "1" if match["word"].lower() in ("premier", "1er") else match["word"]
    prefix = re.sub(r"[\s.]", "", match["prefix"] or "")
    digits = re.sub(r"er$", "", match["digits"])
    suffix = " ".join((match["suffix"] or "").split())
    return f"{prefix}{digits}" + (f" {suffix}" if suffix else "")


def _es_single(text: str) -> str:
    text = text.strip()
    digits = re.match(r"(\d+)", text)
    head = digits.group(1) if digits else text
    latin = re.search(rf"\s({_LATIN})$", text)
    if not digits:
        word_part = text[: latin.start()] if latin else text
        value = spanish_number_to_int(word_part)
        head = str(value) if value is not None else word_part.lower()
    return head + (f" {latin.group(1).lower()}" if latin else "")


def _es_number(match: re.Match[str]) -> str:
    number = _es_single(match["num"])
    return f"{number} {match['conj'].lower()} {_es_single(match['num2'])}" if match["num2"] else number


_DISPOSITION_ABBR = {"adicional": "DA", "transitoria": "DT", "derogatoria": "DD", "final": "DF"}


def spanish_disposition_number(kind: str, ordinal: str | None) -> str:
    """'adicional', 'primera' -> "DA 1"; 'derogatoria', 'única' -> "DD única"; 'final', None -> "DF"."""
    abbr = _DISPOSITION_ABBR[kind.lower()]
    if not ordinal:
        return abbr
    ordinal = ordinal.strip().rstrip(".")
    digits = re.match(r"\d+", ordinal)
    value = int(digits.group()) if digits else spanish_number_to_int(ordinal)
    return f"{abbr} {value if value is not None else ordinal.lower()}"


def _es_disposition_number(match: re.Match[str]) -> str:
    return spanish_disposition_number(match["kind"], match["ord"])


def _ar_number(match: re.Match[str]) -> str:
    value = arabic_ordinal_to_int(match["num"])
    return str(value) if value is not None else match["num"]


_NumberFn = Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class ArticlePattern:
    """An article label in one language: `regex` has a `label` group; `number` normalises the match."""

    language: str
    regex: re.Pattern[str]
    number: _NumberFn


def _group(name: str) -> _NumberFn:
    return lambda match: match[name]


_ARTICLE_PATTERNS: tuple[ArticlePattern, ...] = (
    ArticlePattern(
        "zh",
        re.compile(rf"(?P<label>第[{_CN_NUMERAL_CHARS}]+条(?:之[{_CN_NUMERAL_CHARS}]+)?)(?=[\s\u3000]|$)"),
        lambda m: cn_article_number(m["label"]),
    ),
    ArticlePattern(
        "fr",
        re.compile(
            r"(?P<label>Article\s+(?:Article\s+)?"
            r"(?:(?P<annex>Annexe\b.*)|(?P<word>premier|1er|unique|Préliminaire|PRELIMINAIRE|PREAMBULE|Préambule)\b"
            r"|(?P<prefix>(?:LO|[LRDA])(?:\.\s*|\s)?\*?)?(?P<digits>\d+(?:er)?(?:[-.]\d+)*[A-Z]?)"
            rf"(?P<suffix>(?:\s*(?:-\s*)?(?:{_LATIN}|[A-Z])(?:-\d+)?\b)*)))"
            r"(?=[\s.:(,]|$)\.?",
        ),
        _fr_number,
    ),
    ArticlePattern(
        "es",
        re.compile(
            r"(?P<label>(?:Art[íi]culos?\.?|Arts?\.)\s+"
            rf"(?P<num>{_ES_NUM})(?:\s+(?P<conj>a|y)\s+(?P<num2>{_ES_NUM}))?(?![\w-])\.?(?:\s?[º°])?)",
            re.IGNORECASE,
        ),
        _es_number,
    ),
    ArticlePattern(
        "es",
        re.compile(
            r"(?P<label>Disposici[óo]n\s+(?P<kind>adicional|transitoria|derogatoria|final)"
            rf"(?:\s+(?P<ord>\d+\s?\.?\s?[ªa]?|{_ES_WORDS}))?(?:\s+{_LATIN})?(?![\w-])\.?)",
            re.IGNORECASE,
        ),
        _es_disposition_number,
    ),
    ArticlePattern(
        "ru",
        re.compile(r"(?P<label>Статья\s+(?P<num>\d+(?:\.\d+)*)(?![\w-])\.?)"),
        _group("num"),
    ),
    ArticlePattern(
        "en",
        re.compile(
            r"(?P<label>(?:§+|Sec\.|SEC\.|Section|SECTION)\s*(?P<num>\d+[A-Za-z]?(?:[-.]\d+[A-Za-z]?)*)\.?)"
        ),
        _group("num"),
    ),
    ArticlePattern(
        "en",
        re.compile(r"(?P<label>(?:Article|ARTICLE)\s+(?P<num>\d+[A-Za-z]?(?:[-.]\d+)*|[IVXLC]+)\.?)(?=\s|$)"),
        _group("num"),
    ),
)

_AR_ARTICLE = re.compile(r"المادة\s*(?:\(\s*(?P<paren>[0-9٠-٩]+)\s*\)|(?P<digits>[0-9٠-٩]+))?")


def _match_arabic(text: str) -> ArticleMatch | None:
    """المادة followed by digits ("المادة (5)", "المادة ١٥") or ordinal words ("المادة الحادية عشرة")."""
    match = _AR_ARTICLE.match(text)
    if match is None:
        return None
    digits = match["paren"] or match["digits"]
    if digits:
        rest = text[match.end() :].strip(" :-–.")
        return ArticleMatch(match.group().strip(), str(_ascii_int(digits)), rest)
    words = text[match.end() :].split()
    value, used = _arabic_ordinal_prefix(words)
    if not used:
        return None
    number_words = " ".join(words[:used]).rstrip(":.-–")
    rest = " ".join(words[used:]).strip(" :-–.")
    return ArticleMatch(f"{text[: match.end()].strip()} {number_words}", str(value), rest)


def clean_label_line(line: str) -> str:
    """The line as the label recognisers see it: no Markdown heading marks or bold markers."""
    return re.sub(r"^#+\s*", "", line.strip()).replace("**", "").strip()


def match_patterns(
    text: str, patterns: Iterable[ArticlePattern], wanted: Iterable[str] | None = None
) -> ArticleMatch | None:
    """The first of `patterns` (restricted to the `wanted` languages) that matches the start of `text`."""
    languages = set(wanted) if wanted is not None else None
    for pattern in patterns:
        if languages is not None and pattern.language not in languages:
            continue
        match = pattern.regex.match(text)
        if match is not None:
            label = match["label"].strip()
            return ArticleMatch(label=label, number=pattern.number(match), rest=text[match.end() :].strip())
    return None


def match_article_label(line: str, languages: Iterable[str] | None = None) -> ArticleMatch | None:
    """Recognise an article label at the start of `line` (Markdown '#' marks and '**' are ignored)."""
    text = clean_label_line(line)
    wanted = set(languages) if languages is not None else None
    found = match_patterns(text, _ARTICLE_PATTERNS, wanted)
    if found is not None:
        return found
    if wanted is None or "ar" in wanted:
        return _match_arabic(text)
    return None


def parse_article_label(line: str, languages: Iterable[str] | None = None) -> tuple[str, str] | None:
    """(label, normalised number) for an article label at the start of `line`, else None."""
    match = match_article_label(line, languages)
    return (match.label, match.number) if match else None


# --------------------------------------------------------------------------------------------------
# Structural headings
# --------------------------------------------------------------------------------------------------

# Lower rank = larger unit. Ranks only compare headings of one document, so each language's scale only needs
# to be consistent with itself. English follows US usage (Title > Subtitle > Chapter > Subchapter > Part);
# the corpus has US statutes and no UK ones, where Part would be the top unit.
_HEADING_KEYWORDS: dict[str, tuple[tuple[str, int], ...]] = {
    "fr": (
        ("Sous-paragraphe", 8), ("Sous-section", 6), ("Sous-titre", 3), ("Partie", 0), ("Livre", 1),
        ("Titre", 2), ("Chapitre", 4), ("Section", 5), ("Paragraphe", 7), ("Annexes?", 0),
    ),
    "es": (
        ("Parte", 0), ("Libro", 1), ("T[ÍI]tulo", 2), ("Cap[ÍI]tulo", 4), ("Subsecci[ÓO]n", 6),
        ("Secci[ÓO]n", 5), ("Anexos?", 0),
        (r"Disposiciones\s+(?:adicionales|transitorias|derogatorias|finales)", 0),
    ),
    "ru": (("Раздел", 1), ("Подраздел", 2), ("Глава", 4), ("Параграф", 5)),
    "ar": (("القسم", 1), ("الباب", 2), ("الفصل", 4), ("الفرع", 5)),
    "en": (
        ("Division", 0), ("Subtitle", 3), ("Title", 2), ("Subchapter", 5), ("Chapter", 4), ("Subpart", 7),
        ("Part", 6),
    ),
}  # fmt: skip
_CN_HEADING = re.compile(rf"第[{_CN_NUMERAL_CHARS}]+(?P<kw>分编|编|章|节)(?=[\s\u3000]|$)")
_CN_HEADING_RANKS = {"编": 1, "分编": 2, "章": 4, "节": 5}
# French codes subdivide below Paragraphe with lettered headings: "A. - Première classe.", "A. : De la…"
_FR_LETTERED = re.compile(r"[A-Z]\.\s*[-―–:]\s")
# What may follow a heading keyword for a plain (non-Markdown) line to count as a heading: a numbering token.
_HEADING_NUMBER = re.compile(
    r"\s+(?:[IVXLCDM]+\b|\d+|Ier\b|1er\b|premier|première|unique|préliminaire|PRELIMINAR|preliminar"
    r"|législative|réglementaire|LEGISLATIVE|REGLEMENTAIRE"
    rf"|(?:{_ES_WORD})\b|ال[{_AR_LETTERS}]+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HeadingMatch:
    """A structural heading recognised by its keyword."""

    rank: int  # 0 = largest unit (Partie, Division); larger numbers nest deeper
    keyword: str  # the keyword as written


def match_heading(
    text: str, language: str | None = None, require_number: bool = False
) -> HeadingMatch | None:
    """Rank a structural heading by its keyword (编/章/节, Titre, Capítulo, Глава, الفصل, Chapter...)."""
    text = re.sub(r"^#+\s*", "", text.strip()).replace("**", "").strip()
    if language in (None, "zh"):
        cn = _CN_HEADING.match(text)
        if cn:
            return HeadingMatch(_CN_HEADING_RANKS[cn["kw"]], cn["kw"])
    languages = [language] if language in _HEADING_KEYWORDS else list(_HEADING_KEYWORDS)
    for lang in languages:
        for keyword, rank in _HEADING_KEYWORDS[lang]:
            match = re.match(rf"(?P<kw>{keyword})(?=[\s:.]|$)", text, re.IGNORECASE)
            if match is None:
                continue
            # A paragraph starting "Titre de séjour..." is prose; "Titre II" is a heading. Spanish groups of
            # dispositions ("DISPOSICIONES FINALES") carry no number.
            numbered = keyword.startswith("Disposiciones") or _HEADING_NUMBER.match(text[match.end() :])
            if require_number and not numbered:
                continue
            return HeadingMatch(rank, match["kw"])
    if language in (None, "fr") and _FR_LETTERED.match(text):
        return HeadingMatch(8, text[0])
    return None


def heading_rank(text: str, language: str | None = None) -> int | None:
    """The rank of a structural heading (0 = largest unit), or None when its keyword is unknown."""
    match = match_heading(text, language)
    return match.rank if match else None


UNKNOWN_RANK = 100.0  # headings with no known keyword nest below every known one when levels are flat


@dataclass
class _Entry:
    text: str
    rank: float
    level: int | None


@dataclass
class HeadingPath:
    """The chain of headings enclosing the current position.

    Known keywords are ranked by `match_heading`, which works even where Markdown levels are flat (legalize-fr
    puts Titre, Chapitre and Section all at ####). When `levels_reliable` is set, a heading without a known
    keyword takes its place from its Markdown level instead (LawRefBook's "## 附则" closes "## 第二编 分则").
    """

    levels_reliable: bool = False
    _stack: list[_Entry] = field(default_factory=list)

    @property
    def path(self) -> list[str]:
        return [entry.text for entry in self._stack]

    def enter(self, text: str, rank: float | None, level: int | None = None) -> None:
        """Record that a heading starts here; it replaces every heading of the same or lower rank."""
        if rank is None:
            rank = self._rank_for_unknown(level)
        while self._stack and self._stack[-1].rank >= rank:
            self._stack.pop()
        self._stack.append(_Entry(text, rank, level))

    def _rank_for_unknown(self, level: int | None) -> float:
        if not (self.levels_reliable and level is not None):
            return UNKNOWN_RANK
        displaced = [entry for entry in self._stack if entry.level is not None and entry.level >= level]
        if displaced:
            return displaced[0].rank
        return self._stack[-1].rank + 0.5 if self._stack else 0.0


# --------------------------------------------------------------------------------------------------
# Repeal notes
# --------------------------------------------------------------------------------------------------

_REPEAL_WORDS = {
    "abrogé", "abrogée", "abrogés", "abrogées", "abroge", "abrogee",
    "derogado", "derogada", "derogados", "derogadas", "suprimido", "suprimida", "suprimidos", "suprimidas",
    # BOE typos for "suprimido" seen in legalize-es: "(Surpimida)".
    "surpimido", "surpimida", "surpimidos", "surpimidas",
    "sin contenido", "anulado", "anulada", "anulados", "anuladas",
    "утратила силу", "утратил силу", "утратило силу", "утратили силу", "исключена", "исключен", "исключено",
    "删除", "已删除", "ملغاة", "ملغى", "ملغي", "repealed", "omitted",
}  # fmt: skip
_REPEAL_PREFIX = re.compile(
    r"^(?:abrog[ée]e?s?|derogad[oa]s?|suprimid[oa]s?|anulad[oa]s?|sin contenido|утратил[аио]? силу"
    r"|исключен[аоы]?|repealed)"
    r"(?:[\s.,:;\-–—]+(?:par|por|by|en virtud|от|федеральн|согласно|con efectos).*)?$",
    re.IGNORECASE | re.DOTALL,
)
_STRIP_CHARS = " \t\n.,;:()[]{}（）【】「」-–—*_`\"'«»"


def is_repealed(text: str) -> bool:
    """True when a provision's text (or its label line's tail) is only a repeal note: "(Derogado)", "删除"."""
    cleaned = re.sub(r"[*_`]", "", text).strip(_STRIP_CHARS).lower()
    if not cleaned or "\n\n" in cleaned or len(cleaned) > 300:
        return False
    if cleaned in _REPEAL_WORDS:
        return True
    return bool(_REPEAL_PREFIX.match(cleaned))


# --------------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------------

_HTML_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
# Zero-width characters that str.strip() keeps; LawRefBook has a line holding only U+200B before 第一条.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def iter_blocks(lines: Iterable[str]) -> Iterator[str]:
    """Yield paragraphs (stripped lines joined by newlines); a '#' heading line is always a block of its own.

    A lower-case line right under a heading continues it: legalize-fr wraps long headings ("#### Paragraphe
    3 : Des atteintes aux droits des mineurs" / "dans les conflits armés"). Whole-line HTML comments
    (LawRefBook's <!-- TABLE -->, <!-- FORCE BREAK -->) are layout marks and dropped.
    """
    current: list[str] = []
    heading: str | None = None  # held back one line in case the next line continues it
    for raw in lines:
        line = raw.strip().strip(_INVISIBLE)
        if _HTML_COMMENT.match(line):
            continue
        if heading is not None:
            if line and not line.startswith("#") and line[0].islower():
                heading = f"{heading} {line}"
                continue
            yield heading
            heading = None
        if not line or line.startswith("#"):
            if current:
                yield "\n".join(current)
                current = []
            heading = line or None
            continue
        current.append(line)
    if heading is not None:
        yield heading
    if current:
        yield "\n".join(current)


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Join non-empty paragraphs with a blank line between them."""
    return "\n\n".join(p for p in (p.strip() for p in paragraphs) if p)


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace (including the ideographic space) to one ASCII space."""
    return " ".join(text.split())


@dataclass
class ProvisionDraft:
    """A provision while its paragraphs are being collected by a parser."""

    label: str
    number: str
    path: list[str]
    heading: str | None = None
    repealed: bool = False
    paragraphs: list[str] = field(default_factory=list)

    def finish(self, position: int) -> ParsedProvision:
        text = join_paragraphs(self.paragraphs)
        return ParsedProvision(
            label=self.label,
            number=self.number,
            text=text,
            position=position,
            heading=self.heading,
            path=self.path,
            status="repealed" if self.repealed or is_repealed(text) else None,
        )


def read_utf8(path: Path) -> str:
    """The file's text, or a ParseError saying plainly that it is not UTF-8 or cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise ParseError(f"{path.name} cannot be read ({exc.strerror or exc})") from exc
    # A stray NUL is dropped with the other control characters when the text is stored; NULs throughout
    # mean UTF-16 without a byte order mark (its Latin and Cyrillic bytes pass for UTF-8) or binary data.
    if text.count("\x00") > _MAX_NUL_SHARE * len(text):
        raise ParseError(
            f"{path.name} is not UTF-8 text (NUL characters throughout: UTF-16 without a byte order mark, or "
            "binary data)"
        )
    return text


_MAX_NUL_SHARE = 0.01


_XINCLUDE_NS = "{http://www.w3.org/2001/XInclude}"


def refuse_xinclude(root: Any, name: str) -> None:
    """ParseError when the document includes another by XInclude: nothing here follows it (it could name a
    local file or a URL), and a law read without the part it includes would be silently incomplete."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(_XINCLUDE_NS):
            where = str(element.get("href") or "")[:80]
            raise ParseError(f"{name} includes another document by XInclude ({where!r}); XInclude is refused")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def unstorable(value: Any) -> str | None:
    """What in a value read from JSON or YAML no store can keep, in words; None when all of it can be kept.

    JSON's and YAML's escapes make characters no UTF-8 text holds (a lone surrogate "\\ud800") or no store
    accepts (NUL "\\u0000"), and numbers JSON has no syntax for (NaN, Infinity, 1e999), which PostgreSQL
    refuses in a JSON column. Walked without recursion: the nesting depth is the file's choice.
    """
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a NUL character (\\u0000)"
            if _SURROGATE.search(item):
                return "a lone surrogate character (\\ud800-\\udfff)"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"a number JSON cannot hold ({item})"
        elif isinstance(item, dict | list | tuple | set) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item.items() if isinstance(item, dict) else item)
    return None


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: a front matter has no use for them, and "billion laughs" in YAML
    (each anchor a list of ten aliases of the one before) is small on disk but huge once walked."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"found the alias *{event.anchor}; aliases are refused", event.start_mark
            )
        return super().compose_node(parent, index)


def load_yaml(text: str, name: str) -> Any:
    """The value of a YAML front matter or sidecar; ParseError naming the problem for text YAML cannot load,
    an alias, nesting too deep, an impossible date (2020-02-30) or a value no store can keep."""
    try:
        value = yaml.load(text, Loader=_FrontMatterLoader)  # noqa: S506 - a safe loader, aliases refused
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" near line {where.line + 2}" if where is not None else ""
        problem = getattr(exc, "problem", None)
        reason = f": {problem}" if isinstance(problem, str) and "alias" in problem else ""
        raise ParseError(f"{name} is not valid YAML{line}{reason}") from exc
    except ValueError as exc:  # a timestamp YAML resolves but datetime refuses: 2020-02-30, 0000-00-00
        raise ParseError(f"{name} is not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise ParseError(f"{name} is not valid YAML: nested too deeply") from exc
    problem = unstorable(value)
    if problem:
        raise ParseError(f"{name} holds {problem}")
    return value


def front_matter_head(path: Path, head: str) -> str | None:
    """The raw YAML front-matter block of a .md file's first bytes (for detect); None if it has none."""
    if path.suffix.lower() != ".md":
        return None
    text = head.lstrip("\ufeff")
    if not text.startswith("---"):
        return None
    return text[3:].split("\n---", 1)[0]


def split_front_matter(
    text: str, name: str, required: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[str]]:
    """The YAML front matter as a dict and the Markdown lines after it; ParseError when it is missing,
    malformed, or lacks one of the `required` keys."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ParseError(f"{name} does not start with YAML front matter ('---')")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise ParseError(f"{name}: the front matter is never closed by a '---' line")
    meta = load_yaml("\n".join(lines[1:end]), f"{name}: the front matter")
    if not isinstance(meta, dict):
        raise ParseError(f"{name}: the front matter is not a set of 'key: value' lines")
    missing = [key for key in required if not meta.get(key)]
    if missing:
        raise ParseError(f"{name}: the front matter lacks {' and '.join(missing)}")
    return meta, lines[end + 1 :]
