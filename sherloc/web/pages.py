"""HTML pages: home, search with facets, record pages and permalinks, crime types, about. Thin views over
the services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, abort, render_template, request, url_for
from flask_babel import format_currency, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from sherloc.app import db, portal
from sherloc.bibliography import cite
from sherloc.models import TAG_SCHEMES, Record
from sherloc.models.cases import Case, Sentence
from sherloc.schemas.search import SearchArgsSchema, args_to_dict
from sherloc.services.bibliographic import entry_for_record
from sherloc.services.case_view import (
    case_for_record,
    case_spans,
    decisions_citing,
    marked_paragraphs,
    part_of,
    part_offsets,
    span_anchor,
    span_of,
    years_and_months,
)
from sherloc.services.countries import record_counts
from sherloc.services.crime_types import CrimeTypeNotFound, crime_type_index, crime_type_page
from sherloc.services.jsonld import RecordFacts, record_jsonld, script_body
from sherloc.services.permalinks import permalink_parts, record_id_of
from sherloc.services.records import (
    RecordNotFound,
    counts_by_kind,
    get_record,
    latest_records,
    neighbours,
    provision_parts,
    same_article_elsewhere,
    split_text,
    tag_counts,
)
from sherloc.services.search import PAGE_FACETS, InvalidSearch, run_search
from sherloc.vocab.labels import Labels
from sherloc.web.i18n import page_language
from sherloc.web.record_kinds import kind_view
from sherloc.web.usage import note_view

bp = Blueprint("pages", __name__)
_search_args = SearchArgsSchema()

TAG_GROUP_TITLES = {
    "crime_type": _l("Crime types"),
    "instrument_article": _l("Convention articles"),
    "cross_cutting": _l("Cross-cutting issues"),
}
# Where the tagger found a term (evidence "field"), in a reader's words.
EVIDENCE_PLACES = {
    "title": _l("heading"),
    "path": _l("chapter path"),
    "text": _l("text"),
    "charges": _l("charges"),
}
STATUS_LABELS = {"in_force": _l("in force"), "repealed": _l("repealed")}
# Attributes shown on record pages, in this order (keys from sherloc.ingest.types).
ATTRIBUTE_LABELS = (
    ("court", _l("Court")),
    ("case_number", _l("Case number")),
    ("citation", _l("Citation")),
    ("procedure", _l("Procedure")),
    ("parties", _l("Parties")),
    ("judges", _l("Judges")),
    ("charges", _l("Charges")),
    ("disposition", _l("Disposition")),
    ("cited_statutes", _l("Legislation cited")),
    ("official_number", _l("Official number")),
    ("rank", _l("Rank")),
    ("document_type", _l("Document type")),
    ("licence", _l("Licence")),
)
# Labels of a case record's controlled values (sherloc.models.cases), by field.
CASE_VALUE_LABELS = {
    "court_level": {
        "first_instance": _l("First instance"),
        "appellate": _l("Appeal"),
        "supreme": _l("Supreme court"),
        "other": _l("Other"),
    },
    "legal_system": {
        "civil_law": _l("Civil law"),
        "common_law": _l("Common law"),
        "islamic_law": _l("Islamic law"),
        "customary_law": _l("Customary law"),
        "mixed": _l("Mixed legal system"),
        "other": _l("Other"),
    },
    "proceeding_type": {
        "criminal": _l("Criminal proceedings"),
        "civil": _l("Civil proceedings"),
        "administrative": _l("Administrative proceedings"),
        "constitutional": _l("Constitutional proceedings"),
        "extradition": _l("Extradition"),
        "mutual_legal_assistance": _l("Mutual legal assistance"),
        "asset_recovery": _l("Asset recovery"),
        "other": _l("Other"),
    },
    "person_type": {"natural": _l("Natural person"), "legal": _l("Legal person")},
    "gender": {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")},
    "role": {
        "principal": _l("Principal offender"),
        "accessory": _l("Accessory"),
        "organizer": _l("Organizer"),
        "leader": _l("Leader"),
        "member": _l("Member"),
        "facilitator": _l("Facilitator"),
        "other": _l("Other"),
    },
    "verdict": {
        "convicted": _l("Convicted"),
        "acquitted": _l("Acquitted"),
        "dismissed": _l("Dismissed"),
        "other": _l("Other"),
    },
    "sentence_kind": {
        "imprisonment": _l("Fixed-term imprisonment"),
        "criminal_detention": _l("Criminal detention"),
        "public_surveillance": _l("Public surveillance"),
        "life_imprisonment": _l("Life imprisonment"),
        "death": _l("Death penalty"),
        "death_with_reprieve": _l("Death penalty with a two-year reprieve"),
        "fine_only": _l("Fine only"),
        "community_service": _l("Community service"),
        "other": _l("Other"),
    },
    "appeal_outcome": {
        "upheld": _l("Upheld"),
        "reversed": _l("Reversed"),
        "modified": _l("Modified"),
        "remanded": _l("Remanded"),
        "pending": _l("Pending"),
        "withdrawn": _l("Withdrawn"),
        "other": _l("Other"),
    },
    "text_kind": {
        "facts": _l("Summary of the facts"),
        "commentary": _l("Commentary"),
        "procedural_history": _l("Procedural history"),
    },
    "attachment_kind": {"judgment": _l("Judgment"), "other": _l("Document")},
}
# The demo corpus's sources (corpus/README.md): country, what, where from (not translated: names of
# documents and repositories), and why it may be shown (translated).
SOURCES = (
    (
        "CN",
        "刑法, 反洗钱法, 禁毒法, 反有组织犯罪法; SPC/SPP interpretation (2024)",
        "LawRefBook/Laws",
        _l(
            "Laws, regulations and judicial documents are excluded from copyright (PRC Copyright Law, art. 5)."  # noqa: E501
        ),
    ),
    (
        "FR",
        "Code pénal (LEGITEXT000006070719)",
        "legalize-dev/legalize-fr; DILA LEGI",
        _l("Legislative texts are in the public domain; data under Licence Ouverte / Etalab 2.0."),
    ),
    (
        "ES",
        "Código Penal (BOE-A-1995-25444); Ley 10/2010 (BOE-A-2010-6737)",
        "jtejederabit/legalping-es; BOE",
        _l(
            "Legal provisions are excluded from intellectual property (Spanish Intellectual Property Law, "
            "art. 13)."
        ),
    ),
    (
        "RU",
        "Уголовный кодекс Российской Федерации",
        "deep-foundation/russian-laws; pravo.gov.ru",
        _l(
            "Official documents are not objects of copyright (Civil Code of the Russian Federation, "
            "art. 1259(6))."
        ),
    ),
    (
        "US",
        "Intelligence Reform and Terrorism Prevention Act of 2004 (USLM)",
        "usgpo/uslm",
        _l("A work of the United States Government (17 U.S.C. 105), CC0 waiver."),
    ),
    (
        "SA",
        "نظام مكافحة غسل الأموال; نظام مكافحة جرائم الاتجار بالأشخاص; نظام مكافحة المخدرات والمؤثرات العقلية",
        "abosalehg-ui/saudi-laws-md",
        _l("Official legislation; the copies are unofficial and their wording is not verified."),
    ),
    (
        "CN",
        "LeCaRDv2: 160 criminal judgments",
        "THUIR/LeCaRDv2",
        _l(
            "Judgments are excluded from copyright (PRC Copyright Law, art. 5); the dataset is under the MIT "
            "licence."
        ),
    ),
)


# Page budgets (UTF-8 bytes of record text per page), so that every page stays well under 100 KB:
# a long law shows its outline and its provisions in parts; a long text is shown in parts.
LAW_PART_BUDGET = 26_000
TEXT_PART_BUDGET = 36_000
OUTLINE_MAX = 120  # outline entries at most: deeper heading levels are left out until it fits
ROLLUP_EXAMPLES = 3  # provisions named as examples of a law's rolled-up tag
ELSEWHERE_PER_COUNTRY = 3


@bp.get("/")
def home() -> str:
    session = db()
    labels, language = portal().labels, page_language()
    by_country = {code: sum(kinds.values()) for code, kinds in record_counts(session).items()}
    countries = sorted(
        ((code, labels.label("country", code, language), n) for code, n in by_country.items()),
        key=lambda item: (-item[2], item[1]),
    )
    crime_counts = tag_counts(session, "crime_type")
    crime_types = [
        (ct.id, labels.label("crime_type", ct.id, language), crime_counts.get(ct.id, 0))
        for ct in portal().vocabulary.crime_types
    ]
    return render_template(
        "home.html",
        counts=counts_by_kind(session),
        countries=countries,
        crime_types=crime_types,
        latest=latest_records(session),
    )


@bp.get("/about")
def about() -> str:
    return render_template("about.html", sources=SOURCES)


@bp.get("/crime-types")
def crime_types() -> str:
    labels, language = portal().labels, page_language()
    entries = [
        {"id": e.id, "label": labels.label("crime_type", e.id, language), "records": e.records}
        for e in crime_type_index(db(), portal().vocabulary)
    ]
    return render_template("crime_types.html", crime_types=entries)


@bp.get("/crime-types/<crime_type_id>")
def crime_type(crime_type_id: str) -> str:
    try:
        page = crime_type_page(db(), portal().vocabulary, crime_type_id)
    except CrimeTypeNotFound:
        abort(404, description=_("There is no crime type %(id)s.", id=crime_type_id))
    labels, language = portal().labels, page_language()
    countries = sorted(
        (
            {
                "code": code,
                "name": labels.label("country", code, language),
                "kinds": kinds,
                "url": filter_url("crime_type", crime_type_id) + "&" + urlencode([("country", code)]),
            }
            for code, kinds in page.by_country.items()
        ),
        key=lambda c: str(c["name"]),
    )
    return render_template(
        "crime_type.html",
        page=page,
        label=labels.label("crime_type", crime_type_id, language),
        countries=countries,
        search_url=filter_url("crime_type", crime_type_id),
    )


@bp.get("/search")
def search() -> tuple[str, int] | str:
    try:
        params = _search_args.load(args_to_dict(request.args))
        if "facet" not in request.args:
            params = replace(params, facets=PAGE_FACETS)
        app = portal()
        outcome = run_search(app.search, params, app.tagger if params.cross_language else None)
    except ValidationError as exc:
        return render_template(
            "search.html", outcome=None, q=request.args.get("q", ""), error=exc.messages
        ), 400
    except InvalidSearch as exc:
        return render_template(
            "search.html", outcome=None, q=request.args.get("q", ""), error=exc.message
        ), 400
    note_view("search", search=bool(params.q.strip() or params.filters))
    return render_template("search.html", outcome=outcome, q=params.q, error=None)


@bp.get("/records/<path:record_id>")
def record(record_id: str) -> str:
    return _record_page(get_record(db(), record_id))


@bp.get("/l/<country>/<kind>/<path:identifier>")
def permalink(country: str, kind: str, identifier: str) -> str:
    """The record page at its permanent address (the /records/<id> page names it as canonical)."""
    record_id = record_id_of(country, kind, identifier)
    if record_id is None or country != country.upper():
        raise RecordNotFound(f"{country}/{kind}/{identifier}")
    item = get_record(db(), record_id)
    if item.kind != kind:
        raise RecordNotFound(f"{country}/{kind}/{identifier}")
    return _record_page(item)


def permalink_url(record: Record, external: bool = False) -> str:
    """The record's permalink (its /records/ address for an id outside the scheme)."""
    parts = permalink_parts(record.id, record.kind, record.country)
    if parts is None:
        return url_for("pages.record", record_id=record.id, _external=external)
    country, kind, identifier = parts
    return url_for("pages.permalink", country=country, kind=kind, identifier=identifier, _external=external)


def _part_number(count: int) -> int:
    """The ?part= asked for, 1-based; 404 beyond the last."""
    raw = request.args.get("part", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= max(count, 1):
        abort(404, description=_("This page has no part %(part)s.", part=raw))
    return int(raw)


def _record_page(item: Record) -> str:
    session = db()
    labels, language = portal().labels, page_language()
    before, after = neighbours(session, item)
    groups = tag_groups(item, labels, language)
    link = permalink_url(item, external=True)
    provisions = list(item.children)
    parts = provision_parts(provisions, LAW_PART_BUDGET) if provisions else []
    text_parts = split_text(item.text or "", TEXT_PART_BUDGET)
    part = _part_number(max(len(parts), len(text_parts)))
    note_view(item.kind, item.country)
    elsewhere = []
    cited_by = None
    if item.kind == "provision":
        elsewhere = _elsewhere_groups(item, labels, language)
        cited_by = decisions_citing(session, item.id)
    case = case_for_record(session, item.id) if item.kind == "decision" else None
    offsets = part_offsets(item.text or "", text_parts)
    paragraphs = []
    if part <= len(text_parts):
        previous_end = offsets[part - 2] + len(text_parts[part - 2]) if part > 1 else 0
        spans = case_spans(case) if case is not None else []
        paragraphs = marked_paragraphs(text_parts[part - 1], spans, offsets[part - 1], previous_end)

    def span_url(entry: Any) -> str | None:
        """Where on this page (or another part of it) the provenance `entry`'s span of the text is."""
        span = span_of(entry)
        number = part_of(span[0], offsets, text_parts) if span else None
        if span is None or number is None:
            return None
        return f"#{span_anchor(span)}" if number == part else _part_url(item, number, span_anchor(span))

    return render_template(
        "record.html",
        record=item,
        before=before,
        after=after,
        tag_groups=groups,
        permalink=link,
        citation=_citation(item, link, labels, language),
        jsonld=script_body(record_jsonld(_facts(item, link, labels, language))),
        outline=_outline(item, parts),
        provisions=parts[part - 1] if parts else [],
        text=text_parts[part - 1] if part <= len(text_parts) else "",
        paragraphs=paragraphs,
        part=part,
        parts=max(len(parts), len(text_parts)),
        elsewhere=elsewhere,
        case=case if part == 1 else None,
        hidden_attributes=_shown_by_case(case if part == 1 else None),
        cited_by=cited_by,
        span_url=span_url,
        case_label=case_value_label,
        term_text=term_text,
        fine_text=fine_text,
        facts=kind_view(item) if part == 1 else None,
    )


def _shown_by_case(case: Case | None) -> set[str]:
    """The decision's source attributes that its case record shows (checked, with their provenance)."""
    if case is None:
        return set()
    shown = {
        "court": case.court.name,
        "case_number": case.case_number,
        "citation": case.citation,
        "judges": case.judges,
        "parties": case.parties,
        "disposition": case.disposition,
        "cited_statutes": case.cited_provisions,
    }
    return {key for key, value in shown.items() if value}


def case_value_label(field: str, value: str) -> str:
    """The label of a case record's controlled value ("sentence_kind", "criminal_detention")."""
    label = CASE_VALUE_LABELS.get(field, {}).get(value)
    return str(label) if label is not None else value.replace("_", " ")


def term_text(months: int) -> str:
    """A term in months in words: "5 years 6 months", "8 months", "2 years"."""
    years, rest = years_and_months(months)
    year_words = ngettext("%(num)s year", "%(num)s years", years)
    month_words = ngettext("%(num)s month", "%(num)s months", rest)
    if years and rest:
        return _("%(years)s %(months)s", years=year_words, months=month_words)
    return year_words if years else month_words


def fine_text(sentence: Sentence) -> str | None:
    """The fine with its currency, as the page's language writes amounts ("CN¥50,000.00")."""
    if sentence.fine_amount is None:
        return None
    return str(format_currency(sentence.fine_amount, sentence.fine_currency or "XXX"))


def _part_url(record: Record, part: int, anchor: str | None = None) -> str:
    """This page's part `part` (a URL relative to the page, kept short: outlines hold hundreds)."""
    url = f"?part={part}" if part > 1 else request.path.rsplit("/", 1)[-1]
    return url + (f"#{anchor}" if anchor else "")


def _outline(record: Record, parts: list[list[Record]]) -> list[dict[str, Any]]:
    """A law's table of contents: each structure heading (by level) linking to its first provision,
    in whichever part of the page that provision is; without headings, the provisions themselves.
    Deeper levels are dropped until it has at most OUTLINE_MAX entries."""
    entries: list[dict[str, Any]] = []
    seen_path: list[str] = []
    for number, group in enumerate(parts, start=1):
        for provision in group:
            path = list(provision.structure_path or [])
            for level, heading in enumerate(path, start=1):
                if seen_path[:level] != path[:level]:
                    url = _part_url(record, number, _anchor(provision))
                    entries.append({"level": level, "text": heading, "url": url})
            seen_path = path
    if not entries:
        entries = [
            {"level": 1, "text": p.label or p.title, "url": _part_url(record, number, _anchor(p))}
            for number, group in enumerate(parts, start=1)
            for p in group
        ]
    depth = max((e["level"] for e in entries), default=0)
    while depth > 1 and len(entries) > OUTLINE_MAX:
        depth -= 1
        entries = [e for e in entries if e["level"] <= depth]
    return entries[:OUTLINE_MAX]


def _anchor(record: Record) -> str:
    return f"art-{record.number or record.position}"


def _elsewhere_groups(record: Record, labels: Labels, language: str) -> list[dict[str, Any]]:
    """The same convention article in other countries, as the provision page lists it."""
    groups: dict[str, dict[str, Any]] = {}
    for found in same_article_elsewhere(db(), record, ELSEWHERE_PER_COUNTRY):
        group = groups.setdefault(
            found.article,
            {
                "article": found.article,
                "label": labels.label("instrument_article", found.article, language),
                "countries": [],
            },
        )
        group["countries"].append(
            {
                "code": found.country,
                "name": labels.label("country", found.country, language),
                "provisions": [
                    {
                        "label": p.label or p.title,
                        "law": p.parent.title if p.parent else "",
                        "url": permalink_url(p),
                    }
                    for p in found.provisions
                ],
                "more": found.total - len(found.provisions),
                "search_url": url_for("pages.search")
                + "?"
                + urlencode(
                    [("instrument_article", found.article), ("country", found.country), ("kind", "provision")]
                ),
            }
        )
    for group in groups.values():
        group["countries"].sort(key=lambda c: c["name"])
    return list(groups.values())


def _citation(record: Record, link: str, labels: Labels, language: str) -> str:
    """ "Cite this": the record as a bibliographic entry, in Chicago author-date (the same line as
    /api/v1/records/<id>/citation gives), with the country for the kinds cited by their title."""
    line = cite(entry_for_record(record, link), language)
    if record.country and record.kind in ("law", "provision", "decision", "treaty", "strategy"):
        country = labels.label("country", record.country, language)
        line = f"{country}: {line}" if country not in line else line
    return line


def _facts(record: Record, link: str, labels: Labels, language: str) -> RecordFacts:
    parent = None
    if record.parent is not None:
        parent = RecordFacts(
            id=record.parent.id,
            kind=record.parent.kind,
            title=record.parent.title,
            url=permalink_url(record.parent, external=True),
        )
    return RecordFacts(
        id=record.id,
        kind=record.kind,
        title=record.title,
        url=link,
        label=record.label,
        country=record.country,
        country_name=labels.label("country", record.country, "en") if record.country else None,
        language=record.language,
        date_adopted=record.date_adopted,
        date_amended=record.date_amended,
        date_decided=record.date_decided,
        status=record.status,
        source_url=link_target(record.source_url),
        attributes=record.attributes or {},
        parent=parent,
        keywords=tuple(
            labels.label(t.scheme, t.value, "en") for t in record.tags if t.scheme == "crime_type"
        ),
    )


def tag_groups(record: Record, labels: Labels, language: str) -> list[dict[str, Any]]:
    """The record's tags by scheme, each with its label, confidence, search link and evidence in words."""
    examples = {child.id: child.label or child.id for child in record.children}
    groups = []
    for scheme in TAG_SCHEMES:
        tags = [t for t in record.tags if t.scheme == scheme]
        tags.sort(key=lambda t: -t.confidence)
        if not tags:
            continue
        views = [
            {
                "value": t.value,
                "label": labels.label(scheme, t.value, language),
                "confidence": t.confidence,
                "origin": t.origin,
                "url": filter_url(scheme, t.value),
                "evidence": [
                    _evidence(e, record.kind, labels, language, examples)
                    for e in (t.evidence or [])
                    if isinstance(e, Mapping)
                ],
            }
            for t in tags
        ]
        groups.append({"scheme": scheme, "title": TAG_GROUP_TITLES[scheme], "tags": views})
    return groups


def _evidence(
    entry: Mapping[str, Any], kind: str, labels: Labels, language: str, examples: Mapping[str, str]
) -> dict[str, Any]:
    """One evidence entry as the record page shows it: a matched term and where, a law's provisions
    carrying the tag, or (for an article) the crime type or issue that implies it."""
    if "term" in entry:
        field = str(entry.get("field", ""))
        place = _("title") if field == "title" and kind != "provision" else EVIDENCE_PLACES.get(field, field)
        return {
            "kind": "term",
            "term": str(entry["term"]),
            "where": place,
            "context": entry.get("heading") if field == "path" else None,
            "count": entry.get("count") if isinstance(entry.get("count"), int) else None,
            "language": entry.get("language") or "",
        }
    if "provisions" in entry:
        ids = [str(i) for i in entry.get("examples") or []][:ROLLUP_EXAMPLES]
        return {
            "kind": "rollup",
            "provisions": entry["provisions"],
            "examples": [
                {"label": examples.get(i, i), "url": url_for("pages.record", record_id=i)} for i in ids
            ],
        }
    if "scheme" in entry and "value" in entry:
        scheme, value = str(entry["scheme"]), str(entry["value"])
        return {
            "kind": "via",
            "label": labels.label(scheme, value, language),
            "url": filter_url(scheme, value) if scheme in TAG_SCHEMES else None,
        }
    return {"kind": "other", "text": ", ".join(f"{k}: {v}" for k, v in entry.items())}


def _toggle_url(field: str, value: str) -> str:
    """The search URL with `field=value` switched on or off, back to page 1."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if (field, value) in pairs:
        pairs.remove((field, value))
    else:
        pairs.append((field, value))
    return url_for("pages.search") + "?" + urlencode(pairs)


def _switch_url(name: str, value: str | None) -> str:
    """The search URL with parameter `name` set to `value` (None: removed), back to page 1."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in (name, "page", "cursor")]
    if value is not None:
        pairs.append((name, value))
    return url_for("pages.search") + "?" + urlencode(pairs)


def filter_url(field: str, value: str) -> str:
    """The search for everything with `field=value` (a tag's link)."""
    return url_for("pages.search") + "?" + urlencode([(field, value)])


def _page_url(page: int) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    pairs.append(("page", str(page)))
    return url_for("pages.search") + "?" + urlencode(pairs)


def link_target(url: str | None) -> str | None:
    """`url` when it is safe to put in an href (http or https), else None: sources are not trusted."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "toggle_url": _toggle_url,
            "page_url": _page_url,
            "switch_url": _switch_url,
            "status_label": lambda s: STATUS_LABELS.get(s, s.replace("_", " ")),
            "kind_label": lambda k: portal().labels.label("kind", k, page_language()),
            "facet_label": lambda f: portal().labels.facet(f, page_language()),
            "value_label": lambda f, v: portal().labels.label(f, v, page_language()),
            "language_name": lambda code: portal().labels.label("language", code or "", page_language()),
            "anchor": _anchor,
            "permalink_url": permalink_url,
            "part_url": _part_url,
            "link_target": link_target,
            "attribute_labels": ATTRIBUTE_LABELS,
            "tag_facets": TAG_SCHEMES,
            "filter_url": filter_url,
            "tag_label": lambda scheme, value: portal().labels.label(scheme, value, page_language()),
        }
