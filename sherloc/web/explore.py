"""Country profiles, the implementation matrix and side-by-side provisions (views on the pages blueprint).
Thin views over sherloc.services.country_profile and sherloc.services.matrix."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from sherloc.app import db, portal
from sherloc.models import Record
from sherloc.services.countries import record_counts
from sherloc.services.country_profile import (
    InstrumentStatus,
    country_profile,
    ratification_data,
    strategy_name,
)
from sherloc.services.matrix import (
    PLACEMENTS,
    Column,
    RankedProvision,
    UnknownColumn,
    build_matrix,
    cell_provisions,
    find_column,
    matrix_csv,
    matrix_rows,
)
from sherloc.services.records import split_text
from sherloc.vocab.loader import UN_LANGUAGES
from sherloc.vocab.places import Countries
from sherloc.web.i18n import page_language
from sherloc.web.pages import bp, permalink_url
from sherloc.web.record_kinds import value_label
from sherloc.web.usage import note_view

COMPARE_MIN, COMPARE_MAX = 2, 4
COMPARE_PER_COUNTRY = 5
# UTF-8 bytes of a provision's text shown side by side: 4 countries x 5 provisions stay under 100 KB.
COMPARE_TEXT_BUDGET = 3_000
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
# Why a provision is listed first: where its tag's evidence was found (sherloc.services.matrix.placement).
PLACEMENT_LABELS = {
    "heading": _l("named in its heading"),
    "chapter": _l("named in its chapter"),
    "law_title": _l("named in the law's title"),
    "text": _l("mentioned in its text"),
}


def _countries() -> Countries:
    countries = portal().labels.countries
    if countries is None:
        abort(503, description=_("The list of countries cannot be read."))
    return countries


def search_url(**filters: str) -> str:
    """The search page with these filters set (a value of "" leaves the filter out)."""
    return url_for("pages.search") + "?" + urlencode([(k, v) for k, v in filters.items() if v])


def column_search_url(column: Column, country: str, language: str | None = None) -> str:
    return search_url(
        **{column.scheme: column.key, "country": country, "kind": "provision", "language": language or ""}
    )


@bp.get("/countries")
def countries() -> str:
    labels, language, known = portal().labels, page_language(), _countries()
    entries = []
    for code, kinds in record_counts(db()).items():
        country = known.get(code)
        entries.append(
            {
                "code": code,
                "name": labels.label("country", code, language),
                "region": labels.label("region", country.region, language)
                if country and country.region
                else "",
                "kinds": kinds,
                "total": sum(kinds.values()),
                "url": url_for("pages.country", code=code),
            }
        )
    entries.sort(key=lambda e: str(e["name"]))
    return render_template("countries.html", countries=entries)


@bp.get("/countries/<code>")
def country(code: str) -> str | BaseResponse:
    found = _countries().get(code)
    if found is None:
        abort(404, description=_("There is no country with the code %(code)s.", code=code))
    if code != found.code:
        return redirect(url_for("pages.country", code=found.code), 301)
    note_view("country", found.code)
    labels, language, vocabulary = portal().labels, page_language(), portal().vocabulary
    ratifications = ratification_data(portal().settings.vocab_dir)
    profile = country_profile(db(), vocabulary, found.code, ratifications)
    crime_types = [
        {
            "id": ct,
            "label": labels.label("crime_type", ct, language),
            "count": n,
            "url": search_url(crime_type=ct, country=found.code),
        }
        for ct, n in profile.by_crime_type.items()
    ]
    articles = [
        {
            "ref": a.article,
            "label": labels.label("instrument_article", a.article, language),
            "count": a.count,
            "url": search_url(instrument_article=a.article, country=found.code, kind="provision"),
            "examples": [_provision_link(p.record) for p in a.examples],
        }
        for a in profile.articles
    ]
    treaties = [
        {
            "title": t.title,
            # /records/: permalinks (/l/...) do not resolve for treaties yet (services.permalinks).
            "url": url_for("pages.record", record_id=t.record.id),
            "language": t.record.language or "",
            "other_parties": [
                {"name": labels.label("country", c, language), "url": url_for("pages.country", code=c)}
                for c in t.other_parties
            ],
            "signed": t.signed,
            "subjects": [value_label("treaty_subject", s) for s in t.subjects],
        }
        for t in profile.treaties
    ]
    return render_template(
        "country.html",
        country=found,
        name=labels.label("country", found.code, language),
        region=labels.label("region", found.region, language) if found.region else "",
        profile=profile,
        crime_types=crime_types,
        articles=articles,
        treaties=treaties,
        untoc=[_instrument_status(status) for status in profile.untoc],
        strategy_name=strategy_name,
        search_all=search_url(country=found.code),
        search_kind={kind: search_url(country=found.code, kind=kind) for kind in profile.by_kind},
        decisions_url=search_url(country=found.code, kind="decision") + "&sort=date_desc",
    )


# UNTOC and its Protocols by the names readers know them by (instruments.yaml has the English titles only).
INSTRUMENT_NAMES = {
    "UNTOC": _l("United Nations Convention against Transnational Organized Crime"),
    "TIP": _l("Trafficking in Persons Protocol"),
    "SOM": _l("Smuggling of Migrants Protocol"),
    "FP": _l("Firearms Protocol"),
}
RATIFICATION_STATUSES = {
    "signature": _l("signature"),
    "ratification": _l("ratification"),
    "acceptance": _l("acceptance"),
    "approval": _l("approval"),
    "accession": _l("accession"),
}


def _instrument_status(status: InstrumentStatus) -> dict[str, Any]:
    """One row of the profile's "UNTOC and its Protocols": the country's status, the instrument's entry into
    force and latest number of parties, each with the document and words that state it."""

    def source(path: str, quote: str) -> dict[str, Any]:
        document = status.documents.get(path)
        return {
            "title": document.title if document else path,
            "url": url_for("pages.record", record_id=document.id) if document else None,
            "language": (document.language or "") if document else "",
            "quote": quote,
        }

    r, e, c = status.ratification, status.entry_into_force, status.party_count
    return {
        "instrument": status.instrument,
        "name": INSTRUMENT_NAMES.get(status.instrument, status.title),
        "status": RATIFICATION_STATUSES.get(r.status, r.status) if r else None,
        "status_date": r.date.isoformat() if r and r.date else None,
        "status_source": source(r.source.path, r.source.quote) if r else None,
        "in_force": e.date.isoformat() if e else None,
        "in_force_source": source(e.source.path, e.source.quote) if e else None,
        "parties": c.parties if c else None,
        "parties_as_of": c.as_of.isoformat() if c and c.as_of else None,
        "parties_source": source(c.source.path, c.source.quote) if c else None,
    }


def _provision_link(record: Record) -> dict[str, Any]:
    return {
        "label": record.label or record.title,
        "heading": record.heading or "",
        "law": record.parent.title if record.parent else "",
        "language": record.language or "",
        "url": permalink_url(record),
    }


def _language_arg() -> str | None:
    value = request.args.get("language") or None
    if value is not None and (len(value) > 8 or not value.isalpha()):
        abort(400, description=_("The language must be a language code such as fr."))
    return value


@bp.get("/matrix")
def matrix() -> str:
    labels, language = portal().labels, page_language()
    record_language = _language_arg()
    found = build_matrix(db(), portal().vocabulary, record_language)
    columns = [
        {
            "key": c.key,
            "scheme": c.scheme,
            "label": labels.label(c.scheme, c.key, language),
            "url": search_url(**{c.scheme: c.key, "kind": "provision", "language": record_language or ""}),
        }
        for c in found.columns
    ]
    rows = []
    for code in found.countries:
        cells = []
        for column in found.columns:
            cell = found.cell(code, column.key)
            others = [
                other for other in found.countries if other != code and found.cell(other, column.key).count
            ]
            others.sort(key=lambda other: -found.cell(other, column.key).count)
            compare = None
            if cell.count and others:
                compare = _compare_url(column, [code, *others[: COMPARE_MAX - 1]], record_language)
            cells.append(
                {
                    "cell": cell,
                    "search_url": column_search_url(column, code, record_language),
                    "compare_url": compare,
                }
            )
        rows.append(
            {
                "code": code,
                "name": labels.label("country", code, language),
                "url": url_for("pages.country", code=code),
                "cells": cells,
            }
        )
    return render_template(
        "matrix.html",
        columns=columns,
        rows=rows,
        record_language=record_language,
        languages=UN_LANGUAGES,
        csv_url=url_for("pages.matrix_csv_file")
        + (f"?{urlencode({'language': record_language})}" if record_language else ""),
    )


@bp.get("/matrix.csv")
def matrix_csv_file() -> Response:
    record_language = _language_arg()
    found = build_matrix(db(), portal().vocabulary, record_language)
    body = matrix_csv(matrix_rows(found, portal().labels, page_language()))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="sherloc-matrix.csv"'
    return response


def _compare_url(column: Column, countries: list[str], language: str | None = None) -> str:
    name = "article" if column.scheme == "instrument_article" else "crime_type"
    pairs = [(name, column.key), *(("country", c) for c in countries)]
    if language:
        pairs.append(("language", language))
    return url_for("pages.compare") + "?" + urlencode(pairs)


@bp.get("/compare")
def compare() -> str:
    labels, language, known = portal().labels, page_language(), _countries()
    codes = list(dict.fromkeys(c.strip().upper() for c in request.args.getlist("country") if c.strip()))
    if not COMPARE_MIN <= len(codes) <= COMPARE_MAX:
        abort(
            400,
            description=_(
                "Choose from %(min)s to %(max)s different countries to compare (you chose %(n)s).",
                min=COMPARE_MIN,
                max=COMPARE_MAX,
                n=len(codes),
            ),
        )
    unknown = [c for c in codes if known.get(c) is None]
    if unknown:
        abort(400, description=_("Unknown country code: %(codes)s.", codes=", ".join(unknown)))
    article, crime_type = request.args.get("article"), request.args.get("crime_type")
    if (article is None) == (crime_type is None):
        abort(400, description=_("Name either a convention article (article=UNTOC 6) or a crime type."))
    try:
        column = find_column(portal().vocabulary, article=article, crime_type=crime_type)
    except UnknownColumn:
        abort(
            400,
            description=_(
                "%(value)s is not a convention article or crime type of the vocabulary.",
                value=article or crime_type,
            ),
        )
    record_language = _language_arg()
    session = db()
    columns = []
    for code in codes:
        found = cell_provisions(session, column, code, COMPARE_PER_COUNTRY, record_language)
        columns.append(
            {
                "code": code,
                "name": labels.label("country", code, language),
                "url": url_for("pages.country", code=code),
                "total": found.total,
                "search_url": column_search_url(column, code, record_language),
                "provisions": [_side_by_side(p) for p in found.provisions],
            }
        )
    return render_template(
        "compare.html",
        column=column,
        label=labels.label(column.scheme, column.key, language),
        columns=columns,
    )


def _side_by_side(found: RankedProvision) -> dict[str, Any]:
    record = found.record
    parts = split_text(record.text or "", COMPARE_TEXT_BUDGET)
    return {
        **_provision_link(record),
        "dir": "rtl" if (record.language or "") in RTL_LANGUAGES else "ltr",
        "confidence": found.confidence,
        "placement": PLACEMENTS[found.placement],
        "placement_label": PLACEMENT_LABELS[PLACEMENTS[found.placement]],
        "text": parts[0],
        "cut": len(parts) > 1,
    }
