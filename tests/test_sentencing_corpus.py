"""Sentencing figures on the corpus's own judgments agree with a direct count of their case records.

The direct count walks every stored case in Python, with the counting rule written out again here (one
conviction per defendant and decision, this decision's sentence before a quoted first-instance one, the
most severe sentence, the longest custodial term), and compares it with what /api/v1/sentencing and the
/sentencing page say, for every crime type in China: the demo corpus, then every LeCaRDv2 and CAIL2022
judgment in ../shared/corpora, where drug trafficking is the crime type the CAIL2022 paragraphs are about.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sherloc.app import create_app
from sherloc.db import make_engine, make_session_factory
from sherloc.models import Record
from sherloc.models.cases import Case
from sherloc.settings import Settings
from tests.conftest import SHARED_CORPORA, ingest_into
from tests.golden_helpers import shared

EDGES = (6, 12, 36, 60, 120, 180)  # histogram edges in months: (low, high], as the page says
SEVERITY = ("death", "death_with_reprieve", "life_imprisonment")


def _direct(session: Session, crime_type: str, country: str) -> dict[str, Any]:
    decisions: set[str] = set()
    for record in session.scalars(select(Record).where(Record.kind == "decision", Record.country == country)):
        if any(t.scheme == "crime_type" and t.value == crime_type for t in record.tags):
            decisions.add(record.id)
    convictions = 0
    terms: list[int] = []
    for case in session.scalars(select(Case).where(Case.country == country)):
        for defendant in case.defendants:
            mine = [c for c in defendant.charges if crime_type in (c.crime_types or [])]
            if mine:
                decisions.add(case.record_id)
            convicted = [c for c in mine if c.verdict == "convicted"]
            own = [c for c in convicted if c.sentence_source in (None, "decision")]
            chosen = own or convicted
            if not chosen:
                continue
            convictions += 1
            kinds = {c.sentence.kind for c in chosen}
            if kinds & set(SEVERITY):
                continue
            custodial = [
                c.sentence.term_months
                for c in chosen
                if c.sentence.kind in ("imprisonment", "criminal_detention")
                and c.sentence.term_months is not None
            ]
            if custodial:
                terms.append(max(custodial))
    histogram = [0] * (len(EDGES) + 1)
    for term in terms:
        histogram[sum(1 for edge in EDGES if term > edge)] += 1
    figures: dict[str, Any] = {"decisions": len(decisions), "convictions": convictions, "n": len(terms)}
    figures["histogram"] = histogram
    if terms:
        q1, median, q3 = (
            statistics.quantiles(terms, n=4, method="inclusive") if len(terms) > 1 else [terms[0]] * 3
        )
        figures.update(min=min(terms), max=max(terms), median=median, q1=q1, q3=q3)
    return figures


def _compare(client: FlaskClient, session: Session, crime_type: str, country: str = "CN") -> dict[str, Any]:
    direct = _direct(session, crime_type, country)
    api = client.get(f"/api/v1/sentencing?crime_type={crime_type}&country={country}").get_json()
    assert (api["decisions"], api["convictions"], api["terms"]["n"]) == (
        direct["decisions"],
        direct["convictions"],
        direct["n"],
    ), crime_type
    assert [b["count"] for b in api["terms"]["histogram"]] == direct["histogram"], crime_type
    for key in ("min", "max", "median", "q1", "q3"):
        if direct["n"]:
            assert api["terms"][key] == pytest.approx(direct[key]), (crime_type, key)
    page = client.get(f"/en/sentencing?crime_type={crime_type}&country={country}").get_data(as_text=True)
    if direct["convictions"]:
        assert f"<strong>{direct['convictions']:,}</strong> convictions" in page, crime_type
    elif direct["decisions"]:
        assert re.search(
            rf"The portal holds ({direct['decisions']:,}|{direct['decisions']}) decision", page
        ), crime_type
    else:
        assert "The portal holds no decision on" in page, crime_type
    if direct["n"]:
        cells = re.findall(r'<td class="num">([0-9.,]+)</td>', page)
        assert f"{direct['median']:g}" in cells, crime_type
    return direct


def _crime_types(app: Flask) -> list[str]:
    return [crime_type.id for crime_type in app.extensions["sherloc"].vocabulary.crime_types]


@pytest.fixture(scope="module")
def demo_session(demo_settings: Settings) -> Iterator[Session]:
    engine = make_engine(demo_settings.database_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def test_demo_corpus_figures_agree_with_a_direct_count(
    client: FlaskClient, demo_app: Flask, demo_session: Session
) -> None:
    found = {crime_type: _compare(client, demo_session, crime_type) for crime_type in _crime_types(demo_app)}
    # The demo's PRC judgments are mostly captions and facts; those with a disposition give sentences.
    assert found["drug_trafficking"]["decisions"] > 10
    assert sum(f["n"] for f in found.values()) > 0


@pytest.fixture(scope="module")
def chinese_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Session]]:
    lecard = shared(SHARED_CORPORA / "zh-cn-decisions-lecardv2")
    cail = shared(SHARED_CORPORA / "zh-cn-decisions-cail2022-drug-ie")
    law = shared(SHARED_CORPORA / "zh-cn-laws-lawrefbook" / "刑法" / "刑法.md")
    settings = Settings(data_dir=tmp_path_factory.mktemp("zh-judgments") / "data", secret_key="test")
    report = ingest_into(settings, [law, lecard, cail])
    assert report.count("failed") == 0, report.problems
    app = create_app(settings)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        yield app, session
    engine.dispose()
    app.extensions["sherloc"].engine.dispose()


def test_every_chinese_judgment_in_the_shared_corpora_agrees_with_a_direct_count(
    chinese_corpus: tuple[Flask, Session],
) -> None:
    app, session = chinese_corpus
    client = app.test_client()
    found = {crime_type: _compare(client, session, crime_type) for crime_type in _crime_types(app)}
    # Every CAIL2022 paragraph is about drug trafficking (the dataset's ground truth), and the tagger
    # finds it in nearly all of them; the paragraphs are facts, so few state a sentence.
    assert found["drug_trafficking"]["decisions"] >= 1300
    assert sum(f["convictions"] for f in found.values()) > 10


def test_the_numbers_match_for_a_country_filter_that_excludes_everything(
    client: FlaskClient, demo_session: Session
) -> None:
    direct = _compare(client, demo_session, "drug_trafficking", country="FR")
    assert direct == {"decisions": 0, "convictions": 0, "n": 0, "histogram": [0] * (len(EDGES) + 1)}
