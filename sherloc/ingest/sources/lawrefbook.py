"""Parser for LawRefBook's Chinese law Markdown: one law per file, split into articles (第X条)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sherloc.ingest.structure import (
    HeadingPath,
    ProvisionDraft,
    collapse_spaces,
    heading_rank,
    iter_blocks,
    join_paragraphs,
    match_article_label,
    read_utf8,
)
from sherloc.ingest.types import ParsedProvision, ParsedRecord, ParseError

log = logging.getLogger(__name__)

INFO_END = "<!-- INFO END -->"
# Top-level folders of the LawRefBook/Laws repository (the corpus copies them under their own names).
CATEGORIES = frozenset(
    {"刑法", "宪法", "宪法相关法", "民法典", "民法商法", "社会法", "经济法", "行政法", "诉讼与非诉讼程序法",
     "其他", "部门规章", "司法解释", "行政法规", "案例", "地方性法规", "DLC"}
)  # fmt: skip
CASE_DIGESTS = "案例"  # published case digests, not laws: kept whole, without articles
CRIMINAL_LAW_TITLE = "中华人民共和国刑法"
VOCAB_ENV = "SHERLOC_VOCAB_DIR"
CHARGES_FILE = "cn_criminal_charges.json"

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})-(\d{1,2})-(\d{1,2})")
_FILE_DATE = re.compile(r"\((\d{4})-(\d{2})-(\d{2})\)$")
# Header lines that record an amendment: 修正 / 修订 / 《关于修改…的决定》 / 通过的《…修正案》.
_AMENDMENT = re.compile(r"修正|修订|修改")


def default_vocab_dir() -> Path:
    """$SHERLOC_VOCAB_DIR, else corpus/vocab at the repository root."""
    configured = os.environ.get(VOCAB_ENV)
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "corpus" / "vocab"


def load_charge_names(vocab_dir: Path) -> dict[str, list[str]]:
    """Charge names per Criminal Law article ("191" -> ["洗钱罪"]); empty when the table is absent."""
    path = vocab_dir / CHARGES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        # A broken vocabulary must not stop ingestion; the articles simply get no charge headings.
        log.warning("ignoring unreadable charge table %s: %s", path, exc)
        return {}
    return {article: [c["charge"] for c in charges] for article, charges in data.get("articles", {}).items()}


def category_of(path: Path) -> tuple[str | None, str | None]:
    """(category, subcategory) from the enclosing folders: 部门规章/公安部/x.md -> ("部门规章", "公安部").

    The outermost LawRefBook folder wins: 案例/民法典/ (case digests on the Civil Code) reuses the name of a
    top-level law folder.
    """
    folders = path.parent.parts
    for index, folder in enumerate(folders):
        if folder in CATEGORIES:
            sub = folders[index + 1] if index + 1 < len(folders) else None
            return folder, sub
    return None, None


def _dates_in(line: str) -> list[dt.date]:
    dates = []
    for match in _DATE.finditer(line):
        year, month, day = (int(g) for g in (match.groups()[:3] if match[1] else match.groups()[3:]))
        try:
            dates.append(dt.date(year, month, day))
        except ValueError:
            continue  # a malformed date in the header is not worth failing the law
    return dates


def header_dates(info: list[str], file_date: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """(date_adopted, date_amended) from the header lines and the "(YYYY-MM-DD)" of the file name.

    Adopted: the date of the first line saying 通过, else the first date, else the file-name date.
    Amended: the latest date on a line recording an amendment (修正/修订/修改), or the file-name date when it
    is later than every header date (the file is a later version than its header lists); None when nothing
    is later than the adoption.
    """
    found = [(date, line) for line in info for date in _dates_in(line)]
    if not found:
        return file_date, None
    adopted = next((date for date, line in found if "通过" in line), found[0][0])
    amendments = [date for date, line in found if _AMENDMENT.search(line)]
    if file_date is not None and file_date > max(date for date, _ in found):
        amendments.append(file_date)
    later = [date for date in amendments if date > adopted]
    return adopted, max(later) if later else None


@dataclass
class _Body:
    """The body after <!-- INFO END -->: articles, and the text that belongs to no article."""

    provisions: list[ParsedProvision]
    outside: list[str]


def split_articles(blocks: Iterable[str], parts: list[str]) -> _Body:
    """Group blocks into articles: an article runs from its 第X条 to the next article or heading."""
    headings = HeadingPath(levels_reliable=True)
    for part in parts:  # the 民法典 files name their 编 as a second "# " line in the header
        headings.enter(part, rank=-1, level=1)
    drafts: list[ProvisionDraft] = []
    outside: list[str] = []
    current: ProvisionDraft | None = None
    pending_heading: str | None = None
    for block in blocks:
        if block.startswith("#"):
            current = None
            text = collapse_spaces(block.lstrip("#"))
            if text:  # 民法典/附则.md has an empty "##"
                headings.enter(text, heading_rank(text, "zh"), len(block) - len(block.lstrip("#")))
                pending_heading = text
            continue
        for segment in _article_segments(block):
            first_line, _, more = segment.partition("\n")
            match = match_article_label(first_line, ("zh",))
            if match is not None:
                current = ProvisionDraft(
                    match.label, match.number, headings.path, paragraphs=[match.rest, more]
                )
                drafts.append(current)
            elif current is not None:
                current.paragraphs.append(segment)
            else:
                # Text before the first article (preamble) or under a heading without articles (附件).
                if pending_heading:
                    outside.append(pending_heading)
                    pending_heading = None
                outside.append(segment)
    provisions = [draft.finish(position) for position, draft in enumerate(drafts)]
    return _Body(provisions, outside)


def _article_segments(block: str) -> list[str]:
    """Split a paragraph where a line starts an article, in case no blank line separates two articles."""
    segments: list[list[str]] = [[]]
    for line in block.split("\n"):
        if segments[-1] and match_article_label(line, ("zh",)) is not None:
            segments.append([])
        segments[-1].append(line)
    return ["\n".join(lines) for lines in segments]


@dataclass
class _Header:
    title: str
    parts: list[str]  # further "# " lines: the 编 a 民法典 file holds
    info: list[str]  # adoption/amendment lines
    body: list[str]


def split_header(text: str, name: str) -> _Header:
    """Title line, header lines up to <!-- INFO END -->, and the body lines after it."""
    lines = text.lstrip("\ufeff").splitlines()
    if lines and lines[0].strip() == "---":
        raise ParseError(f"{name} holds only front matter (a folder index such as _index.md), not a law")
    if not lines or not lines[0].startswith("# "):
        raise ParseError(f"{name} does not start with a '# title' line, so it is not a LawRefBook law")
    rest = lines[1:]
    end = next((i for i, line in enumerate(rest) if line.strip() == INFO_END), None)
    header, body = (rest[:end], rest[end + 1 :]) if end is not None else ([], rest)
    parts = [line[2:].strip() for line in header if line.startswith("# ")]
    info = [line.strip() for line in header if line.strip() and not line.startswith("# ")]
    return _Header(lines[0][2:].strip(), parts, info, body)


class LawRefBookParser:
    """LawRefBook Markdown: `# title`, header lines, <!-- INFO END -->, then headings and 第X条 articles.

    One record per file. source_key is the file name stem ("刑法", "反洗钱法(2024-11-08)"); files holding one
    编 of a code (民法典/总则.md) are keyed "<folder>/<stem>" because their stems alone say little. The
    provisions of 中华人民共和国刑法 get their official charge names (罪名) as heading, from the table that
    sherloc.ingest.cn_charges builds.
    """

    name = "lawrefbook"

    def __init__(self, vocab_dir: Path | None = None) -> None:
        self._vocab_dir = vocab_dir
        self._charges: dict[str, list[str]] | None = None

    def detect(self, path: Path, head: str) -> bool:
        """A .md file (not a folder's _index.md) starting '# ', with LawRefBook's INFO END mark or folders."""
        if path.suffix.lower() != ".md" or path.name == "_index.md":
            return False
        if not head.lstrip("\ufeff").startswith("# "):
            return False
        return INFO_END in head or category_of(path)[0] is not None

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law (or case digest) in `path`."""
        header = split_header(read_utf8(path), path.name)
        category, subcategory = category_of(path)
        file_date = _file_date(path)
        adopted, amended = header_dates(header.info, file_date)
        attributes: dict[str, str] = {}
        if category:
            attributes["category"] = category
        if subcategory:
            attributes["subcategory"] = subcategory
        if header.parts:
            attributes["part"] = "、".join(header.parts)
        blocks = list(iter_blocks(header.body))
        if category == CASE_DIGESTS:
            # A digest's header date is when the court published its selection, not a decision date.
            adopted = amended = None
            body = _Body([], [_heading_text(block) for block in blocks])
        else:
            body = split_articles(blocks, header.parts)
        if header.title == CRIMINAL_LAW_TITLE:
            self._add_charges(body.provisions)
        yield ParsedRecord(
            source=self.name,
            source_key=f"{path.parent.name}/{path.stem}" if header.parts else path.stem,
            kind="decision" if category == CASE_DIGESTS else "law",
            title=header.title,
            country="CN",
            language="zh",
            text=join_paragraphs([*header.info, *body.outside]),
            date_adopted=adopted,
            date_amended=amended,
            attributes=attributes,
            provisions=body.provisions,
        )

    def _add_charges(self, provisions: list[ParsedProvision]) -> None:
        if self._charges is None:
            self._charges = load_charge_names(self._vocab_dir or default_vocab_dir())
        for provision in provisions:
            names = self._charges.get(provision.number)
            if names:
                provision.heading = "；".join(names)
                provision.attributes["charges"] = list(names)


def _file_date(path: Path) -> dt.date | None:
    match = _FILE_DATE.search(path.stem)
    if match is None:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def _heading_text(block: str) -> str:
    return collapse_spaces(block.lstrip("#")) if block.startswith("#") else block
