"""Read a query word as an article number, so "第一百九十一条", "第191条", "§261" and "324-1" find provisions.

The normalised forms match what parsers store in a provision's `number` (see ingest.structure).
"""

from __future__ import annotations

import re

from sherloc.numerals import CN_NUMERAL_CHARS, cn_article_number

_CN_ARTICLE = re.compile(rf"^第[{CN_NUMERAL_CHARS}]+条(?:之[{CN_NUMERAL_CHARS}]+)?$")
_PLAIN = re.compile(
    r"^(?:§|art\.?|article|artículo|статья|sec\.?|section)?\s*(\d+(?:[-.]\d+)*)$", re.IGNORECASE
)
_LETTERED = re.compile(r"^([LRDA])\.?\s*(\d+(?:-\d+)*)$")


def article_number(word: str) -> str | None:
    """The normalised article number `word` denotes, or None when it is not one."""
    word = word.strip()
    if not word:
        return None
    if _CN_ARTICLE.match(word):
        try:
            return cn_article_number(word)
        except ValueError:
            return None
    m = _LETTERED.match(word)
    if m:
        return f"{m.group(1)}{m.group(2)}"
    m = _PLAIN.match(word)
    if m:
        return m.group(1)
    return None
