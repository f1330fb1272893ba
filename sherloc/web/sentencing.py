"""Sentencing figures of a crime type: the /sentencing page (pages blueprint) and GET /api/v1/sentencing.

Thin views over sherloc.services.sentencing; the page draws its charts as inline SVG, computed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response, abort, jsonify, render_template, request, url_for
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from sherloc.app import db, portal
from sherloc.models import Case, Record
from sherloc.models.cases import SENTENCE_SOURCES
from sherloc.schemas.sentencing import (
    MAX_YEAR,
    MIN_YEAR,
    YEARS_REVERSED,
    SentencingArgsSchema,
    SentencingResponseSchema,
    args_to_dict,
    sentencing_query,
)
from sherloc.services.sentencing import SentencingFigures, TermDistribution, sentencing_figures
from sherloc.vocab.labels import Labels
from sherloc.web.api import bp as api_bp
from sherloc.web.i18n import RTL_LANGUAGES, page_language
from sherloc.web.pages import bp, term_text
from sherloc.web.usage import note_view

_response = SentencingResponseSchema()

# The histogram's bins in words, by their bounds in months (sherloc.services.sentencing.TERM_BINS).
BIN_LABELS = {
    (None, 6): _l("up to 6 months"),
    (6, 12): _l("over 6 months, up to 1 year"),
    (12, 36): _l("over 1 year, up to 3 years"),
    (36, 60): _l("over 3 years, up to 5 years"),
    (60, 120): _l("over 5 years, up to 10 years"),
    (120, 180): _l("over 10 years, up to 15 years"),
    (180, None): _l("over 15 years"),
}
OUTCOME_LABELS = {
    "death": _l("Death penalty"),
    "death_with_reprieve": _l("Death penalty with a two-year reprieve"),
    "life_imprisonment": _l("Life imprisonment"),
    "custodial": _l("Fixed-term imprisonment or criminal detention"),
    "custodial_without_term": _l("Imprisonment, term not stated"),
    "non_custodial": _l("Non-custodial sentence (public surveillance, fine only, community service)"),
    "other": _l("Other sentence"),
    "not_stated": _l("Sentence not stated"),
}
SOURCE_LABELS = {
    "decision": _l("the decision's own sentence"),
    "first_instance": _l("the first-instance sentence quoted on appeal"),
}


def _schema() -> SentencingArgsSchema:
    return SentencingArgsSchema(crime_types=[ct.id for ct in portal().vocabulary.crime_types])


# -- the API ---------------------------------------------------------------------------------------------


@api_bp.get("/sentencing")
def sentencing_api() -> Response:
    args = _schema().load(args_to_dict(request.args))
    figures = sentencing_figures(db(), sentencing_query(args))
    return jsonify(_response.dump(payload(figures, portal().labels, args["lang"])))


def payload(figures: SentencingFigures, labels: Labels, language: str) -> dict[str, Any]:
    """The figures as SentencingResponseSchema shows them, labelled in `language`."""
    query = figures.query
    return {
        "crime_type": query.crime_type,
        "label": labels.label("crime_type", query.crime_type, language),
        "filters": {
            "countries": list(query.countries),
            "year_from": query.year_from,
            "year_to": query.year_to,
            "court_levels": list(query.court_levels),
            "sources": list(query.sources),
        },
        "decisions": figures.decisions,
        "decisions_with_convictions": figures.decisions_with_convictions,
        "convictions": figures.convictions,
        "custodial": figures.custodial,
        "suspended": figures.suspended,
        "outcomes": figures.outcomes,
        "terms": figures.terms,
        "fines": figures.fines,
        "by_country": [
            {
                "country": c.country,
                "name": labels.label("country", c.country, language),
                "convictions": c.convictions,
                "custodial": c.custodial,
                "median_months": c.median_months,
            }
            for c in figures.by_country
        ],
        "sources_counted": figures.sources_counted,
    }


# -- the page --------------------------------------------------------------------------------------------


def format_months(months: float) -> str:
    """A term in the page's language, to the nearest month: "3 years 6 months", "3年6个月"."""
    return term_text(round(months))  # the record pages' wording of a term, so both read alike


def _page_error(exc: ValidationError) -> str:
    """The first problem of the page's arguments, for a person, in the page's language."""
    messages = exc.messages if isinstance(exc.messages, dict) else {}
    if "crime_type" in messages:
        value = request.args.get("crime_type", "")
        return _("%(value)s is not a crime type of the vocabulary.", value=value)
    if "country" in messages:
        return _("Unknown country code: %(codes)s.", codes=", ".join(request.args.getlist("country")))
    if YEARS_REVERSED in messages.get("year_from", []):
        return _("The first year must not be after the last year.")
    if "year_from" in messages or "year_to" in messages:
        return _("A year must be a number from %(min)s to %(max)s.", min=MIN_YEAR, max=MAX_YEAR)
    return _("Some parameters are not valid.")


def _country_choices(session: Session) -> list[str]:
    """Countries holding decisions or case records: those a reader can filter by."""
    codes = session.scalars(
        union(
            select(Record.country).where(Record.kind == "decision", Record.country.is_not(None)),
            select(Case.country),
        )
    )
    return [code for code in codes if code]


@bp.get("/sentencing")
def sentencing() -> str:
    args = args_to_dict(request.args, drop_blank=True)
    try:
        loaded = _schema().load(args, partial=("crime_type",))
    except ValidationError as exc:
        abort(400, description=_page_error(exc))
    app, language, session = portal(), page_language(), db()
    labels = app.labels
    crime_types = sorted(
        ((ct.id, labels.label("crime_type", ct.id, language)) for ct in app.vocabulary.crime_types),
        key=lambda choice: choice[1],
    )
    chosen_countries = loaded["country"]
    note_view("sentencing", chosen_countries[0] if len(chosen_countries) == 1 else None)
    countries = sorted(
        (
            (code, labels.label("country", code, language))
            for code in {*_country_choices(session), *chosen_countries}
        ),
        key=lambda choice: choice[1],
    )
    context: dict[str, Any] = {
        "crime_types": crime_types,
        "countries": countries,
        "form": {
            "crime_type": loaded.get("crime_type", ""),
            "country": chosen_countries,
            "year_from": loaded["year_from"] or "",
            "year_to": loaded["year_to"] or "",
        },
        "figures": None,
    }
    if loaded.get("crime_type"):
        figures = sentencing_figures(session, sentencing_query(loaded))
        context.update(_figures_context(figures, labels, language))
    return render_template("sentencing.html", **context)


def _figures_context(figures: SentencingFigures, labels: Labels, language: str) -> dict[str, Any]:
    terms = figures.terms
    rtl = language in RTL_LANGUAGES
    stats = [
        (_("Minimum"), terms.minimum),
        (_("First quartile"), terms.q1),
        (_("Median"), terms.median),
        (_("Third quartile"), terms.q3),
        (_("Maximum"), terms.maximum),
        (_("Mean"), terms.mean),
    ]
    query = figures.query
    api_args = [("crime_type", query.crime_type), *(("country", c) for c in query.countries)]
    api_args += [(k, str(v)) for k, v in (("year_from", query.year_from), ("year_to", query.year_to)) if v]
    # The JSON link gives the same figures as the page: every filter it was drawn with.
    api_args += [("court_level", level) for level in query.court_levels]
    if tuple(query.sources) != tuple(SENTENCE_SOURCES):
        api_args += [("sentence_source", source) for source in query.sources]
    return {
        "figures": figures,
        "label": labels.label("crime_type", query.crime_type, language),
        "outcomes": [
            (OUTCOME_LABELS[key], n) for key, n in figures.outcomes.items() if n or key in ("custodial",)
        ],
        "stats": [
            {"label": name, "months": value, "text": format_months(value)}
            for name, value in stats
            if value is not None
        ],
        "bins": [
            {"label": BIN_LABELS.get((b.low, b.high), f"{b.low}-{b.high}"), "count": b.count}
            for b in terms.histogram
        ],
        "histogram": histogram_chart(terms, rtl) if terms.n else None,
        "box": box_chart(terms, rtl) if terms.n else None,
        "box_summary": chart_summary(terms) if terms.n else "",
        "fines": [
            {"currency": f.currency, "count": f.count, "median": format_currency(f.median, f.currency)}
            for f in figures.fines
        ],
        "by_country": [
            {
                "name": labels.label("country", c.country, language),
                "url": url_for("pages.country", code=c.country),
                "convictions": c.convictions,
                "custodial": c.custodial,
                "median": format_months(c.median_months) if c.median_months is not None else "",
            }
            for c in figures.by_country
        ],
        "sources": [
            (SOURCE_LABELS[source], figures.sources_counted.get(source, 0)) for source in query.sources
        ],
        "api_url": url_for("api.sentencing_api") + "?" + urlencode(api_args),
    }


# -- the charts: geometry in user units of the SVG's viewBox ---------------------------------------------

CHART_WIDTH, HISTOGRAM_HEIGHT, BOX_HEIGHT = 640, 240, 120
MARGIN = 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    tick: str  # the bin's bounds in months, under the bar
    label: str  # the bin in words, for its <title>


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


def _mirror(x: float, rtl: bool) -> float:
    """Right to left, the axes run from the right edge: larger values further left."""
    return round(CHART_WIDTH - x if rtl else x, 1)


def histogram_chart(terms: TermDistribution, rtl: bool = False) -> dict[str, Any]:
    """Bars of equal width for the bins (first bin at the reading start), heights by count."""
    bins = terms.histogram
    top = max((b.count for b in bins), default=0) or 1
    plot_height = HISTOGRAM_HEIGHT - 2 * MARGIN
    step = (CHART_WIDTH - 2 * MARGIN) / len(bins)
    bars = []
    for i, b in enumerate(bins):
        height = plot_height * b.count / top
        start = MARGIN + i * step + step * 0.1
        x = _mirror(start + step * 0.8, rtl) if rtl else _mirror(start, rtl)
        tick = f"{b.low or 0}–{b.high}" if b.high is not None else f"> {b.low}"
        bars.append(
            Bar(
                x=x,
                y=round(MARGIN + plot_height - height, 1),
                width=round(step * 0.8, 1),
                height=round(height, 1),
                count=b.count,
                tick=tick,
                label=str(BIN_LABELS.get((b.low, b.high), tick)),
            )
        )
    return {
        "width": CHART_WIDTH,
        "height": HISTOGRAM_HEIGHT,
        "baseline": MARGIN + plot_height,
        "left": MARGIN,
        "right": CHART_WIDTH - MARGIN,
        "bars": bars,
        "summary": _("Convictions per custodial term: %(bins)s.", bins=_bin_counts(bars)),
    }


def _nice_step(span: float) -> int:
    """A tick step in months that gives at most about 6 ticks: 6, 12, 24, 60, 120 ..."""
    for step in (6, 12, 24, 36, 60, 120, 180, 240, 360):
        if span / step <= 6:
            return step
    return 12 * 10 ** math.ceil(math.log10(span / 72))


def box_chart(terms: TermDistribution, rtl: bool = False) -> dict[str, Any]:
    """A box and whiskers: whiskers at the minimum and maximum, the box from Q1 to Q3, a line at the
    median, on an axis of months from 0."""
    assert terms.maximum is not None and terms.minimum is not None
    assert terms.q1 is not None and terms.q3 is not None and terms.median is not None
    step = _nice_step(max(terms.maximum, 1))
    end = max(step, math.ceil(terms.maximum / step) * step)
    width = CHART_WIDTH - 2 * MARGIN

    def x(months: float) -> float:
        return _mirror(MARGIN + width * months / end, rtl)

    q1, q3 = x(terms.q1), x(terms.q3)
    return {
        "width": CHART_WIDTH,
        "height": BOX_HEIGHT,
        "axis": (x(0), x(end)),
        "axis_y": BOX_HEIGHT - 35,
        "min": x(terms.minimum),
        "max": x(terms.maximum),
        "box": (min(q1, q3), abs(q3 - q1)),
        "median": x(terms.median),
        "ticks": [Tick(x(m), str(m)) for m in range(0, end + 1, step)],
    }


def chart_summary(terms: TermDistribution) -> str:
    """The box plot's numbers in one sentence, for its accessible name."""
    return _(
        "Custodial terms in months: minimum %(min)s, first quartile %(q1)s, median %(median)s, "
        "third quartile %(q3)s, maximum %(max)s.",
        min=_number(terms.minimum),
        q1=_number(terms.q1),
        median=_number(terms.median),
        q3=_number(terms.q3),
        max=_number(terms.maximum),
    )


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _bin_counts(bars: Sequence[Bar]) -> str:
    return "; ".join(f"{bar.label}: {bar.count}" for bar in bars)
