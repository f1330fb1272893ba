"""Split a law's plain text into provisions by article labels and structural headings, in many languages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from sherloc.ingest.sources.legalize import mark_repeated_numbers
from sherloc.ingest.structure import (
    ArticleMatch,
    ArticlePattern,
    HeadingMatch,
    HeadingPath,
    ProvisionDraft,
    clean_label_line,
    collapse_spaces,
    is_repealed,
    join_paragraphs,
    match_article_label,
    match_heading,
    match_patterns,
)
from sherloc.ingest.types import ParsedProvision
from sherloc.numerals import CN_NUMERAL_CHARS, DIGIT_FOLD, chinese_to_int

# The languages sherloc.ingest.structure recognises; the others below are recognised here only.
CORE_LANGUAGES = ("zh", "fr", "es", "ru", "en", "ar")
# A weak article start (one that could be a cross-reference) must follow the previous article within this.
MAX_GAP = 25
_MAX_HEADING_CHARS = 200
_MAX_TITLE_CHARS = 150
_MAX_OWN_HEADING_CHARS = 250
_MAX_SENTENCE_HEADING_WORDS = 12

# --------------------------------------------------------------------------------------------------
# Article labels of the languages structure.py does not know
# --------------------------------------------------------------------------------------------------

_LATIN_SUFFIXES = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies")
_LATIN = "|".join(_LATIN_SUFFIXES)
_CN = CN_NUMERAL_CHARS


def _joined(separator: str, lower: bool = False) -> Callable[[re.Match[str]], str]:
    """Number = digits, then the suffix group (if any) after `separator`: "5 bis", "121-A", "261a"."""

    def number(match: re.Match[str]) -> str:
        digits = match["num"].translate(DIGIT_FOLD)
        suffix = match.groupdict().get("suf")
        if not suffix:
            return digits
        return f"{digits}{separator}{suffix.lower() if lower else suffix}"

    return number


def _ja_number(match: re.Match[str]) -> str:
    parts = [match["num"], *re.findall(rf"の([{_CN}]+)", match["subs"] or "")]
    return "-".join(str(chinese_to_int(part)) for part in parts)


_EXTRA_LABELS: tuple[ArticlePattern, ...] = (
    ArticlePattern(
        "it",
        re.compile(
            rf"(?P<label>(?:Articolo|ARTICOLO|Art\.)\s*(?P<num>\d+)(?:[-\s]?(?P<suf>{_LATIN}))?(?![\w-])\.?)"
        ),
        _joined(" ", lower=True),
    ),
    ArticlePattern(
        "pt",
        re.compile(
            r"(?P<label>(?:Artigo|ARTIGO|Art\.)\s*(?P<num>\d+)(?:\s?\.?\s?[º°ª])?(?:-(?P<suf>[A-Z]))?(?![\w-])\.?)"
        ),
        _joined("-"),
    ),
    ArticlePattern(
        "de",
        re.compile(r"(?P<label>(?:Artikel|ARTIKEL|Art\.|§)\s*(?P<num>\d+)(?P<suf>[a-z])?(?![\w-])\.?)"),
        _joined(""),
    ),
    ArticlePattern(
        "nl",
        re.compile(
            r"(?P<label>(?:Artikel|ARTIKEL|Art\.)\s*(?P<num>\d+(?::\d+)?)(?P<suf>[a-z])?(?![\w-])\.?)"
        ),
        _joined(""),
    ),
    ArticlePattern(
        "pl", re.compile(r"(?P<label>Art\.\s*(?P<num>\d+)(?P<suf>[a-z]{1,2})?(?![\w-])\.?)"), _joined("")
    ),
    ArticlePattern(
        "tr",
        re.compile(r"(?P<label>(?:Madde|MADDE)\s+(?P<num>\d+)(?:/(?P<suf>[A-Z]))?(?![\w/-]))"),
        _joined("/"),
    ),
    ArticlePattern(
        "id", re.compile(r"(?P<label>(?:Pasal|PASAL)\s+(?P<num>\d+)(?P<suf>[A-Z])?(?![\w-]))"), _joined("")
    ),
    ArticlePattern(
        "vi", re.compile(r"(?P<label>(?:Điều|ĐIỀU)\s+(?P<num>\d+[a-z]?)(?![\w-])\.?)"), _joined("")
    ),
    ArticlePattern(
        "ko", re.compile(r"(?P<label>제\s*(?P<num>\d+)\s*조(?:의\s*(?P<suf>\d+))?)(?=[\s(]|$)"), _joined("-")
    ),
    ArticlePattern(
        "ja",
        re.compile(rf"(?P<label>第(?P<num>[{_CN}]+)条(?P<subs>(?:の[{_CN}]+)*))(?=[\s\u3000]|$)"),
        _ja_number,
    ),
    ArticlePattern(
        "uk",
        re.compile(r"(?P<label>(?:Стаття|СТАТТЯ)\s+(?P<num>\d+(?:[-.]\d+)*)(?![\w-])\.?)"),
        _joined(""),
    ),
)
EXTRA_LANGUAGES = tuple(dict.fromkeys(pattern.language for pattern in _EXTRA_LABELS))
LANGUAGES = CORE_LANGUAGES + EXTRA_LANGUAGES


def match_label(line: str, languages: Iterable[str] | None = None) -> ArticleMatch | None:
    """An article label at the start of `line` in one of `languages` (None: any language known here)."""
    wanted = None if languages is None else tuple(languages)
    core = [lang for lang in wanted if lang in CORE_LANGUAGES] if wanted is not None else None
    if core is None or core:
        found = match_article_label(line, core)
        if found is not None:
            return found
    return match_patterns(clean_label_line(line), _EXTRA_LABELS, wanted)


# --------------------------------------------------------------------------------------------------
# Structural headings of the languages structure.py does not know
# --------------------------------------------------------------------------------------------------

_EXTRA_HEADINGS: dict[str, tuple[tuple[str, int], ...]] = {
    "it": (("Parte", 0), ("Libro", 1), ("Titolo", 2), ("Capitolo", 4), ("Capo", 4), ("Sezione", 5)),
    "pt": (
        ("Parte", 0), ("Livro", 1), ("T[íi]tulo", 2), ("Cap[íi]tulo", 4), ("Subsec?[çc][ãa]o", 6),
        ("Sec?[çc][ãa]o", 5),
    ),
    "de": (
        ("Teil", 0), ("Buch", 1), ("Kapitel", 2), ("Unterabschnitt", 4), ("Abschnitt", 3), ("Untertitel", 6),
        ("Titel", 5),
    ),
    "nl": (("Boek", 1), ("Titel", 2), ("Hoofdstuk", 4), ("Afdeling", 5), ("Paragraaf", 6)),
    "pl": (("Część", 0), ("Księga", 1), ("Tytuł", 2), ("Dział", 3), ("Rozdział", 4), ("Oddział", 5)),
    "tr": (("Kitap", 1), ("Kısım", 2), ("Bölüm", 4)),
    "id": (("Buku", 1), ("Bab", 4), ("Bagian", 5), ("Paragraf", 6)),
    "vi": (("Phần", 0), ("Chương", 4), ("Tiểu mục", 6), ("Mục", 5)),
    "uk": (("Книга", 1), ("Розділ", 2), ("Підрозділ", 3), ("Глава", 4), ("Параграф", 5)),
}  # fmt: skip
# German and Turkish put the ordinal first: "Erster Abschnitt", "BİRİNCİ KISIM".
_ORDINAL_FIRST: dict[str, str] = {
    "de": "Erster|Zweiter|Dritter|Vierter|Fünfter|Sechster|Siebter|Siebenter|Achter|Neunter|Zehnter|Elfter"
    "|Zwölfter|[A-ZÄÖÜ][a-zäöü]+zehnter|[A-ZÄÖÜ][a-zäöüß]+zigster|Allgemeiner|Besonderer",
    "tr": "Birinci|İkinci|Üçüncü|Dördüncü|Beşinci|Altıncı|Yedinci|Sekizinci|Dokuzuncu|Onuncu"
    "|BİRİNCİ|İKİNCİ|ÜÇÜNCÜ|DÖRDÜNCÜ|BEŞİNCİ|ALTINCI|YEDİNCİ|SEKİZİNCİ|DOKUZUNCU|ONUNCU",
}
_CJK_HEADINGS: dict[str, tuple[re.Pattern[str], dict[str, int]]] = {
    "ja": (
        re.compile(rf"第[{_CN}]+(?P<kw>編|章|節|款)(?=[\s\u3000]|$)"),
        {"編": 1, "章": 4, "節": 5, "款": 6},
    ),
    "ko": (re.compile(r"제\s*\d+\s*(?P<kw>편|장|절|관)(?=[\s(]|$)"), {"편": 1, "장": 4, "절": 5, "관": 6}),
}
# A plain line counts as a heading only with a numbering token after its keyword ("Capo I", "TITOLO PRIMO").
_EXTRA_NUMBER = re.compile(
    r"\s+(?:[IVXLCDM]+\b|\d+|[A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩА-Я]{3,}|(?i:prim|second|terz|quart|quint|sest|settim|ottav"
    r"|decim|unic|únic|preliminar|primeir|segund|terceir|einleitend)\w*)"
)


def _match_extra_heading(text: str, language: str, require_number: bool) -> HeadingMatch | None:
    if language in _CJK_HEADINGS:
        regex, ranks = _CJK_HEADINGS[language]
        found = regex.match(text)
        return HeadingMatch(ranks[found["kw"]], found["kw"]) if found else None
    keywords = _EXTRA_HEADINGS.get(language, ())
    ordinals = _ORDINAL_FIRST.get(language)
    for keyword, rank in keywords:
        if ordinals:
            before = re.match(rf"(?:{ordinals})\s+(?P<kw>{keyword})\b", text, re.IGNORECASE)
            if before:
                return HeadingMatch(rank, before["kw"])
        match = re.match(rf"(?P<kw>{keyword})(?=[\s:.]|$)", text, re.IGNORECASE)
        if match is None:
            continue
        if require_number and not _EXTRA_NUMBER.match(text[match.end() :]):
            continue
        return HeadingMatch(rank, match["kw"])
    return None


def match_structure(
    text: str, language: str | None = None, require_number: bool = False
) -> HeadingMatch | None:
    """A Book/Part/Title/Chapter/Section heading in `language` (None: any language known here)."""
    text = clean_label_line(text)
    if language is None or language in CORE_LANGUAGES:
        found = match_heading(text, language, require_number)
        if found is not None or language is not None:
            return found
    for lang in [language] if language else EXTRA_LANGUAGES:
        found = _match_extra_heading(text, lang, require_number)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------------------------------
# Is a label the start of an article, or a cross-reference?
# --------------------------------------------------------------------------------------------------

# Words that continue a sentence after "المادة (5)": of, in, on, from, to, or, mentioned, above, next...
_AR_REFERENCE_WORDS = frozenset(
    {"من", "في", "على", "عن", "إلى", "الى", "أو", "او", "و", "المشار", "المذكورة", "المذكور", "السابقة",
     "السابق", "أعلاه", "اعلاه", "التالية", "وفق", "وفقا", "وفقاً", "بعد", "لسنة"}
)  # fmt: skip
_PARAGRAPH_NUMBER = re.compile(r"\(?[0-9٠-٩]+\)?[.,]?")
_SEPARATORS = ".:-–—"
_STRONG_LABEL_ENDINGS = (".", "º", "°", "ª", ":")
# A line ending so ends a sentence, so the next line may start an article even inside a paragraph.
_TERMINAL = tuple('.:;!?。；：！？)）»”"')


def reads_as_reference(following: str) -> bool:
    """True when the words after a label continue a sentence ("Article 5 of this Law", "المادة 5 من")."""
    stripped = following.strip()
    if not stripped:
        return False
    if following[0].isdigit() or following[0].islower() or stripped[0] in ",;،؛":
        return True  # "Artículo 5.2 de la Ley", "Article 5, paragraph 2"
    for token in stripped.split()[:3]:
        if _PARAGRAPH_NUMBER.fullmatch(token):
            continue  # "Article 5 (1) of the Regulation": look past the paragraph number
        word = token.strip("(«\"'“‘[")
        if not word:
            continue
        if word in _AR_REFERENCE_WORDS:
            return True
        return word[0].islower() and not is_repealed(stripped)
    return False


def _following(line: str, match: ArticleMatch) -> str:
    """The raw characters after the label on its line (the label's own text, separators included)."""
    text = clean_label_line(line)
    return text[len(match.label) :] if text.startswith(match.label) else f" {match.rest}"


def _is_strong(match: ArticleMatch, following: str, marked: bool) -> bool:
    """A label that cannot be read as a cross-reference: alone, on a heading, or set off by punctuation.

    "第一条　为了…" counts too: Chinese, Japanese and Korean text never puts a space after a reference.
    """
    rest = following.strip()
    return (
        marked
        or not rest
        or match.label.endswith(_STRONG_LABEL_ENDINGS)
        or rest[0] in _SEPARATORS
        or is_repealed(rest)
        or bool(_CJK_LABEL.match(match.label) and following[:1].isspace())
    )


def _heading_reads_as_reference(text: str) -> bool:
    """True for references: "Глава 5 настоящего Кодекса", "Chapter 5 of the Act", "Title 18, U.S. Code"."""
    words = clean_label_line(text).split()
    if len(words) < 2:
        return False
    if words[1].endswith((",", ";", "،")):
        return True
    return len(words) > 2 and reads_as_reference(" " + " ".join(words[2:]))


def starts_unit(line: str) -> bool:
    """True when `line` looks like an article label or a numbered structural heading in any language.

    Format parsers use it to keep such a line at the start of a paragraph when they rejoin wrapped lines.
    """
    match = match_label(line)
    if match is not None and not match.label[0].islower() and not reads_as_reference(_following(line, match)):
        return True
    text = clean_label_line(line)
    return (
        len(text) <= _MAX_HEADING_CHARS
        and match_structure(text, None, require_number=True) is not None
        and not _heading_reads_as_reference(text)
    )


# --------------------------------------------------------------------------------------------------
# Lines of the text
# --------------------------------------------------------------------------------------------------


# Zero-width characters that str.strip() keeps; LawRefBook has lines holding only U+200B.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


@dataclass
class _Line:
    text: str  # without '#' marks
    level: int  # '#' level of a heading the format declared (Markdown, <h2>, Heading 2); 0 for text
    first: bool  # first line of its paragraph


def _read_lines(text: str) -> list[_Line]:
    """Lines of non-blank paragraphs; a '#' heading line is a paragraph of its own."""
    lines: list[_Line] = []
    first = True
    after_heading = False
    for raw in text.splitlines():
        line = raw.strip().strip(_INVISIBLE)
        if not line:
            first, after_heading = True, False
            continue
        # Closing '#'s stripped in code: "(.*?)\s*#*$" backtracks cubically over a long run of spaces.
        heading = re.match(r"(#{1,6})\s+(.*)$", line)
        if heading:
            title = collapse_spaces(heading[2].rstrip("#").rstrip().replace("**", ""))
            if title:
                lines.append(_Line(title, len(heading[1]), True))
            first, after_heading = True, bool(title)
            continue
        if after_heading and line[0].islower():
            # A long heading wrapped onto the next line ("#### Section 3 : Haute Autorité…" / "et la…").
            lines[-1].text = f"{lines[-1].text} {line}"
            continue
        lines.append(_Line(line, 0, first))
        first = after_heading = False
    return lines


@dataclass(frozen=True)
class _Candidate:
    index: int
    match: ArticleMatch
    following: str  # the raw text after the label on its line
    first: bool  # at the start of a paragraph
    strong: bool  # cannot be a cross-reference: kept whatever its number


def _candidate(index: int, line: _Line, languages: Sequence[str]) -> _Candidate | None:
    match = match_label(line.text, languages)
    if match is None or match.label[0].islower():
        return None  # "artículo 34." opening a wrapped line is a reference; labels are written capitalised
    following = _following(line.text, match)
    if not line.level and reads_as_reference(following):
        return None  # a declared heading is never a reference: "### Disposición adicional primera a cuarta."
    # Inside a paragraph no label is unmistakable: a wrapped line may begin with a cross-reference.
    strong = line.level > 0 or (line.first and _is_strong(match, following, False))
    return _Candidate(index, match, following, line.first or line.level > 0, strong)


def _plain_heading(line: _Line, language: str | None) -> HeadingMatch | None:
    """A numbered heading on an unmarked line ("ГЛАВА 22. …", "CAPÍTULO I"), not text that names one."""
    text = line.text
    if line.level or len(text) > _MAX_HEADING_CHARS or text.endswith(_CONTINUING):
        return None  # "I. – Les personnes physiques … encourent les peines suivantes :" introduces a list
    if _heading_reads_as_reference(text):
        return None
    return match_structure(text, language, require_number=True)


def _line_starts(lines: list[_Line], language: str | None) -> list[bool]:
    """Which lines may start an article or heading: a paragraph's first line, or one after a full stop."""
    starts: list[bool] = []
    for index, line in enumerate(lines):
        if line.first or line.level:
            starts.append(True)
            continue
        previous = lines[index - 1]
        after_unit = starts[-1] and (
            match_label(previous.text) is not None or _plain_heading(previous, language) is not None
        )
        starts.append(previous.text.endswith(_TERMINAL) or after_unit)
    return starts


def _choose_languages(lines: list[_Line], starts: list[bool], language: str | None) -> tuple[str, ...]:
    """The declared language if its labels occur; else the languages whose labels and headings match most."""
    declared = (language or "").lower().replace("_", "-").split("-")[0] or None
    maybe = [line for line, start in zip(lines, starts, strict=True) if start and len(line.text) < 400]
    labelled = [line for line in maybe if match_label(line.text) is not None]
    if declared in LANGUAGES and any(_candidate(0, line, (declared,)) for line in labelled):
        return (declared,)
    short = [line for line in maybe if len(line.text) <= _MAX_HEADING_CHARS]
    scores: dict[str, int] = {}
    for lang in LANGUAGES:
        articles = sum(1 for line in labelled if _candidate(0, line, (lang,)))
        if articles:
            headings = sum(1 for line in short if match_structure(line.text, lang, require_number=True))
            scores[lang] = articles + headings
    if not scores:
        return (declared,) if declared in LANGUAGES else LANGUAGES
    best = max(scores.values())
    return tuple(lang for lang, score in scores.items() if score == best)


# --------------------------------------------------------------------------------------------------
# Choosing the article starts: numbering should mostly increase
# --------------------------------------------------------------------------------------------------


def number_key(number: str) -> tuple[str, tuple[int, ...]] | None:
    """(series, sort key) of a provision number: "L324-1" -> ("L", (324, 1)), "5 bis" -> ("", (5, 0, 1))."""
    folded = number.translate(DIGIT_FOLD)
    match = re.match(r"(?P<series>\D*?)(?P<ints>\d+(?:[-.:/]\d+)*)(?P<tail>.*)", folded)
    if match is None:
        return None
    ints = tuple(int(part) for part in re.findall(r"\d+", match["ints"]))
    tail = match["tail"]
    words = tail.strip(" -/").lower().split()
    rank = 0
    if words and words[0] in _LATIN_SUFFIXES:
        rank = _LATIN_SUFFIXES.index(words[0]) + 1
    elif re.fullmatch(r"[a-zA-Z]|[-/][A-Z]", tail):  # "261a", "121-A", "5/A"
        rank = ord(tail[-1].lower()) - ord("a") + 1
    return match["series"].strip(), ints + ((0, rank) if rank else ())


@dataclass
class _Start:
    match: ArticleMatch
    number: str
    following: str
    printed_number: str | None = None  # set when the number was read as a lost superscript ("1741")


def _superscript_base(number: str, previous: int | None, numbers: Sequence[str], after: int) -> int | None:
    """The article a lost superscript belongs to: "1741" between 174 and 175 is 174¹, "3891" after 353 and
    before 390 is 389¹ (pravo.gov.ru text, where 354-389 were repealed); None when `number` reads as itself.
    `numbers[after:]` are the labels that follow.
    """
    if previous is None or not number.isdigit() or int(number) <= previous + MAX_GAP:
        return None
    for extra in (1, 2):
        base, tail = number[:-extra], number[-extra:]
        # Below 10 a "superscript" is too easily a plain number: Article 43 after Article 1 (2-42 repealed).
        if len(base) < 2 or tail.startswith("0") or not previous <= int(base) <= previous + 10 * MAX_GAP:
            continue
        later = islice(numbers, after, None)
        following = next((n for n in later if n.isdigit() and not n.startswith(base)), None)
        if following is None or _comes_soon_after(following, int(base)):
            return int(base)
    return None


def _comes_soon_after(number: str, base: int) -> bool:
    """`number`, or the article it is a lost superscript of ("4121" -> 412), follows `base` within the gap."""
    readings = [number] + [number[:-extra] for extra in (1, 2) if len(number) - extra >= 2]
    return any(base < int(reading) <= base + MAX_GAP for reading in readings)


def _select(candidates: list[_Candidate]) -> dict[int, _Start]:
    """Keep strong labels; keep a weak one only where it continues the numbering (prev < n <= prev + gap)."""
    starts: dict[int, _Start] = {}
    last: dict[str, tuple[int, ...]] = {}
    numbers = [candidate.match.number for candidate in candidates]
    for position, candidate in enumerate(candidates):
        start = _Start(candidate.match, candidate.match.number, candidate.following)
        key = number_key(start.number)
        if key is not None and key[0] in last:
            base = _superscript_base(start.number, last[key[0]][0], numbers, position + 1)
            if base is not None:
                start.printed_number = start.number
                start.number = f"{base}.{start.number[len(str(base)) :]}"
                key = number_key(start.number)
        if not candidate.strong and not _continues(key, last, candidate.first):
            continue
        starts[candidate.index] = start
        if key is not None:
            last[key[0]] = key[1]
    return starts


def _continues(
    key: tuple[str, tuple[int, ...]] | None, last: dict[str, tuple[int, ...]], first: bool
) -> bool:
    """A weak label's number follows the last article of its series closely (prev < n <= prev + gap)."""
    if key is None:
        return False
    series, value = key
    previous = last.get(series)
    if previous is None:
        return first  # the first article may carry any number (an excerpt), at the start of a paragraph
    return previous < value and value[0] <= previous[0] + MAX_GAP


_MIN_CONTENTS_RUN = 3


def _table_of_contents(starts: dict[int, _Start], lines: list[_Line], headings: set[int]) -> set[int]:
    """Runs of label lines with no text of their own whose numbers come again later: a table of contents.

    A single empty article whose number recurs is kept: legalize-fr repeats articles in several wordings.
    """
    order = sorted(starts)
    empty = [index + 1 >= len(lines) or index + 1 in starts or index + 1 in headings for index in order]
    toc: set[int] = set()
    run: list[int] = []
    for position, index in enumerate(order):
        number = starts[index].number
        recurs = any(starts[later].number == number for later in order[position + 1 :])
        if empty[position] and recurs:
            run.append(index)
            continue
        if len(run) >= _MIN_CONTENTS_RUN:
            toc.update(run)
        run = []
    if len(run) >= _MIN_CONTENTS_RUN:
        toc.update(run)
    return toc


# --------------------------------------------------------------------------------------------------
# The provision's own heading
# --------------------------------------------------------------------------------------------------


def _own_heading(start: _Start, line: _Line, has_body: bool) -> str | None:
    """The text after a label is the article's heading when it reads as a title and text follows it.

    "Статья 174. Легализация (отмывание)…", "Artículo 1. Objeto.", "SEC. 2. DEFINITIONS." have headings;
    "第一条 为了…" and "المادة الأولى: يقصد…" start their text on the label line.
    """
    rest = start.match.rest
    if not rest or not has_body or is_repealed(rest):
        return None
    if _CJK_LABEL.match(start.match.label):
        # 第一条 and 제1조 put text on the label line; a heading there is bracketed: "제1조(목적)".
        bracketed = re.fullmatch(r"[(（【\[](.+?)[)）】\]]", rest)
        return bracketed[1] if bracketed else None
    if start.following.lstrip().startswith(":"):
        return None
    if line.level:
        return rest  # "##### Artículo 1. Objeto.": the format says the whole line is a heading
    if len(rest) > _MAX_OWN_HEADING_CHARS or rest.endswith(_CONTINUING):
        return None
    if not rest.endswith((".", "!", "?")):
        return rest
    # A title ending in a full stop is one short sentence ("Objeto.", "Blanqueo de capitales.").
    single = re.search(r"[.!?]\s+\S", rest) is None
    return rest if single and len(rest.split()) <= _MAX_SENTENCE_HEADING_WORDS else None


_CJK_LABEL = re.compile(r"[第제]")
# "第一章 总则" is a numbered heading with its title, not a bare "CAPÍTULO I" awaiting one (\w matches Han).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CONTINUING = (":", ";", ",", "،", "؛", "：", "；", "，", "、", "-")  # text goes on after such an ending
_REPEAL_SUBJECT = re.compile(
    r"^\W*(?:статья|статьи|часть|пункт|article|artículo|articolo|artigo|section)\s+", re.IGNORECASE
)


def _is_repeal_note(text: str) -> bool:
    """is_repealed, also for notes naming their subject: "(Статья утратила силу - Федеральный закон …)"."""
    return is_repealed(text) or is_repealed(_REPEAL_SUBJECT.sub("", text.strip()))


# --------------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------------

_BARE_HEADING = re.compile(r"\S+\s+[\w.ºª°]+\.?")
_DISPOSITION = re.compile(r"D[ATDF]\b")  # spanish_disposition_number's "DA 1", "DT 2", "DD única", "DF"
_DISPOSITION_GROUP = re.compile(r"disposici(?:ones|ón)\s", re.IGNORECASE)


class _Assembler:
    """Walks the lines once, filling provisions, the heading path and the text outside provisions."""

    def __init__(self, lines: list[_Line], language: str | None) -> None:
        self.lines = lines
        self.language = language
        self.headings = HeadingPath()
        self.level_ranks: dict[int, float] = {}  # '#' level -> rank, learnt from headings with keywords
        self.drafts: list[ProvisionDraft] = []
        self.printed: dict[int, str] = {}  # draft position -> number as printed, for lost superscripts
        self.outside: list[str] = []
        self.current: ProvisionDraft | None = None
        self.current_level = 0
        self.pending: str | None = None  # a heading written to the outside text only if text follows it
        self.paragraph: list[str] = []

    def run(
        self, starts: dict[int, _Start], headings: dict[int, HeadingMatch], toc: set[int]
    ) -> tuple[str, list[ParsedProvision]]:
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            if line.first:
                self._flush()
            if index in toc:
                self._close()
                self._outside(line.text)
            elif index in starts:
                self._start(starts[index], index, index + 1 not in starts and index + 1 not in headings)
            elif index in headings:
                index += self._heading(index, headings[index], starts, headings) - 1
            elif line.level:
                self._unknown_heading(line)
            else:
                self.paragraph.append(line.text)
            index += 1
        self._flush()
        return join_paragraphs(self.outside), self._finish()

    def _finish(self) -> list[ParsedProvision]:
        provisions = [draft.finish(position) for position, draft in enumerate(self.drafts)]
        for provision in provisions:
            if provision.status is None and _is_repeal_note(provision.text):
                provision.status = "repealed"
            if provision.position in self.printed:
                provision.attributes["printed_number"] = self.printed[provision.position]
        mark_repeated_numbers(provisions)
        return provisions

    def _start(self, start: _Start, index: int, has_body: bool) -> None:
        self._flush()
        line = self.lines[index]
        rest = start.match.rest
        heading = _own_heading(start, line, has_body or self._block_continues(index))
        repealed = bool(rest) and is_repealed(rest)
        grouped = any(_DISPOSITION_GROUP.match(heading) for heading in self.headings.path)
        if _DISPOSITION.match(start.number) and not grouped:
            self.headings = HeadingPath()  # Spanish dispositions follow the articles, outside their TÍTULO
        self.current = ProvisionDraft(start.match.label, start.number, self.headings.path, heading, repealed)
        self.current_level = line.level
        if start.printed_number:
            self.printed[len(self.drafts)] = start.printed_number
        self.drafts.append(self.current)
        self.pending = None
        if rest and heading is None and not repealed:
            self.paragraph.append(rest)

    def _block_continues(self, index: int) -> bool:
        return index + 1 < len(self.lines) and not self.lines[index + 1].first

    def _heading(
        self, index: int, match: HeadingMatch, starts: dict[int, _Start], headings: dict[int, HeadingMatch]
    ) -> int:
        """Enter a structural heading; returns the lines used (2 when the next line is its title)."""
        self._flush()
        self._close()
        line = self.lines[index]
        text, used = line.text, 1
        following = index + 1
        if (
            _BARE_HEADING.fullmatch(text)
            and not _CJK.search(text)
            and following < len(self.lines)
            and following not in starts
            and following not in headings
            and self._is_title_line(following)
        ):
            text, used = f"{text.rstrip('.')}. {self.lines[following].text}", 2
        self.headings.enter(text, match.rank, line.level or None)
        if line.level:
            self.level_ranks.setdefault(line.level, match.rank)
        self.pending = text
        return used

    def _is_title_line(self, index: int) -> bool:
        line = self.lines[index]
        alone = line.first and (index + 1 >= len(self.lines) or self.lines[index + 1].first)
        text = line.text
        return (
            alone
            and not line.level
            and len(text) <= _MAX_TITLE_CHARS
            and not text[0].islower()
            and not text.endswith((",", ";", ":", "،", "؛"))
            and match_label(text) is None
        )

    def _unknown_heading(self, line: _Line) -> None:
        """A declared heading without a keyword: article text below the article's level, else structure."""
        self._flush()
        if self.current is not None and self.current_level and line.level > self.current_level:
            self.current.paragraphs.append(line.text)
            return
        self._close()
        if line.level in self.level_ranks:  # "## 附则" next to "## 第一章 总则"
            self.headings.enter(line.text, self.level_ranks[line.level], line.level)
            self.pending = line.text
            return
        self._outside(line.text)

    def _close(self) -> None:
        self._flush()
        self.current = None
        self.current_level = 0

    def _flush(self) -> None:
        if not self.paragraph:
            return
        text = "\n".join(self.paragraph)
        self.paragraph = []
        if self.current is not None:
            self.current.paragraphs.append(text)
        else:
            self._outside(text)

    def _outside(self, text: str) -> None:
        if self.pending:
            self.outside.append(self.pending)
            self.pending = None
        self.outside.append(text)


def split_law(text: str, language: str | None) -> tuple[str, list[ParsedProvision]]:
    """(text outside provisions, provisions) of a law's normalised plain text.

    `text` holds paragraphs separated by blank lines; a heading the format declared (Markdown '#', <h2>, a
    "Heading 2" style) is a line of its own starting with '#' marks. An article starts only at the start of
    a paragraph or of a line after a full stop, where its label is not followed by words that continue a
    sentence ("Article 5 of this Law", "conforme al artículo 301"); a label that could still be a
    cross-reference (text follows it on the line with no separator, or it stands inside a paragraph) counts
    only when its number continues the numbering. `language` None tries every language known here and keeps
    the one whose labels and headings match most lines.
    """
    lines = _read_lines(text)
    probe = _line_starts(lines, None)
    languages = _choose_languages(lines, probe, language)
    # Japanese labels without の read exactly like Chinese ones; their headings are known to the zh rules too.
    heading_language = languages[0] if len(languages) == 1 or set(languages) == {"zh", "ja"} else None
    at_start = _line_starts(lines, heading_language)
    labelled = (_candidate(index, line, languages) for index, line in enumerate(lines) if at_start[index])
    candidates = [candidate for candidate in labelled if candidate is not None]
    if any(lines[candidate.index].level for candidate in candidates):
        # Where the format marks articles as headings, an unmarked label is quoted text (an amending law's).
        candidates = [candidate for candidate in candidates if lines[candidate.index].level]
    starts = _select(candidates)
    headings = {
        index: found
        for index, line in enumerate(lines)
        if index not in starts and at_start[index] and (found := _heading_at(line, heading_language))
    }
    if any(lines[index].level for index in headings):
        # Where the format marks its headings, an unmarked line is one only in capitals ("LIBRO II" in BOE).
        headings = {
            index: found for index, found in headings.items() if lines[index].level or _capitals(lines[index])
        }
    toc = _table_of_contents(starts, lines, set(headings))
    for index in toc:
        starts.pop(index)
    return _Assembler(lines, heading_language).run(starts, headings, toc)


def _capitals(line: _Line) -> bool:
    return line.text.isupper()


def _heading_at(line: _Line, language: str | None) -> HeadingMatch | None:
    if line.level:
        return match_structure(line.text, language)
    return _plain_heading(line, language)
