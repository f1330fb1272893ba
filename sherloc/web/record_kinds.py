"""What the record page shows of a bibliography entry, a treaty and a strategy: their facts from
`record.attributes`, as plain dicts for the templates, with the labels of their controlled values."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from sherloc.bibliography.model import BibEntry, Name
from sherloc.models import Record

log = logging.getLogger(__name__)

# Labels of the controlled values of the three kinds, by field (one table: the pages and the country
# profile both read it). A value missing here is shown as it is stored.
KIND_VALUE_LABELS: dict[str, dict[str, Any]] = {
    "treaty_kind": {"bilateral": _l("Bilateral"), "multilateral": _l("Multilateral")},
    "treaty_subject": {
        "extradition": _l("Extradition"),
        "mutual_legal_assistance": _l("Mutual legal assistance"),
        "transfer_of_sentenced_persons": _l("Transfer of sentenced persons"),
        "transfer_of_proceedings": _l("Transfer of criminal proceedings"),
        "asset_recovery": _l("Asset recovery"),
        "law_enforcement_cooperation": _l("Law enforcement cooperation"),
        "other": _l("Other"),
    },
    "strategy_component": {
        "threat_assessment": _l("Threat assessment"),
        "coordination_body": _l("Coordination body"),
        "action_plan": _l("Action plan"),
        "monitoring_and_evaluation": _l("Monitoring and evaluation"),
        "international_cooperation": _l("International cooperation"),
    },
    # CSL 1.0.2 item types (sherloc.bibliography.vocabulary.CSL_TYPES) the portal's entries use or are
    # likely to use; the others are shown as stored.
    "csl_type": {
        "article": _l("Article"),
        "article-journal": _l("Journal article"),
        "article-magazine": _l("Magazine article"),
        "article-newspaper": _l("Newspaper article"),
        "bill": _l("Bill"),
        "book": _l("Book"),
        "chapter": _l("Book chapter"),
        "collection": _l("Collection"),
        "dataset": _l("Dataset"),
        "document": _l("Document"),
        "entry-encyclopedia": _l("Encyclopedia entry"),
        "legal_case": _l("Court decision"),
        "legislation": _l("Legislation"),
        "manuscript": _l("Manuscript"),
        "pamphlet": _l("Pamphlet"),
        "paper-conference": _l("Conference paper"),
        "periodical": _l("Periodical"),
        "regulation": _l("Regulation"),
        "report": _l("Report"),
        "speech": _l("Speech"),
        "standard": _l("Standard"),
        "thesis": _l("Thesis"),
        "treaty": _l("Treaty"),
        "webpage": _l("Web page"),
    },
}
STRATEGY_COMPONENTS = tuple(KIND_VALUE_LABELS["strategy_component"])
CITATION_FORMATS = (("bibtex", "BibTeX"), ("ris", "RIS"), ("csl-json", "CSL-JSON"))
CITATION_ENDPOINT = "api.record_citation"


def value_label(field: str, value: str) -> str:
    """The label of a controlled value ("treaty_subject", "extradition"), or the value as stored."""
    label = KIND_VALUE_LABELS.get(field, {}).get(value)
    return str(label) if label is not None else value.replace("_", " ")


def kind_view(record: Record) -> dict[str, Any] | None:
    """The facts of a bibliography entry, treaty or strategy for its page; None for other kinds or when
    the record holds none."""
    attributes = record.attributes or {}
    if record.kind == "bibliography" and isinstance(attributes.get("entry"), Mapping):
        return bibliography_view(record, attributes["entry"])
    if record.kind == "treaty" and isinstance(attributes.get("treaty"), Mapping):
        return treaty_view(attributes["treaty"])
    if record.kind == "strategy" and isinstance(attributes.get("strategy"), Mapping):
        return strategy_view(attributes["strategy"])
    return None


def name_text(name: Name) -> str:
    """A person as a bibliography lists them ("Family, Given"), or an institution's name."""
    if name.literal:
        return name.literal
    return ", ".join(part for part in (name.family, name.given) if part)


def issued_text(issued: tuple[int, ...]) -> str | None:
    """The date as precise as the entry states it: "2009", "2009-06", "2009-06-15"."""
    if not issued:
        return None
    return "-".join([f"{issued[0]:04d}", *(f"{part:02d}" for part in issued[1:3])])


def doi_url(doi: str) -> str:
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>")


def citation_links(record_id: str) -> list[dict[str, str]]:
    """The "Export" links of an entry; none while the API has no citation route (the page still renders)."""
    try:
        return [
            {"name": name, "url": url_for(CITATION_ENDPOINT, record_id=record_id, format=fmt)}
            for fmt, name in CITATION_FORMATS
        ]
    except BuildError:
        return []


def bibliography_view(record: Record, data: Mapping[str, Any]) -> dict[str, Any] | None:
    try:
        entry = BibEntry.from_json(data)
    except (ValueError, TypeError) as exc:
        log.warning("record %s: unreadable bibliography entry: %s", record.id, exc)
        return None
    numbers = [
        (_l("Edition"), entry.edition),
        (_l("Volume"), entry.volume),
        (_l("Issue"), entry.issue),
        (_l("Pages"), entry.pages),
    ]
    identifiers: list[dict[str, Any]] = [
        {"label": "ISBN", "value": entry.isbn},
        {"label": "ISSN", "value": entry.issn},
        {"label": "DOI", "value": entry.doi, "url": doi_url(entry.doi) if entry.doi else None},
        {"label": _l("UN sales number"), "value": entry.un_sales_number},
        {"label": _l("Document symbol"), "value": entry.document_symbol},
        {"label": "URL", "value": entry.url, "url": _web_url(entry.url)},
    ]
    return {
        "kind": "bibliography",
        "entry": entry,
        "type_label": value_label("csl_type", entry.type),
        "authors": [name_text(n) for n in entry.authors],
        "editors": [name_text(n) for n in entry.editors],
        "issued": issued_text(entry.issued),
        "numbers": [(label, value) for label, value in numbers if value],
        "identifiers": [i for i in identifiers if i["value"]],
        "countries": list(entry.countries or (record.attributes or {}).get("countries") or []),
        "exports": citation_links(record.id),
    }


def _web_url(url: str | None) -> str | None:
    """An href for an entry's URL: sources write "www.unodc.org/..." without a scheme."""
    if not url:
        return None
    url = url.strip()
    if url.lower().startswith(("http://", "https://")):
        return url
    if "://" in url or url.startswith(("/", "javascript:", "data:")) or ":" in url.split("/", 1)[0]:
        return None
    return "https://" + url


def quoted_words(quoted: Mapping[str, Any], field: str) -> str | None:
    """The words a fact was read from: in the text (`field`) or in the title ("title:" + field)."""
    for key in (field, f"title:{field}"):
        value = quoted.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _new_words(quote: str | None, shown: Any) -> str | None:
    """The quoted words, unless they are exactly what the page already shows."""
    return None if quote is None or (isinstance(shown, str) and quote.strip() == shown.strip()) else quote


def treaty_view(treaty: Mapping[str, Any]) -> dict[str, Any]:
    quoted = treaty.get("quoted") if isinstance(treaty.get("quoted"), Mapping) else {}
    assert isinstance(quoted, Mapping)
    kind = treaty.get("kind")
    return {
        "kind": "treaty",
        "title": treaty.get("title"),
        "treaty_kind": value_label("treaty_kind", kind) if isinstance(kind, str) else None,
        "parties": [str(c) for c in treaty.get("parties") or []],
        "party_names": [str(n) for n in treaty.get("party_names") or []],
        "organisation": treaty.get("organisation"),
        "subjects": [value_label("treaty_subject", str(s)) for s in treaty.get("subjects") or []],
        "signed": treaty.get("signed"),
        "signed_place": treaty.get("signed_place"),
        "in_force": treaty.get("in_force"),
        "in_force_scope": treaty.get("in_force_scope"),
        "quote": {
            field: _new_words(quoted_words(quoted, field), treaty.get(field))
            for field in (
                "title",
                "kind",
                "parties",
                "organisation",
                "subjects",
                "signed",
                "signed_place",
                "in_force",
                "in_force_scope",
            )
        },
    }


def strategy_view(strategy: Mapping[str, Any]) -> dict[str, Any]:
    quoted = strategy.get("quoted") if isinstance(strategy.get("quoted"), Mapping) else {}
    assert isinstance(quoted, Mapping)
    present = {str(c) for c in strategy.get("components") or []}
    return {
        "kind": "strategy",
        "name": strategy.get("name"),
        "adopting_body": strategy.get("adopting_body"),
        "period": strategy.get("period"),
        "quote": {
            field: _new_words(quoted_words(quoted, field), strategy.get(field))
            for field in ("name", "adopting_body", "period")
        },
        "components": [
            {
                "id": component,
                "label": value_label("strategy_component", component),
                "present": component in present,
                "quote": quoted_words(quoted, component) if component in present else None,
            }
            for component in STRATEGY_COMPONENTS
        ],
    }
