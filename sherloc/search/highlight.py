"""Highlighting for text indexed one character per token (Chinese).

An engine's term highlighter would mark every 一 of a text for the query 第一百九十一条; here the query's
words are found whole, the densest window is cut, and matches are marked. Output is escaped HTML.
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
