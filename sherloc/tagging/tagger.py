"""Tag a text by crime type, convention article and cross-cutting issue, from the vocabulary's terms.

Terms are matched with the same analysis as search (sherloc.search.analysis: one character per token for
Chinese, stemming and accent folding for the European languages and Russian, Snowball's Arabic
normalisation), as runs of consecutive tokens, so "blanchiment" finds "blanchi", and "掩饰、隐瞒犯罪所得"
finds "掩饰隐瞒犯罪所得".

Where a term is found matters as much as the term. A provision is placed by its own heading (the title),
by the headings it sits under (the path: a chapter "Du blanchiment" or a section 走私、贩卖、运输、制造毒品罪
places all its articles), and by its text; a decision by the charges it names and its text. The nearest
enclosing heading weighs most, the umbrella headings above it less. Vocabulary `terms` name an offence
and are evidence alone; `context` words (drugs, firearms, cultural goods) only support: a provision that
mentions narcotics as an aggravating circumstance is not a drug-trafficking provision. `exclude` phrases
contain a term but mean something else ("corruption de mineur").

Two rules keep passing mentions out. When the headings or charges place a text (or a decision names its
charges, whatever they are), a crime type found only in its body needs two mentions (a laundering article
names the predicate offences it launders). When the body alone names three or more crime types, it is a
list of offences (a reference, a jurisdiction clause), and each needs two mentions too.

Every tag carries its evidence: the term, the field it was found in, where (character spans in the title,
the text or the charges, the heading for the path), and its weight.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import regex
import tantivy

from sherloc.ingest.language import detect
from sherloc.search.analysis import TOKEN_PATTERN, field_language
from sherloc.search.embedded import build_analyzers
from sherloc.vocab import Vocabulary

THRESHOLD = 1.0  # a crime type or issue is tagged at this score
PASSING_THRESHOLD = 2.0  # ... or this, when only the body names it next to a placed or listed offence
LIST_SIZE = 3  # this many crime types named only in the body make it a list of offences
MAX_TEXT_MENTIONS = 3  # repeated mentions of a term in the body add up to this many
MAX_CONTEXT_MENTIONS = 4

# (weight of a term, weight of a context word) per field
TITLE = (3.0, 0.5)
CHARGES = (3.0, 0.5)
PATH = ((3.0, 0.5), (2.0, 0.0), (1.0, 0.0))  # nearest enclosing heading first; the rest as the last
# An outer heading that lists several subjects ("De los delitos relativos a la propiedad intelectual e
# industrial, al mercado y a los consumidores") is an umbrella: its sections, not it, place an article.
UMBRELLA = (0.75, 0.0)
_LIST_MARK = regex.compile(r"[,;，；]")
TEXT = (1.0, 0.25)
# A decision's facts name the objects of the offence (heroin, pistols) where a law names the offence.
DECISION_TEXT = (1.0, 0.5)

STRUCTURAL_FIELDS = frozenset({"title", "path", "charges"})
MAX_SPANS = 5  # spans listed per evidence item
NAMED_CACHE_SIZE = 10_000  # search queries whose crime types are kept

_TOKEN = regex.compile(TOKEN_PATTERN, flags=regex.V1)  # V1: the set difference "--" as in Rust
_MAX_TOKEN_BYTES = 64  # the analyzers drop longer tokens (remove_long)


@dataclass(frozen=True)
class TagInput:
    """One text to tag: the `sherloc tag` input record."""

    id: str
    text: str
    language: str | None = None
    title: str = ""
    kind: str = "provision"
    path: tuple[str, ...] = ()  # enclosing headings, outermost first ("Livre III", "Du blanchiment")
    charges: tuple[str, ...] = ()  # a decision's charges as its caption names them

    @classmethod
    def provision(
        cls,
        ident: str,
        text: str,
        language: str | None,
        *,
        label: str | None,
        heading: str | None,
        law_title: str | None,
        path: Sequence[str],
    ) -> TagInput:
        """A provision as the portal tags it (at ingest and in the evaluation alike): its label and
        heading as the title, its law's title and enclosing headings as the path."""
        return cls(
            id=ident,
            text=text,
            language=language,
            title=" ".join(p for p in (label, heading) if p),
            kind="provision",
            path=tuple(p for p in (law_title, *path) if p),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TagInput:
        if not isinstance(data.get("id"), (str, int)) or isinstance(data.get("id"), bool):
            raise ValueError("each record needs an 'id' (a string)")
        text = data.get("text", "")
        if not isinstance(text, str):
            raise ValueError("'text' must be a string")
        kind = data.get("kind") or "provision"
        if kind not in ("provision", "decision", "law"):
            raise ValueError(f"'kind' must be provision, decision or law, not {kind!r}")
        language = data.get("language") or None
        if language is not None and not isinstance(language, str):
            raise ValueError("'language' must be a language code such as 'fr'")
        title = data.get("title") or ""
        if not isinstance(title, str):
            raise ValueError("'title' must be a string")
        # A single heading or charge may come as a string.
        path = [data["path"]] if isinstance(data.get("path"), str) else data.get("path") or []
        charges = [data["charges"]] if isinstance(data.get("charges"), str) else data.get("charges") or []
        for name, value in (("path", path), ("charges", charges)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"'{name}' must be a list of strings")
        return cls(
            id=str(data["id"]),
            text=text,
            language=language,
            title=title,
            kind=kind,
            path=tuple(path),
            charges=tuple(charges),
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
class NamedCrimeType:
    """A crime type a query names: words[first:end] contain `term`, a term of `language`."""

    crime_type: str
    language: str
    term: str
    first: int
    end: int


@dataclass(frozen=True)
class _Term:
    scheme: str  # crime_type | cross_cutting
    value: str
    term: str
    language: str
    tokens: tuple[str, ...]
    context: bool  # a supporting word, not the name of the offence


@dataclass(frozen=True)
class _Field:
    name: str  # title | path | charges | text
    content: str
    weights: tuple[float, float]
    heading: int | None = None  # index in the path


@dataclass
class _Found:
    """What one field says about one vocabulary entry."""

    score: float = 0.0
    evidence: list[dict[str, Any]] = field(default_factory=list)


class Tagger:
    def __init__(self, vocabulary: Vocabulary, analyzers: Mapping[str, tantivy.TextAnalyzer] | None = None):
        self.vocabulary = vocabulary
        self.analyzers = analyzers if analyzers is not None else build_analyzers()
        self.languages = vocabulary.term_languages
        self._named_cache: dict[tuple[str, ...], list[NamedCrimeType]] = {}  # search queries seen
        self._order = {ct.id: i for i, ct in enumerate(vocabulary.crime_types)}  # results in vocabulary order
        self._order.update({cc.id: i for i, cc in enumerate(vocabulary.cross_cutting)})
        # language -> first token -> terms starting with it; language -> excluded token runs
        self._terms: dict[str, dict[str, list[_Term]]] = defaultdict(lambda: defaultdict(list))
        self._exclude: dict[str, dict[str, list[tuple[str, ...]]]] = defaultdict(lambda: defaultdict(list))
        seen: set[tuple[str, str, str, tuple[str, ...]]] = set()
        for scheme, entries in (
            ("crime_type", vocabulary.crime_types),
            ("cross_cutting", vocabulary.cross_cutting),
        ):
            for entry in entries:
                for context, mapping in ((False, entry.terms), (True, entry.context)):
                    for language, terms in mapping.items():
                        for term in terms:
                            tokens = self._tokens(term, language)
                            if tokens and (scheme, entry.id, language, tokens) not in seen:
                                # Two spellings that analyse alike (a singular and its plural) are one term.
                                seen.add((scheme, entry.id, language, tokens))
                                item = _Term(scheme, entry.id, term, language, tokens, context)
                                self._terms[language][tokens[0]].append(item)
                for language, phrases in entry.exclude.items():
                    for phrase in phrases:
                        tokens = self._tokens(phrase, language)
                        if tokens:
                            self._exclude[language][tokens[0]].append(tokens)

    def _analyzer(self, language: str) -> tantivy.TextAnalyzer:
        return self.analyzers[f"lang_{field_language(language)}"]

    def _tokens(self, text: str, language: str) -> tuple[str, ...]:
        return tuple(self._analyzer(language).analyze(text))

    def tag(self, item: TagInput) -> TagResult:
        language = item.language or _detected(item.title + "\n" + item.text)
        languages = [language] if language in self.languages else list(self.languages)
        fields = _fields(item)
        found: dict[tuple[str, str], dict[str, _Found]] = defaultdict(lambda: defaultdict(_Found))
        for lang in languages:
            for spec in fields:
                for term, spans in self._matches(spec.content, lang).items():
                    weight = spec.weights[1 if term.context else 0]
                    if weight <= 0:
                        continue
                    cap = MAX_CONTEXT_MENTIONS if term.context else MAX_TEXT_MENTIONS
                    mentions = min(len(spans), cap) if spec.name == "text" else 1
                    into = found[(term.scheme, term.value)][spec.name]
                    into.score += weight * mentions
                    into.evidence.append(_evidence(term, spec, lang, spans, weight * mentions))
        return self._decide(item, language, found)

    def _decide(
        self, item: TagInput, language: str | None, found: Mapping[tuple[str, str], Mapping[str, _Found]]
    ) -> TagResult:
        """Apply the thresholds (see the module docstring) and build the result."""
        scores = {key: sum(f.score for f in fields.values()) for key, fields in found.items()}
        placed = {
            key
            for key, fields in found.items()
            if sum(f.score for name, f in fields.items() if name in STRUCTURAL_FIELDS) >= THRESHOLD
        }
        crime_placed = any(scheme == "crime_type" for scheme, _ in placed)
        body_only = [
            key for key in found if key[0] == "crime_type" and key not in placed and scores[key] >= THRESHOLD
        ]
        # Known charges, even ones outside the crime types, say what a decision is about.
        strict_body = crime_placed or bool(item.charges) or len(body_only) >= LIST_SIZE
        result = TagResult(id=item.id, language=language)
        for key in sorted(found, key=lambda k: (k[0] != "crime_type", self._order.get(k[1], 999))):
            scheme, value = key
            needed = PASSING_THRESHOLD if key in body_only and strict_body else THRESHOLD
            if scores[key] < needed:
                continue
            result.confidence[value] = confidence_of(scores[key])
            (result.crime_types if scheme == "crime_type" else result.cross_cutting).append(value)
            for name in ("title", "charges", "path", "text"):
                if name in found[key]:
                    result.evidence.extend(found[key][name].evidence)
        result.instruments = self._instruments(result.crime_types, result.cross_cutting)
        return result

    def _matches(self, content: str, language: str) -> dict[_Term, list[tuple[int, int] | None]]:
        """Terms of `language` found in `content` as runs of consecutive tokens, each with the character
        spans of its occurrences (None when the tokens cannot be placed). Excluded phrases are left out,
        and so is an occurrence inside a longer one of the same entry (毒品 in 走私、贩卖、运输、制造毒品,
        贪污 in 贪污贿赂): one mention counts once."""
        index = self._terms.get(language)
        if not content or not index:
            return {}
        tokens = self._tokens(content, language)
        excluded = self._excluded(tokens, language)
        occurrences: list[tuple[_Term, int, int]] = []
        for i, token in enumerate(tokens):
            for term in index.get(token, ()):
                n = len(term.tokens)
                if tokens[i : i + n] == term.tokens and not any(j in excluded for j in range(i, i + n)):
                    occurrences.append((term, i, i + n))
        if not occurrences:
            return {}
        by_value: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for term, start, end in occurrences:
            by_value[term.value].append((start, end))
        kept: dict[_Term, list[tuple[int, int]]] = defaultdict(list)
        for term, start, end in occurrences:
            if not any(s <= start and end <= e and (e - s) > (end - start) for s, e in by_value[term.value]):
                kept[term].append((start, end))
        # Character spans for the occurrences listed in the evidence only: tokens are placed up to the last.
        last = max(end for spans in kept.values() for _, end in spans[:MAX_SPANS])
        offsets = _token_offsets(content, last)
        return {
            term: [
                (offsets[start][0], offsets[end - 1][1]) if end <= len(offsets) else None
                for start, end in spans
            ]
            for term, spans in kept.items()
        }

    def crime_types_named(self, words: Sequence[str]) -> list[NamedCrimeType]:
        """Crime types that runs of consecutive `words` (a search query's words) name by one of their
        terms, in any language; context words do not count. Each found run once per crime type, the
        longest when runs overlap, in the order of the words."""
        key = tuple(words)
        named = self._named_cache.get(key)
        if named is None:
            if len(self._named_cache) >= NAMED_CACHE_SIZE:
                self._named_cache.clear()  # bounded; refills with the queries in use
            named = self._named_cache[key] = self._crime_types_named(key)
        return list(named)

    def _crime_types_named(self, words: Sequence[str]) -> list[NamedCrimeType]:
        found: dict[tuple[str, int, int], NamedCrimeType] = {}
        excluded_words: set[int] = set()  # inside a phrase some language excludes ("corruption de mineur")
        for language in self.languages:
            tokens: list[str] = []
            owner: list[int] = []
            for i, word in enumerate(words):
                analysed = self._tokens(word, language)
                tokens.extend(analysed)
                owner.extend([i] * len(analysed))
            index = self._terms.get(language)
            if not tokens or not index:
                continue
            excluded = self._excluded(tokens, language)
            excluded_words.update(owner[i] for i in excluded)
            for start, token in enumerate(tokens):
                for term in index.get(token, ()):
                    end = start + len(term.tokens)
                    if (
                        term.scheme == "crime_type"
                        and not term.context
                        and tuple(tokens[start:end]) == term.tokens
                        and not excluded.intersection(range(start, end))
                    ):
                        key = (term.value, owner[start], owner[end - 1])
                        if key not in found:
                            found[key] = NamedCrimeType(term.value, language, term.term, key[1], key[2] + 1)
        named = sorted(
            (n for n in found.values() if not excluded_words.issuperset(range(n.first, n.end))),
            key=lambda n: (n.first, -(n.end - n.first), self._order[n.crime_type]),
        )
        kept: list[NamedCrimeType] = []
        for item in named:
            if not any(
                k.crime_type == item.crime_type and k.first <= item.first and item.end <= k.end for k in kept
            ):
                kept.append(item)
        return kept

    def _excluded(self, tokens: Sequence[str], language: str) -> set[int]:
        """Positions of the tokens inside an excluded phrase."""
        index = self._exclude.get(language)
        if not index:
            return set()
        positions: set[int] = set()
        for i, token in enumerate(tokens):
            for phrase in index.get(token, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    positions.update(range(i, i + len(phrase)))
        return positions

    def implied_articles(
        self, crime_types: Iterable[str], cross_cutting: Iterable[str]
    ) -> dict[str, list[tuple[str, str]]]:
        """Convention articles ("UNTOC 6") the crime types and issues implement, in order, each with the
        (scheme, value) pairs that imply it."""
        found: dict[str, list[tuple[str, str]]] = {}
        for crime_type in crime_types:
            for article in self.vocabulary.criminalization_articles(crime_type):
                found.setdefault(article.ref, []).append(("crime_type", crime_type))
        for issue in cross_cutting:
            for article in self.vocabulary.cross_cutting_articles(issue):
                found.setdefault(article.ref, []).append(("cross_cutting", issue))
        return found

    def _instruments(self, crime_types: Iterable[str], cross_cutting: Iterable[str]) -> list[dict[str, str]]:
        refs = self.implied_articles(crime_types, cross_cutting)
        return [
            {"instrument": instrument, "article": number}
            for instrument, _, number in (ref.rpartition(" ") for ref in refs)
        ]


def _fields(item: TagInput) -> list[_Field]:
    """The fields of an input, with their weights: title, charges, path (nearest heading first), text."""
    fields = [_Field("title", item.title, TITLE), _Field("charges", "；".join(item.charges), CHARGES)]
    for distance, index in enumerate(reversed(range(len(item.path)))):
        weights = PATH[min(distance, len(PATH) - 1)]
        if distance and _LIST_MARK.search(item.path[index]):
            weights = min(weights, UMBRELLA)
        fields.append(_Field("path", item.path[index], weights, heading=index))
    fields.append(_Field("text", item.text, DECISION_TEXT if item.kind == "decision" else TEXT))
    return [f for f in fields if f.content.strip()]


def _evidence(
    term: _Term, spec: _Field, language: str, spans: list[tuple[int, int] | None], weight: float
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "scheme": term.scheme,
        "value": term.value,
        "term": term.term,
        "field": spec.name,
        "language": language,
        "count": len(spans),
        "weight": round(weight, 3),
    }
    if term.context:
        out["context"] = True
    if spec.heading is not None:
        out["heading"] = spec.content
    placed = [list(span) for span in spans[:MAX_SPANS] if span is not None]
    if placed:
        out["spans"] = placed
    return out


def _token_offsets(content: str, count: int) -> list[tuple[int, int]]:
    """Character spans of the analyzer's first `count` tokens (the regex tokenizer, without the tokens the
    analyzers drop as too long)."""
    kept = (m.span() for m in _TOKEN.finditer(content) if len(m.group().encode("utf-8")) < _MAX_TOKEN_BYTES)
    return list(islice(kept, count))


def _detected(text: str) -> str | None:
    found = detect(text)
    return found[0] if found else None


def confidence_of(score: float) -> float:
    """The confidence reported for a score: 0.5 at the threshold, approaching 1 as evidence adds up."""
    return round(1 - math.pow(0.5, score), 3)
