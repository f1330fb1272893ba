"""Where a tag's evidence places a record: what the tagger's evidence says a text is *about*.

One reading for everyone who ranks by it (search ranks records about a crime type first; the matrix and
the side-by-side view list definitional provisions first): its own heading or a decision's charges name
the offence; an enclosing heading near it does (a chapter "Du blanchiment"); its law's title does; or its
text only mentions it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import IntEnum
from typing import Any

from sherloc.tagging.tagger import PATH


class Placement(IntEnum):
    """Best first."""

    OWN_HEADING = 0
    CHAPTER = 1
    LAW_TITLE = 2
    MENTION = 3


NEAR_HEADING_WEIGHT = PATH[1][0]  # the two headings nearest a provision weigh this much or more


def placements(evidence: Iterable[Mapping[str, Any]], law_title: str | None) -> set[Placement]:
    """Every placement the evidence entries of one tag give (MENTION when a term was only in the text).
    Supporting words (the drug, the firearm) never say what a text is about, and entries without a term
    (an article implied by a crime type) place nothing."""
    found: set[Placement] = set()
    for item in evidence:
        if not isinstance(item, Mapping) or item.get("context") or "term" not in item:
            continue
        field, weight = item.get("field"), float(item.get("weight") or 0)
        if field in ("title", "charges"):
            found.add(Placement.OWN_HEADING)
        elif field == "path" and law_title and item.get("heading") == law_title:
            found.add(Placement.LAW_TITLE)
        elif field == "path" and weight >= NEAR_HEADING_WEIGHT:
            found.add(Placement.CHAPTER)
        else:
            found.add(Placement.MENTION)
    return found


def best_placement(evidence: Iterable[Mapping[str, Any]], law_title: str | None) -> Placement:
    return min(placements(evidence, law_title), default=Placement.MENTION)
