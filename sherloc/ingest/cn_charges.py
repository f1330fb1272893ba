"""Build the PRC Criminal Law charge-name table (罪名 per article) from the SPP/SPC documents in LawRefBook.

The names come only from the documents themselves: the Supreme People's Procuratorate's 1997 opinion on charge
names and the joint SPC/SPP supplementary provisions (2002 ... 2024), applied in date order. A later document
adds names to the articles it lists and removes every name it cancels ("取消X罪名"), wherever that name was.

Regenerate the committed data file with:
    python -m sherloc.ingest.cn_charges /work/shared/corpora/zh-cn-laws-lawrefbook \
        > corpus/vocab/cn_criminal_charges.json
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sherloc.ingest.structure import chinese_to_int

# The 1997 SPP opinion and the joint supplements; the SPC's own 1997 规定 is not in the corpus.
_DOCUMENT_GLOBS = ("司法解释/*罪名的意见*.md", "司法解释/*确定罪名的补充规定*.md")
_INFO_END = "<!-- INFO END -->"
_NUMERAL = "〇零一二两三四五六七八九十百千0-9"
_ARTICLE_REF = re.compile(rf"第(?P<num>[{_NUMERAL}]+)条(?:之(?P<sub>[{_NUMERAL}]+))?")
_FILE_DATE = re.compile(r"\((\d{4})-(\d{2})-(\d{2})\)$")
# 1997 opinion items: "109．洗钱罪（第191条）"; the reference group never holds nested brackets.
_OPINION_REF = re.compile(r"（(第\d+条[^（）]*)）")
_ITEM_NUMBER = re.compile(r"^\s*\d+\s*[．.]\s*")
# 2024 supplement, in prose: 将…第一百六十九条（…）的罪名由“X”修改为“Y”。
_RENAME = re.compile(
    rf"第(?P<ref>[{_NUMERAL}]+条(?:之[{_NUMERAL}]+)?)[^“”]*?罪名由“(?P<old>[^”]+)”修改为“(?P<new>[^”]+)”"
)
# Names end in 罪; "、" and "和" also occur inside one name, but only after 犯罪 ("间谍犯罪、恐怖主义犯罪").
_NAME_SPLIT = re.compile(r"(?<=[^犯]罪)\s*(?:[、；;和]|\s+)\s*")


@dataclass
class ChargeDocument:
    """One SPP/SPC document defining charge names."""

    title: str
    date: dt.date
    path: str  # relative to the LawRefBook root
    body: str


@dataclass
class ChargeEntry:
    """One statement of a document: these articles carry these names, and these older names are cancelled."""

    articles: list[str]
    names: list[str]
    cancelled: list[str] = field(default_factory=list)
    reference: str = ""  # the article cell as written, kept for references that are not Criminal Law articles
    paragraphs: frozenset[tuple[str, str]] = frozenset()  # (article, paragraph) pairs the names apply to


def article_key(number: str, sub: str | None = None) -> str:
    """The table key of an article: "191" for 第191条 or 第一百九十一条, "120-1" for 第一百二十条之一."""
    key = str(chinese_to_int(number))
    return f"{key}-{chinese_to_int(sub)}" if sub else key


def _sort_key(article: str) -> tuple[int, int]:
    main, _, sub = article.partition("-")
    return int(main), int(sub or 0)


def find_charge_documents(root: Path) -> list[ChargeDocument]:
    """The charge-name documents under `root`, oldest first (dated by the "(YYYY-MM-DD)" in the file name)."""
    documents = []
    for pattern in _DOCUMENT_GLOBS:
        for path in root.glob(pattern):
            match = _FILE_DATE.search(path.stem)
            if match is None:
                continue  # undated copies cannot be ordered; the corpus has none
            text = path.read_text(encoding="utf-8")
            title = text.splitlines()[0].lstrip("#").strip()
            body = text.split(_INFO_END, 1)[-1]
            date = dt.date(*map(int, match.groups()))
            documents.append(ChargeDocument(title, date, path.relative_to(root).as_posix(), body))
    return sorted(documents, key=lambda d: d.date)


def _strip_brackets(text: str) -> str:
    """Drop every (possibly nested) full-width bracket group: "第134条第2款 （《刑法修正案（六）》…）"."""
    depth, kept = 0, []
    for char in text:
        if char == "（":
            depth += 1
        elif char == "）" and depth:
            depth -= 1
        elif not depth:
            kept.append(char)
    return "".join(kept)


def parse_references(cell: str) -> list[tuple[str, str]]:
    """(article, paragraph) pairs of a reference: "第127条第1款、第2款" -> [("127", "1"), ("127", "2")].

    A part without its own article ("第2款") continues the article before it; the paragraph is "" when the
    reference names the whole article. Each part names at most one article ("第371条第2条" is a typo for 款).
    """
    references: list[tuple[str, str]] = []
    article = ""
    for part in re.split(r"[、\s]+", _strip_brackets(cell)):
        match = _ARTICLE_REF.search(part)
        if match:
            article = article_key(match["num"], match["sub"])
        paragraph = re.search(rf"第([{_NUMERAL}]+)[款项]", part[match.end() :] if match else part)
        if article and (match or paragraph):
            reference = (article, str(chinese_to_int(paragraph[1])) if paragraph else "")
            if reference not in references:
                references.append(reference)
    return references


def parse_article_refs(cell: str) -> list[str]:
    """Criminal Law articles named in a reference: "第114条、第115条第1款" -> ["114", "115"]."""
    return list(dict.fromkeys(article for article, _ in parse_references(cell)))


def _clean_name(name: str) -> str:
    # The 2021 table breaks some names with a space: "非法提供 商业秘密罪".
    return re.sub(r"\s+", "", name).strip("，,。.")


def split_names(text: str) -> list[str]:
    """Split a cell holding several charge names ("A罪；B罪", "A罪 B罪", "A罪、B罪") into names."""
    return [name for name in (_clean_name(n) for n in _NAME_SPLIT.split(text.strip())) if name]


def _cancelled_names(clause: str) -> list[str]:
    """Names in a cancellation clause: "取消刑法原第155条第3项走私固体废物罪罪名" -> ["走私固体废物罪"]."""
    clause = clause.removeprefix("取消").strip()
    clause = re.sub(r"^刑法原?(?:第[^条]+条)?(?:第[^款项]+[款项])*", "", clause)
    clause = clause.removesuffix("罪名")
    return split_names(clause)


def split_cancellations(cell: str) -> tuple[str, list[str]]:
    """Split "X罪（取消Y罪罪名）" into ("X罪", ["Y罪"]); a bare "取消Y罪罪名" cancels without a new name."""
    cancelled: list[str] = []
    kept: list[str] = []
    index = 0
    while index < len(cell):
        start = cell.find("取消", index)
        if start < 0:
            kept.append(cell[index:])
            break
        opened = start > 0 and cell[start - 1] == "（"
        end = _closing_bracket(cell, start) if opened else len(cell)
        kept.append(cell[index : start - 1 if opened else start])
        cancelled.extend(_cancelled_names(cell[start:end]))
        index = end + 1 if opened else end
    return "".join(kept), cancelled


def _closing_bracket(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "（":
            depth += 1
        elif text[index] == "）":
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def parse_opinion(body: str) -> list[ChargeEntry]:
    """Items of the 1997 opinion: "109．洗钱罪（第191条） 110．…"; some items lack their number."""
    entries = []
    for line in body.splitlines():
        if line.lstrip().startswith("#"):
            continue
        position = 0
        for match in _OPINION_REF.finditer(line):
            name = _clean_name(_ITEM_NUMBER.sub("", line[position : match.start()]))
            position = match.end()
            if name.endswith("罪"):
                references = parse_references(match[1])
                articles = list(dict.fromkeys(article for article, _ in references))
                entries.append(ChargeEntry(articles, [name], [], match[1], frozenset(references)))
    return entries


def _table_rows(body: str) -> list[tuple[str, str]]:
    """(article cell, names cell) of every Markdown table row, without header and separator rows."""
    rows = []
    for line in body.splitlines():
        if not line.strip().startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[1] or cells[0] == "刑法条文" or re.fullmatch(r"[-:\s]+", cells[1]):
            continue
        rows.append((cells[0], cells[1]))
    return rows


def parse_supplement(body: str) -> list[ChargeEntry]:
    """Rows of a supplementary provision's table, plus the prose renaming form used in 2024."""
    entries: list[ChargeEntry] = []
    previous: list[tuple[str, str]] = []
    for reference, names_cell in _table_rows(body):
        # "《决定》第1条" refers to another enactment, not to an article of the Criminal Law.
        other_law = "《" in _strip_brackets(reference)
        references = [] if other_law else parse_references(reference)
        if not reference:
            references = previous  # "| |编造、故意传播虚假恐怖信息罪 |" continues the row above
        articles = list(dict.fromkeys(article for article, _ in references))
        names_text, cancelled = split_cancellations(names_cell)
        entries.append(
            ChargeEntry(articles, split_names(names_text), cancelled, reference, frozenset(references))
        )
        previous = references
    for match in _RENAME.finditer(body):
        ref = _ARTICLE_REF.match("第" + match["ref"])
        if ref is None:
            continue
        article = article_key(ref["num"], ref["sub"])
        entries.append(
            ChargeEntry([article], [match["new"]], [match["old"]], match.group(), frozenset({(article, "")}))
        )
    return entries


@dataclass
class _Charge:
    name: str
    source: str
    paragraphs: frozenset[tuple[str, str]]


@dataclass
class _Table:
    articles: dict[str, list[_Charge]] = field(default_factory=dict)
    unmapped: list[dict[str, str]] = field(default_factory=list)
    unmatched: list[dict[str, str]] = field(default_factory=list)

    def apply(self, entry: ChargeEntry, source: str) -> None:
        """Apply one statement of `source`: cancel names, then add (or substitute) the names it gives."""
        if not entry.articles:
            self.unmapped.extend(
                {"charge": n, "reference": entry.reference, "source": source} for n in entry.names
            )
        cancelled = list(entry.cancelled)
        if not cancelled and entry.names:
            # Without a "取消" clause, a new name for exactly the provisions an earlier name covered replaces
            # it: 2002 gives 第127条第1款、第2款 "…爆炸物、危险物质罪" where 1997 had "…爆炸物罪". The 2002
            # document says its names prevail over earlier ones that disagree.
            cancelled = self._superseded(entry, source)
        # A new name takes the place of the name it cancels in the same article, else goes last.
        slots = {article: self._slot(article, cancelled) for article in entry.articles}
        for name in cancelled:
            if not self._remove_everywhere(name) and name in entry.cancelled:
                self.unmatched.append({"charge": name, "source": source})
        for article in entry.articles:
            charges = self.articles.setdefault(article, [])
            slot = slots[article]
            for name in entry.names:
                if any(charge.name == name for charge in charges):
                    continue  # restated, not changed: keep the document that introduced it
                position = len(charges) if slot is None else min(slot, len(charges))
                charges.insert(position, _Charge(name, source, entry.paragraphs))
                slot = None if slot is None else position + 1

    def _superseded(self, entry: ChargeEntry, source: str) -> list[str]:
        return [
            charge.name
            for article in entry.articles
            for charge in self.articles.get(article, [])
            if charge.paragraphs == entry.paragraphs
            and charge.source != source
            and charge.name not in entry.names
        ]

    def _slot(self, article: str, cancelled: list[str]) -> int | None:
        for index, charge in enumerate(self.articles.get(article, [])):
            if charge.name in cancelled:
                return index
        return None

    def _remove_everywhere(self, name: str) -> bool:
        found = False
        for charges in self.articles.values():
            before = len(charges)
            charges[:] = [charge for charge in charges if charge.name != name]
            found = found or len(charges) != before
        return found

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            key: [{"charge": charge.name, "source": charge.source} for charge in self.articles[key]]
            for key in sorted(self.articles, key=_sort_key)
            if self.articles[key]
        }


def build_charge_table(lawrefbook_root: Path) -> dict[str, Any]:
    """Parse the charge-name documents in date order into {"source_documents": [...], "articles": {...}}."""
    documents = find_charge_documents(lawrefbook_root)
    table = _Table()
    for document in documents:
        is_opinion = "罪名的意见" in document.title
        entries = parse_opinion(document.body) if is_opinion else parse_supplement(document.body)
        for entry in entries:
            table.apply(entry, document.title)
    return {
        "source_documents": [
            {"title": d.title, "date": d.date.isoformat(), "path": d.path} for d in documents
        ],
        "articles": table.as_json(),
        # Names given for another enactment's articles ("《决定》第1条"), kept so nothing is silently dropped.
        "unmapped": table.unmapped,
        # Cancellations naming a charge the earlier documents here never set (it came from the SPC's 1997
        # 规定, which the corpus lacks).
        "unmatched_cancellations": table.unmatched,
    }


if __name__ == "__main__":
    json.dump(build_charge_table(Path(sys.argv[1])), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
