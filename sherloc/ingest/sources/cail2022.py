"""Parser for CAIL2022 drug-case fact paragraphs with entity and relation labels (task 信息抽取, "xxcq")."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sherloc.ingest.sources.lecardv2 import (
    ChargeVocabulary,
    find_charges,
    iter_json_objects,
    load_charge_vocabulary,
)
from sherloc.ingest.structure import unstorable
from sherloc.ingest.types import ParsedRecord, ParseError

DATASET = "CAIL2022 xxcq"
# The labelled relations; "NA" marks pairs the annotators judged unrelated and is left out. "posess" is
# the dataset's own spelling.
RELATIONS = ("sell_drugs_to", "traffic_in", "posess", "provide_shelter_for")
_CAIL_HEAD = re.compile(r'^\[?\s*\{\s*"articleId"\s*:')


def entities(paragraph: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The labelled spans (type, text, start, end), kept only where they match the text at their offsets."""
    spans = []
    for mention in paragraph.get("entityMentions") or []:
        start, end, label = mention.get("start"), mention.get("end"), mention.get("label")
        if isinstance(start, int) and isinstance(end, int) and text[start:end] == mention.get("text"):
            spans.append({"type": label, "text": text[start:end], "start": start, "end": end})
    return spans


def relations(paragraph: dict[str, Any], text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The labelled relations with their head and tail arguments (text, offsets and entity type)."""
    types = {(span["start"], span["text"]): span["type"] for span in spans}
    found = []
    for mention in paragraph.get("relationMentions") or []:
        if mention.get("label") not in RELATIONS:
            continue
        head = _argument(text, mention.get("e1start"), mention.get("em1Text"), types)
        tail = _argument(text, mention.get("e21start"), mention.get("em2Text"), types)
        if head is not None and tail is not None:
            found.append({"label": mention["label"], "head": head, "tail": tail})
    return found


def _argument(
    text: str, start: Any, written: Any, types: dict[tuple[int, str], str]
) -> dict[str, Any] | None:
    if (
        not isinstance(start, int)
        or not isinstance(written, str)
        or text[start : start + len(written)] != written
    ):
        return None
    argument: dict[str, Any] = {"text": written, "start": start, "end": start + len(written)}
    if (start, written) in types:
        argument["type"] = types[(start, written)]
    return argument


class Cail2022Parser:
    """CAIL2022 information-extraction data: one fact paragraph per JSON line (a JSON array is read too).

    Each paragraph becomes a decision excerpt keyed "cail2022/<articleId>-<sentId>", titled honestly (the
    dataset names no case), with the labelled entities and relations as attributes and charges only where the
    paragraph itself names one. Malformed lines are skipped and listed in `warnings` (emptied by each parse()
    call, filled as its records are read); ParseError only for a file that cannot be read at all.
    """

    name = "cail2022"

    def __init__(self, vocab_dir: Path | None = None) -> None:
        self._vocab_dir = vocab_dir
        self._vocabulary: ChargeVocabulary | None = None
        self.warnings: list[str] = []

    def detect(self, path: Path, head: str) -> bool:
        """A .json file of objects starting {"articleId": ...} (JSON Lines or an array)."""
        return path.suffix.lower() == ".json" and bool(_CAIL_HEAD.match(head.lstrip("\ufeff")))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield one decision excerpt per well-formed paragraph of `path`."""
        self.warnings = []
        if self._vocabulary is None:
            self._vocabulary = load_charge_vocabulary(self._vocab_dir)
        for where, paragraph in self._paragraphs(path):
            record = self._record(paragraph, self._vocabulary)
            if record is None:
                self.warnings.append(f"{path.name} {where}: no sentText, articleId and sentId; skipped")
                continue
            yield record

    def _paragraphs(self, path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
        try:
            with path.open("rb") as handle:
                array = handle.read(64).lstrip().startswith(b"[")
        except OSError as exc:
            raise ParseError(f"{path.name} cannot be read ({exc.strerror})") from exc
        if not array:
            for number, paragraph in iter_json_objects(path, self.warnings):
                yield f"line {number}", paragraph
            return
        try:  # the array form (the official release) is small enough to load whole
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:  # ValueError: JSONDecodeError, or a 5000-digit number
            raise ParseError(f"{path.name} is a JSON array that cannot be read: {exc}") from exc
        except RecursionError as exc:
            raise ParseError(f"{path.name} is a JSON array that cannot be read: nested too deeply") from exc
        except OSError as exc:
            raise ParseError(f"{path.name} cannot be read ({exc.strerror})") from exc
        if not isinstance(data, list):
            raise ParseError(f"{path.name} is not a JSON array (it holds a {type(data).__name__})")
        for index, paragraph in enumerate(data):
            problem = unstorable(paragraph)
            if problem:
                self.warnings.append(f"{path.name} item {index}: holds {problem}; skipped")
            elif isinstance(paragraph, dict):
                yield f"item {index}", paragraph
            else:
                self.warnings.append(f"{path.name} item {index}: not a JSON object; skipped")

    def _record(self, paragraph: dict[str, Any], vocab: ChargeVocabulary) -> ParsedRecord | None:
        text, article, sentence = (
            paragraph.get("sentText"),
            paragraph.get("articleId"),
            paragraph.get("sentId"),
        )
        if not isinstance(text, str) or not text.strip() or article is None or sentence is None:
            return None
        key = f"{article}-{sentence}"
        spans = entities(paragraph, text)
        attributes: dict[str, Any] = {"dataset": DATASET, "article_id": article, "sentence_id": sentence}
        mentions = find_charges(text, vocab)
        if mentions:
            attributes["charges"] = list(dict.fromkeys(m.name for m in mentions))
            attributes["evidence"] = {"charges": {"start": mentions[0].start, "end": mentions[0].end}}
        attributes["entities"] = spans
        attributes["relations"] = relations(paragraph, text, spans)
        return ParsedRecord(
            source=self.name,
            source_key=f"cail2022/{key}",
            kind="decision",
            title=f"CAIL2022 毒品案件事实段落 {key}",
            country="CN",
            language="zh",
            text=text,
            attributes=attributes,
        )
