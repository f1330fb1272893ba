"""Highlighting helpers: for text indexed one character per token (Chinese), and windows of long texts.

An engine's term highlighter would mark every 一 of a text for the query 第一百九十一条; here the query's
words are found whole, the densest window is cut, and matches are marked. Output is escaped HTML.

An engine's snippet generator reads the whole text it is given, and a judgment runs to 200,000
characters: `text_window` cuts the part around the first place the query's words seem to be (a cheap
case-insensitive look for their stems), so the generator reads a few thousand characters instead.
"""

from __future__ import annotations

import html
import re

from sherloc.search.query import And, Node, Or, Phrase, Term

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")


def han_needles(node: Node | None) -> list[str]:
    """The runs of Han characters in the query's positive words and phrases, longest first."""
    found: set[str] = set()

    def walk(n: Node | None) -> None:
        if isinstance(n, (Term, Phrase)):
            found.update(_HAN_RUN.findall(n.text))
        elif isinstance(n, (And, Or)):
            for item in n.items:
                walk(item)
        # Not: excluded words are not highlighted.

    walk(node)
    return sorted(found, key=lambda s: (-len(s), s))


def highlight_window(text: str, needles: list[str], max_chars: int) -> str | None:
    """Escaped HTML of the `max_chars` window of `text` richest in `needles`, matches in <mark>; or None."""
    if not needles or not text:
        return None
    spans = _spans(text, needles)
    if not spans:
        return None
    best_start, best_count = 0, 0
    for i, (start, _end) in enumerate(spans):
        count = sum(1 for s, e in spans[i:] if e <= start + max_chars)
        if count > best_count:
            best_start, best_count = start, count
    # Start a little before the first match so it reads in context.
    begin = max(0, best_start - max_chars // 6)
    end = min(len(text), begin + max_chars)
    parts: list[str] = ["…" if begin > 0 else ""]
    pos = begin
    for s, e in spans:
        if s < begin or e > end:
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    parts.append(html.escape(text[pos:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts).replace("\n", " ")


def _spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping match spans, longest needle first at each place, in text order."""
    taken: list[tuple[int, int]] = []
    for needle in needles:
        for m in re.finditer(re.escape(needle), text):
            s, e = m.span()
            if all(e <= ts or s >= te for ts, te in taken):
                taken.append((s, e))
    return sorted(taken)


_WORD = re.compile(r"\w+")
WINDOW_CHARS = 3000


def word_stems(node: Node | None) -> list[str]:
    """Lower-case beginnings of the query's positive words (their last letters dropped, as a stemmer
    would), to look for cheaply in a text."""
    found: set[str] = set()

    def walk(n: Node | None) -> None:
        if isinstance(n, (Term, Phrase)):
            for word in _WORD.findall(n.text.lower()):
                if len(word) >= 3 and not word.isdigit():
                    found.add(word if isinstance(n, Term) and n.prefix else word[: max(3, len(word) - 3)])
        elif isinstance(n, (And, Or)):
            for item in n.items:
                walk(item)

    walk(node)
    return sorted(found)


def text_window(text: str, stems: list[str], size: int = WINDOW_CHARS) -> str:
    """`text` itself when short; else the `size` characters around the first of `stems` found in it
    (from the start when none is)."""
    if len(text) <= size:
        return text
    lowered = text.lower()
    positions = [p for p in (lowered.find(stem) for stem in stems) if p >= 0]
    start = max(0, min(positions) - size // 3) if positions else 0
    return text[start : start + size]
