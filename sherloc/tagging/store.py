"""Stored tags: tag records as ingest stores them, roll provisions' tags up to their law, write differences.

Each record gets Tag rows in three schemes: crime_type, instrument_article ("UNTOC 6", the form the query
parser's `article:` filter and the facets use) and cross_cutting, each with its confidence and evidence.
Tags computed from the record itself have origin "tagger"; a law's tags gathered from its provisions have
origin "rollup". Only those two origins are ever rewritten here: a tag an editor set stays.

Every record remembers the tagger version its tags come from (a hash of the vocabulary files and of the
tagging code), so a vocabulary edit leaves records visibly stale until `sherloc retag` (sherloc.ingest.retag)
recomputes them.
Writes are differences only: a record whose tags come out the same keeps its rows untouched, which is
what makes re-running an ingest or a re-tag change nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from sherloc.db import chunks
from sherloc.models import TAG_SCHEMES, Record, Tag
from sherloc.tagging import tagger as tagger_module
from sherloc.tagging.tagger import Tagger, TagInput, TagResult
from sherloc.vocab import Vocabulary, load_vocabulary

# "source": tags the source file itself declares (a bibliography entry's crime types, a treaty's
# subjects); recomputed from the record like the tagger's, so a changed file changes them.
MANAGED_ORIGINS = ("tagger", "rollup", "source")
# Kinds tagged from their title and text (what they are about), besides laws, provisions and decisions.
TEXT_KINDS = ("bibliography", "treaty", "strategy", "policy_document")
MAX_EVIDENCE = 20  # evidence entries kept per tag: enough to show why, bounded for a long judgment
ROLLUP_EXAMPLES = 5  # provision ids a law's rolled-up tag names as examples
# Files of the vocabulary folder that do not change tagging: evaluation labels, the directory's mandates.
NOT_TAGGING_DATA = frozenset({"eval_labels.yaml", "directory_mandates.yaml"})


def tagger_version(vocab_dir: Path) -> str:
    """A short hash of what decides tags: the vocabulary files and the tagging code."""
    digest = hashlib.sha256()
    root = Path(vocab_dir)
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json") and path.name not in NOT_TAGGING_DATA:
            name = path.relative_to(root).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    for module_file in (tagger_module.__file__, __file__):
        if module_file:
            digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class StoredTag:
    """One Tag row to be: scheme, value, confidence, evidence (JSON objects) and origin."""

    scheme: str
    value: str
    confidence: float
    evidence: tuple[Mapping[str, Any], ...]
    origin: str

    def key(self) -> tuple[str, str, float, str, str]:
        """What decides whether a stored tag is still the same."""
        evidence = json.dumps(list(self.evidence), sort_keys=True, ensure_ascii=False, default=str)
        return (self.scheme, self.value, round(self.confidence, 6), self.origin, evidence)


def tag_input(record: Record, law_title: str | None, has_provisions: bool) -> TagInput | None:
    """What the tagger reads of a record, or None for kinds that are not tagged.

    Provisions as benchmarks/eval_tags.py measures them: label and heading as the title, the law's title
    and the enclosing headings as the path. Decisions with their charges. A law by its title (its text
    only when it has no provisions: otherwise its provisions speak for it, through the roll-up).
    """
    if record.kind == "provision":
        return TagInput.provision(
            record.id,
            record.text or "",
            record.language,
            label=record.label,
            heading=record.heading,
            law_title=law_title,
            path=record.structure_path or (),
        )
    if record.kind == "decision":
        charges = (record.attributes or {}).get("charges") or ()
        return TagInput(
            id=record.id,
            text=record.text or "",
            language=record.language,
            title=record.title,
            kind="decision",
            charges=tuple(c for c in charges if isinstance(c, str)),
        )
    if record.kind == "law" or (record.kind in TEXT_KINDS and has_provisions):
        return TagInput(
            id=record.id,
            text="" if has_provisions else (record.text or ""),
            language=record.language,
            title=record.title,
            kind="law",
        )
    if record.kind in TEXT_KINDS:
        return TagInput(
            id=record.id, text=record.text or "", language=record.language, title=record.title, kind="law"
        )
    return None


def declared_tags(record: Record) -> dict[str, tuple[str, ...]]:
    """Tags the record's source declares: attributes["declared_tags"] = {"crime_type": [...],
    "cross_cutting": [...]} (a bibliography entry's own, a treaty's subjects)."""
    declared = (record.attributes or {}).get("declared_tags") or {}
    return {
        scheme: tuple(dict.fromkeys(v for v in values if isinstance(v, str) and v))
        for scheme, values in declared.items()
        if scheme in ("crime_type", "cross_cutting") and isinstance(values, list)
    }


class RecordTagging:
    """The tagging step: one per ingest run or re-tag (the tagger is built on first use, then reused)."""

    def __init__(self, vocab_dir: Path, vocabulary: Vocabulary | None = None) -> None:
        self.vocab_dir = Path(vocab_dir)
        self.version = tagger_version(self.vocab_dir)
        self._vocabulary = vocabulary
        self._tagger: Tagger | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        if self._vocabulary is None:
            self._vocabulary = load_vocabulary(self.vocab_dir)
        return self._vocabulary

    @property
    def tagger(self) -> Tagger:
        if self._tagger is None:
            self._tagger = Tagger(self.vocabulary)
        return self._tagger

    # -- computing -------------------------------------------------------------------------------

    def plan(self, records: Iterable[Record]) -> dict[str, list[StoredTag]]:
        """The tags every record in `records` should have; a law's include its provisions' roll-up,
        so a law comes with all its provisions."""
        by_id = {r.id: r for r in records}
        children: dict[str, list[Record]] = defaultdict(list)
        for r in by_id.values():
            if r.parent_id is not None:
                children[r.parent_id].append(r)
        out: dict[str, list[StoredTag]] = {}
        for r in by_id.values():
            parent = by_id.get(r.parent_id) if r.parent_id is not None else None
            item = tag_input(r, parent.title if parent is not None else None, bool(children.get(r.id)))
            out[r.id] = self.tag_rows(self.tagger.tag(item)) if item is not None else []
            out[r.id] = self.with_declared(out[r.id], declared_tags(r))
        for parent_id, kids in children.items():
            if parent_id in out:
                kids.sort(key=lambda k: (k.position, k.id))
                out[parent_id] = rolled_up(out[parent_id], [(k.id, out[k.id]) for k in kids])
        return out

    def tag_rows(self, result: TagResult) -> list[StoredTag]:
        """A tagger result as Tag rows (origin "tagger"); an article's evidence names what implies it."""
        evidence: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for entry in result.evidence:
            evidence[str(entry.get("value"))].append(entry)
        found = (("crime_type", result.crime_types), ("cross_cutting", result.cross_cutting))
        rows = [
            StoredTag(scheme, value, result.confidence.get(value, 1.0), _capped(evidence[value]), "tagger")
            for scheme, values in found
            for value in values
        ]
        implied = self.tagger.implied_articles(result.crime_types, result.cross_cutting)
        for ref, via in implied.items():
            confidence = max(result.confidence.get(value, 1.0) for _scheme, value in via)
            rows.append(
                StoredTag(
                    "instrument_article",
                    ref,
                    confidence,
                    tuple({"scheme": s, "value": v} for s, v in via),
                    "tagger",
                )
            )
        return rows

    def with_declared(self, rows: list[StoredTag], declared: Mapping[str, Sequence[str]]) -> list[StoredTag]:
        """`rows` with the tags the source declares (origin "source", confidence 1) in place of the
        tagger's same ones, and the convention articles they imply."""
        known = {
            "crime_type": {c.id for c in self.vocabulary.crime_types},
            "cross_cutting": {c.id for c in self.vocabulary.cross_cutting},
        }
        wanted = {(s, v) for s, values in declared.items() for v in values if v in known.get(s, set())}
        if not wanted:
            return rows
        kept = [t for t in rows if (t.scheme, t.value) not in wanted]
        source = [StoredTag(s, v, 1.0, ({"field": "source"},), "source") for s, v in sorted(wanted)]
        crime_types = [v for s, v in wanted if s == "crime_type"]
        cross_cutting = [v for s, v in wanted if s == "cross_cutting"]
        have = {(t.scheme, t.value) for t in kept}
        for ref, via in self.tagger.implied_articles(crime_types, cross_cutting).items():
            if ("instrument_article", ref) not in have:
                # Implied by the declared tags, not declared itself: the tagger's inference.
                evidence = tuple({"scheme": s, "value": v} for s, v in via)
                source.append(StoredTag("instrument_article", ref, 1.0, evidence, "tagger"))
        return kept + source

    # -- storing ---------------------------------------------------------------------------------

    def apply(self, session: Session, plan: Mapping[str, Sequence[StoredTag]]) -> list[str]:
        """Store `plan` where it differs from the stored tags, and mark every planned record as tagged
        with this version. Returns the ids whose tags changed (to re-index). The records must exist."""
        ids = sorted(plan)
        stored: dict[str, list[tuple[str, str, float, str, str]]] = defaultdict(list)
        by_hand: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for chunk in chunks(ids):
            rows = session.execute(
                select(Tag.record_id, Tag.scheme, Tag.value, Tag.confidence, Tag.evidence, Tag.origin).where(
                    Tag.record_id.in_(chunk)
                )
            )
            for rid, scheme, value, confidence, evidence, origin in rows:
                if origin in MANAGED_ORIGINS:
                    tag = StoredTag(scheme, value, confidence, tuple(evidence or ()), origin)
                    stored[rid].append(tag.key())
                else:
                    by_hand[rid].add((scheme, value))
        changed: list[str] = []
        inserts: list[dict[str, Any]] = []
        for rid in ids:
            # An editor's tag stands in place of the tagger's for the same scheme and value.
            wanted = [t for t in plan[rid] if (t.scheme, t.value) not in by_hand[rid]]
            if sorted(t.key() for t in wanted) == sorted(stored[rid]):
                continue
            changed.append(rid)
            inserts.extend(
                {
                    "record_id": rid,
                    "scheme": t.scheme,
                    "value": t.value,
                    "confidence": t.confidence,
                    "evidence": [dict(e) for e in t.evidence],
                    "origin": t.origin,
                }
                for t in wanted
            )
        for chunk in chunks(changed):
            session.execute(
                delete(Tag).where(Tag.record_id.in_(chunk), Tag.origin.in_(MANAGED_ORIGINS)),
                execution_options={"synchronize_session": False},
            )
        if inserts:
            session.execute(insert(Tag), inserts)
        for chunk in chunks(ids):
            session.execute(
                update(Record)
                .where(Record.id.in_(chunk), stale(self.version))
                # updated_at says when the content changed; a new tagger version alone does not touch it.
                .values(tagger_version=self.version, updated_at=Record.updated_at),
                execution_options={"synchronize_session": False},
            )
        return changed


def rolled_up(own: list[StoredTag], children: list[tuple[str, list[StoredTag]]]) -> list[StoredTag]:
    """A law's tags: its own (from its title) plus the union of its provisions' tags, each with the
    highest confidence among them and how many provisions carry it."""
    found: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for child_id, tags in children:
        for tag in tags:
            best, ids = found.get((tag.scheme, tag.value), (0.0, []))
            found[(tag.scheme, tag.value)] = (max(best, tag.confidence), [*ids, child_id])
    result = list(own)
    position = {(t.scheme, t.value): i for i, t in enumerate(result)}
    order = sorted(found.items(), key=lambda kv: (TAG_SCHEMES.index(kv[0][0]), -len(kv[1][1]), kv[0][1]))
    for (scheme, value), (confidence, ids) in order:
        summary = {"provisions": len(ids), "examples": ids[:ROLLUP_EXAMPLES]}
        if (scheme, value) in position:  # the law's title names it too: one tag, both kinds of evidence
            i = position[(scheme, value)]
            mine = result[i]
            result[i] = StoredTag(
                scheme, value, max(mine.confidence, confidence), (*mine.evidence, summary), mine.origin
            )
        else:
            result.append(StoredTag(scheme, value, confidence, (summary,), "rollup"))
    return result


def stale_count(session: Session, version: str) -> int:
    """Records whose tags come from another tagger version (or that were never tagged)."""
    return int(session.scalar(select(func.count()).select_from(Record).where(stale(version))) or 0)


def stale(version: str) -> Any:
    """SQL condition: the record's tags are not from `version`."""
    return or_(Record.tagger_version.is_(None), Record.tagger_version != version)


def _capped(entries: list[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(entries[:MAX_EVIDENCE])
