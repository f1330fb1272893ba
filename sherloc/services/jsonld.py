"""schema.org JSON-LD of a record page: Legislation for laws and provisions (a provision isPartOf its
law), CreativeWork for court decisions (schema.org has no court-decision type), as a safe <script> body."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LEGAL_FORCE = {"in_force": "https://schema.org/InForce", "repealed": "https://schema.org/NotInForce"}


@dataclass(frozen=True)
class RecordFacts:
    """What JSON-LD needs of a record, so building it needs no database."""

    id: str
    kind: str
    title: str
    url: str
    label: str | None = None
    country: str | None = None
    country_name: str | None = None
    language: str | None = None
    date_adopted: dt.date | None = None
    date_amended: dt.date | None = None
    date_decided: dt.date | None = None
    status: str | None = None
    source_url: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    parent: RecordFacts | None = None
    keywords: tuple[str, ...] = ()


def record_jsonld(facts: RecordFacts) -> dict[str, Any]:
    """The schema.org description of one record."""
    if facts.kind in ("law", "provision"):
        doc = _legislation(facts)
    elif facts.kind == "decision":
        doc = _decision(facts)
    else:
        doc = {"@type": "CreativeWork", "name": facts.title, "url": facts.url, "identifier": facts.id}
    doc = {"@context": "https://schema.org", **doc}
    if facts.language:
        doc["inLanguage"] = facts.language
    if facts.keywords:
        doc["keywords"] = list(facts.keywords)
    if facts.source_url:
        doc["sameAs"] = facts.source_url
    return {k: v for k, v in doc.items() if v not in (None, "", [])}


def _place(facts: RecordFacts) -> dict[str, str] | None:
    if not facts.country:
        return None
    return {"@type": "Country", "name": facts.country_name or facts.country, "identifier": facts.country}


def _legislation(facts: RecordFacts) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@type": "Legislation",
        "@id": facts.url,
        "url": facts.url,
        "name": facts.title,
        "alternateName": facts.label if facts.kind == "provision" else None,
        "legislationIdentifier": facts.id,
        "legislationType": "article" if facts.kind == "provision" else "law",
        "legislationJurisdiction": _place(facts),
        "legislationDate": _iso(facts.date_adopted),
        "legislationDateVersion": _iso(facts.date_amended),
        "legislationLegalForce": LEGAL_FORCE.get(facts.status or ""),
    }
    if facts.parent is not None:
        doc["isPartOf"] = {
            "@type": "Legislation",
            "@id": facts.parent.url,
            "name": facts.parent.title,
            "legislationIdentifier": facts.parent.id,
        }
    return doc


def _decision(facts: RecordFacts) -> dict[str, Any]:
    attrs = facts.attributes
    court = attrs.get("court")
    return {
        "@type": "CreativeWork",
        "genre": "court decision",
        "@id": facts.url,
        "url": facts.url,
        "name": facts.title,
        "identifier": [v for v in (attrs.get("case_number"), attrs.get("citation"), facts.id) if v],
        "author": {"@type": "GovernmentOrganization", "name": court} if court else None,
        "dateCreated": _iso(facts.date_decided),
        "spatialCoverage": _place(facts),
        "about": [str(c) for c in attrs.get("charges") or []] or None,
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def script_body(doc: Mapping[str, Any]) -> str:
    """JSON for inside <script type="application/ld+json">: <, > and & escaped, so no text in it can
    end the script element ("</script>") or open a comment."""
    text = json.dumps(doc, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
