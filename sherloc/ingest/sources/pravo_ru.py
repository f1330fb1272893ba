"""Parser for Russian federal codes from pravo.gov.ru (plain text): one code per file, split into articles."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sherloc.ingest.structure import HeadingPath, ProvisionDraft, join_paragraphs, read_utf8
from sherloc.ingest.types import NotADocument, ParsedRecord, ParseError

SOURCE_URL = "http://pravo.gov.ru/proxy/ips/?docbody=&nd={nd}"
_SOURCE_LINE = re.compile(r"#\s*source:\s*pravo\.gov\.ru\s+nd=(?P<nd>\d+)\s*$")

# "Статья 174.1" is printed "Статья 174<sup>1</sup>" on pravo.gov.ru; the conversion to text dropped the tags,
# so the file says "Статья 1741". `restore_number` puts the dot back. "504-1" is 50.4-1 (Лесной кодекс).
_ARTICLE = re.compile(r"Статья\s+(?P<digits>\d+)(?P<suffix>-\d+)?(?![\d\w])\.?\s*(?P<rest>.*)$")
_ROMAN = "IVXLCХ"  # "Глава ХХI" in the Кодекс торгового мореплавания uses the Cyrillic letter Х
# Structural headings: keyword, number, then ". Title" or nothing. Case-sensitive on purpose: a paragraph
# starting "раздел IV Указа ..." is text.
_HEADING = re.compile(
    r"(?P<kw>Раздел|РАЗДЕЛ|Подраздел|ПОДРАЗДЕЛ|Глава|ГЛАВА|§)\s*"
    rf"(?P<num>\d+|[{_ROMAN}]+\d*|ПЕРВЫЙ|ВТОРОЙ)(?P<rest>\.(?:\s+.*)?)?$"
)
_HEADING_RANKS = {"раздел": 1, "подраздел": 2, "глава": 4, "§": 5}
# The parts of a code: "ОБЩАЯ ЧАСТЬ", "ЧАСТЬ ПЕРВАЯ", "ЧАСТЬ ВТОРАЯ. ДОСУДЕБНОЕ ПРОИЗВОДСТВО". Upper case
# only: "Часть. (Утратила силу ...)" is a repeal note inside an article.
_PART = re.compile(
    r"(?:(?:ОБЩАЯ|ОСОБЕННАЯ) ЧАСТЬ|ЧАСТЬ (?:ПЕРВАЯ|ВТОРАЯ|ТРЕТЬЯ|ЧЕТВЕРТАЯ|ПЯТАЯ|ШЕСТАЯ)(?:\..*)?)"
)
_MAX_TITLE_CHARS = 200  # a bare "ГЛАВА 1" takes the next paragraph as its title only if it is this short
# The signature closes the law: "Президент Российской Федерации Б.Ельцин"; what follows is not an article.
_SIGNATURE = re.compile(r"Президент Российской Федерации\s+[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+")
_OFFICIAL_NUMBER = re.compile(r"№\s*(?P<number>\d+-ФКЗ|\d+-ФЗ)")
# A repealed article keeps only its note: "(Статья утратила силу - Федеральный закон от ...)", sometimes after
# "(Дополнение статьей - ...)"; the Constitution's article 127 says "Исключена поправкой к Конституции ...".
_REPEAL_NOTE = re.compile(
    r"(?:\(Дополнение статьей[^)]*\)\s*)?\(?(?:Статья\s+)?(?:утратила силу|исключена)", re.IGNORECASE
)

_MONTHS = {
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7, "августа": 8,
    "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip
# "Принят Государственной Думой 24 мая 1996 года"; the Constitution: "Принята всенародным голосованием ...".
_ADOPTED = re.compile(
    r"Принят[аоы]?\s+(?:Государственной\s+Думой|всенародным\s+голосованием)\s+"
    r"(?P<day>\d{1,2})\s+(?P<month>[а-я]+)\s+(?P<year>\d{4})"
)
_NUMERIC_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")


@dataclass(frozen=True, order=True)
class ArticleNumber:
    """An article number as (174, 1, 0) for 174.1 or (50, 4, 1) for 50.4-1; sub and suffix 0 when absent."""

    base: int
    sub: int = 0
    suffix: int = 0

    def __str__(self) -> str:
        text = f"{self.base}.{self.sub}" if self.sub else str(self.base)
        return f"{text}-{self.suffix}" if self.suffix else text


def restore_number(digits: str, previous: ArticleNumber | None, suffix: int = 0) -> ArticleNumber:
    """The article (or chapter) number that `digits` spells once its superscript is put back.

    Articles come in order, so of the readings of "1741" (1741, 174.1, 17.41, 1.741) the right one is the
    smallest that still follows the previous article: after 174 that is 174.1, and after 20 "21" stays 21
    (2.1 would go backwards). With nothing to follow, or when no reading follows (a source out of order),
    the digits are read as printed.
    """
    readings = [ArticleNumber(int(digits), 0, suffix)]
    for cut in range(1, len(digits)):
        if digits[cut] != "0":  # a superscript never starts with 0: "200" is never 20.0
            readings.append(ArticleNumber(int(digits[:cut]), int(digits[cut:]), suffix))
    if previous is None:
        return readings[0]
    following = [reading for reading in readings if reading > previous]
    return min(following) if following else readings[0]


def restore_roman(number: str) -> str:
    """ "VII1" -> "VII.1", "XIX2" -> "XIX.2": digits after a Roman numeral can only be a lost superscript."""
    match = re.fullmatch(rf"([{_ROMAN}]+)(\d+)", number)
    return f"{match[1]}.{match[2]}" if match else number


def parse_russian_date(text: str) -> dt.date | None:
    """ "24 мая 1996" -> 1996-05-24; None when the month word or the date is not valid."""
    match = re.search(r"(\d{1,2})\s+([а-я]+)\s+(\d{4})", text)
    if match is None or match[2] not in _MONTHS:
        return None
    try:
        return dt.date(int(match[3]), _MONTHS[match[2]], int(match[1]))
    except ValueError:
        return None


def _numeric_dates(text: str) -> list[dt.date]:
    dates = []
    for day, month, year in _NUMERIC_DATE.findall(text):
        try:
            dates.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue  # a typo in one amendment date should not cost the others
    return dates


def header_dates(paragraphs: list[str]) -> tuple[dt.date | None, dt.date | None]:
    """(date_adopted, date_amended): the Duma's adoption, and the latest law in "(В редакции ... )"."""
    adopted = amended = None
    for paragraph in paragraphs:
        match = _ADOPTED.match(paragraph)
        if match and adopted is None:
            adopted = parse_russian_date(match.group())
        if paragraph.startswith("(В редакции") and amended is None:
            dates = _numeric_dates(paragraph)
            amended = max(dates) if dates else None
    return adopted, amended


def _paragraphs(lines: list[str]) -> list[str]:
    """The body's paragraphs: the converter wrote one per line, with blank lines between them."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


@dataclass
class _Body:
    """Walks the paragraphs once, collecting articles, headings and the text outside articles."""

    headings: HeadingPath = field(default_factory=HeadingPath)
    drafts: list[ProvisionDraft] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    current: ProvisionDraft | None = None
    pending_heading: str | None = None
    signed: bool = False
    official_number: str | None = None
    last_article: ArticleNumber | None = None
    last_chapter: ArticleNumber | None = None
    last_paragraph: ArticleNumber | None = None
    printed_labels: dict[int, str] = field(default_factory=dict)  # draft index -> label as the file prints it

    def run(self, paragraphs: list[str]) -> None:
        index = 0
        while index < len(paragraphs):
            following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
            index += self._paragraph(paragraphs[index], following)

    def _paragraph(self, text: str, following: str | None) -> int:
        """Handle one paragraph; returns how many were used (2 when a bare heading took its title)."""
        if self.signed:
            self._after_signature(text)
            return 1
        if _SIGNATURE.fullmatch(text):
            self.signed, self.current = True, None
            self._outside(text)
            return 1
        # A long heading may wrap: "Статья 191. Незаконный оборот янтаря, нефрита или иных" /
        # "полудрагоценных камней, ...", "РАЗДЕЛ I." / "ОСНОВНЫЕ ПОЛОЖЕНИЯ ...": the first line decides.
        first_line, _, more = text.partition("\n")
        continuation = " ".join(more.split())
        article = _ARTICLE.match(first_line)
        if article is not None:
            self._start(article, continuation)
            return 1
        heading = self._heading(first_line)
        if heading is not None:
            return self._enter_heading(heading, continuation, following)
        if self.current is not None:
            self.current.paragraphs.append(text)
        else:
            self._outside(text)
        return 1

    def _enter_heading(self, heading: tuple[int, str, bool], continuation: str, following: str | None) -> int:
        rank, text, titled = heading
        used = 1
        if not continuation and not titled and following is not None and self._is_title(following):
            continuation, used = " ".join(following.split()), 2  # "ГЛАВА 1" / "ОСНОВЫ КОНСТИТУЦИОННОГО СТРОЯ"
        if continuation:
            text = f"{text} {continuation}" if text.endswith(".") or titled else f"{text}. {continuation}"
        self.current = None
        self.headings.enter(text, rank)
        self.pending_heading = text
        return used

    def _after_signature(self, text: str) -> None:
        # Place, date and number of the signed law, then appendices (the УПК's repealed forms).
        number = _OFFICIAL_NUMBER.fullmatch(text)
        if number and self.official_number is None:
            self.official_number = number["number"]
        self._outside(text)

    def _start(self, match: re.Match[str], continuation: str) -> None:
        suffix = int(match["suffix"][1:]) if match["suffix"] else 0
        number = restore_number(match["digits"], self.last_article, suffix)
        self.last_article = number
        rest = " ".join(f"{match['rest']} {continuation}".split())
        draft = ProvisionDraft(f"Статья {number}", str(number), self.headings.path, heading=rest or None)
        printed = f"Статья {match['digits']}{match['suffix'] or ''}"
        if printed != draft.label:
            self.printed_labels[len(self.drafts)] = printed
        self.current = draft
        self.drafts.append(draft)

    def _heading(self, line: str) -> tuple[int, str, bool] | None:
        """(rank, heading with its number restored, whether it has a title) for a structural heading line.

        Only Раздел and Глава may take a title from the following lines; a part of the code ("ОБЩАЯ ЧАСТЬ",
        "ЧАСТЬ ПЕРВАЯ") or a § never does (the ГК's "ЧАСТЬ ПЕРВАЯ" is followed by "Принят ...").
        """
        if _PART.fullmatch(line):
            return 0, line, True
        match = _HEADING.match(line)
        if match is None:
            return None
        keyword = match["kw"].lower()
        number = match["num"]
        if number.isdigit() and keyword in ("глава", "§"):
            number = self._restore_heading_number(keyword, number)
        else:
            number = restore_roman(number)
        spaced = " " if match["kw"] != "§" or line[1:2] == " " else ""
        rest = match["rest"] or ""
        titled = keyword == "§" or len(rest.strip(". ")) > 0
        return _HEADING_RANKS[keyword], f"{match['kw']}{spaced}{number}{rest}", titled

    def _restore_heading_number(self, keyword: str, digits: str) -> str:
        # Chapters are numbered through the whole code ("ГЛАВА 151" = 15.1 after 15); paragraphs (§) restart
        # in each chapter.
        if keyword == "глава":
            self.last_chapter = restore_number(digits, self.last_chapter)
            self.last_paragraph = None
            return str(self.last_chapter)
        self.last_paragraph = restore_number(digits, self.last_paragraph)
        return str(self.last_paragraph)

    def _is_title(self, text: str) -> bool:
        if "\n" in text or len(text) > _MAX_TITLE_CHARS or text.startswith("("):
            return False
        return not (_ARTICLE.match(text) or _HEADING.match(text) or _PART.fullmatch(text))

    def _outside(self, text: str) -> None:
        # A heading goes into the code's own text only when text outside any article follows it.
        if self.pending_heading:
            self.outside.append(self.pending_heading)
            self.pending_heading = None
        self.outside.append(text)


def is_repealed_article(heading: str | None, text: str) -> bool:
    """An article with no heading whose text is only a repeal note ("(Статья утратила силу - ...)")."""
    if heading or "\n\n" in text:
        return False
    return _REPEAL_NOTE.match(text) is not None


def _rank(title: str) -> str | None:
    lowered = title.lower()
    if lowered.startswith("конституция"):
        return "constitution"
    return "code" if "кодекс" in lowered else None


def _is_json_copy(path: Path, head: str) -> bool:
    """deep-foundation/russian-laws' json/<nd>.json: a structured duplicate of text/<nd>.txt."""
    return (
        path.suffix.lower() == ".json"
        and path.parent.name == "json"
        and path.stem.isdigit()
        and '"preamble"' in head
    )


class PravoRuParser:
    """pravo.gov.ru codes as text: a `# title` and `# source: pravo.gov.ru nd=N` header, then paragraphs.

    One record per file, keyed by the nd number. Articles ("Статья 174.1. Легализация ...") become provisions
    with the text after the number as heading; Раздел / Подраздел / Глава / § headings and the parts of a
    code (ОБЩАЯ ЧАСТЬ, ЧАСТЬ ПЕРВАЯ) give their path. Superscript numbers that the text conversion flattened
    ("Статья 1741", "ГЛАВА 151") are restored from the order of the articles ("174.1", "15.1"); the printed
    label is kept in attributes["label_in_source"]. Notes and "Примечание" paragraphs stay in the article.
    """

    name = "pravo_ru"

    def detect(self, path: Path, head: str) -> bool:
        """A .txt file whose second line is the curator's `# source: pravo.gov.ru nd=...` header; or the
        source repository's own JSON copy of a code (json/<nd>.json), which is recognised to be skipped."""
        if _is_json_copy(path, head):
            return True
        if path.suffix.lower() != ".txt":
            return False
        lines = head.lstrip("\ufeff").split("\n", 2)
        return len(lines) >= 2 and lines[0].startswith("# ") and _SOURCE_LINE.match(lines[1]) is not None

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one code in `path`."""
        if _is_json_copy(path, path.read_bytes()[:4096].decode("utf-8", "replace")):
            raise NotADocument(
                f"{path.name}: the repository's structured JSON copy of code nd={path.stem}, "
                f"which is ingested from its text (text/{path.stem}.txt)"
            )
        lines = read_utf8(path).lstrip("\ufeff").splitlines()
        if len(lines) < 2 or not lines[0].startswith("# "):
            raise ParseError(f"{path.name} does not start with a '# title' line")
        source = _SOURCE_LINE.match(lines[1])
        if source is None:
            raise ParseError(f"{path.name}: the second line is not '# source: pravo.gov.ru nd=<number>'")
        title = lines[0][2:].strip()
        paragraphs = _paragraphs(lines[2:])
        body = _Body()
        body.run(paragraphs)
        provisions = []
        for position, draft in enumerate(body.drafts):
            provision = draft.finish(position)
            if position in body.printed_labels:
                provision.attributes["label_in_source"] = body.printed_labels[position]
            if is_repealed_article(provision.heading, provision.text):
                provision.status = "repealed"
            provisions.append(provision)
        adopted, amended = header_dates(body.outside)
        attributes: dict[str, str] = {}
        rank = _rank(title)
        if rank:
            attributes["rank"] = rank
        if body.official_number:
            attributes["official_number"] = body.official_number
        yield ParsedRecord(
            source=self.name,
            source_key=source["nd"],
            kind="law",
            title=title,
            country="RU",
            language="ru",
            text=join_paragraphs(body.outside),
            date_adopted=adopted,
            date_amended=amended,
            source_url=SOURCE_URL.format(nd=source["nd"]),
            attributes=attributes,
            provisions=provisions,
        )
