"""A plain-text citation of a record for "Cite this": who, what, where, when and the permalink."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any


def citation_text(
    *,
    kind: str,
    title: str,
    label: str | None,
    parent_title: str | None,
    country_name: str | None,
    date: dt.date | None,
    attributes: Mapping[str, Any] | None,
    url: str,
    accessed: dt.date | None = None,
) -> str:
    """One line: a provision "Code pénal, Article 324-1 (France, 2026-04-02). URL";
    a decision "Court, Case number (Country, date). URL"; a law "Title (Country, date). URL"."""
    attrs = attributes or {}
    if kind == "decision":
        head = [str(attrs.get("court") or "").strip(), str(attrs.get("case_number") or "").strip()]
        parts = [p for p in head if p] or [title]
    elif kind == "provision":
        parts = [p for p in (parent_title, label or title) if p]
    else:
        parts = [title]
    where = ", ".join(p for p in (country_name, date.isoformat() if date else None) if p)
    text = ", ".join(_clean(p) for p in parts)
    if where:
        text += f" ({where})"
    text += f". {url}"
    if accessed:
        text += f" [{accessed.isoformat()}]"
    return text


def _clean(text: str) -> str:
    return " ".join(text.split())
