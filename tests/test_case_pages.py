"""Case records on the pages and in the API: a decision's case with links into its text, a provision's
decisions, and the JSON of both, over a small store built here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import jsonschema_rs
import pytest
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask.testing import FlaskClient

from sherloc.app import create_app
from sherloc.db import make_engine, make_session_factory, upgrade
from sherloc.models import Record
from sherloc.models.cases import (
    APPEAL_OUTCOMES,
    ATTACHMENT_KINDS,
    COURT_LEVELS,
    DEFENDANT_ROLES,
    GENDERS,
    LEGAL_SYSTEMS,
    PERSON_TYPES,
    PROCEEDING_TYPES,
    SENTENCE_KINDS,
    TEXT_KINDS,
    VERDICTS,
    register_case,
)
from sherloc.schemas.cases import CaseSchema
from sherloc.services.case_view import marked_paragraphs, part_of, part_offsets, years_and_months
from sherloc.services.records import split_text
from sherloc.settings import Settings
from sherloc.web.openapi import build_document

DECISION = "cn-decision-test-1"
BARE_DECISION = "cn-decision-test-2"
PROVISION = "cn-law-test-art-191"
COURT = "上海市第一中级人民法院"
TEXT = (
    f"{COURT}\n\n刑事判决书（2020）沪01刑初123号\n\n被告人张某，男，1980年出生。\n\n"
    "本院认为，被告人张某犯洗钱罪，判处有期徒刑五年六个月，并处罚金人民币五十万元。<script>x</script>"
)


def span(needle: str, extra: int = 0) -> dict[str, int]:
    """The provenance span of `needle`'s first occurrence in TEXT (widened by `extra` characters)."""
    start = TEXT.index(needle)
    return {"start": start, "end": start + len(needle) + extra}


CASE: dict[str, Any] = {
    "record_id": DECISION,
    "country": "CHN",
    "title": "张某洗钱案",
    "court": {"name": COURT, "level": "first_instance", "location": "上海"},
    "decision_date": "2020-06-01",
    "case_number": "（2020）沪01刑初123号",
    "legal_system": "civil_law",
    "proceeding_type": "criminal",
    "keywords": ["shell companies"],
    "involved_countries": ["VN"],
    "sources": [{"title": "China Judgments Online", "url": "https://wenshu.court.gov.cn/"}],
    "texts": [{"kind": "facts", "language": "en", "text": "The defendant moved funds abroad."}],
    "attachments": [{"uri": "https://example.org/judgment.pdf", "media_type": "application/pdf"}],
    "defendants": [
        {
            "name": "张某",
            "anonymised": True,
            "gender": "male",
            "age_at_offence": 40,
            "nationality": "CN",
            "role": "principal",
            "provenance": {"name": span("张某"), "gender": {"by": "editor", "user": "ed"}},
            "charges": [
                {
                    "charge": "洗钱罪",
                    "provision_id": PROVISION,
                    "verdict": "convicted",
                    "sentence": {
                        "kind": "imprisonment",
                        "term": {"value": 66, "unit": "months"},
                        "fine": {"amount": "500000", "currency": "CNY"},
                        "other_measures": ["没收违法所得"],
                    },
                    "sentence_source": "first_instance",
                    "appeal_outcome": "upheld",
                    "provenance": {
                        # overlapping spans: the term, and the term with the fine
                        "sentence.term": span("有期徒刑五年六个月"),
                        "sentence.fine": span("五年六个月，并处罚金人民币五十万元。<script>"),
                        "verdict": {"by": "editor"},
                    },
                }
            ],
        }
    ],
    "victims": [{"initials": "L. M.", "gender": "female", "age": 16, "minor": True, "nationality": "VN"}],
    "cited_provisions": [{"provision_id": PROVISION, "text": "《刑法》第一百九十一条"}],
    "provenance": {"court.name": span(COURT), "case_number": span("（2020）沪01刑初123号")},
}


def _record(record_id: str, kind: str, title: str, text: str, **more: Any) -> Record:
    return Record(
        id=record_id, kind=kind, source="test", source_key=record_id, country="CN", language="zh",
        title=title, text=text, content_hash="0" * 64, **more,
    )  # fmt: skip


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """A portal over a store holding one provision, a decision with a case citing it, and a bare decision."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        session.add(_record(PROVISION, "provision", "第一百九十一条", "洗钱罪 ...", label="第一百九十一条"))
        session.add(_record(DECISION, "decision", "张某洗钱一审刑事判决书", TEXT))
        session.add(_record(BARE_DECISION, "decision", "李某诈骗案", "本院认为……"))
        register_case(session, CaseSchema().load(CASE))
        session.commit()
    engine.dispose()
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["sherloc"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class _Nesting(HTMLParser):
    """Fails on an end tag that does not close the innermost open element (void elements aside)."""

    VOID = frozenset({"br", "input", "link", "meta", "img", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (tag, self.open[-5:])
        self.open.pop()


def _well_formed(html: str) -> None:
    parser = _Nesting()
    parser.feed(html)
    parser.close()


def test_the_decision_page_shows_its_case_record(client: FlaskClient) -> None:
    response = client.get(f"/records/{DECISION}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for shown in (
        "Case record", "CHN0001", "张某洗钱案", COURT, "First instance", "上海", "2020-06-01",
        "（2020）沪01刑初123号", "Civil law", "Criminal proceedings", "shell companies", "Vietnam",
        "Principal offender", "Natural person", "Male", "Convicted", "Fixed-term imprisonment",
        "5 years 6 months", "CN¥500,000.00", "没收违法所得", "Upheld",
        "first instance, as this appeal quotes",
        "《刑法》第一百九十一条", "The defendant moved funds abroad.", 'lang="en"',
        "https://example.org/judgment.pdf", "China Judgments Online",
    ):  # fmt: skip
        assert shown in html, shown
    assert f'href="/records/{PROVISION}"' in html  # the charged and the cited provision link to it
    _well_formed(html)
    assert len(response.data) < 100_000


def test_values_link_to_their_place_in_the_text_and_editor_values_say_so(client: FlaskClient) -> None:
    html = client.get(f"/records/{DECISION}").get_data(as_text=True)
    court = span(COURT)
    anchor = f"at-{court['start']}-{court['end']}"
    assert f'href="#{anchor}">in the text</a>' in html
    assert f'<mark id="{anchor}">{COURT}</mark>' in html
    term, fine = span("有期徒刑五年六个月"), span("五年六个月，并处罚金人民币五十万元。<script>")
    # overlapping spans: cut into pieces that never nest, each span's anchor on its first piece
    assert f'<mark id="at-{term["start"]}-{term["end"]}">有期徒刑</mark>' in html
    assert f'<mark id="at-{fine["start"]}-{fine["end"]}">五年六个月</mark>' in html
    assert "<mark>，并处罚金人民币五十万元。&lt;script&gt;</mark>x&lt;/script&gt;" in html
    assert "<script>x" not in html
    assert html.count("checked by an editor") == 2  # the defendant's gender and the verdict


def test_victims_appear_by_initials_with_what_is_known(client: FlaskClient) -> None:
    html = client.get(f"/records/{DECISION}").get_data(as_text=True)
    victims = html[html.index("<h3>Victims</h3>") :]
    assert "<strong>L. M.</strong>" in victims and "16 (minor)" in victims and "Female" in victims


def test_the_arabic_decision_page_is_right_to_left(client: FlaskClient) -> None:
    response = client.get(f"/ar/records/{DECISION}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    assert "CHN0001" in html and 'id="case-title"' in html


def test_a_decision_without_a_case_renders_without_the_section(client: FlaskClient) -> None:
    response = client.get(f"/records/{BARE_DECISION}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "本院认为……" in html and "Case record" not in html and "<mark" not in html


def test_the_provision_page_lists_the_decisions_applying_it(client: FlaskClient) -> None:
    html = client.get(f"/records/{PROVISION}").get_data(as_text=True)
    assert "Decisions applying this provision (1)" in html
    assert f'<a href="/records/{DECISION}" dir="auto">张某洗钱案</a>' in html
    assert f"{COURT} · 2020-06-01 · CHN0001" in html


def test_the_api_record_carries_the_case_and_the_citing_decisions(client: FlaskClient) -> None:
    decision = client.get(f"/api/v1/records/{DECISION}").get_json()
    case = decision["case"]
    assert case["unodc_number"] == "CHN0001" and case["court"]["name"] == COURT
    charge = case["defendants"][0]["charges"][0]
    assert charge["sentence"]["term"] == {"value": 66, "unit": "months"}
    assert charge["provenance"]["verdict"] == {"by": "editor"}
    assert case["provenance"]["court.name"] == span(COURT)
    assert decision["cited_by"] is None and decision["cited_by_total"] is None

    provision = client.get(f"/api/v1/records/{PROVISION}").get_json()
    assert provision["case"] is None and provision["cited_by_total"] == 1
    assert provision["cited_by"] == [
        {"id": DECISION, "title": "张某洗钱案", "unodc_number": "CHN0001", "court": COURT,
         "decision_date": "2020-06-01"}
    ]  # fmt: skip
    assert client.get(f"/api/v1/records/{BARE_DECISION}").get_json()["case"] is None


def test_the_api_records_match_the_document(client: FlaskClient) -> None:
    validator = _validator(build_document(), "Record")
    for record_id in (DECISION, PROVISION, BARE_DECISION):
        validator.validate(client.get(f"/api/v1/records/{record_id}").get_json())


def test_the_api_case_matches_the_case_schema(client: FlaskClient) -> None:
    """What RecordSchema.case should become: the case described by CaseSchema, every key required."""
    from sherloc.web import openapi

    spec = APISpec(
        title="case", version="1", openapi_version=openapi.OPENAPI_VERSION, plugins=[MarshmallowPlugin()]
    )
    spec.components.schema("Case", schema=CaseSchema)
    document = spec.to_dict()
    openapi._require_every_key(document["components"]["schemas"], optional=openapi.OPTIONAL_KEYS)
    case = client.get(f"/api/v1/records/{DECISION}").get_json()["case"]
    _validator(document, "Case").validate(case)


def _validator(document: dict[str, Any], name: str) -> jsonschema_rs.Validator:
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document["components"],
        "$ref": f"#/components/schemas/{name}",
    }
    return jsonschema_rs.validator_for(root)


def test_marks_of_overlapping_spans_never_nest_and_keep_paragraphs() -> None:
    text = "abcdef\n\nghijkl"
    paragraphs = marked_paragraphs(text, [(1, 4), (2, 10), (7, 9)])
    assert [[(p.text, p.marked, p.ids) for p in para] for para in paragraphs] == [
        [("a", False, []), ("b", True, ["at-1-4"]), ("cd", True, ["at-2-10"]), ("ef", True, [])],
        # (7, 9) starts in the paragraph break: its anchor goes on the first character it covers
        [("g", True, ["at-7-9"]), ("h", True, []), ("ijkl", False, [])],
    ]


def test_spans_are_found_in_the_part_of_a_long_text_that_shows_them() -> None:
    text = "\n\n".join(f"paragraph {n} " + "x" * 60 for n in range(40))
    parts = split_text(text, 500)
    offsets = part_offsets(text, parts)
    assert len(parts) > 1 and all(text[o : o + len(p)] == p for o, p in zip(offsets, parts, strict=True))
    start = text.index("paragraph 30")
    number = part_of(start, offsets, parts)
    assert number is not None and "paragraph 30" in parts[number - 1]
    assert part_of(len(text), offsets, parts) is None
    pieces = marked_paragraphs(parts[number - 1], [(start, start + 12)], offsets[number - 1])
    assert any(
        p.ids == [f"at-{start}-{start + 12}"] and p.text == "paragraph 30" for para in pieces for p in para
    )


def test_terms_are_years_and_months() -> None:
    assert [years_and_months(m) for m in (0, 8, 12, 66)] == [(0, 0), (0, 8), (1, 0), (5, 6)]


def test_every_controlled_value_has_a_label() -> None:
    from sherloc.web.pages import CASE_VALUE_LABELS

    vocabularies = {
        "court_level": COURT_LEVELS, "legal_system": LEGAL_SYSTEMS, "proceeding_type": PROCEEDING_TYPES,
        "person_type": PERSON_TYPES, "gender": GENDERS, "role": DEFENDANT_ROLES, "verdict": VERDICTS,
        "sentence_kind": SENTENCE_KINDS, "appeal_outcome": APPEAL_OUTCOMES, "text_kind": TEXT_KINDS,
        "attachment_kind": ATTACHMENT_KINDS,
    }  # fmt: skip
    assert {field: set(labels) for field, labels in CASE_VALUE_LABELS.items()} == {
        field: set(values) for field, values in vocabularies.items()
    }
