"""Cross-language search: a query that names a crime type in any vocabulary language also finds the
records tagged with it and those that name it in the other languages.

"money laundering", "洗钱", "blanchiment", "отмывание денег" are each recognised (sherloc.tagging's
term matching: the same analysis as search, so inflected forms count) and the words that name the crime
type are widened to: those words, OR the crime-type tag, OR each of its terms in every vocabulary
language, matched in that language's text only. Other words of the query still narrow as typed
("money laundering casino" finds laundering provisions that also mention a casino).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sherloc.search.query import And, Filter, Node, Not, Or, Term
from sherloc.tagging.tagger import NamedCrimeType, Tagger

MAX_CRIME_TYPES = 4  # widen for at most this many crime types named in one query


@dataclass(frozen=True)
class Expansion:
    """One crime type a query names, and what it was widened to."""

    crime_type: str
    words: str  # the query's words that name it, as typed
    language: str  # the language of the term they matched
    terms: Mapping[str, tuple[str, ...]]  # language -> the crime type's terms searched in it


def expand(query: Node | None, tagger: Tagger) -> tuple[Node | None, list[Expansion]]:
    """`query` with every run of plain words that names a crime type widened, and the expansions made.
    Words under NOT, prefixes, phrases and field-restricted words are left as typed."""
    if query is None:
        return None, []
    found: list[Expansion] = []
    return _node(query, tagger, found), found


def _plain(node: Node) -> bool:
    return isinstance(node, Term) and node.field is None and not node.prefix and node.language is None


def _node(node: Node, tagger: Tagger, found: list[Expansion]) -> Node:
    if isinstance(node, Term):
        return _items((node,), tagger, found)[0] if _plain(node) else node
    if isinstance(node, And):
        items = _items(node.items, tagger, found)
        return items[0] if len(items) == 1 else And(tuple(items))
    if isinstance(node, Or):
        return Or(tuple(_node(item, tagger, found) for item in node.items))
    return node  # Not, Phrase, Filter, Range


def _items(items: Sequence[Node], tagger: Tagger, found: list[Expansion]) -> list[Node]:
    """An And's items with each run of consecutive plain words widened where it names crime types."""
    out: list[Node] = []
    run: list[Term] = []
    for item in (*items, None):
        if item is not None and _plain(item):
            run.append(item)  # type: ignore[arg-type]  # _plain checked it is a Term
            continue
        if run:
            out.extend(_widen(run, tagger, found))
            run = []
        if item is not None:
            out.append(item if isinstance(item, Not) else _node(item, tagger, found))
    return out


def _widen(words: list[Term], tagger: Tagger, found: list[Expansion]) -> list[Node]:
    named = tagger.crime_types_named([w.text for w in words])
    spans: dict[tuple[int, int], list[NamedCrimeType]] = {}
    for item in named:
        span = (item.first, item.end)
        if span in spans or not any(a < item.end and item.first < b for a, b in spans):
            spans.setdefault(span, []).append(item)
    out: list[Node] = []
    position = 0
    for (first, end), crime_types in sorted(spans.items()):
        crime_types = [c for c in crime_types if _note(c, words, tagger, found)]
        if not crime_types:
            continue
        out.extend(words[position:first])
        typed: Node = words[first] if end - first == 1 else And(tuple(words[first:end]))
        alternatives: list[Node] = [typed]
        for crime_type in crime_types:
            # Tagged records match; those about it, then provisions of laws about it, rank first.
            alternatives.extend(
                Filter(field, crime_type.crime_type)
                for field in ("crime_type", "main_crime_type", "law_crime_type")
            )
            for language, terms in tagger.vocabulary.crime_type(crime_type.crime_type).terms.items():
                alternatives.extend(Term(term, language=language) for term in terms)
        out.append(Or(tuple(alternatives)))
        position = end
    out.extend(words[position:])
    return out


def _note(item: NamedCrimeType, words: Sequence[Term], tagger: Tagger, found: list[Expansion]) -> bool:
    if len(found) >= MAX_CRIME_TYPES or any(e.crime_type == item.crime_type for e in found):
        return False  # named twice ("money laundering blanchiment"): widened once
    found.append(
        Expansion(
            crime_type=item.crime_type,
            words=" ".join(w.text for w in words[item.first : item.end]),
            language=item.language,
            terms=dict(tagger.vocabulary.crime_type(item.crime_type).terms),
        )
    )
    return True
