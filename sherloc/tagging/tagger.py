"""Tag a text by crime type, convention article and cross-cutting issue, from the vocabulary's terms.

Terms are matched with the same analysis as search (sherloc.search.analysis: one character per token for
Chinese, stemming and accent folding for the European languages and Russian, Snowball's Arabic
normalisation), as runs of consecutive tokens, so "blanchiment" finds "blanchi", and "掩饰、隐瞒犯罪所得"
finds "掩饰隐瞒犯罪所得". A match in the title or heading weighs more than one in the body. Every tag
carries its evidence: the term, where it was found, and how often.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import tantivy

from sherloc.ingest.language import detect
from sherloc.search.analysis import field_language
from sherloc.search.embedded import build_analyzers
from sherloc.vocab import TERM_LANGUAGES, Vocabulary

TITLE_WEIGHT = 3.0
TEXT_WEIGHT = 1.0
THRESHOLD = 1.0  # a score at or above this tags the text (2 and 3 measured: worse provisions F1)
MAX_TEXT_HITS = 3  # repeated mentions in the body add up to this many


@dataclass(frozen=True)
class TagInput:
    """One text to tag: the `sherloc tag` input record."""

    id: str
    text: str
    language: str | None = None
    title: str = ""
    kind: str = "provision"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TagInput:
        if not isinstance(data.get("id"), (str, int)):
            raise ValueError("each record needs an 'id' (a string)")
        text = data.get("text", "")
        if not isinstance(text, str):
            raise ValueError("'text' must be a string")
        kind = data.get("kind") or "provision"
        if kind not in ("provision", "decision", "law"):
            raise ValueError(f"'kind' must be provision, decision or law, not {kind!r}")
        return cls(
            id=str(data["id"]),
            text=text,
            language=data.get("language") or None,
            title=str(data.get("title") or ""),
            kind=kind,
        )


@dataclass
class TagResult:
    id: str
    language: str | None
    crime_types: list[str] = field(default_factory=list)
    instruments: list[dict[str, str]] = field(default_factory=list)
    cross_cutting: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "language": self.language,
            "crime_types": self.crime_types,
            "instruments": self.instruments,
            "cross_cutting": self.cross_cutting,
            "evidence": self.evidence,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class _Term:
    scheme: str  # crime_type | cross_cutting
    value: str
    term: str
    language: str
    tokens: tuple[str, ...]


class Tagger:
    def __init__(self, vocabulary: Vocabulary, analyzers: Mapping[str, tantivy.TextAnalyzer] | None = None):
        self.vocabulary = vocabulary
        self.analyzers = analyzers if analyzers is not None else build_analyzers()
        self._order = {ct.id: i for i, ct in enumerate(vocabulary.crime_types)}  # results in vocabulary order
        # language -> first token -> terms starting with it
        self._terms: dict[str, dict[str, list[_Term]]] = defaultdict(lambda: defaultdict(list))
        for scheme, entries in (
            ("crime_type", vocabulary.crime_types),
            ("cross_cutting", vocabulary.cross_cutting),
        ):
            for entry in entries:
                for language, terms in entry.terms.items():
                    for term in terms:
                        tokens = self._tokens(term, language)
                        if tokens:
                            item = _Term(scheme, entry.id, term, language, tokens)
                            self._terms[language][tokens[0]].append(item)

    def _tokens(self, text: str, language: str) -> tuple[str, ...]:
        return tuple(self.analyzers[f"lang_{field_language(language)}"].analyze(text))

    def tag(self, item: TagInput) -> TagResult:
        language = item.language or _detected(item.title + "\n" + item.text)
        languages = [language] if language in TERM_LANGUAGES else list(TERM_LANGUAGES)
        scores: dict[tuple[str, str], float] = defaultdict(float)
        evidence: list[dict[str, Any]] = []
        for lang in languages:
            for where, content, weight in (
                ("title", item.title, TITLE_WEIGHT),
                ("text", item.text, TEXT_WEIGHT),
            ):
                if not content:
                    continue
                for term, count in self._matches(self._tokens(content, lang), lang).items():
                    hits = count if where == "title" else min(count, MAX_TEXT_HITS)
                    scores[(term.scheme, term.value)] += weight * hits
                    evidence.append(
                        {
                            "scheme": term.scheme,
                            "value": term.value,
                            "term": term.term,
                            "field": where,
                            "language": lang,
                            "count": count,
                        }
                    )
        result = TagResult(id=item.id, language=language)
        for (scheme, value), score in sorted(scores.items(), key=lambda kv: self._order.get(kv[0][1], 99)):
            if score < THRESHOLD:
                continue
            result.confidence[value] = round(min(1.0, score / (2 * THRESHOLD + TITLE_WEIGHT)), 3)
            if scheme == "crime_type":
                result.crime_types.append(value)
            else:
                result.cross_cutting.append(value)
        tagged = set(result.crime_types) | set(result.cross_cutting)
        result.evidence = [e for e in evidence if e["value"] in tagged]
        result.instruments = self._instruments(result.crime_types, result.cross_cutting)
        return result

    def _matches(self, tokens: tuple[str, ...], language: str) -> dict[_Term, int]:
        """Terms of `language` found as runs of consecutive tokens, with how often each occurs."""
        index = self._terms.get(language, {})
        found: dict[_Term, int] = defaultdict(int)
        for i, token in enumerate(tokens):
            for term in index.get(token, ()):
                n = len(term.tokens)
                if tokens[i : i + n] == term.tokens:
                    found[term] += 1
        return found

    def _instruments(self, crime_types: Iterable[str], cross_cutting: Iterable[str]) -> list[dict[str, str]]:
        refs: list[tuple[str, int]] = []
        for crime_type in crime_types:
            refs.extend(
                (a.instrument, a.number) for a in self.vocabulary.criminalization_articles(crime_type)
            )
        for issue in cross_cutting:
            refs.extend((a.instrument, a.number) for a in self.vocabulary.cross_cutting_articles(issue))
        seen: dict[tuple[str, int], None] = dict.fromkeys(refs)
        return [{"instrument": inst, "article": str(number)} for inst, number in seen]


def _detected(text: str) -> str | None:
    found = detect(text)
    return found[0] if found else None
