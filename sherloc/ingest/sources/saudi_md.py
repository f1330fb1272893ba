"""Parser for the saudi-laws-md Markdown (YAML front matter, then one Saudi law, regulation or decision)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hijridate import Hijri

from sherloc.ingest import structure
from sherloc.ingest.sources.legalize import json_safe, mark_repeated_numbers
from sherloc.ingest.structure import (
    HeadingPath,
    ProvisionDraft,
    collapse_spaces,
    iter_blocks,
    join_paragraphs,
    read_utf8,
)
from sherloc.ingest.types import ParsedProvision, ParsedRecord

SITES = ("nezams", "qanoonsa")  # the two sites the repository scraped; every file names one as `source`

# --------------------------------------------------------------------------------------------------
# Arabic numerals
# --------------------------------------------------------------------------------------------------

# Harakat, tanween, tatweel and the invisible marks (ZWNJ ... RLM) the scraped texts carry.
_MARKS = re.compile("[\u064b-\u0652\u0670\u0640\u200b-\u200f\u061c\ufeff]")
# Spelling variants folded away before lookup: hamza seats, alif maqsura, ta marbuta.
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_PUNCTUATION = " :.,،؛-–—()[]«»\"'"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

_UNIT_STEMS = {
    "اول": 1, "اولي": 1, "حادي": 1, "حاديه": 1, "ثاني": 2, "ثانيه": 2, "ثالث": 3, "ثالثه": 3,
    "رابع": 4, "رابعه": 4, "خامس": 5, "خامسه": 5, "سادس": 6, "سادسه": 6, "سابع": 7, "سابعه": 7,
    "ثامن": 8, "ثامنه": 8, "تاسع": 9, "تاسعه": 9, "عاشر": 10, "عاشره": 10,
}  # fmt: skip
_TEN_STEMS = {
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "اربعون": 40, "اربعين": 40, "خمسون": 50,
    "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70, "ثمانون": 80, "ثمانين": 80,
    "تسعون": 90, "تسعين": 90,
}  # fmt: skip
_HUNDRED_STEMS = {
    "مائه": 100, "مئه": 100, "مائتان": 200, "مائتين": 200, "مئتان": 200, "مئتين": 200,
    "ثلاثمائه": 300, "ثلاثمئه": 300, "اربعمائه": 400, "اربعمئه": 400, "خمسمائه": 500, "خمسمئه": 500,
    "ستمائه": 600, "ستمئه": 600, "سبعمائه": 700, "سبعمئه": 700, "ثمانمائه": 800, "ثمانمئه": 800,
    "ثمانيمائه": 800, "تسعمائه": 900, "تسعمئه": 900,
}  # fmt: skip
# Hundreds written in two words: "الثلاث مائة".
_HUNDRED_MULTIPLIERS = {"ثلاث": 3, "اربع": 4, "خمس": 5, "ست": 6, "سبع": 7, "ثمان": 8, "تسع": 9}
# Adverbial ordinals number the clauses of decisions and some articles: "أولاً", "ثانياً" ... "عاشراً".
_ADVERBS = {
    "اولا": 1, "ثانيا": 2, "ثالثا": 3, "رابعا": 4, "خامسا": 5, "سادسا": 6, "سابعا": 7, "ثامنا": 8,
    "تاسعا": 9, "عاشرا": 10,
}  # fmt: skip
_TEEN_MARKERS = {"عشر", "عشره"}  # "الحادية عشرة" = 1 + 10
_CONNECTORS = {"و", "بعد"}  # "الحادية والعشرون", "الحادية و العشرون", "الأولى بعد المائة"


def normalise_arabic(word: str) -> str:
    """Fold spelling variants and strip marks and punctuation: "الأولى:" -> "الاولي", "أولاً" -> "اولا"."""
    return _MARKS.sub("", word).translate(_FOLD).strip(_PUNCTUATION)


def _stem(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


@dataclass
class _Numeral:
    """The parts of an Arabic ordinal as they are read; each may appear once."""

    unit: int = 0
    teen: bool = False
    tens: int = 0
    hundreds: int = 0
    multiplier: int = 0  # "الثلاث" waiting for its "مائة"

    @property
    def value(self) -> int:
        return self.unit + (10 if self.teen else 0) + self.tens + self.hundreds

    def take(self, word: str) -> bool:
        """Add one normalised word; False when it is not (or cannot be, here) part of the numeral."""
        if word.startswith("و") and word not in _CONNECTORS and len(word) > 2 and self.value:
            word = word[1:]  # "والعشرون": the conjunction glued to the next part
            if word.startswith("ل") and not word.startswith("ال"):
                word = "ا" + word  # "ولأربعون" (نظام البيئة): the alif of ال lost after the و
        stem = _stem(word)
        if self.multiplier:
            if stem not in ("مائه", "مئه"):
                return False
            self.hundreds, self.multiplier = self.multiplier * 100, 0
            return True
        if stem in _UNIT_STEMS and not (self.unit or self.teen or self.tens or self.hundreds):
            self.unit = _UNIT_STEMS[stem]
            return True
        if word in _TEEN_MARKERS and 0 < self.unit < 10 and not (self.teen or self.tens):
            self.teen = True
            return True
        if stem in _TEN_STEMS and not (self.teen or self.tens or self.hundreds):
            self.tens = _TEN_STEMS[stem]
            return True
        if stem in _HUNDRED_STEMS and not self.hundreds:
            self.hundreds = _HUNDRED_STEMS[stem]
            return True
        if stem in _HUNDRED_MULTIPLIERS and not self.hundreds:
            self.multiplier = _HUNDRED_MULTIPLIERS[stem]
            return True
        return False


def read_arabic_ordinal(words: list[str]) -> tuple[int, int]:
    """(value, words used) for the ordinal at the start of `words`; (0, 0) when they do not start with one.

    Handles the masculine and feminine forms (الأول/الأولى, الحادي/الحادية عشر/عشرة), tens with or without
    a glued or separate و ("الحادية والعشرون", "الحادية و العشرون", and the scraped "الحادية الخمسون"),
    hundreds (المائة ... التسعمائة, "الثلاث مائة") before or after بعد ("الأولى بعد المائة" = 101), and the
    adverbs أولاً ... عاشراً. Stops at the first word that is not part of the numeral, so a title may follow.
    """
    if words:
        adverb = normalise_arabic(words[0])
        if adverb in _ADVERBS:
            return _ADVERBS[adverb], 1
    numeral = _Numeral()
    used = 0
    for index, raw in enumerate(words):
        word = normalise_arabic(raw)
        if word in _CONNECTORS and numeral.value:
            continue
        if not word or not numeral.take(word):
            break
        used = index + 1
    if numeral.multiplier:  # "الثلاث" without its "مائة" is not a number here
        return 0, 0
    return (numeral.value, used) if numeral.value else (0, 0)


def arabic_number(text: str) -> int | None:
    """An article number as written: digits ("15", "١٥", "(١٥)") or an ordinal ("الحادية والعشرون" -> 21)."""
    stripped = normalise_arabic(text).translate(_DIGITS)
    if stripped.isdigit():
        return int(stripped)
    value, used = read_arabic_ordinal(text.split())
    return value if used and used == len(text.split()) else None


# --------------------------------------------------------------------------------------------------
# Article labels and headings
# --------------------------------------------------------------------------------------------------

# "المادة", the scraped "المادة المادةالحادية", "مادة (٦٣)", and "المادة القاعدة الأولى" (rules numbered as
# articles by the site's template).
_ARTICLE_WORD = re.compile(r"\s*(?:(?:ال)?ماد[ةه](?=[\s(:]|ال|$)\s*)+(?:القاعد[ةه]\s+)?")
_DIGIT_NUMBER = re.compile(r"\(?\s*([0-9٠-٩]+)\s*\)?(?=[\s:.\-–]|$)")
_BIS = "مكرر"


@dataclass(frozen=True)
class ArticleLabel:
    """An article label at the start of a line: "المادة الأولى: التعريفات"."""

    label: str  # as written, without trailing punctuation: "المادة الأولى"
    number: str | None  # "1", "21 مكرر"; None for a bare "المادة" whose number the site lost
    rest: str  # what follows on the line


def match_article(line: str) -> ArticleLabel | None:
    """Read an article label at the start of `line`; None when the line does not start with المادة."""
    text = line.strip().strip("\u200f\u200e")
    keyword = _ARTICLE_WORD.match(text)
    if keyword is None:
        return None
    after = text[keyword.end() :]
    digits = _DIGIT_NUMBER.match(after)
    if digits:
        value: int | None = int(digits[1].translate(_DIGITS))
        end = keyword.end() + digits.end()
    else:
        value, end = _ordinal_span(text, keyword.end())
    if value is None:
        return ArticleLabel(collapse_spaces(text[: keyword.end()]), None, text[keyword.end() :].strip())
    end, bis = _bis_span(text, end)
    number = f"{value} {_BIS}" if bis else str(value)
    label = collapse_spaces(text[:end]).strip(_PUNCTUATION.replace("(", "").replace(")", "")).strip()
    if label.count("(") > label.count(")"):
        label += ")"  # "المادة (الحادية والعشرون مكرر)": the closing bracket belongs to the label
    rest = text[end:].strip(_PUNCTUATION)
    return ArticleLabel(label, number, rest)


def _ordinal_span(text: str, start: int) -> tuple[int | None, int]:
    """(value, end offset) of the ordinal words starting at `start`; (None, start) when there are none."""
    tokens = list(re.finditer(r"\S+", text[start:]))
    value, used = read_arabic_ordinal([token.group() for token in tokens])
    if not used:
        return None, start
    return value, start + tokens[used - 1].end()


def _bis_span(text: str, end: int) -> tuple[int, bool]:
    bis = re.match(r"\s*[-–]?\s*\(?\s*مكرر[اًا]*\s*\)?", text[end:])  # "والأربعون - مكرر" too
    return (end + bis.end(), True) if bis else (end, False)


_HEADING_RANKS = {"كتاب": 0, "قسم": 1, "باب": 2, "فصل": 4, "فرع": 5, "مبحث": 6}
_HEADING_WORD = re.compile(r"(?:ال)?(?P<kw>كتاب|قسم|باب|فصل|فرع|مبحث)(?=[\s:]|$)")
_PRELIMINARY = {"تمهيدي", "التمهيدي", "الختامي", "ختامي", "الاخير"}
_MAX_HEADING_CHARS = 150
_MAX_HELD = 4  # nezams puts at most a part, a chapter, a section and a title before a repeated label


@dataclass(frozen=True)
class HeadingLine:
    """A structural heading: "الباب الأول: أحكام عامة" (titled) or "الفصل الثاني" (bare)."""

    text: str
    rank: int
    titled: bool


def match_heading_line(line: str) -> HeadingLine | None:
    """A الباب / الفصل / الفرع ... heading followed by its number ("الأول", "(1)") or "تمهيدي"."""
    text = collapse_spaces(_MARKS.sub("", line).strip())
    if len(text) > _MAX_HEADING_CHARS or "\n" in line:
        return None
    if text.startswith("(") and ")" in text:  # "(الفصل الأول)"
        inner, _, after = text[1:].partition(")")
        text = collapse_spaces(f"{inner} {after}")
    keyword = _HEADING_WORD.match(text)
    if keyword is None:
        return None
    words = [word for word in re.split(r"[\s:]+", text[keyword.end() :]) if word]  # "السابع:حصر ..."
    if not words:
        return None
    first = normalise_arabic(words[0])
    if first in _PRELIMINARY or first.translate(_DIGITS).isdigit():
        used = 1
    else:
        _, used = read_arabic_ordinal(words)
        if not used:
            return None  # "الفصل في المنازعات ..." (adjudication) is text, not a chapter
    titled = len(words) > used and bool(normalise_arabic(" ".join(words[used:])))
    return HeadingLine(text, _HEADING_RANKS[keyword["kw"]], titled)


# --------------------------------------------------------------------------------------------------
# Dates and status
# --------------------------------------------------------------------------------------------------

_HIJRI_NUMERIC = re.compile(r"\s*(?:النظام\s*)?(\d+)\s*/\s*(\d+)\s*/\s*(\d+)\s*(?:هـ|ه)?\s*(?:$|[؛;–\-])")
_GREGORIAN_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يوليو": 7, "اغسطس": 8,
    "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}  # fmt: skip
_HIJRI_MONTHS = {
    "محرم": 1, "صفر": 2, "ربيع الاول": 3, "ربيع الاخر": 4, "ربيع الثاني": 4, "جمادي الاولي": 5,
    "جمادي الاخره": 6, "جمادي الاخر": 6, "جمادي الثانيه": 6, "رجب": 7, "شعبان": 8, "رمضان": 9, "شوال": 10,
    "ذو القعده": 11, "ذي القعده": 11, "ذو الحجه": 12, "ذي الحجه": 12,
}  # fmt: skip
_NAMED_DATE = re.compile(r"(\d{1,2})\s+من\s+(\D+?)\s+(\d{4})")


def _plain(text: str) -> str:
    """Digits as ASCII, letters folded, marks removed: what the date patterns read."""
    return _MARKS.sub("", text).translate(_DIGITS).translate(_FOLD)


def _ymd(first: str, second: str, third: str) -> tuple[int, int, int] | None:
    """(year, month, day) from a d/m/y or y/m/d triple; None when neither part is a four-digit year."""
    if len(third) == 4:
        return int(third), int(second), int(first)
    if len(first) == 4:
        return int(first), int(second), int(third)
    return None


def hijri_to_gregorian(year: int, month: int, day: int) -> dt.date | None:
    """Umm al-Qura conversion; None outside its table (1343-1500 AH) or for a day the month does not have."""
    try:
        gregorian = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return dt.date(gregorian.year, gregorian.month, gregorian.day)


def parse_hijri(text: str) -> dt.date | None:
    """The Gregorian date of a Hijri date string: "٠٥/ ٠٢/ ١٤٣٩ هـ", "1435/07/27 هـ", "٢٤ من شعبان ١٤٤٧هـ".

    Only a string that starts with one well-formed date is read: "1439/11/19 هـ؛ اللائحة؛ ..." gives the law's
    date, but a damaged value such as "٢؛ ١/ ٠٦/ ١٣٩٨ هـ" (a day split by the scraper) gives None.
    """
    plain = _plain(text)
    numeric = _HIJRI_NUMERIC.match(plain)
    if numeric:
        parts = _ymd(*numeric.groups())
        return hijri_to_gregorian(*parts) if parts else None
    named = _NAMED_DATE.match(plain.strip())
    if named and collapse_spaces(named[2]) in _HIJRI_MONTHS:
        return hijri_to_gregorian(int(named[3]), _HIJRI_MONTHS[collapse_spaces(named[2])], int(named[1]))
    return None


def parse_gregorian(text: str) -> dt.date | None:
    """A Gregorian date as the sites write it: "٥ / ٢ / ٢٠٢٤م" or "١٢ من فبراير ٢٠٢٦م"."""
    plain = _plain(text).strip()
    numeric = re.match(r"(\d+)\s*/\s*(\d+)\s*/\s*(\d+)", plain)
    parts: tuple[int, int, int] | None = None
    if numeric:
        parts = _ymd(*numeric.groups())
    else:
        named = re.search(r"-?(\d{1,2})\s+من\s+(\S+)\s+(\d{4})", plain)
        if named and named[2] in _GREGORIAN_MONTHS:
            parts = int(named[3]), _GREGORIAN_MONTHS[named[2]], int(named[1])
    if parts is None:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def issued_dates(value: str) -> tuple[str, dt.date | None]:
    """(Hijri part, Gregorian date) of qanoonsa's issued_date: "٢٤ / ٧ / ١٤٤٥هـ الموافق: ٥ / ٢ / ٢٠٢٤م".

    The Gregorian date the site gives is used as it is; without one, the Hijri date is converted.
    """
    hijri, _, gregorian = value.partition("الموافق")
    hijri = hijri.strip(" :")
    date = parse_gregorian(gregorian.strip(" :")) if gregorian else None
    return hijri, date if date is not None else parse_hijri(hijri)


def map_status(original: str) -> str | None:
    """ "ساري" -> "in_force"; "غير ساري ...", "لاغي", "ألغي ...", "تم إلغاء ..." -> "repealed"; else None."""
    text = normalise_arabic(_plain(original))
    if text.startswith("غير ساري") or text.startswith("لاغي") or re.match(r"(?:تم )?(?:الغي|الغاء)", text):
        return "repealed"
    if text == "ساري":  # alif maqsura already folded by _plain
        return "in_force"
    return None


# A note that repeals the whole article, after its former text: "ألغيت هذه المادة بموجب المرسوم الملكي ...".
_REPEAL_NOTE = re.compile(r"(?:تم\s+)?(?:ألغيت|إلغاء)\s+(?:هذه\s+)?المادة(?:\s|$)")

_RANKS = {
    "نظام": "law", "لائحة": "regulation", "قرار": "decision", "مرسوم ملكي": "royal decree",
    "أمر ملكي": "royal order", "اتفاقية": "agreement", "معايير": "standards",
}  # fmt: skip


# --------------------------------------------------------------------------------------------------
# The body
# --------------------------------------------------------------------------------------------------


@dataclass
class _Article:
    draft: ProvisionDraft
    leading: bool = True  # no text yet: headings and a repeated label may still come
    inferred: bool = False  # the number was not written; it follows the previous article


# A line held back until what follows shows whether it is a heading: a structural heading, the title line
# after a bare one ("الباب الأول" / "أحكام عامة"), or (before a repeated label only) a heading without a
# keyword ("أحكام ختامية").
_Held = HeadingLine | str


@dataclass
class _BodyParser:
    """Groups the body's blocks into articles; collects headings and the text outside articles.

    The sites put a chapter's heading inside an article's block: nezams at the start of the chapter's first
    article (often followed by that article's label again), qanoonsa at the end of the last article before
    the chapter. Such lines are held until the next block shows which they are: a new article or a repeated
    label makes them headings, more text makes them text again.
    """

    title: str
    headings: HeadingPath = field(default_factory=HeadingPath)
    articles: list[_Article] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    current: _Article | None = None
    held: list[_Held] = field(default_factory=list)
    pending_heading: str | None = None
    plain_labels_from: int = 0  # index of the first block after the last '#' article heading

    def run(self, blocks: list[str]) -> list[ParsedProvision]:
        # Some qanoonsa pages lose their '#' marks part-way (نظام الإثبات after article 109); after the last
        # '#' article, a line holding only the next article's label starts that article. Before it, such lines
        # are repeated labels or the numbered articles of an interleaved guide (الدليل الإجرائي).
        marked = [i for i, block in enumerate(blocks) if block.startswith("#") and _heading_article(block)]
        self.plain_labels_from = marked[-1] + 1 if marked else 0
        for index, block in enumerate(blocks):
            if block.startswith("#"):
                self._marked(block)
            else:
                self._plain(block, index)
        self._release_as_text()
        self.current = None
        return self._finish()

    # ---- blocks -----------------------------------------------------------------------------------

    def _marked(self, block: str) -> None:
        level = len(block) - len(block.lstrip("#"))
        text = collapse_spaces(block.lstrip("#"))
        if not text:
            return
        article = match_article(text) if level > 1 else None
        if article is not None and (article.number is not None or not article.rest):
            self._start(article)
            return
        heading = match_heading_line(text) if level > 1 else None
        if heading is not None:
            self._release_as_headings()
            self.current = None
            self._enter(heading.text, heading.rank)
            return
        self._release_as_text()
        if article is not None:
            self._text(text)  # "### المادة وإذا حولت ...": a sentence the site marked as a heading
            return
        # The "# title" line, "# وزارة الداخلية" over a decision's title, "## أولا", "### يقرر", "### والله
        # الموفق": the names, clauses and formulae of a decision, not articles.
        self.current = None
        if level > 1 or normalise_arabic(text) != normalise_arabic(self.title):
            self._outside(text)

    def _plain(self, block: str, index: int) -> None:
        article = match_article(block) if "\n" not in block else None
        label = article if article is not None and article.number is not None and not article.rest else None
        current = self.current
        if label is not None and current is not None and current.leading and self._repeats(current, label):
            self._release_as_headings(keep_unknown=True)
            current.draft.path = self.headings.path
            return
        if label is not None and index >= self.plain_labels_from and self._follows(label):
            self._start(label)
            return
        if current is not None and self._hold(current, block):
            return
        if current is not None and current.leading:
            self._release_as_headings()  # "## المادة الثانية" / "الفصل الثاني: ..." / text: no repeated label
            current.draft.path = self.headings.path
        else:
            self._release_as_text()
        self._text(block)

    # ---- held lines -------------------------------------------------------------------------------

    def _hold(self, article: _Article, block: str) -> bool:
        """Hold `block` if it may be a heading; False when it is plainly text."""
        heading = match_heading_line(block)
        if heading is not None:
            self.held.append(heading)
            return True
        previous = self.held[-1] if self.held else None
        if isinstance(previous, HeadingLine) and not previous.titled and _is_title(block):
            self.held.append(block)
            return True
        # At an article's start, a short line may be a heading without keyword ("أولاً: تعريفات" under
        # "الفصل الأول ...", "أحكام ختامية"): only a repeated label will tell.
        if article.leading and len(self.held) < _MAX_HELD and _is_title(block):
            self.held.append(block)
            return True
        return False

    def _release_as_headings(self, keep_unknown: bool = False) -> None:
        """Enter the held lines as headings (a line with no keyword only if a repeated label vouches)."""
        pending: HeadingLine | None = None
        for index, item in enumerate(self.held):
            if isinstance(item, HeadingLine):
                if pending is not None:
                    self.headings.enter(pending.text, pending.rank)
                pending = item
            elif pending is not None and not pending.titled:
                pending = HeadingLine(f"{pending.text} {item}", pending.rank, True)
            elif keep_unknown:
                if pending is not None:
                    self.headings.enter(pending.text, pending.rank)
                    pending = None
                following = self.held[index + 1] if index + 1 < len(self.held) else None
                # Above a keyword heading it is a larger unit ("أحكام ختامية" / "الفصل الأول ..."); else a
                # subdivision below the last one ("أولاً: تعريفات" under a chapter), replaced by the next.
                rank = following.rank - 0.5 if isinstance(following, HeadingLine) else None
                self.headings.enter(item, rank)
            else:
                if pending is not None:
                    self.headings.enter(pending.text, pending.rank)
                    pending = None
                self._text(item)
        if pending is not None:
            self.headings.enter(pending.text, pending.rank)
        self.held.clear()

    def _release_as_text(self) -> None:
        for item in self.held:
            self._text(item.text if isinstance(item, HeadingLine) else item)
        self.held.clear()

    # ---- articles ---------------------------------------------------------------------------------

    def _start(self, label: ArticleLabel) -> None:
        self._release_as_headings()
        rest = label.rest
        heading = rest if rest and len(rest) <= 120 and not rest.endswith(".") else None
        number, inferred = label.number, False
        if number is None:
            number, inferred = self._next_number(), True
        draft = ProvisionDraft(label.label, number, self.headings.path, heading=heading)
        if rest and heading is None:
            draft.paragraphs.append(rest)
        self.current = _Article(draft, leading=not draft.paragraphs, inferred=inferred)
        self.articles.append(self.current)

    def _previous_number(self) -> int:
        previous = self.articles[-1].draft.number if self.articles else "0"
        leading = re.match(r"\d+", previous)
        return int(leading.group()) if leading else 0

    def _next_number(self) -> str:
        return str(self._previous_number() + 1)

    def _repeats(self, article: _Article, label: ArticleLabel) -> bool:
        """nezams repeats the label under "## المادة X" (after the chapter headings that start there)."""
        if article.inferred and label.number:
            article.draft.number, article.inferred = label.number, False
            return True
        return label.number == article.draft.number

    def _follows(self, label: ArticleLabel) -> bool:
        return label.number == str(self._previous_number() + 1)

    # ---- text ------------------------------------------------------------------------------------

    def _enter(self, text: str, rank: int) -> None:
        self.headings.enter(text, rank)
        self.pending_heading = text

    def _text(self, text: str) -> None:
        if self.current is None:
            self._outside(text)
            return
        self.current.leading = False
        self.current.draft.paragraphs.append(text)

    def _outside(self, text: str) -> None:
        if self.pending_heading:
            self.outside.append(self.pending_heading)
            self.pending_heading = None
        self.outside.append(text)

    def _finish(self) -> list[ParsedProvision]:
        provisions = []
        for position, article in enumerate(self.articles):
            provision = article.draft.finish(position)
            if article.inferred:
                provision.attributes["number_inferred"] = True
            if any(_REPEAL_NOTE.match(paragraph) for paragraph in provision.text.split("\n\n")):
                provision.status = "repealed"
            provisions.append(provision)
        mark_repeated_numbers(provisions)  # a law with its regulation (ولائحته) numbers both from 1
        return provisions


def _heading_article(block: str) -> bool:
    article = match_article(collapse_spaces(block.lstrip("#")))
    return article is not None and article.number is not None


def _is_title(block: str) -> bool:
    return "\n" not in block and len(block) <= 80 and match_article(block) is None and not block.endswith(".")


# --------------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------------


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], list[str]]:
    """The front matter (which must name ("title",)) and the Markdown lines after it."""
    return structure.split_front_matter(text, name, required=("title",))


def source_key(path: Path) -> str:
    """ "<category>/<title>" for laws/<category>/<title>.md: the path below the repository's laws/ folder."""
    folders = path.parts[:-1]
    if "laws" in folders:
        last = len(folders) - 1 - folders[::-1].index("laws")
        folders = folders[last + 1 :]
    else:
        folders = folders[-1:]  # outside a laws/ tree: the enclosing folder stands for the category
    return "/".join([*folders, path.stem])


def _dates(meta: dict[str, Any]) -> tuple[dt.date | None, dict[str, Any]]:
    """(date_adopted, date attributes) from issued_date, approval_date_hijri, publish_date and gazette_ref."""
    attributes: dict[str, Any] = {}
    adopted = None
    if meta.get("issued_date"):
        hijri, adopted = issued_dates(str(meta["issued_date"]))
        if hijri:
            attributes["date_hijri"] = hijri
    elif meta.get("approval_date_hijri"):
        attributes["date_hijri"] = str(meta["approval_date_hijri"])
        adopted = parse_hijri(attributes["date_hijri"])
    published = None
    if meta.get("publish_date"):
        published = parse_hijri(str(meta["publish_date"]))
    elif meta.get("gazette_ref"):
        gazette = str(meta["gazette_ref"])
        published = parse_gregorian(gazette.split("الصادر في", 1)[1]) if "الصادر في" in gazette else None
    if published is not None:
        attributes["date_published"] = published.isoformat()
    return adopted, attributes


class SaudiLawsParser:
    """saudi-laws-md Markdown: front matter (title, site, category, status, Hijri dates), then the text.

    One record per file, keyed "<category>/<title>" by its path under laws/. Articles come from "## المادة X"
    (nezams), "### المادة X" under "## الباب/الفصل" headings (qanoonsa), and, where a page lost its marks,
    plain "المادة X:" lines; numbers are Arabic-numeral strings ("الحادية والعشرون" -> "21", "التاسعة مكرر"
    -> "9 مكرر"). nezams writes a chapter's heading and the label again at the start of the chapter's first
    article: those become the path. Decisions numbered أولاً / ثانياً have no articles; their text is the
    record's. Dates: the site's Gregorian date when it gives one, else the Hijri date converted with the
    Umm al-Qura calendar (hijridate); the Hijri string is kept in attributes["date_hijri"].
    """

    name = "saudi_laws"

    def detect(self, path: Path, head: str) -> bool:
        """A .md file whose front matter names nezams or qanoonsa as `source` and has a `source_url`."""
        front = structure.front_matter_head(path, head)
        if front is None:
            return False
        site = re.search(r"(?m)^source:\s*[\"']?(\w+)[\"']?\s*$", front)
        return bool(site and site[1] in SITES and re.search(r"(?m)^source_url\s*:", front))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law, regulation or decision in `path`."""
        meta, lines = split_front_matter(read_utf8(path), path.name)
        title = collapse_spaces(str(meta["title"]))
        cleaned = (line.replace("\u200f", "").replace("\u200e", "") for line in lines)
        body = _BodyParser(title)
        provisions = body.run(list(iter_blocks(cleaned)))
        adopted, attributes = _dates(meta)
        status_original = str(meta["status"]).strip() if meta.get("status") else None
        if status_original:
            attributes["status_original"] = status_original
        doc_type = str(meta.get("doc_type") or "")
        if doc_type in _RANKS:
            attributes["rank"] = _RANKS[doc_type]
        for key, value in meta.items():
            if key not in ("title", "status", "source_url") and value not in (None, "", []):
                attributes.setdefault("site" if key == "source" else key, json_safe(value))
        yield ParsedRecord(
            source=self.name,
            source_key=source_key(path),
            kind="law",
            title=title,
            country="SA",
            language="ar",
            text=join_paragraphs(body.outside),
            date_adopted=adopted,
            status=map_status(status_original) if status_original else None,
            source_url=str(meta["source_url"]) if meta.get("source_url") else None,
            attributes=attributes,
            provisions=provisions,
        )
