"""Score the tagger's crime types against labelled sets: precision, recall, F1 per set, group and type."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sherloc.tagging.evalsets import EvalItem
from sherloc.tagging.tagger import Tagger, TagInput, TagResult

GROUPS = ("decisions", "provisions")  # a set belongs to the group its name starts with


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    negatives: int = 0  # items with no gold crime type
    tagged_negatives: int = 0  # ... given one anyway
    items: int = 0

    def add(self, found: set[str], gold: set[str]) -> None:
        self.items += 1
        self.tp += len(found & gold)
        self.fp += len(found - gold)
        self.fn += len(gold - found)
        if not gold:
            self.negatives += 1
            self.tagged_negatives += bool(found)

    def merge(self, other: Counts) -> None:
        for name in ("tp", "fp", "fn", "negatives", "tagged_negatives", "items"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def negatives_tagged(self) -> float:
        """Share of the negatives given any crime type."""
        return self.tagged_negatives / self.negatives if self.negatives else 0.0


@dataclass
class Evaluation:
    sets: dict[str, Counts] = field(default_factory=dict)
    groups: dict[str, Counts] = field(default_factory=lambda: {g: Counts() for g in GROUPS})
    crime_types: dict[str, Counts] = field(default_factory=dict)
    items: int = 0


def evaluate(
    tagger: Tagger,
    sets: Mapping[str, Iterable[EvalItem]],
    on_error: Callable[[str, EvalItem, TagResult], None] | None = None,
) -> Evaluation:
    """Tag every item and count; `on_error(set name, item, result)` sees each item tagged wrongly."""
    report = Evaluation()
    for name, items in sets.items():
        counts = report.sets.setdefault(name, Counts())
        for item in items:
            result = tagger.tag(TagInput.from_json(item.to_json()))  # as `sherloc tag` reads it
            found, gold = set(result.crime_types), set(item.gold)
            counts.add(found, gold)
            report.items += 1
            for crime_type in found | gold:
                report.crime_types.setdefault(crime_type, Counts()).add(
                    found & {crime_type}, gold & {crime_type}
                )
            if on_error is not None and found != gold:
                on_error(name, item, result)
        for group in GROUPS:
            if name.startswith(group):
                report.groups[group].merge(counts)
    return report
