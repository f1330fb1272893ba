"""Case records built at ingest from real judgments: spans, sentences, provisions, re-runs and editors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sherloc.db import make_engine, make_session_factory
from sherloc.ingest.cases import (
    EXTRACTOR_VERSION,
    CaseBuilder,
    ProvisionResolver,
    build_cases,
    cited_chinese_provisions,
    correct_case,
    merge_with_edits,
)
from sherloc.ingest.pipeline import Ingester
from sherloc.models import Record
from sherloc.models.cases import Case, CaseError, Charge, Defendant
from sherloc.search.backends import make_backend
from sherloc.settings import Settings
from sherloc.tagging.store import RecordTagging
from tests.conftest import CORPUS, SHARED_CORPORA, ingest_into
from tests.golden_helpers import shared

LECARD = CORPUS / "zh-cn-decisions-lecardv2" / "query" / "test_query.json"
CRIMINAL_LAW = CORPUS / "zh-cn-laws-lawrefbook" / "刑法" / "刑法.md"


def _lines(ids: set[int]) -> str:
    lines = LECARD.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if line.strip() and json.loads(line)["id"] in ids) + "\n"


@pytest.fixture(scope="module")
def demo_session(demo_settings: Settings) -> Session:
    engine = make_engine(demo_settings.database_url)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


def _case(session: Session, record_id: str) -> Case:
    case = session.scalars(select(Case).where(Case.record_id == record_id)).one()
    return case


def test_every_demo_decision_has_a_numbered_case(demo_session: Session) -> None:
    decisions = demo_session.scalars(select(Record.id).where(Record.kind == "decision")).all()
    cases = demo_session.scalars(select(Case)).all()
    assert len(cases) == len(decisions) > 100
    numbers = sorted(c.unodc_number for c in cases if c.country == "CN")
    assert numbers[0] == "CHN0001" and len(set(numbers)) == len(numbers)
    assert all(c.extractor_version == EXTRACTOR_VERSION for c in cases)


def test_extracted_values_point_at_their_text(demo_session: Session) -> None:
    checked = 0
    for case in demo_session.scalars(select(Case)):
        text = case.record.text
        for field, value in (("court.name", case.court.name), ("case_number", case.case_number)):
            where = case.provenance.get(field)
            if value and where and "start" in where:
                # Case numbers are stored with full-width brackets, as the courts' own style has them.
                written = text[where["start"] : where["end"]].replace("(", "（").replace(")", "）")
                assert written == value, (case.record_id, field)
                checked += 1
        for defendant in case.defendants:
            where = defendant.provenance.get("name")
            if where:
                assert text[where["start"] : where["end"]] == defendant.name
                checked += 1
    assert checked > 300


def test_a_quoted_first_instance_disposition_becomes_sentences(demo_session: Session) -> None:
    # LeCaRDv2 test_query 140: an appeal quoting the first-instance judgment on three defendants.
    case = _case(demo_session, "cn-decision-test_query-140")
    assert case.court.name == "安徽省铜陵市中级人民法院"
    assert (case.court.level, case.court.location) == ("appellate", "安徽省铜陵市")
    assert case.case_number == "（2018）皖07刑终44号" and case.proceeding_type == "criminal"
    by_name = {d.name: d for d in case.defendants}
    assert set(by_name) >= {"钱翠兰", "王光胜", "王晴"}
    (charge,) = by_name["王光胜"].charges
    assert (charge.charge, charge.verdict, charge.sentence_source) == (
        "开设赌场罪",
        "convicted",
        "first_instance",
    )
    sentence = charge.sentence
    assert (sentence.kind, sentence.term_months, sentence.suspended, sentence.probation_months) == (
        "criminal_detention",
        6,
        True,
        12,
    )
    assert (str(sentence.fine_amount), sentence.fine_currency) == ("10000.00", "CNY")
    # The charge is linked to the Criminal Law article that defines it, which the demo corpus holds.
    assert charge.provision_id == "cn-law-刑法-art-303"
    span = charge.provenance["sentence"]
    assert "拘役六个月" in case.record.text[span["start"] : span["end"]]


def test_charges_carry_their_crime_types(demo_session: Session) -> None:
    charges = demo_session.scalars(select(Charge).where(Charge.charge.in_(["受贿罪", "贪污罪"]))).all()
    assert charges and all(c.crime_types == ["corruption"] for c in charges)
    theft = demo_session.scalars(select(Charge).where(Charge.charge == "盗窃罪")).first()
    assert theft is not None and theft.crime_types == []


def test_a_provision_page_source_lists_the_decisions_citing_it(demo_session: Session) -> None:
    # Every cited 《中华人民共和国刑法》 article the portal holds is linked; the text keeps its span.
    case = _case(demo_session, "cn-decision-test_query-615")
    cited = {c.text: c for c in case.cited_provisions}
    article = cited["《中华人民共和国刑法》第二百九十三条"]
    assert article.provision_id == "cn-law-刑法-art-293"
    text = case.record.text
    assert text[article.provenance["text"]["start"] : article.provenance["text"]["end"]] == "第二百九十三条"
    # The sentence given at first instance, not the revoked or merged earlier one.
    (defendant,) = case.defendants
    (charge,) = defendant.charges
    assert (charge.sentence.term_months, charge.sentence_source) == (21, "first_instance")


def test_citations_in_any_numeral_form() -> None:
    found = cited_chinese_provisions(
        "依照《中华人民共和国刑法》第三百四十七条第一款、第四款，第六十七条第三款和第一百二十条之一，"
        "《刑法》第347条之规定"
    )
    assert [(c.law, c.number) for c in found] == [
        ("中华人民共和国刑法", "347"),
        ("中华人民共和国刑法", "67"),
        ("中华人民共和国刑法", "120-1"),
    ]


# ---- re-runs and editors on a store of our own ----------------------------------------------------


@pytest.fixture
def small_store(settings: Settings, tmp_path: Path) -> Settings:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "test_query.json").write_text(_lines({140, 615}), encoding="utf-8")
    report = ingest_into(settings, [folder])
    assert report.count("failed") == 0, report.problems
    return settings


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    """A session on the store of `settings`, its engine disposed on leaving the block."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def test_a_judgment_ingested_before_its_code_is_linked_when_the_code_comes(small_store: Settings) -> None:
    with _session(small_store) as session:
        case = _case(session, "cn-decision-test_query-140")
        assert all(c.provision_id is None for d in case.defendants for c in d.charges)
        assert all(
            c.provision_text == "《中华人民共和国刑法》第303条" for d in case.defendants for c in d.charges
        )
    ingest_into(small_store, [CRIMINAL_LAW])
    with _session(small_store) as session:
        case = _case(session, "cn-decision-test_query-140")
        assert {c.provision_id for d in case.defendants for c in d.charges} == {"cn-law-刑法-art-303"}
        assert {c.provision_id for c in case.cited_provisions} >= {"cn-law-刑法-art-303"}


def test_rebuilding_changes_nothing_and_keeps_what_editors_set(small_store: Settings) -> None:
    engine = make_engine(small_store.database_url)
    factory = make_session_factory(engine)
    builder = CaseBuilder(RecordTagging(small_store.vocab_dir).tagger)
    with factory() as session, session.begin():
        records = session.scalars(select(Record).where(Record.kind == "decision")).all()
        report = build_cases(session, records, builder)
        assert (report.written, report.unchanged, report.failed) == ([], 2, [])
        case = _case(session, "cn-decision-test_query-140")
        before = case.updated_at
        correct_case(
            session, case.record_id, {"court": {"name": "Tongling Intermediate People's Court"}}, "ana"
        )
        correct_case(session, case.record_id, {"keywords": ["illegal gambling"]}, "ana")
    with factory() as session, session.begin():
        case = _case(session, "cn-decision-test_query-140")
        assert case.court.name == "Tongling Intermediate People's Court"
        assert (
            case.provenance["court.name"]["by"] == "editor" and case.provenance["court.name"]["user"] == "ana"
        )
        assert case.court.location == "安徽省铜陵市"  # the parts not corrected keep their spans
        assert "start" in case.provenance["court.location"]
        assert case.updated_at >= before
        # A newer builder runs over it: extracted fields are refreshed, the editor's stay.
        case.extractor_version = "cases/0"
    Ingester(factory, make_backend(small_store), tagging=RecordTagging(small_store.vocab_dir)).refresh_cases()
    with factory() as session:
        case = _case(session, "cn-decision-test_query-140")
        assert case.extractor_version == EXTRACTOR_VERSION
        assert case.court.name == "Tongling Intermediate People's Court"
        assert case.keywords == ["illegal gambling"]
        assert case.case_number == "（2018）皖07刑终44号"
    engine.dispose()


def test_an_editors_correction_is_checked_like_any_input(small_store: Settings) -> None:
    with _session(small_store) as session:
        with pytest.raises(CaseError, match="victims.0.initials: victims are recorded by initials only"):
            correct_case(session, "cn-decision-test_query-140", {"victims": [{"initials": "Maria Lopez"}]})
        with pytest.raises(CaseError, match="not a field"):
            correct_case(session, "cn-decision-test_query-140", {"unodc_number": "CHN9999"})


def test_edited_lists_are_kept_whole() -> None:
    stored = {
        "title": "t",
        "defendants": [
            {"name": "王某", "charges": [{"charge": "盗窃罪", "provenance": {"verdict": {"by": "editor"}}}]}
        ],
        "provenance": {},
    }
    built = {
        "title": "t2",
        "defendants": [{"name": "王某", "charges": []}],
        "provenance": {"title": {"start": 0, "end": 2}},
    }
    merged = merge_with_edits(stored, built)
    assert merged["title"] == "t2" and merged["defendants"] == stored["defendants"]


# ---- UK and US decisions -------------------------------------------------------------------------


def test_uk_judgment_case_has_court_judges_parties_citation_and_statutes(settings: Settings) -> None:
    path = shared(SHARED_CORPORA / "en-gb-decisions-ewca-civ-2020" / "2020" / "2020-ewca-611-civ.xml")
    ingest_into(settings, [path])
    with _session(settings) as session:
        case = session.scalars(select(Case)).one()
        assert case.unodc_number == "GBR0001" and case.citation == "[2020] EWCA Civ 611"
        assert (case.court.level, case.proceeding_type) == ("appellate", "civil")
        assert case.court.name and "Court of Appeal" in case.court.name
        assert case.judges and case.parties and all(p["name"] for p in case.parties)
        assert case.decision_date is not None
        text = case.record.text
        where = case.provenance["citation"]
        assert text[where["start"] : where["end"]] == case.citation
        located = [c for c in case.cited_provisions if c.provenance.get("text")]
        assert located
        for cited in located:
            span = cited.provenance["text"]
            assert text[span["start"] : span["end"]] == cited.text


def test_us_listing_case_has_court_docket_date_and_disposition(settings: Settings, tmp_path: Path) -> None:
    listings = shared(SHARED_CORPORA / "en-us-case-metadata-juriscraper" / "opinion_listings.jsonl")
    with_disposition = []
    for line in listings.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if (
            isinstance(item.get("dispositions"), str)
            and item["dispositions"].strip()
            and item.get("docket_numbers")
        ):
            with_disposition.append(line)
        if len(with_disposition) == 3:
            break
    sample = tmp_path / "listings" / "opinion_listings.jsonl"
    sample.parent.mkdir()
    sample.write_text("\n".join(with_disposition) + "\n", encoding="utf-8")
    ingest_into(settings, [sample.parent])
    with _session(settings) as session:
        cases = session.scalars(select(Case)).all()
        assert len(cases) == 3 and {c.unodc_number for c in cases} == {"USA0001", "USA0002", "USA0003"}
        listings = {json.loads(line)["docket_numbers"]: json.loads(line) for line in with_disposition}
        for case in cases:
            listing = listings[case.case_number]
            assert case.court.name == listing["court_scraper_id"]  # its identifier: no name is made up
            assert case.disposition == listing["dispositions"].strip()
            assert case.decision_date is not None
            assert case.decision_date.isoformat() == listing["case_dates"][:10]


def test_a_case_that_cannot_be_built_is_reported_and_the_decision_kept(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    from sherloc.db import upgrade

    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        record = Record(
            id="xx-decision-1", kind="decision", source="test", source_key="1", country="ZZ", title="A v B"
        )
        record.text = "text"
        record.content_hash = "0"
        session.add(record)
        session.flush()
        report = build_cases(session, [record], CaseBuilder(RecordTagging(settings.vocab_dir).tagger))
        assert report.written == [] and report.failed and "country" in report.failed[0]
        assert session.get(Record, "xx-decision-1") is not None
    engine.dispose()


def test_resolver_finds_a_law_by_its_short_title(demo_session: Session) -> None:
    resolver = ProvisionResolver(demo_session)
    assert resolver.law("CN", "刑法") == "cn-law-刑法"
    assert resolver.provision("cn-law-刑法", "191") == "cn-law-刑法-art-191"
    assert resolver.cn_citation("《刑法》第一百九十一条") == "cn-law-刑法-art-191"
    assert demo_session.scalars(select(Defendant)).first() is not None


# ---- search facets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "months", "band"),
    [
        ("imprisonment", 11, "up_to_1y"),
        ("imprisonment", 12, "up_to_1y"),
        ("imprisonment", 13, "1_3y"),
        ("imprisonment", 36, "1_3y"),
        ("criminal_detention", 6, "up_to_1y"),
        ("imprisonment", 60, "3_5y"),
        ("imprisonment", 121, "over_10y"),
        ("life_imprisonment", None, "life"),
        ("death_with_reprieve", None, "death"),
        ("fine_only", None, "non_custodial"),
        ("imprisonment", None, None),
        (None, None, None),
    ],
)
def test_sentence_bands(kind: str | None, months: int | None, band: str | None) -> None:
    from sherloc.search.base import sentence_range

    assert sentence_range(kind, months) == band


def test_verdict_and_sentence_facets_count_the_case_records(client, demo_session: Session) -> None:  # type: ignore[no-untyped-def]
    from sherloc.search.base import sentence_range

    expected: dict[str, set[str]] = {}
    convicted: set[str] = set()
    for case in demo_session.scalars(select(Case)):
        for defendant in case.defendants:
            for charge in defendant.charges:
                if charge.verdict == "convicted":
                    convicted.add(case.record_id)
                    band = sentence_range(charge.sentence.kind, charge.sentence.term_months)
                    if band:
                        expected.setdefault(band, set()).add(case.record_id)
    assert convicted and expected
    body = client.get("/api/v1/search?q=verdict:convicted&facet=sentence_range&facet=verdict").get_json()
    assert body["total"] == len(convicted)
    counts = {b["value"]: b["count"] for b in body["facets"]["sentence_range"]}
    assert counts == {band: len(ids) for band, ids in expected.items()}
    three_to_five = client.get("/api/v1/search?q=sentence:3_5y&page_size=100").get_json()
    assert {hit["id"] for hit in three_to_five["hits"]} == expected["3_5y"]
    page = client.get("/search?q=verdict:convicted")
    assert page.status_code == 200 and "Over 3 years up to 5 years" in page.get_data(as_text=True)


# ---- a dataset's labels --------------------------------------------------------------------------

# A CAIL2018 case as a public README quotes it (t9k/knowledge-base-examples law-qa/data/README.md; see
# tests/golden/cail2018): the text is only the facts; charge, defendant, articles and sentence are labels.
CAIL2018_FACT = (
    "公诉机关指控，2016年3月29日6时许，被告人严某某在其家中吸食毒品时被公安民警抓获，民警当场从其上衣口袋内"
    "搜缴甲基苯丙胺（冰毒）1包及甲基苯丙胺片剂（麻古）2包，共计12.44克。"
)


def test_a_datasets_sentence_label_becomes_the_sentence_with_the_source_as_provenance(
    demo_session: Session,
) -> None:
    record = Record(
        id="cn-decision-cail2018-x",
        kind="decision",
        source="cail2018",
        source_key="x",
        country="CN",
        language="zh",
        title="严某某非法持有毒品罪",
        text=CAIL2018_FACT,
        attributes={
            "charges": ["非法持有毒品罪"],
            "defendants": ["严某某"],
            "relevant_articles": ["248", "357"],  # as the dataset labels them
            "sentence": {
                "imprisonment_months": 6,
                "life_imprisonment": False,
                "death_penalty": "false",
                "fine": 2000,
                "currency": "CNY",
            },
            "dataset": "CAIL2018",
        },
    )
    builder = CaseBuilder(RecordTagging(Settings(data_dir=Path("/nonexistent")).vocab_dir).tagger)
    built = builder.case_input(record, ProvisionResolver(demo_session))
    from sherloc.schemas.cases import CaseSchema

    case = CaseSchema().load(built)
    (defendant,) = case.defendants
    assert defendant.name == "严某某" and "start" in defendant.provenance["name"]  # found in the text too
    (charge,) = defendant.charges
    assert (charge.charge, charge.verdict, charge.sentence_source) == (
        "非法持有毒品罪",
        "convicted",
        "decision",
    )
    assert charge.crime_types == ["drug_trafficking"]
    assert (charge.sentence.kind, charge.sentence.term_months) == ("imprisonment", 6)
    assert (str(charge.sentence.fine_amount), charge.sentence.fine_currency) == ("2000.00", "CNY")
    assert charge.provenance["sentence"] == {"by": "source"}
    assert charge.provision_id == "cn-law-刑法-art-348"  # the article defining the charge (charge table)
    assert [c.provision_id for c in case.cited_provisions] == ["cn-law-刑法-art-248", "cn-law-刑法-art-357"]


def test_one_sentence_label_is_not_shared_out_among_several_defendants(demo_session: Session) -> None:
    record = Record(
        id="cn-decision-cail2018-y",
        kind="decision",
        source="cail2018",
        source_key="y",
        country="CN",
        language="zh",
        title="t",
        text=CAIL2018_FACT,
        attributes={
            "charges": ["非法持有毒品罪"],
            "defendants": ["严某某", "王某"],
            "sentence": {"imprisonment_months": 6},
        },
    )
    builder = CaseBuilder(RecordTagging(Settings(data_dir=Path("/nonexistent")).vocab_dir).tagger)
    built = builder.case_input(record, ProvisionResolver(demo_session))
    assert all("sentence" not in c for d in built.get("defendants", []) for c in d.get("charges", []))


def test_cail2018_and_lawbench_cases_give_sentencing_figures(settings: Settings) -> None:
    golden = Path(__file__).parent / "golden" / "cail2018"
    report = ingest_into(settings, [CRIMINAL_LAW, golden])
    assert report.count("failed") == 0, report.problems
    with _session(settings) as session:
        charges = {
            (d.name, c.charge): c
            for case in session.scalars(select(Case))
            for d in case.defendants
            for c in d.charges
        }
        held = charges[("严某某", "非法持有毒品罪")]
        assert (held.sentence.kind, held.sentence.term_months, held.sentence_source) == (
            "imprisonment",
            6,
            "decision",
        )
        assert held.crime_types == ["drug_trafficking"] and held.provenance["sentence"] == {"by": "source"}
        theft = charges[("颜某", "盗窃罪")]
        assert theft.sentence.term_months == 4  # LawBench 3-4's answer, 刑期:4个月
    from sherloc.app import create_app

    app = create_app(settings)
    figures = app.test_client().get("/api/v1/sentencing?crime_type=drug_trafficking&country=CN").get_json()
    assert (figures["convictions"], figures["terms"]["n"], figures["terms"]["median"]) == (1, 1, 6)
    app.extensions["sherloc"].engine.dispose()


def test_a_source_address_with_spaces_is_kept_encoded_and_a_broken_one_left_out(
    demo_session: Session,
) -> None:
    from sherloc.schemas.cases import CaseSchema

    builder = CaseBuilder(RecordTagging(Settings(data_dir=Path("/nonexistent")).vocab_dir).tagger)
    # As the ASBCA lists its decisions in juriscraper's examples.
    url = "https://www.asbca.mil/Portals/143/Decisions/2026/64475 MLSUSA Corp 3.27.26 Dismissal.pdf?v=1%3d"
    record = Record(
        id="us-decision-x", kind="decision", source="juriscraper", source_key="x", country="US", title="t"
    )
    record.source_url, record.attributes = url, {"court_id": "asbca"}
    case = CaseSchema().load(builder.case_input(record, ProvisionResolver(demo_session)))
    (attachment,) = case.attachments
    assert attachment.uri.endswith("64475%20MLSUSA%20Corp%203.27.26%20Dismissal.pdf?v=1%3d")
    assert attachment.media_type == "application/pdf"
    record.source_url = "https://exa mple.org:99999/x"
    case = CaseSchema().load(builder.case_input(record, ProvisionResolver(demo_session)))
    assert case.attachments == [] and case.sources == [] and case.court.name == "asbca"


# ---- appeals and acquittals (invented minimal judgments, written the way PRC courts write them) -------

_APPEAL_HEAD = (
    "湖南省长沙市中级人民法院\n刑事判决书\n（2019）湘01刑终123号\n上诉人（原审被告人）张某，男，1980年1月1日出生。\n"
    "长沙市岳麓区人民法院审理原审被告人张某犯贩卖毒品罪一案，于2019年3月1日作出刑事判决。宣判后，原审被告人张某"
    "不服，提出上诉。原审法院认为，被告人张某的行为构成贩卖毒品罪。依照《中华人民共和国刑法》第三百四十七条第四款"
    "之规定，判决：被告人张某犯贩卖毒品罪，判处有期徒刑一年，并处罚金人民币五千元。\n上诉人张某上诉提出，原判量刑"
    "过重。\n本院认为，"
)
_APPEALS = {
    "modified": "原审判决量刑过重，本院予以纠正。依照《中华人民共和国刑法》第三百四十七条之规定，"
    "判决如下：\n一、撤销长沙市岳麓区人民法院（2019）湘0104刑初45号刑事判决；\n二、上诉人张某犯贩卖毒品罪，判处有期徒刑十个月，"
    "并处罚金人民币三千元。\n本判决为终审判决。",
    "reversed": "原审判决认定上诉人张某犯贩卖毒品罪的事实不清、证据不足。判决如下：\n"
    "一、撤销长沙市岳麓区人民法院（2019）湘0104刑初45号刑事判决；\n二、上诉人张某无罪。\n本判决为终审判决。",
    "upheld": "原判认定事实清楚，量刑适当。裁定如下：\n驳回上诉，维持原判。\n本裁定为终审裁定。",
}


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("modified", ("convicted", "decision", 10, "3000.00")),
        ("reversed", ("acquitted", None, None, None)),
        ("upheld", ("convicted", "first_instance", 12, "5000.00")),
    ],
)
def test_an_appeal_courts_own_ruling_decides_the_case_record(
    demo_session: Session, outcome: str, expected: tuple[object, ...]
) -> None:
    from sherloc.schemas.cases import CaseSchema

    record = Record(
        id="cn-decision-appeal", kind="decision", source="test", source_key="a", country="CN", language="zh",
        title="张某贩卖毒品二审刑事判决书", text=_APPEAL_HEAD + _APPEALS[outcome],
    )  # fmt: skip
    builder = CaseBuilder(RecordTagging(Settings(data_dir=Path("/nonexistent")).vocab_dir).tagger)
    case = CaseSchema().load(builder.case_input(record, ProvisionResolver(demo_session)))
    (defendant,) = case.defendants
    (charge,) = defendant.charges
    fine = str(charge.sentence.fine_amount) if charge.sentence.fine_amount is not None else None
    assert (charge.verdict, charge.sentence_source, charge.sentence.term_months, fine) == expected
    assert charge.appeal_outcome == outcome


def test_an_acquitted_co_defendant_is_not_a_conviction(demo_session: Session) -> None:
    from sherloc.schemas.cases import CaseSchema

    text = (
        "江西省吉安市吉州区人民法院\n刑事判决书\n（2016）赣0802刑初100号\n被告人李某，男，1985年2月3日出生。\n"
        "被告人王某，男，1990年5月6日出生。\n吉安市吉州区人民检察院指控被告人李某、王某犯贩卖毒品罪。\n本院认为，"
        "被告人李某的行为构成贩卖毒品罪。指控被告人王某犯贩卖毒品罪的事实不清、证据不足。判决如下：\n一、被告人李某"
        "犯贩卖毒品罪，判处有期徒刑三年，并处罚金人民币五千元；\n二、被告人王某无罪。\n如不服本判决，可提出上诉。"
    )
    record = Record(
        id="cn-decision-two", kind="decision", source="test", source_key="b", country="CN", language="zh",
        title="李某、王某贩卖毒品一审刑事判决书", text=text,
    )  # fmt: skip
    builder = CaseBuilder(RecordTagging(Settings(data_dir=Path("/nonexistent")).vocab_dir).tagger)
    case = CaseSchema().load(builder.case_input(record, ProvisionResolver(demo_session)))
    verdicts = {d.name: [(c.verdict, c.sentence.term_months) for c in d.charges] for d in case.defendants}
    assert verdicts == {"李某": [("convicted", 36)], "王某": [("acquitted", None)]}
