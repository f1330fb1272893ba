"""Helpers shared by the parser tests: golden-file comparison and the usual look-ups on parsed records.

Golden files: a real input beside `<name>.expected.json`, what the parser must produce. After a deliberate
change, run with SHERLOC_REGEN_GOLDEN=1 and read the diff of the JSON before committing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from sherloc.ingest.types import ParsedProvision, ParsedRecord

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
SHARED = REPO.parent / "shared" / "corpora"


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def as_json(records: list[ParsedRecord]) -> list[dict[str, Any]]:
    """Records as the golden files store them: dataclasses.asdict with ISO dates."""
    text = json.dumps([dataclasses.asdict(r) for r in records], default=_json_default, ensure_ascii=False)
    return json.loads(text)


def check_golden(actual: list[dict[str, Any]], expected_path: Path) -> None:
    """`actual` equals the golden file (rewritten first when SHERLOC_REGEN_GOLDEN=1)."""
    if os.environ.get("SHERLOC_REGEN_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"no {expected_path.name}; run with SHERLOC_REGEN_GOLDEN=1 and check it"
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def head(path: Path) -> str:
    """The first 4 KiB as parsers' detect() receives them."""
    return path.read_bytes()[:4096].decode("utf-8", errors="replace")


def by_number(record: ParsedRecord, number: str) -> ParsedProvision:
    found = [p for p in record.provisions if p.number == number]
    assert found, (
        f"no provision {number} in {record.source_key}: {[p.number for p in record.provisions][:50]}"
    )
    return found[0]


def shared(path: Path) -> Path:
    """`path` in ../shared/corpora, or skip the test where that folder is absent."""
    if not path.exists():
        pytest.skip(f"shared corpus not found: {path}")
    return path


def billion_laughs(root: str, body: str) -> str:
    """An XML document whose DTD expands `&lol9;` to 10^9 "lol"s (the entity-expansion attack): the
    `root` start tag, `body`, and the closing tag. Parsers must refuse it, not expand it."""
    entities = [' <!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = f"&lol{level - 1};" if level > 1 else "&lol;"
        entities.append(f' <!ENTITY lol{level} "{previous * 10}">')
    name = root[1:].split()[0].rstrip(">")
    dtd = "\n".join(entities)
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n{dtd}\n]>\n{root}{body}</{name}>\n'
