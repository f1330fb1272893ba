"""Bibliography entries, treaties and strategies on their record pages, and in the country profile with the
country's status in UNTOC and its Protocols, over a small store built here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sherloc.app import create_app
from sherloc.bibliography.model import BibEntry, Name
from sherloc.db import make_engine, make_session_factory, upgrade
from sherloc.models import Record
from sherloc.schemas.explore import CountryProfileSchema
from sherloc.services.country_profile import (
    country_profile,
    latest_party_count,
    ratification_data,
    sections_payload,
)
from sherloc.settings import Settings
from sherloc.vocab.ratifications import PartyCount, Ratification, RatificationData, Source
from sherloc.web.record_kinds import citation_links, issued_text, name_text

ENTRY = "xx-bibliography-test-full"
BARE_ENTRY = "xx-bibliography-test-bare"
TREATY = "es-treaty-test-full"
BARE_TREATY = "es-treaty-test-bare"
STRATEGY = "es-strategy-test-full"
BARE_STRATEGY = "es-strategy-test-bare"
UN_DOCUMENT = "xx-policy_document-002_f4f5304433d9da2d"

FULL_ENTRY = BibEntry(
    key="test-full",
    type="article-journal",
    title="Money laundering through shell companies",
    authors=(Name(family="García", given="Ana"), Name(literal="United Nations Office on Drugs and Crime")),
    editors=(Name(family="Dupont", given="Marc"),),
    container_title="Journal of Financial Crime",
    publisher="Emerald",
    publisher_place="Bingley",
    issued=(2019, 3),
    language="en",
    isbn="978-92-1-133789-6",
    issn="1359-0790",
    doi="10.1108/JFC-01-2019-0001",
    un_sales_number="E.05.V.2",
    document_symbol="CTOC/COP/2020/4",
    url="www.example.org/paper.pdf",
    volume="26",
    issue="2",
    pages="455-470",
    edition="2nd",
    abstract="How shell companies hide the proceeds of crime.",
    annotation="Finds that beneficial ownership registers help.",
    keywords=("shell companies", "beneficial ownership"),
    countries=("ES", "MX"),
    crime_types=("money_laundering",),
    cross_cutting=("asset_recovery",),
    research_method="Case study of 40 prosecutions",
)
TREATY_FACTS: dict[str, Any] = {
    "title": "Tratado de Extradición entre España y los Estados Unidos Mexicanos",
    "kind": "bilateral",
    "parties": ["ES", "MX"],
    "party_names": ["el Reino de España", "los Estados Unidos Mexicanos"],
    "organisation": "Council of Europe",
    "subjects": ["extradition", "transfer_of_sentenced_persons"],
    "signed": "1978-11-21",
    "signed_place": "México, D. F.",
    "in_force": "1980-06-01",
    "in_force_scope": "provisionally",
    "quoted": {
        "title:signed": "21 de noviembre de 1978",
        "title:parties": "el Reino de España y los Estados Unidos Mexicanos",
        "in_force": "entrará en vigor el 1 de junio de 1980",
        "in_force_scope": "con carácter provisional",
    },
}
STRATEGY_FACTS: dict[str, Any] = {
    "name": "Estrategia Nacional contra el Crimen Organizado 2019-2023",
    "adopting_body": "Consejo de Seguridad Nacional",
    "period": "2019-2023",
    "components": ["threat_assessment", "action_plan"],
    "quoted": {
        "adopting_body": "aprobada por el Consejo de Seguridad Nacional",
        "threat_assessment": "análisis de la amenaza",
        "action_plan": "líneas de acción",
    },
}


def _record(record_id: str, kind: str, title: str, **more: Any) -> Record:
    values: dict[str, Any] = {"country": "ES", "language": "es", "text": "", **more}
    return Record(
        id=record_id, kind=kind, source="test", source_key=record_id, title=title, content_hash="0" * 64,
        **values,
    )  # fmt: skip


def _store(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        session.add_all(
            [
                _record(
                    ENTRY, "bibliography", FULL_ENTRY.title, country=None, language="en",
                    attributes={"entry": FULL_ENTRY.to_json(), "countries": ["ES", "MX"]},
                ),
                _record(
                    BARE_ENTRY, "bibliography", "Untitled report", country=None, language=None,
                    attributes={"entry": {"key": "test-bare", "type": "report", "title": "Untitled report"}},
                ),
                _record(
                    TREATY, "treaty", "Instrumento de ratificación del Tratado de Extradición",
                    date_adopted=dt.date(1978, 11, 21), source_url="https://www.boe.es/eli/es/ai/1978/11/21/(1)",
                    attributes={"treaty": TREATY_FACTS, "countries": ["ES", "MX"],
                                "official_journal": "Boletín Oficial del Estado"},
                ),
                _record(BARE_TREATY, "treaty", "Canje de notas", attributes={"treaty": {}}),
                _record(
                    STRATEGY, "strategy", "Orden por la que se publica la Estrategia",
                    date_adopted=dt.date(2019, 2, 15), attributes={"strategy": STRATEGY_FACTS},
                ),
                _record(BARE_STRATEGY, "strategy", "Plan sin datos", attributes={"strategy": {}}),
                _record(
                    UN_DOCUMENT, "policy_document", "在打击跨国有组织犯罪和腐败方面的国际合作", country=None,
                    language="zh", source_path="corpus/zh-un-ctoc-documents/002_f4f5304433d9da2d.txt",
                ),
                _record("es-law-test", "law", "Código Penal"),
            ]
        )  # fmt: skip
        session.commit()
    engine.dispose()


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """A portal over a store holding a full and a bare entry, treaty and strategy, and one UN document."""
    _store(settings)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert len(response.data) < 100_000, url
    return response.get_data(as_text=True)


def test_the_bibliography_page_shows_the_entry(app: Flask, client: FlaskClient) -> None:
    html = _page(client, f"/records/{ENTRY}")
    for shown in (
        "Bibliographic entry", "Journal article", "García, Ana", "United Nations Office on Drugs and Crime",
        "Dupont, Marc", "Journal of Financial Crime", "Bingley: Emerald",
        '<time datetime="2019-03">2019-03</time>', "2nd", "26", "455-470", "978-92-1-133789-6", "1359-0790",
        '<a href="https://doi.org/10.1108/JFC-01-2019-0001"', "E.05.V.2", "CTOC/COP/2020/4",
        'href="https://www.example.org/paper.pdf"', "How shell companies hide the proceeds of crime.",
        "Finds that beneficial ownership registers help.", "shell companies, beneficial ownership",
        '<a href="/countries/MX">Mexico</a>', "Money laundering", "Case study of 40 prosecutions",
    ):  # fmt: skip
        assert shown in html, shown
    assert 'href="/crime-types/money_laundering"' in html
    assert 'href="/search?cross_cutting=asset_recovery"' in html
    if "api.record_citation" in app.view_functions:
        for fmt in ("bibtex", "ris", "csl-json"):
            assert f'href="/api/v1/records/{ENTRY}/citation?format={fmt}"' in html
    else:  # the citation route is not there yet: no links, and no error
        assert "Export:" not in html


def test_without_the_citation_route_the_export_links_are_left_out() -> None:
    with Flask(__name__).test_request_context():
        assert citation_links(ENTRY) == []


def test_names_and_dates_of_an_entry() -> None:
    assert name_text(Name(family="Li", given="Wei")) == "Li, Wei"
    assert name_text(Name(literal="UNODC")) == "UNODC"
    dates = [issued_text(d) for d in ((), (2009,), (2009, 6), (2009, 6, 5))]
    assert dates == [None, "2009", "2009-06", "2009-06-05"]


def test_the_treaty_page_shows_its_facts_with_the_words_they_were_read_from(client: FlaskClient) -> None:
    html = _page(client, f"/records/{TREATY}")
    for shown in (
        "The treaty", TREATY_FACTS["title"], "Bilateral", '<a href="/countries/MX">Mexico</a>',
        '<a href="/countries/ES">Spain</a>', "el Reino de España; los Estados Unidos Mexicanos",
        "«el Reino de España y los Estados Unidos Mexicanos»", "Council of Europe",
        "Extradition, Transfer of sentenced persons", '<time datetime="1978-11-21">1978-11-21</time>',
        "«21 de noviembre de 1978»", "México, D. F.", "1980-06-01",
        "«entrará en vigor el 1 de junio de 1980»", "(provisionally)", "«con carácter provisional»",
        "Boletín Oficial del Estado",
    ):  # fmt: skip
        assert shown in html, shown
    assert "not stated in the text" not in html


def test_a_treaty_without_its_optional_facts_renders(client: FlaskClient) -> None:
    html = _page(client, f"/records/{BARE_TREATY}")
    assert "The treaty" in html and "not stated in the text" in html


def test_the_strategy_page_lists_the_five_components(client: FlaskClient) -> None:
    html = _page(client, f"/records/{STRATEGY}")
    for shown in (
        STRATEGY_FACTS["name"], "Consejo de Seguridad Nacional",
        "«aprobada por el Consejo de Seguridad Nacional»",
        '<time datetime="2019-02-15">', "2019-2023", "Threat assessment", "«análisis de la amenaza»",
        "Action plan", "«líneas de acción»",
    ):  # fmt: skip
        assert shown in html, shown
    components = html[html.index('<ul class="components">') :]
    components = components[: components.index("</ul>")]
    assert components.count('class="present"') == 2 and components.count('class="absent"') == 3
    for absent in ("Coordination body", "Monitoring and evaluation", "International cooperation"):
        item = components[components.index(absent) :]
        assert item.index("not found in the text") < item.index("</li>"), absent


def test_records_without_optional_facts_render(client: FlaskClient) -> None:
    html = _page(client, f"/records/{BARE_STRATEGY}")
    assert html.count("not found in the text") == 5
    html = _page(client, f"/records/{BARE_ENTRY}")
    assert "Bibliographic entry" in html and "Report" in html and "DOI" not in html


@pytest.mark.parametrize("record_id", [ENTRY, TREATY, STRATEGY])
def test_the_arabic_pages_are_right_to_left(client: FlaskClient, record_id: str) -> None:
    html = _page(client, f"/ar/records/{record_id}")
    assert '<html lang="ar" dir="rtl">' in html
    assert 'href="/ar/countries/ES"' in html or 'href="/ar/countries/MX"' in html


def test_the_country_profile_shows_treaties_bibliography_strategies_and_untoc(client: FlaskClient) -> None:
    html = _page(client, "/countries/ES")
    treaties = html[html.index('id="treaties"') : html.index('id="strategies"')]
    assert TREATY_FACTS["title"] in treaties and '<a href="/countries/MX">Mexico</a>' in treaties
    assert "signed 1978-11-21" in treaties and "Extradition, Transfer of sentenced persons" in treaties
    strategies = html[html.index('id="strategies"') : html.index('id="bibliography"')]
    assert STRATEGY_FACTS["name"] in strategies and "adopted 2019-02-15" in strategies
    bibliography = html[html.index('id="bibliography"') : html.index('id="untoc"')]
    assert FULL_ENTRY.title in bibliography and "Untitled report" not in bibliography
    untoc = html[html.index('id="untoc"') :]
    for shown in (
        "United Nations Convention against Transnational Organized Crime", "Trafficking in Persons Protocol",
        "Smuggling of Migrants Protocol", "Firearms Protocol", "2003-09-29", "187 as of 2017-02-22",
        f'href="/records/{UN_DOCUMENT}"', "在打击跨国有组织犯罪和腐败方面的国际合作",
    ):  # fmt: skip
        assert shown in untoc, shown
    assert untoc.count("no instrument of ratification in the portal's sources") == 4


def test_a_country_known_only_as_a_treaty_party_has_its_treaties(client: FlaskClient) -> None:
    html = _page(client, "/countries/MX")
    assert TREATY_FACTS["title"] in html and '<a href="/countries/ES">Spain</a>' in html
    assert FULL_ENTRY.title in html  # the entry names Mexico among its countries
    assert "The portal holds no records of this country yet." not in html


def test_the_profile_shows_a_status_the_sources_state(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    real = ratification_data(settings.vocab_dir)
    assert real is not None
    source = Source("zh-un-ctoc-documents/002_f4f5304433d9da2d.txt", "西班牙批准了《公约》")
    stated = Ratification("ES", "UNTOC", "ratification", dt.date(2002, 3, 1), "deposit", (), (), source)
    data = RatificationData((stated,), real.party_counts, real.entry_into_force)
    monkeypatch.setattr("sherloc.web.explore.ratification_data", lambda _dir: data)
    untoc = _page(client, "/countries/ES").split('id="untoc"')[1]
    assert "ratification 2002-03-01" in untoc and 'title="西班牙批准了《公约》"' in untoc
    assert untoc.count("no instrument of ratification in the portal's sources") == 3


def test_the_latest_party_count_prefers_a_dated_one() -> None:
    source = Source("x.txt", "q")
    counts = [
        PartyCount("UNTOC", 156, dt.date(2010, 7, 13), source),
        PartyCount("UNTOC", 168, None, source),
        PartyCount("UNTOC", 187, dt.date(2017, 2, 22), source),
    ]
    found = latest_party_count(counts)
    assert found is not None and found.parties == 187
    assert latest_party_count([]) is None


def test_the_profile_service_without_ratification_data_has_no_untoc_section(app: Flask) -> None:
    with app.app_context():
        portal = app.extensions["sherloc"]
        with portal.sessions() as session:
            profile = country_profile(session, portal.vocabulary, "ES")
            assert profile.untoc == []
            assert [t.record.id for t in profile.treaties] == [TREATY, BARE_TREATY]
            assert [r.id for r in profile.bibliography] == [ENTRY] and profile.bibliography_count == 1
            assert {r.id for r in profile.strategies} == {STRATEGY, BARE_STRATEGY}


def test_the_api_sections_of_the_profile_follow_the_schema(app: Flask, settings: Settings) -> None:
    with app.app_context():
        portal = app.extensions["sherloc"]
        with portal.sessions() as session:
            profile = country_profile(session, portal.vocabulary, "ES", ratification_data(settings.vocab_dir))
            payload = sections_payload(profile, lambda record_id: f"/api/v1/records/{record_id}")
    assert CountryProfileSchema().validate(payload) == {}
    assert payload["treaties"][0]["other_parties"] == ["MX"] and payload["bibliography_count"] == 1
    untoc = {row["instrument"]: row for row in payload["untoc"]}
    assert untoc["UNTOC"]["status"] is None and untoc["UNTOC"]["entry_into_force"] == "2003-09-29"
    assert untoc["UNTOC"]["parties"] == 187 and untoc["UNTOC"]["parties_as_of"] == "2017-02-22"
    assert untoc["UNTOC"]["parties_source"]["record_id"] == UN_DOCUMENT


def test_the_permalink_of_a_treaty_page_resolves(client: FlaskClient) -> None:
    html = _page(client, f"/records/{TREATY}")
    canonical = html.split('<link rel="canonical" href="', 1)[1].split('"', 1)[0]
    assert client.get(canonical.replace("http://localhost", "")).status_code == 200
