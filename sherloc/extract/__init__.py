"""Structured facts pulled out of decision texts by pure functions, each with the span it came from."""

from __future__ import annotations

from sherloc.extract.cn_judgment import (
    CnJudgmentFacts,
    Defendant,
    DrugMention,
    Fine,
    Located,
    Penalty,
    Sentence,
    extract_cn_judgment,
)

__all__ = [
    "CnJudgmentFacts",
    "Defendant",
    "DrugMention",
    "Fine",
    "Located",
    "Penalty",
    "Sentence",
    "extract_cn_judgment",
]
