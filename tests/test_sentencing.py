"""Sentencing figures: counted once per defendant, only convictions of the crime type, filtered, with
quartiles and bins checked by hand; the API and the page on the same cases.

The cases (drug trafficking unless said otherwise; terms in months):

    CN 2018 first instance  A: 180 and 36 (two charges, counted once: 180), fines CNY 50,000 and 10,000
                            B: 36 suspended    C: acquitted    D: money laundering 60
                            E: criminal detention 6, CNY 2,000
    CN 2020 appellate       F: death with reprieve at first instance, life on appeal (the appeal's counts)
                            G: 84, only as the first-instance sentence quoted
    GB 2019 first instance  H: 120     I: fine only, GBP 1,000     J: convicted, sentence not stated
    GB 2012 first instance  K: 24
    CN 2019                 a decision record tagged drug trafficking, without a case record
    CN 2021                 a decision record tagged piracy, without a case record

Custodial terms, all filters off: 6, 24, 36, 84, 120, 180 -> median (36 + 84) / 2 = 60; inclusive
quartiles at positions 1.25 and 3.75: Q1 = 24 + 0.25 * 12 = 27, Q3 = 84 + 0.75 * 36 = 111; mean 450 / 6 = 75.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from sherloc.app import create_app
from sherloc.db import make_engine, make_session_factory, upgrade
from sherloc.models import Record, Tag
from sherloc.models.cases import register_case
from sherloc.schemas.cases import CaseSchema
from sherloc.services.sentencing import SentencingQuery, convictions, in_bin, sentencing_figures
from sherloc.settings import Settings

DRUGS = "drug_trafficking"


def _decision(session: Session, record_id: str, country: str, date: str, *tags: str) -> None:
    session.add(
        Record(
            id=record_id,
            kind="decision",
            source="test",
            source_key=record_id,
            country=country,
            title=f"Judgment {record_id}",
            content_hash="0" * 64,
            date_decided=dt.date.fromisoformat(date),
        )  # fmt: skip
    )
    for tag in tags:
        session.add(Tag(record_id=record_id, scheme="crime_type", value=tag))


def _charge(
    verdict: str = "convicted",
    kind: str | None = "imprisonment",
    months: int | None = None,
    crime_types: tuple[str, ...] = (DRUGS,),
    source: str | None = "decision",
    **sentence: Any,
) -> dict[str, Any]:
    if months is not None:
        sentence["term"] = {"value": months, "unit": "months"}
    return {
        "charge": " / ".join(crime_types),
        "verdict": verdict,
        "sentence": {"kind": kind, **sentence} if kind else None,
        "sentence_source": source,
        "crime_types": list(crime_types),
    }


def _fine(amount: str, currency: str) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def _case(session: Session, record_id: str, country: str, date: str, level: str, **defendants: Any) -> None:
    data = {
        "record_id": record_id,
        "country": country,
        "title": f"Case {record_id}",
        "court": {"name": "A court", "level": level},
        "decision_date": date,
        "defendants": [
            {"name": f"Defendant {name}", "anonymised": True, "charges": charges}
            for name, charges in defendants.items()
        ],
    }
    register_case(session, CaseSchema().load(data))


def build_cases(session: Session) -> None:
    _decision(session, "cn-1", "CN", "2018-03-01", DRUGS)
    _case(
        session, "cn-1", "CN", "2018-03-01", "first_instance",
        A=[_charge(months=180, fine=_fine("50000", "CNY")), _charge(months=36, fine=_fine("10000", "CNY"))],
        B=[_charge(months=36, suspended=True, probation={"value": 4, "unit": "years"})],
        C=[_charge(verdict="acquitted", kind=None)],
        D=[_charge(months=60, crime_types=("money_laundering",))],
        E=[_charge(kind="criminal_detention", months=6, fine=_fine("2000", "CNY"))],
    )  # fmt: skip
    _decision(session, "cn-2", "CN", "2020-06-01", DRUGS)
    _case(
        session, "cn-2", "CN", "2020-06-01", "appellate",
        F=[_charge(kind="death_with_reprieve", source="first_instance"), _charge(kind="life_imprisonment")],
        G=[_charge(months=84, source="first_instance")],
    )  # fmt: skip
    _decision(session, "gb-1", "GB", "2019-09-01")  # not tagged: its charges make it a drug decision
    _case(
        session, "gb-1", "GB", "2019-09-01", "first_instance",
        H=[_charge(months=120, crime_types=(DRUGS, "participation_in_organized_criminal_group"))],
        I=[_charge(kind="fine_only", fine=_fine("1000", "GBP"), source=None)],
        J=[_charge(kind=None)],
    )  # fmt: skip
    _decision(session, "gb-2", "GB", "2012-01-15", DRUGS)
    _case(session, "gb-2", "GB", "2012-01-15", "first_instance", K=[_charge(months=24)])
    _decision(session, "cn-3", "CN", "2019-05-05", DRUGS)
    _decision(session, "cn-4", "CN", "2021-05-05", "piracy")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("sentencing")) / "data", secret_key="test")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        build_cases(session)
        session.commit()
    engine.dispose()
    yield settings


@pytest.fixture
def session(store: Settings) -> Iterator[Session]:
    engine = make_engine(store.database_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def app(store: Settings) -> Iterator[Flask]:
    app = create_app(store)
    app.config["TESTING"] = True
    yield app
    app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def web(app: Flask) -> FlaskClient:
    return app.test_client()


# -- the service -----------------------------------------------------------------------------------------


def test_figures_count_each_defendant_once_with_the_most_severe_sentence(session: Session) -> None:
    figures = sentencing_figures(session, SentencingQuery(DRUGS))
    assert figures.convictions == 9  # A B E F G H I J K: not C (acquitted), not D (money laundering)
    assert figures.outcomes == {
        "death": 0,
        "death_with_reprieve": 0,  # F's first-instance sentence, replaced by the appeal's own
        "life_imprisonment": 1,
        "custodial": 6,
        "custodial_without_term": 0,
        "non_custodial": 1,
        "other": 0,
        "not_stated": 1,
    }
    assert (figures.custodial, figures.suspended, figures.sentenced) == (6, 1, 8)
    assert figures.sources_counted == {"decision": 8, "first_instance": 1}
    assert (figures.decisions, figures.decisions_with_convictions) == (5, 4)


def test_terms_median_quartiles_mean_and_histogram(session: Session) -> None:
    terms = sentencing_figures(session, SentencingQuery(DRUGS)).terms
    assert (terms.n, terms.suspended, terms.minimum, terms.maximum) == (6, 1, 6, 180)
    assert (terms.q1, terms.median, terms.q3, terms.mean) == (27.0, 60.0, 111.0, 75.0)
    counts = {(b.low, b.high): b.count for b in terms.histogram}
    assert counts == {
        (None, 6): 1,  # E's 6 months: the bins' tops are inclusive
        (6, 12): 0,
        (12, 36): 2,  # K's 24, B's 36 (suspended, included)
        (36, 60): 0,
        (60, 120): 2,  # G's 84, H's 120
        (120, 180): 1,  # A's 180, counted once
        (180, None): 0,
    }
    assert in_bin(36, 12, 36) and not in_bin(36, 36, 60) and in_bin(181, 180, None)


def test_fines_by_currency_and_figures_by_country(session: Session) -> None:
    figures = sentencing_figures(session, SentencingQuery(DRUGS))
    fines = {f.currency: (f.count, f.median) for f in figures.fines}
    # A's largest fine (50,000, not 60,000) and E's 2,000: median 26,000.
    assert fines == {"CNY": (2, Decimal("26000.00")), "GBP": (1, Decimal("1000.00"))}
    by_country = [(c.country, c.convictions, c.custodial, c.median_months) for c in figures.by_country]
    assert by_country == [("CN", 5, 4, 60.0), ("GB", 4, 2, 72.0)]


def test_filters_by_country_years_court_level_and_source(session: Session) -> None:
    gb = sentencing_figures(session, SentencingQuery(DRUGS, countries=("GB",), year_from=2015, year_to=2020))
    assert (gb.convictions, gb.custodial, gb.terms.median, gb.decisions) == (3, 1, 120.0, 1)
    since = SentencingQuery(DRUGS, year_from=2013)
    assert sentencing_figures(session, since).convictions == 8
    assert _terms(session, since) == [6, 36, 84, 120, 180]
    assert sentencing_figures(session, since).decisions == 4  # cn-1, cn-2, gb-1 and the case-less cn-3
    until = SentencingQuery(DRUGS, year_to=2012)
    assert _terms(session, until) == [24] and sentencing_figures(session, until).terms.q1 == 24.0
    appellate = sentencing_figures(session, SentencingQuery(DRUGS, court_levels=("appellate",)))
    assert appellate.convictions == 2 and appellate.outcomes["life_imprisonment"] == 1
    own = sentencing_figures(session, SentencingQuery(DRUGS, sources=("decision",)))
    assert own.convictions == 8 and own.sources_counted == {"decision": 8, "first_instance": 0}
    quoted = SentencingQuery(DRUGS, sources=("first_instance",))
    assert sentencing_figures(session, quoted).outcomes["death_with_reprieve"] == 1
    assert sentencing_figures(session, quoted).convictions == 2 and _terms(session, quoted) == [84]


def _terms(session: Session, query: SentencingQuery) -> list[int]:
    return sorted(c.term_months for c in convictions(session, query) if c.term_months is not None)


def test_other_crime_types_and_a_crime_type_without_sentences(session: Session) -> None:
    laundering = sentencing_figures(session, SentencingQuery("money_laundering"))
    assert (laundering.convictions, laundering.terms.median) == (1, 60.0)  # D alone
    piracy = sentencing_figures(session, SentencingQuery("piracy"))
    assert (piracy.decisions, piracy.convictions, piracy.terms.n, piracy.terms.median) == (1, 0, 0, None)
    assert all(b.count == 0 for b in piracy.terms.histogram) and piracy.fines == ()


# -- the API ---------------------------------------------------------------------------------------------


def test_the_api_answers_the_figures(web: FlaskClient) -> None:
    response = web.get("/api/v1/sentencing?crime_type=drug_trafficking&country=GB&country=CN&lang=fr")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["crime_type"] == DRUGS and body["label"] and body["label"] != DRUGS
    assert (body["convictions"], body["custodial"], body["suspended"]) == (9, 6, 1)
    terms = body["terms"]
    assert [terms[k] for k in ("min", "q1", "median", "q3", "max", "mean")] == [6, 27, 60, 111, 180, 75]
    assert terms["quantile_method"] == "inclusive"
    assert [b["count"] for b in terms["histogram"]] == [1, 0, 2, 0, 2, 1, 0]
    assert terms["histogram"][0] == {"low": None, "high": 6, "count": 1}
    assert body["fines"][0] == {"currency": "CNY", "count": 2, "median": "26000.00"}
    assert body["by_country"][1]["country"] == "GB" and body["by_country"][1]["median_months"] == 72
    assert body["filters"]["countries"] == ["GB", "CN"]
    assert body["filters"]["sources"] == ["decision", "first_instance"]
    only_own = web.get("/api/v1/sentencing?crime_type=drug_trafficking&sentence_source=decision").get_json()
    assert only_own["convictions"] == 8 and only_own["filters"]["sources"] == ["decision"]


def test_the_api_answers_as_its_openapi_document_says(web: FlaskClient) -> None:
    document = web.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/sentencing"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": document["components"]}
    validator = jsonschema_rs.validator_for({**root, **schema})
    for query in ("crime_type=drug_trafficking", "crime_type=piracy", "crime_type=corruption&country=FR"):
        response = web.get(f"/api/v1/sentencing?{query}")
        assert response.status_code == 200
        validator.validate(response.get_json())
    crime_type = next(p for p in operation["parameters"] if p["name"] == "crime_type")
    assert DRUGS in crime_type["schema"]["enum"] and crime_type["required"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("crime_type=no_such_crime", "crime_type"),
        ("crime_type=Drug%20trafficking", "crime_type"),
        ("country=CN", "crime_type"),
        ("crime_type=drug_trafficking&year_from=2020&year_to=2019", "year_from"),
        ("crime_type=drug_trafficking&year_from=soon", "year_from"),
        ("crime_type=drug_trafficking&country=ZZ", "country"),
        ("crime_type=drug_trafficking&court_level=high", "court_level"),
        ("crime_type=drug_trafficking&colour=red", "colour"),
    ],
)
def test_the_api_refuses_bad_arguments_with_400(web: FlaskClient, query: str, field: str) -> None:
    response = web.get(f"/api/v1/sentencing?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and field in error["details"]
    if "no_such_crime" in query:
        assert error["details"]["crime_type"] == [
            "unknown crime type 'no_such_crime'; GET /api/v1/vocabulary lists them"
        ]


# -- the page --------------------------------------------------------------------------------------------


def test_the_page_shows_the_figures_and_charts(web: FlaskClient) -> None:
    response = web.get("/en/sentencing?crime_type=drug_trafficking&year_from=&year_to=")
    assert response.status_code == 200 and len(response.data) < 100_000
    html = response.get_data(as_text=True)
    assert '<option value="drug_trafficking" selected>' in html
    assert "5 years" in html  # the median, 60 months
    assert "2 years 3 months" in html  # Q1, 27 months
    assert "15 years" in html and "6 months" in html
    assert html.count('<svg role="img"') == 2 and "<script" not in html
    assert "Convictions per custodial term: up to 6 months: 1;" in html
    assert "minimum 6, first quartile 27, median 60, third quartile 111, maximum 180." in html
    assert re.search(r"<th scope=\"row\">over 10 years, up to 15 years</th><td class=\"num\">1</td>", html)
    assert "CN¥26,000.00" in html or "CNY" in html
    assert "/api/v1/sentencing?crime_type=drug_trafficking" in html
    assert 'href="/en/sentencing"' in web.get("/en/").get_data(as_text=True)  # in the main navigation


def test_the_page_mirrors_its_charts_right_to_left_in_arabic(web: FlaskClient) -> None:
    ltr = web.get("/en/sentencing?crime_type=drug_trafficking").get_data(as_text=True)
    rtl_response = web.get("/ar/sentencing?crime_type=drug_trafficking")
    assert rtl_response.status_code == 200 and len(rtl_response.data) < 100_000
    rtl = rtl_response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in rtl and '<svg role="img"' in rtl

    def first_bar_x(html: str) -> float:
        found = re.search(r'<rect class="bar" x="([\d.]+)"', html)
        assert found
        return float(found.group(1))

    assert first_bar_x(ltr) < 320 < first_bar_x(rtl)  # the shortest terms at the reading start


def test_the_page_without_a_crime_type_shows_the_form(web: FlaskClient) -> None:
    response = web.get("/sentencing")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="crime_type"' in html and "<svg" not in html
    assert '<option value="GB">' in html  # countries holding decisions


def test_the_page_says_honestly_when_no_decision_states_a_sentence(web: FlaskClient) -> None:
    html = web.get("/en/sentencing?crime_type=piracy").get_data(as_text=True)
    assert "The portal holds 1 decision on Piracy under these filters" in html
    assert "states no sentence" in html and "<svg" not in html
    none = web.get("/en/sentencing?crime_type=piracy&country=GB").get_data(as_text=True)
    assert "The portal holds no decision on Piracy under these filters." in none


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("crime_type=no_such_crime", "no_such_crime is not a crime type of the vocabulary."),
        ("crime_type=piracy&year_from=2021&year_to=2020", "The first year must not be after the last year."),
        ("crime_type=piracy&year_from=twenty", "A year must be a number from 1900 to 2100."),
        ("crime_type=piracy&country=ZZ", "Unknown country code: ZZ."),
    ],
)
def test_the_page_refuses_bad_arguments_with_400(web: FlaskClient, query: str, message: str) -> None:
    response = web.get(f"/en/sentencing?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ("ar", "en", "zh"))
def test_the_page_renders_on_the_demo_corpus(client: FlaskClient, lang: str) -> None:
    for crime_type in ("drug_trafficking", "money_laundering", "piracy"):
        response = client.get(f"/{lang}/sentencing?crime_type={crime_type}")
        assert response.status_code == 200 and len(response.data) < 100_000, (lang, crime_type)
        direction = "rtl" if lang == "ar" else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in response.get_data(as_text=True)
    api = client.get("/api/v1/sentencing?crime_type=drug_trafficking").get_json()
    assert api["convictions"] >= 0 and api["decisions"] > 0  # the demo's PRC drug judgments
