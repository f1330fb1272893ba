"""Read a query word as an article number, so "第一百九十一条", "第191条", "§261", "art. 324-1",
"статья 174.1", "المادة ١٢" and "324-1" find provisions.

The normalised forms match what parsers store in a provision's `number` (see ingest.structure).
"""

from __future__ import annotations

import re
from dataclasses import replace

from sherloc.numerals import CN_NUMERAL_CHARS, cn_article_number
from sherloc.search.query import And, Filter, Node, Or, Term

# Words that say "article" before its number, as users type them: "§ 261", "art. 324-1", "статья 174".
_MARKER = (
    r"§§?|arts?\.?|articles?|art[ií]culos?|art\.º|стать[яи]|ст\.?|secs?\.?|sections?|"
    r"paragraphs?|para\.?|ال?مادة|مادة"
)
_MARKER_WORD = re.compile(rf"^(?:{_MARKER})$", re.IGNORECASE)
_CN_ARTICLE = re.compile(rf"^第[{CN_NUMERAL_CHARS}]+条(?:之[{CN_NUMERAL_CHARS}]+)?$")
_LEADING_MARKER = re.compile(rf"^(?:{_MARKER})(?![^\W\d_])\s*", re.IGNORECASE)  # "Art" of "Article": no
_PLAIN = re.compile(r"^(\d+(?:[-.]\d+)*)$")
# Markers only one language writes: its provisions come first ("ст. 210" is the Russian code's).
_MARKER_LANGUAGES = (
    (re.compile(r"^(?:стать[яи]|ст\.?)", re.IGNORECASE), "ru"),
    (re.compile(r"^art[ií]culos?", re.IGNORECASE), "es"),
    (re.compile(r"^ال?مادة|^مادة"), "ar"),
    (re.compile(r"^第"), "zh"),
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTERED = re.compile(r"^([LRDA])\.?\s*(\d+(?:-\d+)*)$")


def article_number(word: str) -> str | None:
    """The normalised article number `word` denotes, or None when it is not one."""
    word = word.strip().translate(_DIGITS)
    if not word:
        return None
    if _CN_ARTICLE.match(word):
        try:
            return cn_article_number(word)
        except ValueError:
            return None
    word = _LEADING_MARKER.sub("", word)
    m = _LETTERED.match(word)
    if m:
        return f"{m.group(1)}{m.group(2)}"
    m = _PLAIN.match(word)
    if m:
        return m.group(1)
    return None


def join_article_numbers(node: Node | None) -> Node | None:
    """`node` with a word that says "article" joined to the number after it ("art." "324-1" ->
    "art. 324-1"), so the pair is read as one article number instead of two words both required; and
    an article number written the way only one language writes it ("статья 210", "第210条") preferring
    that language's provisions (they rank first; others still match)."""
    if isinstance(node, Term):
        return _prefer_language(node)
    if isinstance(node, And):
        items: list[Node] = []
        for item in node.items:
            previous = items[-1] if items else None
            if (
                isinstance(previous, Term)
                and isinstance(item, Term)
                and previous.field is None
                and item.field is None
                and not previous.prefix
                and _MARKER_WORD.match(previous.text)
                and article_number(item.text) is not None
            ):
                items[-1] = _prefer_language(replace(item, text=f"{previous.text} {item.text}"))
            else:
                items.append(join_article_numbers(item) or item)
        return items[0] if len(items) == 1 else And(tuple(items))
    if isinstance(node, Or):
        return Or(tuple(join_article_numbers(i) or i for i in node.items))
    return node


def _prefer_language(term: Term) -> Node:
    if term.field is not None or term.prefix or article_number(term.text) is None:
        return term
    for marker, language in _MARKER_LANGUAGES:
        if marker.match(term.text):
            return Or((term, And((term, Filter("language", language)))))
    return term
